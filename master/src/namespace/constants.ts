// Bounds of the master namespace that are not part of the protocol, named with their units. The protocol's own
// constants (mode bits, flags, name and xattr limits, goal range, ROOT_INODE) live in @mooseng/core (fs-constants.ts).

// The chunk size (64 MiB) is the chunk store's: file offset / CHUNK_SIZE_BYTES is the chunk index.
export { CHUNK_SIZE_BYTES } from '@mooseng/core';
/** Largest file size; bounds the per-file chunk slot array (262 144 slots). */
export const MAX_FILE_SIZE_BYTES = 2 ** 44;
/** Most symlinks followed while resolving one path before ELOOP (Linux's MAXSYMLINKS). */
export const MAX_SYMLINK_FOLLOWS = 40;
/** Most hard links to one inode, and most subdirectories of one directory (LINK_MAX). */
export const MAX_LINK_COUNT = 65_000;
/** Results remembered per session for retried commands; a client keeps fewer requests in flight than this. */
export const RECENT_RESULTS_PER_SESSION = 1024;
/** Directories whose sorted entry list is cached between readdir pages (non-replicated cache). */
export const SORTED_DIR_CACHE_DIRECTORIES = 64;
/** Goal of the root directory when the state machine is created without one (MooseFS's default). */
export const DEFAULT_GOAL = 2;
/** Most chunk ids one reserveChunkIds command reserves (a leader's block of ids for new chunks). */
export const MAX_RESERVED_CHUNK_IDS = 1024;
