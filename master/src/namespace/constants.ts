// Bounds and POSIX constants of the master namespace, named with their units.

// The chunk size (64 MiB) is the chunk store's: file offset / CHUNK_SIZE_BYTES is the chunk index.
export { CHUNK_SIZE_BYTES } from '@mooseng/core';
/** Largest file size; bounds the per-file chunk slot array (262 144 slots). */
export const MAX_FILE_SIZE_BYTES = 2 ** 44;
/** Longest name of one directory entry, in UTF-8 bytes (NAME_MAX). */
export const MAX_NAME_BYTES = 255;
/** Longest symlink target and longest path resolved, in UTF-8 bytes (PATH_MAX). */
export const MAX_PATH_BYTES = 4096;
/** Most symlinks followed while resolving one path before ELOOP (Linux's MAXSYMLINKS). */
export const MAX_SYMLINK_FOLLOWS = 40;
/** Most hard links to one inode, and most subdirectories of one directory (LINK_MAX). */
export const MAX_LINK_COUNT = 65_000;
/** Longest extended attribute name, in UTF-8 bytes. */
export const MAX_XATTR_NAME_BYTES = 255;
/** Largest extended attribute value, in bytes (XATTR_SIZE_MAX). */
export const MAX_XATTR_VALUE_BYTES = 64 * 1024;
/** Most bytes of names and values of all extended attributes of one inode. */
export const MAX_XATTR_TOTAL_BYTES = 256 * 1024;
/** Results remembered per session for retried commands; a client keeps fewer requests in flight than this. */
export const RECENT_RESULTS_PER_SESSION = 1024;
/** Most entries one readdir page returns. */
export const MAX_READDIR_PAGE_ENTRIES = 10_000;
/** Directories whose sorted entry list is cached between readdir pages (non-replicated cache). */
export const SORTED_DIR_CACHE_DIRECTORIES = 64;
/** Goals (replica counts) allowed, as in MooseFS. */
export const MIN_GOAL = 1;
export const MAX_GOAL = 9;
/** Goal of the root directory when the state machine is created without one (MooseFS's default). */
export const DEFAULT_GOAL = 2;
/** Inode number of the root directory. */
export const ROOT_INODE = 1;

// File type bits of `mode` (as in <sys/stat.h>).
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
// Permission bits.
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
/** Permission and special bits: everything chmod may set. */
export const S_IALLUGO = 0o7777;
export const S_IXGRP = 0o0010;

/** Access bits for permission checks (as in access(2)). */
export const R_OK = 4;
export const W_OK = 2;
export const X_OK = 1;
