// ClientFileSystemOperations: the client's IFileSystemOperations (what a mount plugin drives), each call run by
// FileSystemClient as the caller the kernel named, timed and counted per operation.
import {
  ErrorCodes,
  EXPECTED_FS_ERROR_CODES,
  type FsAttr,
  type FsAttrReply,
  type FsCaller,
  type FsDirEntry,
  type FsEntry,
  type FsLock,
  type FsLockWait,
  type FsOpened,
  type FsSetAttr,
  type FsStatFs,
  type IFileSystemOperations,
  type ILogger,
  type IMetrics,
  isMoosengError,
  LOCK_TO_EOF,
  LockKind,
  LockType,
  MAX_NAME_BYTES,
} from '@mooseng/core';
import type { CallerGroups } from './caller-credentials';
import type { FileLocks } from './file-locks';
import type { FileSystemClient } from './file-system-client';
import type { CallerCredentials } from './master-client';
import type { WireAttr } from './wire-types';

/** Block size reported to statfs(2): the chunk block, so `cp` and friends use large buffers. */
export const REPORTED_BLOCK_SIZE = 64 * 1024;
/** Directory entries handed to a mount per readdir call (it packs what fits in the kernel's buffer). */
export const READDIR_BATCH_ENTRIES = 512;

/** How long the kernel may cache what this client answers. */
export interface KernelCacheTimeouts {
  entryTimeoutMs: number;
  attrTimeoutMs: number;
  /** How long "no such name" may be cached (0: not at all). */
  negativeTimeoutMs: number;
}

function fsAttr(a: WireAttr): FsAttr {
  return {
    ino: a.ino,
    mode: a.mode,
    nlink: a.nlink,
    uid: a.uid,
    gid: a.gid,
    size: a.size,
    rdev: a.rdev,
    atimeMs: a.atimeMs,
    mtimeMs: a.mtimeMs,
    ctimeMs: a.ctimeMs,
    storedBytes: a.storedBytes,
  };
}

const NEGATIVE_ATTR: FsAttr = { ino: 0, mode: 0, nlink: 0, uid: 0, gid: 0, size: 0, rdev: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0 };

/** The client role's file-system operations over a FileSystemClient. */
export class ClientFileSystemOperations implements IFileSystemOperations {
  readonly timeouts: { entryTimeoutMs: number; attrTimeoutMs: number };
  private readonly count;
  private readonly latency;
  private readonly bytesRead;
  /** Reads answered with a view shorter than what the file system returned: the view → what to give back. */
  private readonly shortened = new WeakMap<Buffer, Buffer>();
  private readonly bytesWritten;

  constructor(
    private readonly fs: FileSystemClient,
    private readonly groups: CallerGroups,
    private readonly cache: KernelCacheTimeouts,
    metrics: IMetrics,
    private readonly logger: ILogger,
    private readonly locks: FileLocks,
  ) {
    this.timeouts = { entryTimeoutMs: cache.entryTimeoutMs, attrTimeoutMs: cache.attrTimeoutMs };
    this.count = metrics.counter({
      name: 'mooseng_operations_total',
      help: 'File-system operations served, by operation and outcome',
      labelNames: ['operation', 'outcome'],
    });
    this.latency = metrics.histogram({
      name: 'mooseng_operation_duration_seconds',
      help: 'Latency of file-system operations as the FUSE client serves them',
      labelNames: ['operation'],
    });
    this.bytesRead = metrics.counter({ name: 'mooseng_client_read_bytes_total', help: 'File bytes returned to readers' });
    this.bytesWritten = metrics.counter({ name: 'mooseng_client_written_bytes_total', help: 'File bytes accepted from writers' });
  }

  /** Runs `work` as the caller, timed and counted; unexpected failures are logged. */
  private async serve<T>(operation: string, caller: FsCaller, work: (cred: CallerCredentials) => Promise<T>): Promise<T> {
    const stop = this.latency.startTimer({ operation });
    try {
      const result = await work(this.groups.credentials(caller.uid, caller.gid, caller.pid));
      this.count.inc({ operation, outcome: 'ok' });
      return result;
    } catch (err) {
      this.count.inc({ operation, outcome: 'error' });
      if (!isMoosengError(err)) this.logger.error(`FUSE ${operation} failed unexpectedly`, { err });
      else if (!EXPECTED_FS_ERROR_CODES.has(err.code)) this.logger.warn(`FUSE ${operation} failed`, { code: err.code, msg: err.message });
      throw err;
    } finally {
      stop();
    }
  }

  private entry(attr: WireAttr): FsEntry {
    return { attr: fsAttr(attr), entryTimeoutMs: this.cache.entryTimeoutMs, attrTimeoutMs: this.cache.attrTimeoutMs };
  }

  private attrReply(attr: WireAttr): FsAttrReply {
    return { attr: fsAttr(attr), attrTimeoutMs: this.cache.attrTimeoutMs };
  }

  lookup(parent: number, name: string, caller: FsCaller): Promise<FsEntry> {
    return this.serve('lookup', caller, async (cred) => {
      try {
        return this.entry(await this.fs.lookup(parent, name, cred));
      } catch (err) {
        // A negative entry: the kernel answers the next lookups of this name itself for a while.
        if (this.cache.negativeTimeoutMs > 0 && isMoosengError(err) && err.code === ErrorCodes.ENOENT)
          return { attr: NEGATIVE_ATTR, entryTimeoutMs: this.cache.negativeTimeoutMs, attrTimeoutMs: 0 };
        throw err;
      }
    });
  }

  forget(ino: number): void {
    this.fs.forget(ino);
  }

  getattr(ino: number, _fh: number | undefined, caller: FsCaller): Promise<FsAttrReply> {
    return this.serve('getattr', caller, async (cred) => this.attrReply(await this.fs.getattr(ino, cred)));
  }

  setattr(ino: number, changes: FsSetAttr, fh: number | undefined, caller: FsCaller): Promise<FsAttrReply> {
    const operation =
      changes.size !== undefined
        ? 'truncate'
        : changes.mode !== undefined
          ? 'chmod'
          : changes.uid !== undefined || changes.gid !== undefined
            ? 'chown'
            : 'utimens';
    return this.serve(operation, caller, async (cred) => this.attrReply(await this.fs.setattr(ino, changes, fh, cred)));
  }

  readlink(ino: number, caller: FsCaller): Promise<string> {
    return this.serve('readlink', caller, (cred) => this.fs.readlink(ino, cred));
  }

  mknod(parent: number, name: string, mode: number, rdev: number, caller: FsCaller): Promise<FsEntry> {
    return this.serve('mknod', caller, async (cred) => this.entry(await this.fs.mknod(parent, name, mode, rdev, cred, caller.umask)));
  }

  mkdir(parent: number, name: string, mode: number, caller: FsCaller): Promise<FsEntry> {
    return this.serve('mkdir', caller, async (cred) => this.entry(await this.fs.mkdir(parent, name, mode, cred, caller.umask)));
  }

  unlink(parent: number, name: string, caller: FsCaller): Promise<void> {
    return this.serve('unlink', caller, (cred) => this.fs.unlink(parent, name, cred));
  }

  rmdir(parent: number, name: string, caller: FsCaller): Promise<void> {
    return this.serve('rmdir', caller, (cred) => this.fs.rmdir(parent, name, cred));
  }

  symlink(target: string, parent: number, name: string, caller: FsCaller): Promise<FsEntry> {
    return this.serve('symlink', caller, async (cred) => this.entry(await this.fs.symlink(target, parent, name, cred)));
  }

  rename(parent: number, name: string, newParent: number, newName: string, flags: number, caller: FsCaller): Promise<void> {
    return this.serve('rename', caller, (cred) => this.fs.rename(parent, name, newParent, newName, flags, cred));
  }

  link(ino: number, newParent: number, newName: string, caller: FsCaller): Promise<FsEntry> {
    return this.serve('link', caller, async (cred) => this.entry(await this.fs.link(ino, newParent, newName, cred)));
  }

  open(ino: number, flags: number, caller: FsCaller): Promise<FsOpened> {
    return this.serve('open', caller, async (cred) => {
      const { fh, attr } = await this.fs.open(ino, flags, cred);
      return { fh, attr: fsAttr(attr) };
    });
  }

  create(parent: number, name: string, mode: number, flags: number, caller: FsCaller): Promise<{ entry: FsEntry; opened: FsOpened }> {
    return this.serve('create', caller, async (cred) => {
      const { attr, fh } = await this.fs.create(parent, name, mode, flags, cred, caller.umask);
      return { entry: this.entry(attr), opened: { fh } };
    });
  }

  read(_ino: number, fh: number, size: number, offset: number, caller: FsCaller): Promise<Buffer> {
    return this.serve('read', caller, async (cred) => {
      const data = await this.fs.read(fh, size, offset, cred);
      const out = data.length > size ? data.subarray(0, size) : data;
      if (out !== data) this.shortened.set(out, data);
      this.bytesRead.inc(undefined, out.length);
      return out;
    });
  }

  readDone(_ino: number, data: Buffer): void {
    const whole = this.shortened.get(data) ?? data;
    this.shortened.delete(data);
    this.fs.readDone(whole);
  }

  write(_ino: number, fh: number, data: Buffer, offset: number, caller: FsCaller): Promise<number> {
    return this.serve('write', caller, async (cred) => {
      const n = await this.fs.write(fh, data, offset, cred);
      this.bytesWritten.inc(undefined, n);
      return n;
    });
  }

  flush(ino: number, fh: number, caller: FsCaller, lockOwner?: string): Promise<void> {
    return this.serve('flush', caller, async (cred) => {
      try {
        await this.fs.flush(fh, cred);
      } finally {
        // Even when the data failed to go out, the close happened: the process's locks must not outlive it.
        if (lockOwner !== undefined) await this.locks.closed(ino, lockOwner, cred);
      }
    });
  }

  release(ino: number, fh: number, caller: FsCaller, flockOwner?: string): Promise<void> {
    return this.serve('release', caller, async (cred) => {
      try {
        await this.locks.released(ino, fh, flockOwner, cred);
      } finally {
        await this.fs.release(fh, cred);
      }
    });
  }

  getlk(ino: number, _fh: number, owner: string, lock: FsLock, caller: FsCaller): Promise<FsLock> {
    return this.serve('getlk', caller, async (cred) => {
      const held = await this.locks.test(ino, owner, { kind: LockKind.POSIX, type: lock.type, start: lock.start, end: lock.end }, cred);
      return held ?? { ...lock, type: LockType.UNLOCK };
    });
  }

  setlk(ino: number, fh: number, owner: string, lock: FsLock, wait: FsLockWait, caller: FsCaller): Promise<void> {
    return this.serve('setlk', caller, (cred) =>
      this.locks.set(ino, fh, owner, { kind: LockKind.POSIX, type: lock.type, start: lock.start, end: lock.end }, lock.pid, wait, cred),
    );
  }

  flock(ino: number, fh: number, owner: string, type: number, wait: FsLockWait, caller: FsCaller): Promise<void> {
    return this.serve('flock', caller, (cred) =>
      this.locks.set(ino, fh, owner, { kind: LockKind.FLOCK, type, start: 0, end: LOCK_TO_EOF }, caller.pid, wait, cred),
    );
  }

  fsync(_ino: number, fh: number, _datasync: boolean, caller: FsCaller): Promise<void> {
    return this.serve('fsync', caller, (cred) => this.fs.fsync(fh, cred));
  }

  fsyncdir(_ino: number, _fh: number, _datasync: boolean, caller: FsCaller): Promise<void> {
    return this.serve('fsyncdir', caller, (cred) => this.fs.syncMetadata(cred));
  }

  opendir(ino: number, caller: FsCaller): Promise<FsOpened> {
    return this.serve('opendir', caller, async (cred) => ({ fh: await this.fs.opendir(ino, cred) }));
  }

  readdir(_ino: number, fh: number, offset: number, caller: FsCaller): Promise<FsDirEntry[]> {
    return this.serve('readdir', caller, async () =>
      this.fs.readdir(fh, offset, READDIR_BATCH_ENTRIES).map((e) => ({ name: e.name, attr: fsAttr(e.attr) })),
    );
  }

  async releasedir(_ino: number, fh: number): Promise<void> {
    this.fs.releasedir(fh);
  }

  statfs(_ino: number, caller: FsCaller): Promise<FsStatFs> {
    return this.serve('statfs', caller, async (cred) => {
      const s = await this.fs.statfs(cred);
      const bsize = s.blockSize || REPORTED_BLOCK_SIZE;
      const free = Math.floor(s.freeBytes / bsize);
      return {
        blockSize: bsize,
        totalBlocks: Math.floor(s.totalBytes / bsize),
        freeBlocks: free,
        availBlocks: free,
        totalFiles: s.files + s.freeFiles,
        freeFiles: s.freeFiles,
        nameMax: s.nameMax || MAX_NAME_BYTES,
      };
    });
  }

  setxattr(ino: number, name: string, value: Buffer, flags: number, caller: FsCaller): Promise<void> {
    return this.serve('setxattr', caller, (cred) => this.fs.setxattr(ino, name, value, flags, cred));
  }

  getxattr(ino: number, name: string, caller: FsCaller): Promise<Buffer> {
    return this.serve('getxattr', caller, (cred) => this.fs.getxattr(ino, name, cred));
  }

  listxattr(ino: number, caller: FsCaller): Promise<string[]> {
    return this.serve('listxattr', caller, (cred) => this.fs.listxattr(ino, cred));
  }

  removexattr(ino: number, name: string, caller: FsCaller): Promise<void> {
    return this.serve('removexattr', caller, (cred) => this.fs.removexattr(ino, name, cred));
  }

  fallocate(_ino: number, fh: number, mode: number, offset: number, length: number, caller: FsCaller): Promise<void> {
    return this.serve('fallocate', caller, (cred) => this.fs.fallocate(fh, mode, offset, length, cred));
  }

  lseek(_ino: number, fh: number, offset: number, whence: number, caller: FsCaller): Promise<number> {
    return this.serve('lseek', caller, (cred) => this.fs.lseek(fh, offset, whence, cred));
  }

  access(ino: number, _mask: number, caller: FsCaller): Promise<void> {
    // The kernel checks permissions itself (default_permissions); access only has to find the inode.
    return this.serve('access', caller, async (cred) => {
      await this.fs.getattr(ino, cred);
    });
  }
}
