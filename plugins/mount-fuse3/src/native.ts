// The fuse3_ll addon's interface (native/fuse3-ll.c), loaded by path at run time, and the numbers it shares with C.
import { join } from 'node:path';
import { ErrorCodes, MoosengError } from '@mooseng/core';

/** Operation codes as the addon numbers them (enum op in native/fuse3-ll.c). */
export const OP = {
  LOOKUP: 1,
  FORGET: 2,
  GETATTR: 3,
  SETATTR: 4,
  READLINK: 5,
  MKNOD: 6,
  MKDIR: 7,
  UNLINK: 8,
  RMDIR: 9,
  SYMLINK: 10,
  RENAME: 11,
  LINK: 12,
  OPEN: 13,
  READ: 14,
  WRITE: 15,
  FLUSH: 16,
  RELEASE: 17,
  FSYNC: 18,
  OPENDIR: 19,
  READDIR: 20,
  READDIRPLUS: 21,
  RELEASEDIR: 22,
  STATFS: 23,
  SETXATTR: 24,
  GETXATTR: 25,
  LISTXATTR: 26,
  REMOVEXATTR: 27,
  ACCESS: 28,
  CREATE: 29,
  ENDED: 30,
  GETLK: 31,
  SETLK: 32,
  FLOCK: 33,
  /** FUSE INTERRUPT of a waiting lock request (no reply of its own): `id` is the interrupted request's. */
  INTERRUPT: 34,
  FALLOCATE: 35,
  LSEEK: 36,
  FSYNCDIR: 37,
} as const;

/** setattr's to_set bits (FUSE_SET_ATTR_* in fuse_lowlevel.h). */
export const SET_ATTR = {
  MODE: 1 << 0,
  UID: 1 << 1,
  GID: 1 << 2,
  SIZE: 1 << 3,
  ATIME: 1 << 4,
  MTIME: 1 << 5,
  ATIME_NOW: 1 << 7,
  MTIME_NOW: 1 << 8,
} as const;

/** Number of attribute fields per entry in the Float64Arrays passed to the addon (ATTR_FIELDS in C). */
export const ATTR_FIELDS = 11;

/** Opaque handle of one mounted session. */
export type SessionHandle = { readonly __session: unique symbol };

/**
 * Called on the JS thread for every request: (op, id, ino, ino2, fh (-1: none), n1, n2, s1, last, uid, gid, pid,
 * umask). `umask` is the creator's on create, mknod and mkdir when the kernel left it to the file system, else 0.
 * `last` is a second string, a Buffer (write, setxattr), setattr's values [mode, uid, gid, size, atimeMs, mtimeMs],
 * a lock's [start, length (0: to the end of the file), pid] or fallocate's [length] (its mode and offset are n1 and
 * n2). Lock requests (GETLK, SETLK, FLOCK), FLUSH and a RELEASE with n2 = 1 carry the kernel's lock owner in hex as
 * `s1`; lock types are LockType's numbers, and n2 of SETLK and FLOCK says whether the request waits.
 */
export type Dispatch = (
  op: number,
  id: number,
  ino: number,
  ino2: number,
  fh: number,
  n1: number,
  n2: number,
  s1: string | undefined,
  last: string | Buffer | number[] | undefined,
  uid: number,
  gid: number,
  pid: number,
  umask: number,
  /** With a write whose data lies in a receive buffer: give it to releaseData once the write is done with the data. */
  lease: DataLease | undefined,
) => void;

/** The addon's handle on a receive buffer lent to JS with a write (releaseData). */
export type DataLease = { readonly __dataLease: unique symbol };

/** The addon's exports. Every reply returns true when the request was still waiting and the answer went out. */
export interface Fuse3Addon {
  /**
   * `locks`: the file system keeps file locks, so the kernel is asked to send them (else it keeps them local).
   * `writeback`: ask for the kernel's writeback cache (FUSE_CAP_WRITEBACK_CACHE), when the kernel offers it.
   */
  mount(mountPoint: string, args: string[], dispatch: Dispatch, locks?: boolean, writeback?: boolean, spinMicros?: number): SessionHandle;
  exit(h: SessionHandle): void;
  running(h: SessionHandle): boolean;
  /** Frees the session; false when a notification still inside the kernel kept it (it is then left allocated). */
  destroy(h: SessionHandle): boolean;
  replyErr(h: SessionHandle, id: number, errno: number): boolean;
  replyEntry(h: SessionHandle, id: number, attr: Float64Array, entryTimeoutSec: number, attrTimeoutSec: number): boolean;
  replyCreate(
    h: SessionHandle,
    id: number,
    attr: Float64Array,
    entryTimeoutSec: number,
    attrTimeoutSec: number,
    fh: number,
    keepCache: number,
  ): boolean;
  replyAttr(h: SessionHandle, id: number, attr: Float64Array, attrTimeoutSec: number): boolean;
  replyOpen(h: SessionHandle, id: number, fh: number, keepCache: number): boolean;
  replyWrite(h: SessionHandle, id: number, count: number): boolean;
  replyBuf(h: SessionHandle, id: number, data: Buffer): boolean;
  /**
   * The write that came with `lease` is done with its data: the receive buffer goes back to the pool now, not when
   * the collector finds the Buffer. The Buffer must not be read after this. A second call does nothing.
   */
  releaseData(lease: DataLease): void;
  /** Receive buffers the process has allocated so far: each a miss of the pool (tests). */
  rxBuffersMade(): number;
  replyReadlink(h: SessionHandle, id: number, target: string): boolean;
  replyXattrSize(h: SessionHandle, id: number, size: number): boolean;
  replyLseek(h: SessionHandle, id: number, offset: number): boolean;
  replyStatfs(h: SessionHandle, id: number, figures: Float64Array): boolean;
  /** getlk's answer: `type` LockType, `length` 0 for a range to the end of the file. */
  replyLock(h: SessionHandle, id: number, type: number, start: number, length: number, pid: number): boolean;
  /**
   * The kernel drops its cached attributes of `ino` and, unless `offset` is negative, its cached pages from `offset`
   * for `length` bytes (0: to the end). Made on a libuv pool thread, never from a request's path (libfuse: that can
   * deadlock); resolves with 0 or a negative errno (-ENOENT: the kernel holds nothing of the inode).
   */
  notifyInvalInode(h: SessionHandle, ino: number, offset: number, length: number): Promise<number>;
  /** The kernel drops its cached entry `name` in directory `parent` (as notifyInvalInode, on a pool thread). */
  notifyInvalEntry(h: SessionHandle, parent: number, name: string): Promise<number>;
  /** Returns how many of `names` fitted in `size` bytes, or -1 when nothing was sent. */
  replyDir(
    h: SessionHandle,
    id: number,
    size: number,
    plus: boolean,
    names: string[],
    attrs: Float64Array,
    firstOffset: number,
    entryTimeoutSec: number,
    attrTimeoutSec: number,
  ): number;
}

let addon: Fuse3Addon | null = null;

/**
 * Loads the addon (built at install by node-gyp against libfuse3-dev). MOOSENG_FUSE3_ADDON names another build of
 * it: the AddressSanitizer run (scripts/test-asan.sh) uses one.
 */
export function loadAddon(): Fuse3Addon {
  if (addon) return addon;
  const path = process.env.MOOSENG_FUSE3_ADDON || join(__dirname, '..', 'build', 'Release', 'fuse3_ll.node');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a native addon, loaded by its path at run time
    addon = require(path) as Fuse3Addon;
  } catch (err) {
    throw new MoosengError(
      ErrorCodes.PLUGIN_INVALID,
      `mount-fuse3: its native addon ${path} is missing; install libfuse3-dev and rebuild it with "npm rebuild @mooseng/plugin-mount-fuse3"`,
      { cause: err },
    );
  }
  return addon;
}
