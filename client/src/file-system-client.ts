// FileSystemClient: POSIX operations on paths, as FUSE asks for them, turned into inode operations on the master
// and byte transfers through FileIo. Keeps short-lived entry/attribute caches and the table of open files (each an
// OpenFile, which owns everything about it).
import { constants as fsConstants } from 'node:fs';
import { posix } from 'node:path';
import { DEFAULT_READDIR_PAGE_ENTRIES, ErrorCodes, type IClock, type ILogger, MoosengError, OpenFlags, type ReplyOf, replyAttr, ROOT_INODE, S_IFDIR, S_IFMT, SetattrMask } from '@mooseng/core';
import type { FileIo } from './file-io';
import { type FileHandle, OpenFile } from './open-file';
import type { CallBody, CallerCredentials, HeaderedMethodName, MasterClient } from './master-client';
import type { WireAttr, WireStatFs } from './wire-types';
import { uncountedCache, type CountCacheLookup } from './cache-stats';

/** Cached names and attributes at most; the oldest are dropped first. */
export const MAX_CACHED_ENTRIES = 100_000;
/** Extended attribute answers remembered at once (the kernel asks for security.capability before every write). */
export const MAX_CACHED_XATTRS = 10_000;

/** utimensat's UTIME_NOW and UTIME_OMIT, as the patched fuse-native passes them (ms values no real time has). */
export const UTIME_NOW_MS = 2 ** 53 - 1;
export const UTIME_OMIT_MS = 2 ** 53 - 2;
/** open(2) flags as FUSE passes them: this platform's values, which Node knows (it has no O_ACCMODE; that is their union). */
const { O_RDONLY, O_WRONLY, O_RDWR, O_TRUNC, O_APPEND } = fsConstants;
const O_ACCMODE = O_RDONLY | O_WRONLY | O_RDWR;

/** How a FileSystemClient caches and buffers, and what it runs on. */
export interface FileSystemClientOptions {
  attrTtlMs: number;
  /** Bytes a handle buffers before writing through; flushed on fsync/flush/release. */
  writeBufferBytes: number;
  clock: IClock;
  logger: ILogger;
  /** Told of every cache lookup (metrics); nothing by default. */
  countCache?: CountCacheLookup;
}

interface Cached<T> {
  value: T;
  expires: number;
}

/**
 * The file system as the FUSE mount serves it. Every operation takes, last, the credentials of the process that
 * asked (`cred`) and acts as it; each handle keeps who opened it, for work done for it outside its own requests.
 */
export class FileSystemClient {
  /** path → inode, and inode → attributes (hard links share one attribute entry). Both expire after attrTtlMs. */
  private readonly names = new Map<string, Cached<number>>();
  private readonly attrs = new Map<number, Cached<WireAttr>>();
  /** (ino, name) → value, or null for "no such attribute". */
  private readonly xattrs = new Map<string, Cached<Buffer | null>>();
  /** fh → handle, and ino → the open file its handles share (kept past the last release while it holdsWrites()). */
  private readonly handles = new Map<number, FileHandle>();
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

  async getattr(path: string, cred: CallerCredentials): Promise<WireAttr> {
    const attr = await this.resolve(path, cred);
    return this.withPendingSize(attr);
  }

  async readdir(path: string, cred: CallerCredentials): Promise<Array<{ name: string; attr: WireAttr }>> {
    const dir = await this.resolve(path, cred);
    const out: Array<{ name: string; attr: WireAttr }> = [];
    let after = '';
    for (;;) {
      const page = await this.call('ReadDir', { ino: dir.ino, after, limit: DEFAULT_READDIR_PAGE_ENTRIES }, cred);
      for (const e of page.entries) {
        const attr = replyAttr(e, `ReadDir entry ${e.name}`);
        out.push({ name: e.name, attr });
        this.remember(posix.join(path, e.name), attr);
      }
      if (!page.more || page.entries.length === 0) return out;
      after = page.entries[page.entries.length - 1]!.name;
    }
  }

  async readlink(path: string, cred: CallerCredentials): Promise<string> {
    const attr = await this.resolve(path, cred);
    return (await this.call('ReadLink', { ino: attr.ino }, cred)).target;
  }

  async statfs(cred: CallerCredentials): Promise<WireStatFs> {
    return this.call('StatFs', {}, cred);
  }

  // ---- namespace changes ---------------------------------------------------------------------------------------

  async mkdir(path: string, mode: number, cred: CallerCredentials): Promise<void> {
    const { parent, name } = await this.parentOf(path, cred);
    this.remember(path, replyAttr(await this.call('Mkdir', { parent, name, mode }, cred), 'Mkdir'));
  }

  async mknod(path: string, mode: number, rdev: number, cred: CallerCredentials): Promise<void> {
    const { parent, name } = await this.parentOf(path, cred);
    this.remember(path, replyAttr(await this.call('Mknod', { parent, name, mode, rdev, open: false }, cred), 'Mknod'));
  }

  async symlink(target: string, path: string, cred: CallerCredentials): Promise<void> {
    const { parent, name } = await this.parentOf(path, cred);
    this.remember(path, replyAttr(await this.call('Symlink', { parent, name, target }, cred), 'Symlink'));
  }

  async link(existing: string, path: string, cred: CallerCredentials): Promise<void> {
    const source = await this.resolve(existing, cred);
    const { parent, name } = await this.parentOf(path, cred);
    const attr = replyAttr(await this.call('Link', { ino: source.ino, parent, name }, cred), 'Link');
    this.remember(path, attr);
    this.remember(existing, attr);
  }

  async unlink(path: string, cred: CallerCredentials): Promise<void> {
    const { parent, name } = await this.parentOf(path, cred);
    this.forget(path);
    await this.call('Unlink', { parent, name }, cred);
  }

  async rmdir(path: string, cred: CallerCredentials): Promise<void> {
    const { parent, name } = await this.parentOf(path, cred);
    this.forget(path);
    await this.call('Rmdir', { parent, name }, cred);
  }

  async rename(from: string, to: string, cred: CallerCredentials): Promise<void> {
    const src = await this.parentOf(from, cred);
    const dst = await this.parentOf(to, cred);
    // Everything under either name may now be something else: drop those cache entries.
    this.forgetTree(from);
    this.forgetTree(to);
    await this.call('Rename', { parent: src.parent, name: src.name, newParent: dst.parent, newName: dst.name, flags: 0 }, cred);
  }

  async chmod(path: string, mode: number, cred: CallerCredentials): Promise<void> {
    await this.setattr(path, { mask: SetattrMask.MODE, mode }, cred);
  }

  async chown(path: string, uid: number, gid: number, cred: CallerCredentials): Promise<void> {
    // chown(2) passes -1 (as 0xffffffff) for "leave unchanged".
    const mask = (uid !== 0xffffffff && uid !== -1 ? SetattrMask.UID : 0) | (gid !== 0xffffffff && gid !== -1 ? SetattrMask.GID : 0);
    if (mask) await this.setattr(path, { mask, uid: mask & SetattrMask.UID ? uid : 0, gid: mask & SetattrMask.GID ? gid : 0 }, cred);
  }

  async utimens(path: string, atimeMs: number, mtimeMs: number, cred: CallerCredentials): Promise<void> {
    // "now" is allowed to anyone who may write the file; an explicit time only to its owner (utimensat(2)).
    const bit = (ms: number, explicit: number, now: number): number => (ms === UTIME_OMIT_MS ? 0 : ms === UTIME_NOW_MS ? now : explicit);
    const mask = bit(atimeMs, SetattrMask.ATIME, SetattrMask.ATIME_NOW) | bit(mtimeMs, SetattrMask.MTIME, SetattrMask.MTIME_NOW);
    if (mask === 0) return;
    await this.setattr(path, { mask, atimeMs: mask & SetattrMask.ATIME ? atimeMs : 0, mtimeMs: mask & SetattrMask.MTIME ? mtimeMs : 0 }, cred);
  }

  async truncate(path: string, size: number, cred: CallerCredentials): Promise<void> {
    const attr = await this.resolve(path, cred);
    const file = this.files.get(attr.ino);
    if (file) {
      await this.flushAll(file);
      // Before the cut: a length committed after it would grow the file again.
      await this.commit(file, cred);
      file.cut();
    }
    this.io.invalidate(attr.ino);
    await this.setattr(path, { mask: SetattrMask.SIZE, size }, cred);
  }

  async ftruncate(fh: number, path: string, size: number, cred: CallerCredentials): Promise<void> {
    const { file } = this.handle(fh);
    // Every handle's earlier writes come before the cut, as in truncate: sent after it, they would undo it.
    await this.flushAll(file);
    await this.flush(fh, cred);
    file.cut();
    this.io.invalidate(file.ino);
    await this.setattr(path, { mask: SetattrMask.SIZE, size }, cred);
  }

  // ---- extended attributes -------------------------------------------------------------------------------------

  async setxattr(path: string, name: string, value: Buffer, flags: number, cred: CallerCredentials): Promise<void> {
    const attr = await this.resolve(path, cred);
    this.xattrs.delete(`${attr.ino}\0${name}`);
    await this.call('SetXattr', { ino: attr.ino, name, value, flags }, cred);
    // The cached attributes say "no extended attributes" no longer.
    this.attrs.delete(attr.ino);
  }

  async getxattr(path: string, name: string, cred: CallerCredentials): Promise<Buffer> {
    // POSIX ACLs are not supported (the master answers these with ENODATA): `ls -l`, `cp -a` and friends ask for
    // them on every file, so answer without a round trip.
    if (name.startsWith('system.posix_acl_')) throw new MoosengError(ErrorCodes.ENODATA, `no attribute ${name}`);
    const attr = await this.resolve(path, cred);
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
      value = Buffer.from((await this.call('GetXattr', { ino: attr.ino, name }, cred)).value);
    } catch (err) {
      if ((err as MoosengError).code !== ErrorCodes.ENODATA) throw err;
      value = null;
    }
    this.rememberXattr(attr.ino, name, value);
    if (value === null) throw new MoosengError(ErrorCodes.ENODATA, `no attribute ${name}`);
    return value;
  }

  async listxattr(path: string, cred: CallerCredentials): Promise<string[]> {
    const attr = await this.resolve(path, cred);
    return (await this.call('ListXattr', { ino: attr.ino }, cred)).names;
  }

  async removexattr(path: string, name: string, cred: CallerCredentials): Promise<void> {
    const attr = await this.resolve(path, cred);
    this.xattrs.delete(`${attr.ino}\0${name}`);
    await this.call('RemoveXattr', { ino: attr.ino, name }, cred);
  }

  // ---- open files ----------------------------------------------------------------------------------------------

  async create(path: string, mode: number, flags: number, cred: CallerCredentials): Promise<number> {
    const { parent, name } = await this.parentOf(path, cred);
    const attr = replyAttr(await this.call('Mknod', { parent, name, mode, rdev: 0, open: true }, cred), 'Mknod');
    this.remember(path, attr);
    return this.addHandle(attr.ino, flags | O_RDWR, cred);
  }

  async open(path: string, flags: number, cred: CallerCredentials): Promise<number> {
    // Close-to-open consistency: an open always asks the master, never the cache.
    this.forget(path);
    const attr = await this.resolve(path, cred);
    const file = this.files.get(attr.ino);
    if (flags & O_TRUNC && file) {
      // This client's earlier writes to the file come before the cut, not after it.
      await this.flushAll(file);
      await this.commit(file, cred);
      file.cut();
    }
    const mode = flags & O_ACCMODE;
    const want = (mode === O_WRONLY ? OpenFlags.WRITE : mode === O_RDWR ? OpenFlags.READ | OpenFlags.WRITE : OpenFlags.READ) | (flags & O_TRUNC ? OpenFlags.TRUNCATE : 0);
    this.remember(path, replyAttr(await this.call('Open', { ino: attr.ino, flags: want }, cred), 'Open'));
    this.io.invalidate(attr.ino);
    return this.addHandle(attr.ino, flags, cred);
  }

  async read(fh: number, length: number, position: number, cred: CallerCredentials): Promise<Buffer> {
    const handle = this.handle(fh);
    // Reads see this handle's own buffered writes: send them first.
    await this.flushHandle(handle, cred);
    return handle.read(position, length, (offset, bytes) => this.io.read(handle.file, offset, bytes, cred), (hit) => this.countCache('read_ahead', hit));
  }

  async write(fh: number, data: Buffer, position: number, cred: CallerCredentials): Promise<number> {
    const handle = this.handle(fh);
    this.io.invalidate(handle.file.ino);
    if (handle.append) position = await this.sizeOf(handle, cred);
    // The buffer holds one contiguous range: anything else sends it first.
    while (!handle.buffer(position, data)) await this.flushHandle(handle, cred);
    if (handle.bufferedBytes >= this.options.writeBufferBytes) await this.flushHandle(handle, cred);
    return data.length;
  }

  /**
   * flush(2)/close: sends buffered writes and commits the file's length and mtime. Fails with EIO when the master
   * refused to acknowledge writes of the file since the last close or fsync (their commit was refused: another
   * client's truncate cut the chunk meanwhile), whichever call sent them.
   */
  async flush(fh: number, cred: CallerCredentials): Promise<void> {
    const handle = this.handle(fh);
    let failure: unknown = null;
    try {
      await this.flushHandle(handle, cred);
      // Close-to-open: when close returns, another client's open sees the whole file.
      await this.commit(handle.file, cred);
    } catch (err) {
      failure = err;
    }
    // Reported once, by this call, even when something else failed too: it is the one loss the writer cannot retry.
    const lost = handle.file.takeWriteFailure();
    if (lost) throw lost;
    if (failure) throw failure;
  }

  /** fsync(2): buffered writes go out, then every replica written makes them durable. */
  async fsync(fh: number, cred: CallerCredentials): Promise<void> {
    await this.flush(fh, cred);
    await this.io.sync(this.handle(fh).file);
  }

  async release(fh: number, cred: CallerCredentials): Promise<void> {
    const handle = this.handles.get(fh);
    if (!handle) return;
    const { file } = handle;
    try {
      await this.flush(fh, cred);
    } finally {
      this.handles.delete(fh);
      file.close(handle);
      if (!file.isOpen && !file.holdsWrites()) this.files.delete(file.ino);
      await this.call('Release', { ino: file.ino }, cred).catch((err) => this.options.logger.warn('release failed', { ino: file.ino, err: (err as Error).message }));
    }
  }

  // ---- internals -----------------------------------------------------------------------------------------------

  private addHandle(ino: number, flags: number, cred: CallerCredentials): number {
    const fh = this.nextFh++;
    let file = this.files.get(ino);
    if (!file) this.files.set(ino, (file = new OpenFile(ino, this.options.clock)));
    this.handles.set(fh, file.open(fh, (flags & O_APPEND) !== 0, cred));
    return fh;
  }

  private handle(fh: number): FileHandle {
    const handle = this.handles.get(fh);
    if (!handle) throw new MoosengError(ErrorCodes.EINVAL, `no open file with handle ${fh}`);
    return handle;
  }

  /** Sends a handle's buffered writes; commits too once the oldest uncommitted write is COMMIT_INTERVAL_MS old. */
  private async flushHandle(handle: FileHandle, cred: CallerCredentials): Promise<void> {
    const range = handle.takeBuffered();
    if (!range) return;
    await this.io.write(handle.file, range.offset, range.data, cred);
    if (handle.file.commitDue()) await this.commit(handle.file, cred);
  }

  /**
   * Sends the buffered writes of every handle of the file (before a cut), each as whoever opened that handle: they
   * are its writes, sent now only because someone else cuts the file.
   */
  private async flushAll(file: OpenFile): Promise<void> {
    for (const handle of file.handles) await this.flushHandle(handle, handle.cred);
  }

  /** Sends the length and mtime of this client's writes to the master (close, fsync, truncate). */
  private async commit(file: OpenFile, cred: CallerCredentials): Promise<void> {
    const attr = await this.io.commit(file, cred);
    if (attr) this.rememberIno(attr);
  }

  private rememberXattr(ino: number, name: string, value: Buffer | null): void {
    if (this.xattrs.size >= MAX_CACHED_XATTRS) this.xattrs.delete(this.xattrs.keys().next().value!);
    this.xattrs.set(`${ino}\0${name}`, { value, expires: this.options.clock.monotonic() + this.options.attrTtlMs });
  }

  /**
   * Where an O_APPEND write goes: the end of the file as the master has it, or as this client's writes make it,
   * buffered ones of other handles included (else two appenders on one mount write over each other).
   */
  private async sizeOf(handle: FileHandle, cred: CallerCredentials): Promise<number> {
    await this.flushHandle(handle, cred);
    const attr = replyAttr(await this.call('GetAttr', { ino: handle.file.ino }, cred), 'GetAttr');
    return handle.file.knownSize(attr.size);
  }

  /** Attributes with the size this client's own unsent and uncommitted writes will give the file. */
  private withPendingSize(attr: WireAttr): WireAttr {
    const size = this.files.get(attr.ino)?.knownSize(attr.size) ?? attr.size;
    return size === attr.size ? attr : { ...attr, size };
  }

  private async setattr(path: string, fields: { mask: number; mode?: number; uid?: number; gid?: number; size?: number; atimeMs?: number; mtimeMs?: number }, cred: CallerCredentials): Promise<void> {
    const attr = await this.resolve(path, cred);
    const reply = await this.call('SetAttr', { ino: attr.ino, mode: 0, uid: 0, gid: 0, size: 0, atimeMs: 0, mtimeMs: 0, ...fields }, cred);
    this.remember(path, replyAttr(reply, 'SetAttr'));
  }

  /** Walks `path` from the root with Lookup, using cached entries while they are fresh. */
  private async resolve(path: string, cred: CallerCredentials): Promise<WireAttr> {
    const now = this.options.clock.monotonic();
    const name = this.names.get(path);
    const cached = name && name.expires > now ? this.attrs.get(name.value) : undefined;
    this.countCache('entry', cached !== undefined && cached.expires > now);
    if (cached && cached.expires > now) return cached.value;
    if (path === '/') {
      const attr = replyAttr(await this.call('GetAttr', { ino: ROOT_INODE }, cred), 'GetAttr');
      this.remember('/', attr);
      return attr;
    }
    const parent = await this.resolve(posix.dirname(path), cred);
    const attr = replyAttr(await this.call('Lookup', { parent: parent.ino, name: posix.basename(path) }, cred), 'Lookup');
    this.remember(path, attr);
    return attr;
  }

  private async parentOf(path: string, cred: CallerCredentials): Promise<{ parent: number; name: string }> {
    const parent = await this.resolve(posix.dirname(path), cred);
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

  private call<M extends HeaderedMethodName>(method: M, body: CallBody<M>, cred: CallerCredentials): Promise<ReplyOf<M>> {
    return this.master.call(method, body, cred);
  }
}
