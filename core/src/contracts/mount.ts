// IMount: puts an IFileSystemOperations on a mount point through the kernel (FUSE); the `mount` extension point.
import type { IFileSystemOperations } from './file-system-operations';

/** How to mount. */
export interface MountOptions {
  /** The source shown in /proc/mounts (the masters ride in it, for admin commands given a path on the mount). */
  fsname: string;
  readOnly: boolean;
  /** Let the kernel check permissions from the attributes (mode, uid, gid) returned. */
  defaultPermissions: boolean;
  allowOther: boolean;
  debug?: boolean;
  /**
   * Let an open keep the kernel's cached pages of a file whose attributes (size, mtime, ...) are those the kernel
   * was last given, instead of dropping them (default true). Bindings that cannot tell ignore it.
   */
  keepCache?: boolean;
  /**
   * The kernel's writeback cache (default false): writes are merged in the kernel's page cache and sent in large
   * requests later (at the latest by close and fsync, which still wait for them). The kernel then owns the size and
   * mtime of files it has cached. Bindings that cannot ignore it (and say so in their log).
   */
  kernelWritebackCache?: boolean;
  /**
   * Microseconds the binding keeps looking for the next request after it answered every request it had, before it
   * sleeps (default DEFAULT_FUSE_BUSY_POLL_US; 0: never). A program's next request usually follows within a few
   * microseconds of the answer, and a sleep and wake-up cost more than the request itself. Bindings that read
   * requests on threads of their own ignore it.
   */
  busyPollUs?: number;
}

/** MountOptions.busyPollUs by default: long enough for the next request of a program that sends them back to back. */
export const DEFAULT_FUSE_BUSY_POLL_US = 50;

/**
 * A FUSE binding. `mount` checks the mount point (a dead FUSE mount left by a killed client is detached first), mounts
 * and starts serving `ops`; it rejects with a MoosengError (INVALID_ARGUMENT for a bad mount point, UNAVAILABLE when
 * the kernel or libfuse refuses). `unmount` detaches the mount point, stops serving and waits until no thread of the
 * binding is left; requests still being answered by `ops` after it get their answers dropped, harmlessly. Both are
 * idempotent; one IMount serves one mount at a time. Errors from `ops` calls are answered to the kernel as their
 * errno (errnoOfError) and never reach the caller of `mount`.
 */
/**
 * The kernel's caches of a mount, for dropping entries from outside a request (another client changed them). Every
 * call resolves once the kernel has dropped what it held (nothing, when it held nothing) and never rejects: a
 * failure is logged, and the cache then expires by its timeout.
 */
export interface IKernelCache {
  /** Drops the kernel's attributes and cached pages of `ino`. */
  invalidateInode(ino: number): Promise<void>;
  /** Drops the kernel's entry `name` in directory `parent` (and with it a negative entry for the name). */
  invalidateEntry(parent: number, name: string): Promise<void>;
  /** Drops the attributes and pages of every inode the kernel holds (after notices were lost). */
  invalidateAllInodes(): Promise<void>;
}

export interface IMount {
  /** Short name of the binding, for logs and /health. */
  readonly binding: string;
  /** Present when the binding can invalidate the kernel's caches (a capability: mount-fuse-native cannot). */
  readonly kernelCache?: IKernelCache;
  mount(mountPoint: string, ops: IFileSystemOperations, options: MountOptions): Promise<void>;
  unmount(): Promise<void>;
}
export const IMount = Symbol.for('mooseng.mount');
