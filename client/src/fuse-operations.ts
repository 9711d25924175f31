// The fuse-native operations table: each FUSE callback runs one FileSystemClient call, records its latency, and
// answers with the stat, byte count or negative errno libfuse expects.
import type { FuseOps, FuseStat } from 'fuse-native';
import { type ILogger, type IMetrics, isMoosengError, MAX_NAME_BYTES } from '@mooseng/core';
import { runAsCaller, type CallerGroups } from './caller-credentials';
import { errnoOf } from './errno';
import type { FileSystemClient } from './file-system-client';
import type { WireAttr } from './wire-types';

/** Block size reported to stat(2) and statfs(2): the chunk block, so `cp` and friends use large buffers. */
export const REPORTED_BLOCK_SIZE = 64 * 1024;

export function toStat(attr: WireAttr): FuseStat {
  return {
    mode: attr.mode,
    uid: attr.uid,
    gid: attr.gid,
    size: attr.size,
    nlink: attr.nlink,
    ino: attr.ino,
    rdev: attr.rdev,
    blksize: REPORTED_BLOCK_SIZE,
    blocks: Math.ceil(attr.size / 512),
    atime: new Date(attr.atimeMs),
    mtime: new Date(attr.mtimeMs),
    ctime: new Date(attr.ctimeMs),
  };
}

type Done = (...args: unknown[]) => void;

/** Builds the operations table. Every operation is timed into mooseng_operation_duration_seconds{operation}. */
export function fuseOperations(fs: FileSystemClient, metrics: IMetrics, logger: ILogger, caller: { getCaller(): { uid: number; gid: number; pid: number }; groups: CallerGroups }): FuseOps {
  const count = metrics.counter({ name: 'mooseng_operations_total', help: 'File-system operations served, by operation and outcome', labelNames: ['operation', 'outcome'] });
  const latency = metrics.histogram({ name: 'mooseng_operation_duration_seconds', help: 'Latency of file-system operations as the FUSE client serves them', labelNames: ['operation'] });
  const bytesRead = metrics.counter({ name: 'mooseng_client_read_bytes_total', help: 'File bytes returned to readers' });
  const bytesWritten = metrics.counter({ name: 'mooseng_client_written_bytes_total', help: 'File bytes accepted from writers' });

  /** Runs `work`, then answers: `reply(result)` on success, the errno on failure. */
  function serve<T>(operation: string, cb: Done, work: () => Promise<T>, reply: (result: T) => unknown[]): void {
    const stop = latency.startTimer({ operation });
    // Read synchronously, first thing: the patched fuse-native knows the caller only while this handler is entered.
    const who = caller.getCaller();
    runAsCaller(caller.groups.credentials(who.uid, who.gid, who.pid), work).then(
      (result) => {
        stop();
        count.inc({ operation, outcome: 'ok' });
        cb(...reply(result));
      },
      (err: unknown) => {
        stop();
        count.inc({ operation, outcome: 'error' });
        if (!isMoosengError(err)) logger.error(`FUSE ${operation} failed unexpectedly`, { err });
        else if (!['ENOENT', 'EEXIST', 'ENODATA', 'ENOTEMPTY', 'EACCES', 'EPERM'].includes(err.code)) logger.warn(`FUSE ${operation} failed`, { code: err.code, msg: err.message });
        cb(errnoOf(err));
      },
    );
  }
  const ok = (): unknown[] => [0];

  return {
    getattr: (path: string, cb: Done) => serve('getattr', cb, () => fs.getattr(path), (a) => [0, toStat(a)]),
    fgetattr: (path: string, _fd: number, cb: Done) => serve('getattr', cb, () => fs.getattr(path), (a) => [0, toStat(a)]),
    access: (path: string, _mode: number, cb: Done) => serve('access', cb, () => fs.getattr(path), ok),
    readdir: (path: string, cb: Done) =>
      serve('readdir', cb, () => fs.readdir(path), (entries) => [0, ['.', '..', ...entries.map((e) => e.name)]]),
    readlink: (path: string, cb: Done) => serve('readlink', cb, () => fs.readlink(path), (target) => [0, target]),
    statfs: (_path: string, cb: Done) =>
      serve('statfs', cb, () => fs.statfs(), (s) => {
        const bsize = s.blockSize || REPORTED_BLOCK_SIZE;
        return [0, { bsize, frsize: bsize, blocks: Math.floor(s.totalBytes / bsize), bfree: Math.floor(s.freeBytes / bsize), bavail: Math.floor(s.freeBytes / bsize), files: s.files + s.freeFiles, ffree: s.freeFiles, favail: s.freeFiles, fsid: 0x6d6f6f73, flag: 0, namemax: s.nameMax || MAX_NAME_BYTES }];
      }),
    mkdir: (path: string, mode: number, cb: Done) => serve('mkdir', cb, () => fs.mkdir(path, mode), ok),
    mknod: (path: string, mode: number, dev: number, cb: Done) => serve('mknod', cb, () => fs.mknod(path, mode, dev), ok),
    symlink: (target: string, path: string, cb: Done) => serve('symlink', cb, () => fs.symlink(target, path), ok),
    link: (existing: string, path: string, cb: Done) => serve('link', cb, () => fs.link(existing, path), ok),
    unlink: (path: string, cb: Done) => serve('unlink', cb, () => fs.unlink(path), ok),
    rmdir: (path: string, cb: Done) => serve('rmdir', cb, () => fs.rmdir(path), ok),
    rename: (from: string, to: string, cb: Done) => serve('rename', cb, () => fs.rename(from, to), ok),
    chmod: (path: string, mode: number, cb: Done) => serve('chmod', cb, () => fs.chmod(path, mode), ok),
    chown: (path: string, uid: number, gid: number, cb: Done) => serve('chown', cb, () => fs.chown(path, uid, gid), ok),
    utimens: (path: string, atime: number | Date, mtime: number | Date, cb: Done) =>
      serve('utimens', cb, () => fs.utimens(path, Number(atime), Number(mtime)), ok),
    truncate: (path: string, size: number, cb: Done) => serve('truncate', cb, () => fs.truncate(path, size), ok),
    ftruncate: (path: string, fd: number, size: number, cb: Done) => serve('truncate', cb, () => fs.ftruncate(fd, path, size), ok),
    setxattr: (path: string, name: string, value: Buffer, _position: number, flags: number, cb: Done) =>
      serve('setxattr', cb, () => fs.setxattr(path, name, Buffer.from(value), flags), ok),
    getxattr: (path: string, name: string, _position: number, cb: Done) => serve('getxattr', cb, () => fs.getxattr(path, name), (v) => [0, v]),
    listxattr: (path: string, cb: Done) => serve('listxattr', cb, () => fs.listxattr(path), (names) => [0, names]),
    removexattr: (path: string, name: string, cb: Done) => serve('removexattr', cb, () => fs.removexattr(path, name), ok),
    create: (path: string, mode: number, cb: Done) => serve('create', cb, () => fs.create(path, mode, 0), (fh) => [0, fh]),
    open: (path: string, flags: number, cb: Done) => serve('open', cb, () => fs.open(path, flags), (fh) => [0, fh]),
    read: (_path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Done) =>
      serve('read', cb, () => fs.read(fd, len, pos), (data) => {
        const n = Math.min(len, data.length);
        data.copy(buf, 0, 0, n);
        bytesRead.inc(undefined, n);
        return [n];
      }),
    write: (_path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Done) =>
      // The buffer belongs to libfuse and is reused after we answer: FileSystemClient copies what it keeps.
      serve('write', cb, () => fs.write(fd, buf.subarray(0, len), pos), (n) => {
        bytesWritten.inc(undefined, n);
        return [n];
      }),
    flush: (_path: string, fd: number, cb: Done) => serve('flush', cb, () => fs.flush(fd), ok),
    // fuse-native passes (path, datasync, fd), whatever its README says.
    fsync: (_path: string, _datasync: number, fd: number, cb: Done) => serve('fsync', cb, () => fs.fsync(fd), ok),
    // Directory changes are durable once the master acknowledged them (its log is fsynced before it answers).
    fsyncdir: (_path: string, _datasync: number, _fd: number, cb: Done) => cb(0),
    release: (_path: string, fd: number, cb: Done) => serve('release', cb, () => fs.release(fd), ok),
  };
}
