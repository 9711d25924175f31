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
export const ATTR_FIELDS = 10;

/** Opaque handle of one mounted session. */
export type SessionHandle = { readonly __session: unique symbol };

/**
 * Called on the JS thread for every request: (op, id, ino, ino2, fh (-1: none), n1, n2, s1, last, uid, gid, pid).
 * `last` is a second string, a Buffer (write, setxattr) or setattr's values [mode, uid, gid, size, atimeMs, mtimeMs].
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
) => void;

/** The addon's exports. Every reply returns true when the request was still waiting and the answer went out. */
export interface Fuse3Addon {
  mount(mountPoint: string, args: string[], dispatch: Dispatch): SessionHandle;
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
  replyReadlink(h: SessionHandle, id: number, target: string): boolean;
  replyXattrSize(h: SessionHandle, id: number, size: number): boolean;
  replyStatfs(h: SessionHandle, id: number, figures: Float64Array): boolean;
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

/** Loads the addon (built at install by node-gyp against libfuse3-dev). */
export function loadAddon(): Fuse3Addon {
  if (addon) return addon;
  const path = join(__dirname, '..', 'build', 'Release', 'fuse3_ll.node');
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
