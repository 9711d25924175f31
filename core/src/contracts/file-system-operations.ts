// IFileSystemOperations: the file system as a mount drives it, inode by inode (as libfuse 3's low-level API and the
// master's control API both are). Defined once here; the client role implements it, the mount plugins drive it.

/** The process behind a request, as the kernel reports it (fuse_req_ctx). */
export interface FsCaller {
  uid: number;
  gid: number;
  pid: number;
  /**
   * The creator's umask on create, mknod and mkdir when the kernel leaves applying it to the file system (it does
   * once the mount supports POSIX ACLs: a directory's default ACL replaces the umask). Absent: already applied.
   */
  umask?: number;
}

/** An inode's attributes, as stat(2) shows them (times in milliseconds since the epoch). */
export interface FsAttr {
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  rdev: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  /** Bytes stored for it, for st_blocks (du); absent: the size. */
  storedBytes?: number;
}

/**
 * A name resolved to an inode. Every entry returned by lookup, mknod, mkdir, symlink, link and create (and every
 * readdirplus entry the mount passes on) counts one lookup of `attr.ino`, which the mount gives back through
 * `forget`. `attr.ino === 0` is a negative entry ("no such name", cached by the kernel for entryTimeoutMs), and
 * counts nothing.
 */
export interface FsEntry {
  attr: FsAttr;
  /** How long the kernel may cache the name → inode binding. */
  entryTimeoutMs: number;
  /** How long the kernel may cache the attributes. */
  attrTimeoutMs: number;
}

/** Attributes with how long the kernel may cache them. */
export interface FsAttrReply {
  attr: FsAttr;
  attrTimeoutMs: number;
}

/** What setattr changes: a field is changed when it is present (`atimeMs`/`mtimeMs` 'now' for UTIME_NOW). */
export interface FsSetAttr {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  atimeMs?: number | 'now';
  mtimeMs?: number | 'now';
}

/** One directory entry; `attr` is complete (readdirplus needs it; readdir uses ino and mode). */
export interface FsDirEntry {
  name: string;
  attr: FsAttr;
}

/** statfs(2) figures. */
export interface FsStatFs {
  blockSize: number;
  totalBlocks: number;
  freeBlocks: number;
  availBlocks: number;
  totalFiles: number;
  freeFiles: number;
  nameMax: number;
}

/** What open and create return: the handle the mount passes back on every call for this open file. */
export interface FsOpened {
  fh: number;
  /** Let the kernel keep the page cache of the file across this open (set only when nothing can have changed it). */
  keepCache?: boolean;
  /**
   * The file's attributes as this open found them (fresh from the master, with what this client has still to
   * send counted in). A mount that gave the kernel other attributes for the inode invalidates the kernel's cache of
   * it before it answers the open, so the opener sees the size another client closed the file with (close-to-open).
   */
  attr?: FsAttr;
}

/**
 * A file lock as a mount passes it: `type` LockType (UNLOCK, READ, WRITE) from fs-constants, the inclusive byte
 * range start..end (LOCK_TO_EOF: to the end of the file, whatever its length), and the process that holds or asks.
 */
export interface FsLock {
  type: number;
  start: number;
  end: number;
  pid: number;
}

/** How a lock request may wait: `wait` for F_SETLKW and flock without LOCK_NB; `signal` ends the wait (EINTR). */
export interface FsLockWait {
  wait: boolean;
  signal?: AbortSignal;
}

/**
 * The inode-based file-system operations (the shape of libfuse 3's fuse_lowlevel_ops). Inode numbers are the
 * master's, the root being ROOT_INODE (1, as FUSE_ROOT_ID). Every call takes, last, the caller the kernel named and
 * acts as it.
 *
 * Errors: a rejected promise carries a MoosengError whose `code` the mount turns into an errno (errnoOfError in
 * core/src/errors); any other rejection is answered EIO. ENOENT from lookup may instead be returned as a negative
 * entry by the implementation (ino 0).
 *
 * Buffers: a `data` buffer passed to write/setxattr is lent for the call only (until its promise settles); copy
 * what you keep. A buffer returned from read/getxattr belongs to the mount once returned (it copies it into its
 * reply at once and does not keep it).
 */
export interface IFileSystemOperations {
  lookup(parent: number, name: string, caller: FsCaller): Promise<FsEntry>;
  /**
   * The kernel dropped `nlookup` of its references to `ino`; when a mount's count of lookups reaches zero it calls
   * this with the total, and the implementation may drop what it keeps for the inode. Never fails.
   */
  forget(ino: number, nlookup: number): void;
  getattr(ino: number, fh: number | undefined, caller: FsCaller): Promise<FsAttrReply>;
  setattr(ino: number, changes: FsSetAttr, fh: number | undefined, caller: FsCaller): Promise<FsAttrReply>;
  readlink(ino: number, caller: FsCaller): Promise<string>;
  mknod(parent: number, name: string, mode: number, rdev: number, caller: FsCaller): Promise<FsEntry>;
  mkdir(parent: number, name: string, mode: number, caller: FsCaller): Promise<FsEntry>;
  unlink(parent: number, name: string, caller: FsCaller): Promise<void>;
  rmdir(parent: number, name: string, caller: FsCaller): Promise<void>;
  symlink(target: string, parent: number, name: string, caller: FsCaller): Promise<FsEntry>;
  /** `flags`: RenameFlags (NOREPLACE, EXCHANGE) from fs-constants, as renameat2(2) passes them. */
  rename(parent: number, name: string, newParent: number, newName: string, flags: number, caller: FsCaller): Promise<void>;
  link(ino: number, newParent: number, newName: string, caller: FsCaller): Promise<FsEntry>;
  /** `flags`: open(2) flags as this platform numbers them. */
  open(ino: number, flags: number, caller: FsCaller): Promise<FsOpened>;
  create(parent: number, name: string, mode: number, flags: number, caller: FsCaller): Promise<{ entry: FsEntry; opened: FsOpened }>;
  /** At most `size` bytes at `offset`; fewer only at the end of the file. */
  read(ino: number, fh: number, size: number, offset: number, caller: FsCaller): Promise<Buffer>;
  /**
   * Optional: the mount has copied out what `read` returned (to the kernel) and will not look at `data` again, so
   * the file system may use its memory for other bytes. A mount that never calls it is still correct; calling it
   * before the copy is done is not.
   */
  readDone?(ino: number, data: Buffer): void;
  /** Returns the bytes written (all of them, or an error). */
  write(ino: number, fh: number, data: Buffer, offset: number, caller: FsCaller): Promise<number>;
  /**
   * close(2) of one descriptor of the open file: buffered writes go out and the length is committed. `lockOwner`,
   * when the kernel names one, is the closing process's lock owner: POSIX says any close drops that process's
   * byte-range locks on the file, so its locks go too.
   */
  flush(ino: number, fh: number, caller: FsCaller, lockOwner?: string): Promise<void>;
  /**
   * The last close of the handle; `fh` is not used again. `flockOwner`: the kernel's owner of flock locks taken
   * through this open file description, which go with it (as do OFD locks taken through it).
   */
  release(ino: number, fh: number, caller: FsCaller, flockOwner?: string): Promise<void>;
  fsync(ino: number, fh: number, datasync: boolean, caller: FsCaller): Promise<void>;
  /**
   * fsyncdir(2) on a directory handle: returns once the directory's changes acknowledged before it are durable.
   * Optional: without it the mount answers at once (changes are durable when acknowledged).
   */
  fsyncdir?(ino: number, fh: number, datasync: boolean, caller: FsCaller): Promise<void>;
  opendir(ino: number, caller: FsCaller): Promise<FsOpened>;
  /**
   * Entries after the first `offset` ones of the listing the handle took at opendir (so offsets stay stable while
   * the directory changes), "." and ".." included; an empty array at the end. The mount packs as many as fit.
   */
  readdir(ino: number, fh: number, offset: number, caller: FsCaller): Promise<FsDirEntry[]>;
  releasedir(ino: number, fh: number, caller: FsCaller): Promise<void>;
  statfs(ino: number, caller: FsCaller): Promise<FsStatFs>;
  setxattr(ino: number, name: string, value: Buffer, flags: number, caller: FsCaller): Promise<void>;
  getxattr(ino: number, name: string, caller: FsCaller): Promise<Buffer>;
  listxattr(ino: number, caller: FsCaller): Promise<string[]>;
  removexattr(ino: number, name: string, caller: FsCaller): Promise<void>;
  /** access(2) with `mask` of R_OK/W_OK/X_OK (F_OK is 0). */
  access(ino: number, mask: number, caller: FsCaller): Promise<void>;
  /**
   * fallocate(2) on an open file: `mode` of FallocateFlags (fs-constants). EOPNOTSUPP for modes the implementation
   * does not carry out (the kernel tells the caller, and posix_fallocate falls back to writing).
   */
  fallocate(ino: number, fh: number, mode: number, offset: number, length: number, caller: FsCaller): Promise<void>;
  /**
   * lseek(2) SEEK_DATA (3) or SEEK_HOLE (4) on an open file (the kernel does SEEK_SET, SEEK_CUR and SEEK_END
   * itself): the offset of the next data or hole at or after `offset`; ENXIO at or past the end.
   */
  lseek(ino: number, fh: number, offset: number, whence: number, caller: FsCaller): Promise<number>;
  /*
   * Locks: an optional capability. A file system that has them holds flock and POSIX byte-range locks for every
   * mount (the kernel then asks it instead of keeping them itself); one without them leaves the three out, and a
   * mount then lets the kernel keep locks local to that mount. `owner` is the kernel's lock owner (hex): the process
   * (its files table) for POSIX locks, the open file description for flock and OFD locks. A conflict is EAGAIN; an
   * interrupted wait is ABORTED (EINTR).
   */
  /** F_GETLK: the first lock of another owner in `lock`'s way (type UNLOCK when none). */
  getlk?(ino: number, fh: number, owner: string, lock: FsLock, caller: FsCaller): Promise<FsLock>;
  /** F_SETLK, F_SETLKW (waiting) and OFD locks: sets, changes or clears the owner's lock on the range. */
  setlk?(ino: number, fh: number, owner: string, lock: FsLock, wait: FsLockWait, caller: FsCaller): Promise<void>;
  /** flock(2): `type` LockType READ (LOCK_SH), WRITE (LOCK_EX) or UNLOCK (LOCK_UN), for the whole file. */
  flock?(ino: number, fh: number, owner: string, type: number, wait: FsLockWait, caller: FsCaller): Promise<void>;
  /** How long the kernel may cache entries and attributes by default (for the mount's own defaults). */
  readonly timeouts: { entryTimeoutMs: number; attrTimeoutMs: number };
}
