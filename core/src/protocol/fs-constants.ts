// File-system constants of the client ↔ master protocol (client.proto): mode, flag and mask bits, limits, the root.
// Master and client both import them from here, so the two sides of a field cannot drift apart. Changing a value is a
// wire change: a rolling cluster runs masters and clients of both builds at once.

// ---- mode (Attr.mode; the mode of Mknod, Mkdir and SetAttr): file type and permission bits as in <sys/stat.h> ------

/** Mask of the file type bits of a mode. */
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
/** Set-user-id, set-group-id and sticky bits. */
export const S_ISUID = 0o4000;
export const S_ISGID = 0o2000;
export const S_ISVTX = 0o1000;
/** Permission and special bits: everything chmod may set. */
export const S_IALLUGO = 0o7777;
/** Group execute: S_ISGID counts as a set-group-id program only with it (cleared on write and chown, as Linux does). */
export const S_IXGRP = 0o0010;

/**
 * Access bits as in access(2). They are also the rwx bits of one class in a mode (owner << 6, group << 3, other),
 * which is how the master's permission checks use them.
 */
export const R_OK = 4;
export const W_OK = 2;
export const X_OK = 1;

// ---- flag and mask fields ------------------------------------------------------------------------------------------

/** `flags` of ClientToMasterOpen: the access asked for (read, write or both), plus truncate (O_TRUNC). */
export const OpenFlags = { READ: 1, WRITE: 2, TRUNCATE: 4 } as const;

/** `mask` of ClientToMasterSetAttr: which of its fields apply. */
export const SetattrMask = {
  MODE: 1,
  UID: 2,
  GID: 4,
  SIZE: 8,
  ATIME: 16,
  MTIME: 32,
  /** atime := the leader's time of the command (utimensat UTIME_NOW: allowed to anyone with write permission). */
  ATIME_NOW: 64,
  MTIME_NOW: 128,
} as const;

/** `flags` of ClientToMasterRename, as renameat2(2)'s RENAME_NOREPLACE and RENAME_EXCHANGE. */
export const RenameFlags = { NOREPLACE: 1, EXCHANGE: 2 } as const;

/** fallocate(2) modes (linux/falloc.h), as FUSE passes them through. */
export const FallocateFlags = { KEEP_SIZE: 0x01, PUNCH_HOLE: 0x02, COLLAPSE_RANGE: 0x08, ZERO_RANGE: 0x10, INSERT_RANGE: 0x20 } as const;

/** `flags` of ClientToMasterSetXattr, as setxattr(2)'s XATTR_CREATE and XATTR_REPLACE (FUSE passes them through). */
export const XattrFlags = { CREATE: 1, REPLACE: 2 } as const;

/** `kind` of ClientToMasterSetLock/GetLock/ReleaseLocks: flock(2) locks and POSIX byte-range (fcntl) locks never conflict with each other. */
export const LockKind = { FLOCK: 1, POSIX: 2 } as const;
/** `kinds` of ClientToMasterReleaseLocks: which locks of the owner go. */
export const LockKinds = { FLOCK: 1, POSIX: 2, ALL: 3 } as const;
/** `type` of a lock request or answer: F_UNLCK, F_RDLCK (flock LOCK_SH), F_WRLCK (flock LOCK_EX). */
export const LockType = { UNLOCK: 0, READ: 1, WRITE: 2 } as const;
/**
 * `end` of a byte range that runs to the end of the file, whatever its length (fcntl l_len 0). Ranges are
 * inclusive; offsets are safe JS integers, so a range the kernel names beyond 2^53 is clamped to this.
 */
export const LOCK_TO_EOF = Number.MAX_SAFE_INTEGER;
/** Longest lock owner (the kernel's 64-bit lock_owner in hex, or another client's token), in UTF-8 bytes. */
export const MAX_LOCK_OWNER_BYTES = 64;

// ---- limits --------------------------------------------------------------------------------------------------------

/** Longest name of one directory entry, in UTF-8 bytes (NAME_MAX; StatFs reports it as name_max). */
export const MAX_NAME_BYTES = 255;
/** Longest symlink target and longest path resolved, in UTF-8 bytes (PATH_MAX). */
export const MAX_PATH_BYTES = 4096;
/** Longest extended attribute name, in UTF-8 bytes. */
export const MAX_XATTR_NAME_BYTES = 255;
/** Largest extended attribute value, in bytes (XATTR_SIZE_MAX). */
export const MAX_XATTR_VALUE_BYTES = 64 * 1024;
/** Most bytes of names and values of all extended attributes of one inode. */
export const MAX_XATTR_TOTAL_BYTES = 256 * 1024;

/** Goals (replica counts) SetGoal accepts, as in MooseFS. */
export const MIN_GOAL = 1;
export const MAX_GOAL = 9;

/** ReadDir entries per page when the request's `limit` is 0; the client asks for pages of this size. */
export const DEFAULT_READDIR_PAGE_ENTRIES = 1000;
/** Most entries one ReadDir page returns, whatever `limit` asks for. */
export const MAX_READDIR_PAGE_ENTRIES = 10_000;

/** Inode number of the root directory (also MasterToClientSession.root_ino). */
export const ROOT_INODE = 1;
