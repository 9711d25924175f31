// FileSystemClient: POSIX operations on paths, as FUSE asks for them, turned into inode operations on the master
// and byte transfers through FileIo. Keeps short-lived entry/attribute caches and the table of open files.
import { constants as fsConstants } from 'node:fs';
import { posix } from 'node:path';
import { DEFAULT_READDIR_PAGE_ENTRIES, ErrorCodes, type IClock, type ILogger, MoosengError, OpenFlags, type ReplyOf, replyAttr, ROOT_INODE, S_IFDIR, S_IFMT, SetattrMask } from '@mooseng/core';
import { currentCaller } from './caller-credentials';
import type { FileIo } from './file-io';
import type { CallBody, CallerCredentials, HeaderedMethodName, MasterClient } from './master-client';
import type { WireAttr, WireStatFs } from './wire-types';
import { uncountedCache, type CountCacheLookup } from './cache-stats';

/** Cached names and attributes at most; the oldest are dropped first. */
export const MAX_CACHED_ENTRIES = 100_000;
/** Bytes fetched ahead once reads of a handle are sequential (one data-plane request instead of 32). */
export const READAHEAD_BYTES = 4 * 1024 * 1024;
/** Extended attribute answers remembered at once (the kernel asks for security.capability before every write). */
export const MAX_CACHED_XATTRS = 10_000;

/** utimensat's UTIME_NOW and UTIME_OMIT, as the patched fuse-native passes them (ms values no real time has). */
export const UTIME_NOW_MS = 2 ** 53 - 1;
export const UTIME_OMIT_MS = 2 ** 53 - 2;
/** open(2) flags as FUSE passes them: this platform's values, which Node knows (it has no O_ACCMODE; that is their union). */
const { O_RDONLY, O_WRONLY, O_RDWR, O_TRUNC, O_APPEND } = fsConstants;
const O_ACCMODE = O_RDONLY | O_WRONLY | O_RDWR;

export interface FileSystemClientOptions {
  attrTtlMs: number;
  /** Bytes a handle buffers before writing through; flushed on fsync/flush/release. */
  writeBufferBytes: number;
  clock: IClock;
  logger: ILogger;
  /** Credentials used outside a FUSE request (background flushes); requests carry their caller's (runAsCaller). */
  cred: CallerCredentials;
  /** Told of every cache lookup (metrics); nothing by default. */
  countCache?: CountCacheLookup;
}

/** Windows of read-ahead per open file: the one being read, the next one (fetched while the first is consumed), and one spare for reads still finishing in the previous one. */
export const READAHEAD_WINDOWS = 3;

/** A range of a file fetched ahead of the reader; `data` may be shorter than `length` at the end of the file. */
interface ReadWindow {
  offset: number;
  length: number;
  data: Promise<Buffer>;
}

interface Cached<T> {
  value: T;
  expires: number;
}

/** An open file: its inode, how it was opened, and writes not yet sent. */
interface OpenFile {
  ino: number;
  append: boolean;
  /** Buffered contiguous write: bytes at `offset`. */
  pending: { offset: number; parts: Buffer[]; bytes: number } | null;
  /** An error from a background flush, reported at the next flush/fsync/release (as close(2) would). */
  failure: MoosengError | null;
  /** Read-ahead windows, fetched or in flight (at most READAHEAD_WINDOWS), and where the last read ended. */
  windows: ReadWindow[];
  lastEnd: number;
}

export class FileSystemClient {
  /** path → inode, and inode → attributes (hard links share one attribute entry). Both expire after attrTtlMs. */
  private readonly names = new Map<string, Cached<number>>();
  private readonly attrs = new Map<number, Cached<WireAttr>>();
  /** (ino, name) → value, or null for "no such attribute". */
  private readonly xattrs = new Map<string, Cached<Buffer | null>>();
  private readonly files = new Map<number, OpenFile>();
  private nextFh = 1;
  private readonly countCache: CountCacheLookup;

  constructor(
    private readonly master: MasterClient,
    private readonly io: FileIo,
    private readonly options: FileSystemClientOptions,
  ) {
    this.countCache = options.countCache ?? uncountedCache;
  }

  // ---- lookups -------------------------------------------------------------------------------------------------

  async getattr(path: string): Promise<WireAttr> {
    const attr = await this.resolve(path);
    return this.withPendingSize(attr);
  }

  async readdir(path: string): Promise<Array<{ name: string; attr: WireAttr }>> {
    const dir = await this.resolve(path);
    const out: Array<{ name: string; attr: WireAttr }> = [];
    let after = '';
    for (;;) {
      const page = await this.call('ReadDir', { ino: dir.ino, after, limit: DEFAULT_READDIR_PAGE_ENTRIES });
      for (const e of page.entries) {
        const attr = replyAttr(e, `ReadDir entry ${e.name}`);
        out.push({ name: e.name, attr });
        this.remember(posix.join(path, e.name), attr);
      }
      if (!page.more || page.entries.length === 0) return out;
      after = page.entries[page.entries.length - 1]!.name;
    }
  }

  async readlink(path: string): Promise<string> {
    const attr = await this.resolve(path);
    return (await this.call('ReadLink', { ino: attr.ino })).target;
  }

  async statfs(): Promise<WireStatFs> {
    return this.call('StatFs', {});
  }

  // ---- namespace changes ---------------------------------------------------------------------------------------

  async mkdir(path: string, mode: number): Promise<void> {
    const { parent, name } = await this.parentOf(path);
    this.remember(path, replyAttr(await this.call('Mkdir', { parent, name, mode }), 'Mkdir'));
  }

  async mknod(path: string, mode: number, rdev: number): Promise<void> {
    const { parent, name } = await this.parentOf(path);
    this.remember(path, replyAttr(await this.call('Mknod', { parent, name, mode, rdev, open: false }), 'Mknod'));
  }

  async symlink(target: string, path: string): Promise<void> {
    const { parent, name } = await this.parentOf(path);
    this.remember(path, replyAttr(await this.call('Symlink', { parent, name, target }), 'Symlink'));
  }

  async link(existing: string, path: string): Promise<void> {
    const source = await this.resolve(existing);
    const { parent, name } = await this.parentOf(path);
    const attr = replyAttr(await this.call('Link', { ino: source.ino, parent, name }), 'Link');
    this.remember(path, attr);
    this.remember(existing, attr);
  }

  async unlink(path: string): Promise<void> {
    const { parent, name } = await this.parentOf(path);
    this.forget(path);
    await this.call('Unlink', { parent, name });
  }

  async rmdir(path: string): Promise<void> {
    const { parent, name } = await this.parentOf(path);
    this.forget(path);
    await this.call('Rmdir', { parent, name });
  }

  async rename(from: string, to: string): Promise<void> {
    const src = await this.parentOf(from);
    const dst = await this.parentOf(to);
    // Everything under either name may now be something else: drop those cache entries.
    this.forgetTree(from);
    this.forgetTree(to);
    await this.call('Rename', { parent: src.parent, name: src.name, newParent: dst.parent, newName: dst.name, flags: 0 });
  }

  async chmod(path: string, mode: number): Promise<void> {
    await this.setattr(path, { mask: SetattrMask.MODE, mode });
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    // chown(2) passes -1 (as 0xffffffff) for "leave unchanged".
    const mask = (uid !== 0xffffffff && uid !== -1 ? SetattrMask.UID : 0) | (gid !== 0xffffffff && gid !== -1 ? SetattrMask.GID : 0);
    if (mask) await this.setattr(path, { mask, uid: mask & SetattrMask.UID ? uid : 0, gid: mask & SetattrMask.GID ? gid : 0 });
  }

  async utimens(path: string, atimeMs: number, mtimeMs: number): Promise<void> {
    // "now" is allowed to anyone who may write the file; an explicit time only to its owner (utimensat(2)).
    const bit = (ms: number, explicit: number, now: number): number => (ms === UTIME_OMIT_MS ? 0 : ms === UTIME_NOW_MS ? now : explicit);
    const mask = bit(atimeMs, SetattrMask.ATIME, SetattrMask.ATIME_NOW) | bit(mtimeMs, SetattrMask.MTIME, SetattrMask.MTIME_NOW);
    if (mask === 0) return;
    await this.setattr(path, { mask, atimeMs: mask & SetattrMask.ATIME ? atimeMs : 0, mtimeMs: mask & SetattrMask.MTIME ? mtimeMs : 0 });
  }

  async truncate(path: string, size: number): Promise<void> {
    const attr = await this.resolve(path);
    await this.flushInode(attr.ino);
    // Before the cut: a length committed after it would grow the file again.
    await this.commitInode(attr.ino);
    this.dropCachedData(attr.ino);
    this.io.releaseGrants(attr.ino);
    await this.setattr(path, { mask: SetattrMask.SIZE, size });
  }

  async ftruncate(fh: number, path: string, size: number): Promise<void> {
    await this.flush(fh);
    this.dropCachedData(this.handle(fh).ino);
    this.io.releaseGrants(this.handle(fh).ino);
    await this.setattr(path, { mask: SetattrMask.SIZE, size });
  }

  // ---- extended attributes -------------------------------------------------------------------------------------

  async setxattr(path: string, name: string, value: Buffer, flags: number): Promise<void> {
    const attr = await this.resolve(path);
    this.xattrs.delete(`${attr.ino}\0${name}`);
    await this.call('SetXattr', { ino: attr.ino, name, value, flags });
    // The cached attributes say "no extended attributes" no longer.
    this.attrs.delete(attr.ino);
  }

  async getxattr(path: string, name: string): Promise<Buffer> {
    // POSIX ACLs are not supported (the master answers these with ENODATA): `ls -l`, `cp -a` and friends ask for
    // them on every file, so answer without a round trip.
    if (name.startsWith('system.posix_acl_')) throw new MoosengError(ErrorCodes.ENODATA, `no attribute ${name}`);
    const attr = await this.resolve(path);
    // Attributes fresh enough to use say whether there is any extended attribute at all.
    if (!attr.hasXattrs) throw new MoosengError(ErrorCodes.ENODATA, `no attribute ${name}`);
    const key = `${attr.ino}\0${name}`;
    const now = this.options.clock.monotonic();
    const hit = this.xattrs.get(key);
    this.countCache('xattr', hit !== undefined && hit.expires > now);
    if (hit && hit.expires > now) {
      if (hit.value === null) throw new MoosengError(ErrorCodes.ENODATA, `no attribute ${name}`);
      return hit.value;
    }
    let value: Buffer | null;
    try {
      value = Buffer.from((await this.call('GetXattr', { ino: attr.ino, name })).value);
    } catch (err) {
      if ((err as MoosengError).code !== ErrorCodes.ENODATA) throw err;
      value = null;
    }
    this.rememberXattr(attr.ino, name, value);
    if (value === null) throw new MoosengError(ErrorCodes.ENODATA, `no attribute ${name}`);
    return value;
  }

  async listxattr(path: string): Promise<string[]> {
    const attr = await this.resolve(path);
    return (await this.call('ListXattr', { ino: attr.ino })).names;
  }

  async removexattr(path: string, name: string): Promise<void> {
    const attr = await this.resolve(path);
    this.xattrs.delete(`${attr.ino}\0${name}`);
    await this.call('RemoveXattr', { ino: attr.ino, name });
  }

  // ---- open files ----------------------------------------------------------------------------------------------

  async create(path: string, mode: number, flags: number): Promise<number> {
    const { parent, name } = await this.parentOf(path);
    const attr = replyAttr(await this.call('Mknod', { parent, name, mode, rdev: 0, open: true }), 'Mknod');
    this.remember(path, attr);
    return this.addHandle(attr.ino, flags | O_RDWR);
  }

  async open(path: string, flags: number): Promise<number> {
    // Close-to-open consistency: an open always asks the master, never the cache.
    this.forget(path);
    const attr = await this.resolve(path);
    if (flags & O_TRUNC) {
      // This client's earlier writes to the file come before the cut, not after it.
      await this.flushInode(attr.ino);
      await this.commitInode(attr.ino);
      this.io.releaseGrants(attr.ino);
    }
    const mode = flags & O_ACCMODE;
    const want = (mode === O_WRONLY ? OpenFlags.WRITE : mode === O_RDWR ? OpenFlags.READ | OpenFlags.WRITE : OpenFlags.READ) | (flags & O_TRUNC ? OpenFlags.TRUNCATE : 0);
    this.remember(path, replyAttr(await this.call('Open', { ino: attr.ino, flags: want }), 'Open'));
    this.io.invalidate(attr.ino);
    return this.addHandle(attr.ino, flags);
  }

  async read(fh: number, length: number, position: number): Promise<Buffer> {
    const file = this.handle(fh);
    // Reads see this handle's own buffered writes: send them first.
    await this.flushFile(file);
    // The kernel sends several reads of one file at once: a read inside a window waits for it, even in flight.
    let w = file.windows.find((x) => position >= x.offset && position + length <= x.offset + x.length);
    this.countCache('read_ahead', w !== undefined);
    if (!w && position === file.lastEnd && length < READAHEAD_BYTES) {
      file.windows = [];
      w = this.fetchWindow(file, position);
    }
    if (!w) {
      file.lastEnd = position + length;
      return this.io.read(file.ino, position, length, this.cred());
    }
    file.lastEnd = Math.max(file.lastEnd, position + length);
    // Past the middle of a window, fetch the next one so it is there when the reader gets to it.
    const next = w.offset + w.length;
    if (position + length > w.offset + w.length / 2 && !file.windows.some((x) => x.offset === next)) this.fetchWindow(file, next);
    let data: Buffer;
    try {
      data = await w.data;
    } catch (err) {
      file.windows = file.windows.filter((x) => x !== w);
      throw err;
    }
    const from = position - w.offset;
    return from >= data.length ? Buffer.alloc(0) : data.subarray(from, Math.min(data.length, from + length));
  }

  async write(fh: number, data: Buffer, position: number): Promise<number> {
    const file = this.handle(fh);
    if (file.failure) throw file.failure;
    this.dropCachedData(file.ino);
    if (file.append) position = await this.sizeOf(file);
    const p = file.pending;
    if (p && p.offset + p.bytes === position) {
      p.parts.push(Buffer.from(data));
      p.bytes += data.length;
    } else {
      await this.flushFile(file);
      file.pending = { offset: position, parts: [Buffer.from(data)], bytes: data.length };
    }
    if (file.pending!.bytes >= this.options.writeBufferBytes) await this.flushFile(file);
    return data.length;
  }

  /** flush(2)/close: sends buffered writes; reports a failure of an earlier background write. */
  async flush(fh: number): Promise<void> {
    const file = this.handle(fh);
    await this.flushFile(file);
    // Close-to-open: when close returns, another client's open sees the whole file.
    await this.commitInode(file.ino);
    if (file.failure) {
      const failure = file.failure;
      file.failure = null;
      throw failure;
    }
  }

  /** fsync(2): buffered writes go out, then every replica written makes them durable. */
  async fsync(fh: number): Promise<void> {
    await this.flush(fh);
    await this.io.sync(this.handle(fh).ino);
  }

  async release(fh: number): Promise<void> {
    const file = this.files.get(fh);
    if (!file) return;
    try {
      await this.flush(fh);
    } finally {
      this.files.delete(fh);
      if (![...this.files.values()].some((f) => f.ino === file.ino)) this.io.releaseGrants(file.ino);
      await this.call('Release', { ino: file.ino }).catch((err) => this.options.logger.warn('release failed', { ino: file.ino, err: (err as Error).message }));
    }
  }

  // ---- internals -----------------------------------------------------------------------------------------------

  private addHandle(ino: number, flags: number): number {
    const mode = flags & O_ACCMODE;
    const fh = this.nextFh++;
    this.files.set(fh, { ino, append: (flags & O_APPEND) !== 0, pending: null, failure: null, windows: [], lastEnd: 0 });
    return fh;
  }

  private handle(fh: number): OpenFile {
    const file = this.files.get(fh);
    if (!file) throw new MoosengError(ErrorCodes.EINVAL, `no open file with handle ${fh}`);
    return file;
  }

  private async flushFile(file: OpenFile): Promise<void> {
    const p = file.pending;
    if (!p) return;
    file.pending = null;
    await this.io.write(file.ino, p.offset, p.parts.length === 1 ? p.parts[0]! : Buffer.concat(p.parts, p.bytes), this.cred());
    if (this.io.commitDue(file.ino)) await this.commitInode(file.ino);
  }

  /** Sends the length and mtime of this client's writes to the master (close, fsync, truncate). */
  private async commitInode(ino: number): Promise<void> {
    const attr = await this.io.commit(ino, this.cred());
    if (attr) this.rememberIno(attr);
  }

  private rememberXattr(ino: number, name: string, value: Buffer | null): void {
    if (this.xattrs.size >= MAX_CACHED_XATTRS) this.xattrs.delete(this.xattrs.keys().next().value!);
    this.xattrs.set(`${ino}\0${name}`, { value, expires: this.options.clock.monotonic() + this.options.attrTtlMs });
  }

  /** Starts fetching READAHEAD_BYTES at `offset` as a window of `file`, dropping the oldest beyond the bound. */
  private fetchWindow(file: OpenFile, offset: number): ReadWindow {
    const data = this.io.read(file.ino, offset, READAHEAD_BYTES, this.cred());
    data.catch(() => undefined); // a failed prefetch is reported to the reader that awaits it, if any
    const w: ReadWindow = { offset, length: READAHEAD_BYTES, data };
    file.windows.push(w);
    if (file.windows.length > READAHEAD_WINDOWS) file.windows.shift();
    return w;
  }

  /** Read-ahead windows and chunk locations of an inode are out of date once it is written or cut. */
  private dropCachedData(ino: number): void {
    for (const file of this.files.values()) if (file.ino === ino) file.windows = [];
    this.io.invalidate(ino);
  }


  private async flushInode(ino: number): Promise<void> {
    for (const file of this.files.values()) if (file.ino === ino) await this.flushFile(file);
  }

  private async sizeOf(file: OpenFile): Promise<number> {
    await this.flushFile(file);
    const attr = replyAttr(await this.call('GetAttr', { ino: file.ino }), 'GetAttr');
    return Math.max(attr.size, this.io.localEnd(file.ino));
  }

  /** Attributes with the size this client's own unsent and uncommitted writes will give the file. */
  private withPendingSize(attr: WireAttr): WireAttr {
    let size = Math.max(attr.size, this.io.localEnd(attr.ino));
    for (const file of this.files.values()) {
      if (file.ino === attr.ino && file.pending) size = Math.max(size, file.pending.offset + file.pending.bytes);
    }
    return size === attr.size ? attr : { ...attr, size };
  }

  private async setattr(path: string, fields: { mask: number; mode?: number; uid?: number; gid?: number; size?: number; atimeMs?: number; mtimeMs?: number }): Promise<void> {
    const attr = await this.resolve(path);
    const reply = await this.call('SetAttr', { ino: attr.ino, mode: 0, uid: 0, gid: 0, size: 0, atimeMs: 0, mtimeMs: 0, ...fields });
    this.remember(path, replyAttr(reply, 'SetAttr'));
  }

  /** Walks `path` from the root with Lookup, using cached entries while they are fresh. */
  private async resolve(path: string): Promise<WireAttr> {
    const now = this.options.clock.monotonic();
    const name = this.names.get(path);
    const cached = name && name.expires > now ? this.attrs.get(name.value) : undefined;
    this.countCache('entry', cached !== undefined && cached.expires > now);
    if (cached && cached.expires > now) return cached.value;
    if (path === '/') {
      const attr = replyAttr(await this.call('GetAttr', { ino: ROOT_INODE }), 'GetAttr');
      this.remember('/', attr);
      return attr;
    }
    const parent = await this.resolve(posix.dirname(path));
    const attr = replyAttr(await this.call('Lookup', { parent: parent.ino, name: posix.basename(path) }), 'Lookup');
    this.remember(path, attr);
    return attr;
  }

  private async parentOf(path: string): Promise<{ parent: number; name: string }> {
    const parent = await this.resolve(posix.dirname(path));
    return { parent: parent.ino, name: posix.basename(path) };
  }

  private remember(path: string, attr: WireAttr): void {
    this.names.delete(path); // re-insert: Map order is then age order, for eviction
    this.names.set(path, { value: attr.ino, expires: this.options.clock.monotonic() + this.options.attrTtlMs });
    this.rememberIno(attr);
    if (this.names.size > MAX_CACHED_ENTRIES) this.names.delete(this.names.keys().next().value!);
  }

  private rememberIno(attr: WireAttr): void {
    this.attrs.delete(attr.ino);
    this.attrs.set(attr.ino, { value: attr, expires: this.options.clock.monotonic() + this.options.attrTtlMs });
    if (this.attrs.size > MAX_CACHED_ENTRIES) this.attrs.delete(this.attrs.keys().next().value!);
  }

  private forget(path: string): void {
    const name = this.names.get(path);
    this.names.delete(path);
    if (name) this.attrs.delete(name.value);
  }

  /** Drops `path` and every cached name below it (after a rename, any of them may now be something else). */
  private forgetTree(path: string): void {
    const name = this.names.get(path);
    const attr = name ? this.attrs.get(name.value)?.value : undefined;
    // A file has nothing cached below it: the common rename (rsync, editors: write a temp file, rename it over)
    // must not scan the whole cache.
    if (attr && (attr.mode & S_IFMT) !== S_IFDIR) return this.forget(path);
    const prefix = path.endsWith('/') ? path : `${path}/`;
    for (const key of [...this.names.keys()]) if (key === path || key.startsWith(prefix)) this.forget(key);
  }

  private call<M extends HeaderedMethodName>(method: M, body: CallBody<M>): Promise<ReplyOf<M>> {
    return this.master.call(method, body, this.cred());
  }

  private cred(): CallerCredentials {
    return currentCaller() ?? this.options.cred;
  }
}
