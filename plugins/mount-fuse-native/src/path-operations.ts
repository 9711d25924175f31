// The fuse-native operations table: libfuse 2's path-based callbacks turned into inode-based IFileSystemOperations
// calls (paths resolved by lookups, cached for the entry timeout), each as the process that made the request.
import type { FuseOps, FuseStat } from 'fuse-native';
import {
  ErrorCodes,
  errnoOfError,
  type FsAttr,
  type FsCaller,
  type FsSetAttr,
  type IFileSystemOperations,
  MoosengError,
  ROOT_INODE,
  S_IFDIR,
  S_IFMT,
} from '@mooseng/core';
import { posix } from 'node:path';

/** Block size reported to stat(2) and statfs(2): the chunk block, so `cp` and friends use large buffers. */
export const REPORTED_BLOCK_SIZE = 64 * 1024;
/** Paths remembered at once; the oldest are dropped first. */
export const MAX_CACHED_PATHS = 100_000;
/** utimensat's UTIME_NOW and UTIME_OMIT, as the patched fuse-native passes them (ms values no real time has). */
export const UTIME_NOW_MS = 2 ** 53 - 1;
export const UTIME_OMIT_MS = 2 ** 53 - 2;

export function toStat(attr: FsAttr): FuseStat {
  return {
    mode: attr.mode,
    uid: attr.uid,
    gid: attr.gid,
    size: attr.size,
    nlink: attr.nlink,
    ino: attr.ino,
    rdev: attr.rdev,
    blksize: REPORTED_BLOCK_SIZE,
    blocks: Math.ceil((attr.storedBytes ?? attr.size) / 512),
    atime: new Date(attr.atimeMs),
    mtime: new Date(attr.mtimeMs),
    ctime: new Date(attr.ctimeMs),
  };
}

type Done = (...args: unknown[]) => void;

/** Paths → inodes, from lookups, each kept for the entry timeout the lookup gave. */
export class PathResolver {
  private readonly names = new Map<string, { ino: number; dir: boolean; expires: number }>();

  constructor(
    private readonly ops: IFileSystemOperations,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async resolve(path: string, caller: FsCaller): Promise<number> {
    if (path === '/') return ROOT_INODE;
    const hit = this.names.get(path);
    if (hit && hit.expires > this.now()) return hit.ino;
    const parent = await this.resolve(posix.dirname(path), caller);
    const entry = await this.ops.lookup(parent, posix.basename(path), caller);
    if (entry.attr.ino === 0) throw new MoosengError(ErrorCodes.ENOENT, `no such file: ${path}`);
    this.remember(path, entry.attr, entry.entryTimeoutMs);
    return entry.attr.ino;
  }

  async parentOf(path: string, caller: FsCaller): Promise<{ parent: number; name: string }> {
    return { parent: await this.resolve(posix.dirname(path), caller), name: posix.basename(path) };
  }

  remember(path: string, attr: FsAttr, ttlMs: number): void {
    this.names.delete(path); // re-insert: Map order is then age order, for eviction
    this.names.set(path, { ino: attr.ino, dir: (attr.mode & S_IFMT) === S_IFDIR, expires: this.now() + ttlMs });
    if (this.names.size > MAX_CACHED_PATHS) this.names.delete(this.names.keys().next().value!);
  }

  forget(path: string): void {
    this.names.delete(path);
  }

  /** Drops `path` and every cached name below it (after a rename, any of them may now be something else). */
  forgetTree(path: string): void {
    const hit = this.names.get(path);
    this.names.delete(path);
    // A file has nothing cached below it: the common rename (write a temp file, rename it over) must not scan.
    if (hit && !hit.dir) return;
    const prefix = `${path}/`;
    for (const key of [...this.names.keys()]) if (key.startsWith(prefix)) this.names.delete(key);
  }
}

/** Builds the operations table over `ops`; `getCaller` is the patched fuse-native's. */
export function pathOperations(ops: IFileSystemOperations, getCaller: () => FsCaller): FuseOps {
  const paths = new PathResolver(ops);
  /** Open file handle → its inode (fuse-native passes only the path and the handle). */
  const inodes = new Map<number, number>();

  /** Runs `work` as the request's caller, then answers: `reply(result)` on success, the negative errno on failure. */
  function serve<T>(cb: Done, work: (caller: FsCaller) => Promise<T>, reply: (result: T) => unknown[]): void {
    // Read synchronously, first thing: the patched fuse-native knows the caller only while this handler is entered.
    const caller = getCaller();
    let p: Promise<T>;
    try {
      p = work(caller);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (result) => cb(...reply(result)),
      (err: unknown) => cb(-errnoOfError(err)),
    );
  }
  const ok = (): unknown[] => [0];
  const ino = (path: string, caller: FsCaller): Promise<number> => paths.resolve(path, caller);
  const setattr = async (path: string, changes: FsSetAttr, fh: number | undefined, caller: FsCaller): Promise<void> => {
    await ops.setattr(await ino(path, caller), changes, fh, caller);
  };
  const made = async (
    path: string,
    make: (parent: number, name: string) => Promise<{ attr: FsAttr; entryTimeoutMs: number }>,
    caller: FsCaller,
  ): Promise<void> => {
    const { parent, name } = await paths.parentOf(path, caller);
    const e = await make(parent, name);
    paths.remember(path, e.attr, e.entryTimeoutMs);
  };
  const time = (ms: number): number | 'now' | undefined => (ms === UTIME_OMIT_MS ? undefined : ms === UTIME_NOW_MS ? 'now' : ms);

  return {
    getattr: (path: string, cb: Done) =>
      serve(
        cb,
        async (c) => (await ops.getattr(await ino(path, c), undefined, c)).attr,
        (a) => [0, toStat(a)],
      ),
    fgetattr: (path: string, fd: number, cb: Done) =>
      serve(
        cb,
        async (c) => (await ops.getattr(inodes.get(fd) ?? (await ino(path, c)), fd, c)).attr,
        (a) => [0, toStat(a)],
      ),
    access: (path: string, mode: number, cb: Done) => serve(cb, async (c) => ops.access(await ino(path, c), mode, c), ok),
    readdir: (path: string, cb: Done) =>
      serve(
        cb,
        async (c) => {
          const dir = await ino(path, c);
          const { fh } = await ops.opendir(dir, c);
          const names: string[] = [];
          try {
            for (;;) {
              const batch = await ops.readdir(dir, fh, names.length, c);
              if (batch.length === 0) return names;
              for (const e of batch) {
                names.push(e.name);
                if (e.name !== '.' && e.name !== '..') paths.remember(posix.join(path, e.name), e.attr, ops.timeouts.entryTimeoutMs);
              }
            }
          } finally {
            await ops.releasedir(dir, fh, c);
          }
        },
        (names) => [0, names],
      ),
    readlink: (path: string, cb: Done) =>
      serve(
        cb,
        async (c) => ops.readlink(await ino(path, c), c),
        (target) => [0, target],
      ),
    statfs: (path: string, cb: Done) =>
      serve(
        cb,
        async (c) => ops.statfs(ROOT_INODE, c),
        (s) => [
          0,
          {
            bsize: s.blockSize,
            frsize: s.blockSize,
            blocks: s.totalBlocks,
            bfree: s.freeBlocks,
            bavail: s.availBlocks,
            files: s.totalFiles,
            ffree: s.freeFiles,
            favail: s.freeFiles,
            fsid: 0x6d6f6f73,
            flag: 0,
            namemax: s.nameMax,
          },
        ],
      ),
    mkdir: (path: string, mode: number, cb: Done) => serve(cb, (c) => made(path, (p, n) => ops.mkdir(p, n, mode, c), c), ok),
    mknod: (path: string, mode: number, dev: number, cb: Done) =>
      serve(cb, (c) => made(path, (p, n) => ops.mknod(p, n, mode, dev, c), c), ok),
    symlink: (target: string, path: string, cb: Done) => serve(cb, (c) => made(path, (p, n) => ops.symlink(target, p, n, c), c), ok),
    link: (existing: string, path: string, cb: Done) =>
      serve(
        cb,
        async (c) => {
          const source = await ino(existing, c);
          await made(path, (p, n) => ops.link(source, p, n, c), c);
        },
        ok,
      ),
    unlink: (path: string, cb: Done) =>
      serve(
        cb,
        async (c) => {
          const { parent, name } = await paths.parentOf(path, c);
          paths.forget(path);
          await ops.unlink(parent, name, c);
        },
        ok,
      ),
    rmdir: (path: string, cb: Done) =>
      serve(
        cb,
        async (c) => {
          const { parent, name } = await paths.parentOf(path, c);
          paths.forgetTree(path);
          await ops.rmdir(parent, name, c);
        },
        ok,
      ),
    rename: (from: string, to: string, cb: Done) =>
      serve(
        cb,
        async (c) => {
          const src = await paths.parentOf(from, c);
          const dst = await paths.parentOf(to, c);
          paths.forgetTree(from);
          paths.forgetTree(to);
          await ops.rename(src.parent, src.name, dst.parent, dst.name, 0, c);
        },
        ok,
      ),
    chmod: (path: string, mode: number, cb: Done) => serve(cb, (c) => setattr(path, { mode }, undefined, c), ok),
    chown: (path: string, uid: number, gid: number, cb: Done) => serve(cb, (c) => setattr(path, { uid, gid }, undefined, c), ok),
    utimens: (path: string, atime: number | Date, mtime: number | Date, cb: Done) =>
      serve(cb, (c) => setattr(path, { atimeMs: time(Number(atime)), mtimeMs: time(Number(mtime)) }, undefined, c), ok),
    truncate: (path: string, size: number, cb: Done) => serve(cb, (c) => setattr(path, { size }, undefined, c), ok),
    ftruncate: (path: string, fd: number, size: number, cb: Done) => serve(cb, (c) => setattr(path, { size }, fd, c), ok),
    setxattr: (path: string, name: string, value: Buffer, _position: number, flags: number, cb: Done) =>
      serve(cb, async (c) => ops.setxattr(await ino(path, c), name, Buffer.from(value), flags, c), ok),
    getxattr: (path: string, name: string, _position: number, cb: Done) =>
      serve(
        cb,
        async (c) => ops.getxattr(await ino(path, c), name, c),
        (v) => [0, v],
      ),
    listxattr: (path: string, cb: Done) =>
      serve(
        cb,
        async (c) => ops.listxattr(await ino(path, c), c),
        (names) => [0, names],
      ),
    removexattr: (path: string, name: string, cb: Done) => serve(cb, async (c) => ops.removexattr(await ino(path, c), name, c), ok),
    create: (path: string, mode: number, cb: Done) =>
      serve(
        cb,
        async (c) => {
          const { parent, name } = await paths.parentOf(path, c);
          const { entry, opened } = await ops.create(parent, name, mode, 0, c);
          paths.remember(path, entry.attr, entry.entryTimeoutMs);
          inodes.set(opened.fh, entry.attr.ino);
          return opened.fh;
        },
        (fh) => [0, fh],
      ),
    open: (path: string, flags: number, cb: Done) =>
      serve(
        cb,
        async (c) => {
          // Close-to-open consistency: an open resolves the name afresh.
          paths.forget(path);
          const i = await ino(path, c);
          const { fh } = await ops.open(i, flags, c);
          inodes.set(fh, i);
          return fh;
        },
        (fh) => [0, fh],
      ),
    read: (_path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Done) =>
      serve(
        cb,
        (c) => ops.read(inodes.get(fd) ?? 0, fd, len, pos, c),
        (data) => {
          const n = Math.min(len, data.length);
          data.copy(buf, 0, 0, n);
          ops.readDone?.(inodes.get(fd) ?? 0, data);
          return [n];
        },
      ),
    // The buffer belongs to libfuse and is reused after we answer: the operations copy what they keep.
    write: (_path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Done) =>
      serve(
        cb,
        (c) => ops.write(inodes.get(fd) ?? 0, fd, buf.subarray(0, len), pos, c),
        (n) => [n],
      ),
    flush: (_path: string, fd: number, cb: Done) => serve(cb, (c) => ops.flush(inodes.get(fd) ?? 0, fd, c), ok),
    // fuse-native passes (path, datasync, fd), whatever its README says.
    fsync: (_path: string, datasync: number, fd: number, cb: Done) =>
      serve(cb, (c) => ops.fsync(inodes.get(fd) ?? 0, fd, datasync !== 0, c), ok),
    // Directory changes are durable once the master acknowledged them (its log is fsynced before it answers).
    fsyncdir: (_path: string, _datasync: number, _fd: number, cb: Done) => cb(0),
    release: (_path: string, fd: number, cb: Done) =>
      serve(
        cb,
        async (c) => {
          const i = inodes.get(fd) ?? 0;
          inodes.delete(fd);
          await ops.release(i, fd, c);
        },
        ok,
      ),
  };
}
