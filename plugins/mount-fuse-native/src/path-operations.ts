// The fuse-native operations table: each FUSE callback runs one FileSystemClient call as the process that made the
// request (its credentials passed down explicitly), records its latency, and answers with the stat, byte count or
// negative errno libfuse expects.
import type { FuseOps, FuseStat } from 'fuse-native';
import { type ILogger, type IMetrics, isMoosengError, MAX_NAME_BYTES } from '@mooseng/core';
import type { CallerGroups } from './caller-credentials';
import { errnoOf } from './errno';
import type { FileSystemClient } from './file-system-client';
import type { CallerCredentials } from './master-client';
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

  /** Runs `work` as the request's caller, then answers: `reply(result)` on success, the errno on failure. */
  function serve<T>(operation: string, cb: Done, work: (cred: CallerCredentials) => Promise<T>, reply: (result: T) => unknown[]): void {
    const stop = latency.startTimer({ operation });
    // Read synchronously, first thing: the patched fuse-native knows the caller only while this handler is entered.
    const who = caller.getCaller();
    work(caller.groups.credentials(who.uid, who.gid, who.pid)).then(
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
    getattr: (path: string, cb: Done) => serve('getattr', cb, (cred) => fs.getattr(path, cred), (a) => [0, toStat(a)]),
    fgetattr: (path: string, _fd: number, cb: Done) => serve('getattr', cb, (cred) => fs.getattr(path, cred), (a) => [0, toStat(a)]),
    access: (path: string, _mode: number, cb: Done) => serve('access', cb, (cred) => fs.getattr(path, cred), ok),
    readdir: (path: string, cb: Done) =>
      serve('readdir', cb, (cred) => fs.readdir(path, cred), (entries) => [0, ['.', '..', ...entries.map((e) => e.name)]]),
    readlink: (path: string, cb: Done) => serve('readlink', cb, (cred) => fs.readlink(path, cred), (target) => [0, target]),
    statfs: (_path: string, cb: Done) =>
      serve('statfs', cb, (cred) => fs.statfs(cred), (s) => {
        const bsize = s.blockSize || REPORTED_BLOCK_SIZE;
        return [0, { bsize, frsize: bsize, blocks: Math.floor(s.totalBytes / bsize), bfree: Math.floor(s.freeBytes / bsize), bavail: Math.floor(s.freeBytes / bsize), files: s.files + s.freeFiles, ffree: s.freeFiles, favail: s.freeFiles, fsid: 0x6d6f6f73, flag: 0, namemax: s.nameMax || MAX_NAME_BYTES }];
      }),
    mkdir: (path: string, mode: number, cb: Done) => serve('mkdir', cb, (cred) => fs.mkdir(path, mode, cred), ok),
    mknod: (path: string, mode: number, dev: number, cb: Done) => serve('mknod', cb, (cred) => fs.mknod(path, mode, dev, cred), ok),
    symlink: (target: string, path: string, cb: Done) => serve('symlink', cb, (cred) => fs.symlink(target, path, cred), ok),
    link: (existing: string, path: string, cb: Done) => serve('link', cb, (cred) => fs.link(existing, path, cred), ok),
    unlink: (path: string, cb: Done) => serve('unlink', cb, (cred) => fs.unlink(path, cred), ok),
    rmdir: (path: string, cb: Done) => serve('rmdir', cb, (cred) => fs.rmdir(path, cred), ok),
    rename: (from: string, to: string, cb: Done) => serve('rename', cb, (cred) => fs.rename(from, to, cred), ok),
    chmod: (path: string, mode: number, cb: Done) => serve('chmod', cb, (cred) => fs.chmod(path, mode, cred), ok),
    chown: (path: string, uid: number, gid: number, cb: Done) => serve('chown', cb, (cred) => fs.chown(path, uid, gid, cred), ok),
    utimens: (path: string, atime: number | Date, mtime: number | Date, cb: Done) =>
      serve('utimens', cb, (cred) => fs.utimens(path, Number(atime), Number(mtime), cred), ok),
    truncate: (path: string, size: number, cb: Done) => serve('truncate', cb, (cred) => fs.truncate(path, size, cred), ok),
    ftruncate: (path: string, fd: number, size: number, cb: Done) => serve('truncate', cb, (cred) => fs.ftruncate(fd, path, size, cred), ok),
    setxattr: (path: string, name: string, value: Buffer, _position: number, flags: number, cb: Done) =>
      serve('setxattr', cb, (cred) => fs.setxattr(path, name, Buffer.from(value), flags, cred), ok),
    getxattr: (path: string, name: string, _position: number, cb: Done) => serve('getxattr', cb, (cred) => fs.getxattr(path, name, cred), (v) => [0, v]),
    listxattr: (path: string, cb: Done) => serve('listxattr', cb, (cred) => fs.listxattr(path, cred), (names) => [0, names]),
    removexattr: (path: string, name: string, cb: Done) => serve('removexattr', cb, (cred) => fs.removexattr(path, name, cred), ok),
    create: (path: string, mode: number, cb: Done) => serve('create', cb, (cred) => fs.create(path, mode, 0, cred), (fh) => [0, fh]),
    open: (path: string, flags: number, cb: Done) => serve('open', cb, (cred) => fs.open(path, flags, cred), (fh) => [0, fh]),
    read: (_path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Done) =>
      serve('read', cb, (cred) => fs.read(fd, len, pos, cred), (data) => {
        const n = Math.min(len, data.length);
        data.copy(buf, 0, 0, n);
        bytesRead.inc(undefined, n);
        return [n];
      }),
    write: (_path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Done) =>
      // The buffer belongs to libfuse and is reused after we answer: FileSystemClient copies what it keeps.
      serve('write', cb, (cred) => fs.write(fd, buf.subarray(0, len), pos, cred), (n) => {
        bytesWritten.inc(undefined, n);
        return [n];
      }),
    flush: (_path: string, fd: number, cb: Done) => serve('flush', cb, (cred) => fs.flush(fd, cred), ok),
    // fuse-native passes (path, datasync, fd), whatever its README says.
    fsync: (_path: string, _datasync: number, fd: number, cb: Done) => serve('fsync', cb, (cred) => fs.fsync(fd, cred), ok),
    // Directory changes are durable once the master acknowledged them (its log is fsynced before it answers).
    fsyncdir: (_path: string, _datasync: number, _fd: number, cb: Done) => cb(0),
    release: (_path: string, fd: number, cb: Done) => serve('release', cb, (cred) => fs.release(fd, cred), ok),
  };
}
