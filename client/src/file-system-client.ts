// FileSystemClient: the POSIX operations inode by inode, as the master serves them, with byte transfers through
// FileIo. Keeps a short-lived attribute cache, the names it has seen (only to drop a changed inode's attributes), the
// directory listings of open directory handles and the table of open files (each an OpenFile, which owns
// everything about it).
import { constants as fsConstants } from 'node:fs';
import {
  DEFAULT_READDIR_PAGE_ENTRIES,
  ErrorCodes,
  FallocateFlags,
  type FsSetAttr,
  type IClock,
  type ILogger,
  isMoosengError,
  MoosengError,
  OpenFlags,
  type ReplyOf,
  replyAttr,
  SetattrMask,
} from '@mooseng/core';
import type { FileIo } from './file-io';
import { type FileHandle, OpenFile } from './open-file';
import type { CallBody, CallerCredentials, HeaderedMethodName, MasterClient } from './master-client';
import type { WireAttr, WireStatFs } from './wire-types';
import { uncountedCache, type CountCacheLookup } from './cache-stats';
import { CreateOutcomes } from './create-outcomes';
import { DeferredReleases } from './deferred-releases';
import { sendInParallel, WriteBackCache } from './write-back-cache';
import { READ_AHEAD_MAX_BYTES, ReadAhead } from './read-ahead';

/** Cached attributes and remembered names at most; the oldest are dropped first. */
export const MAX_CACHED_ENTRIES = 100_000;
/** Extended attribute answers remembered at once (the kernel asks for security.capability before every write). */
export const MAX_CACHED_XATTRS = 10_000;

/** open(2) flags as FUSE passes them: this platform's values, which Node knows (it has no O_ACCMODE; that is their union). */
const { O_RDONLY, O_WRONLY, O_RDWR, O_TRUNC, O_APPEND, O_SYNC, O_DSYNC } = fsConstants;
const O_ACCMODE = O_RDONLY | O_WRONLY | O_RDWR;

/** How a FileSystemClient caches and buffers, and what it runs on. */
export interface FileSystemClientOptions {
  /** How long attributes may be answered from the cache when nothing says how long they stay true. */
  attrTtlMs: number;
  /**
   * How long names (found or missing) and attributes may be answered from the cache: the change feed drops what
   * other clients change (changed(), resync()), so this may be long. Answers that raced a change notice, and the
   * attributes of directories this client changes, keep attrTtlMs. Defaults to attrTtlMs.
   */
  metadataTtlMs?: number;
  /**
   * Without the write-back cache: bytes a handle buffers (one contiguous range) before writing through. With it: the
   * bound on bytes the whole mount buffers or is sending; a writer waits while it is reached.
   */
  writeBufferBytes: number;
  /**
   * The write-back cache (client.writeBack): writes anywhere in a file are buffered and merged, sent in the
   * background in parallel batches, and waited for at fsync, close and O_SYNC/O_DSYNC writes. Off: a handle
   * buffers one contiguous range and sends it, waiting, when a write does not continue it or it is full.
   */
  writeBack?: boolean;
  clock: IClock;
  logger: ILogger;
  /** Told of every cache lookup (metrics); nothing by default. */
  countCache?: CountCacheLookup;
  /**
   * With the block cache (FileIo.caching): the largest read-ahead window of a handle (READ_AHEAD_MAX_BYTES by
   * default), so a sequential reader's windows cannot push each other out of a small cache.
   */
  readAheadMaxBytes?: number;
}

/** What setattr may change (times in ms, or 'now'): the mount contract's own shape. */
export type AttrChanges = FsSetAttr;

/** One entry of a directory listing. */
export interface DirEntry {
  name: string;
  attr: WireAttr;
}

interface Cached<T> {
  value: T;
  expires: number;
}

/**
 * The file system as a mount serves it, by inode. Every operation takes, last, the credentials of the process that
 * asked (`cred`) and acts as it; each handle keeps who opened it, for work done for it outside its own requests.
 */
/** What fallocate writes over a punched or zeroed range, a piece at a time (never changed: writes copy it). */
const ZEROS = Buffer.alloc(1024 * 1024);

export class FileSystemClient {
  /** inode → attributes; they expire after attrTtlMs. */
  private readonly attrs = new Map<number, Cached<WireAttr>>();
  /**
   * (parent, name) → inode, of names looked up or made here: an unlink, rmdir or rename changes the attributes
   * (nlink, ctime) of the inode the name led to, whose cached attributes must then go.
   */
  private readonly names = new Map<string, number>();
  /**
   * Directories whose every name this client holds in `names` (it made them, or listed them whole), until when:
   * a name not there is missing without asking. Another client's change of an entry drops the directory.
   */
  private readonly complete = new Map<number, number>();
  /** (parent, name) of names the master said do not exist, until when that may be answered without asking. */
  private readonly absent = new Map<string, number>();
  /**
   * Counts change notices, resyncs and this client's own namespace changes: an answer asked for before the count
   * moved may predate a change (a notice can overtake the answer; a lookup or listing asked before this client's
   * own create or unlink can arrive after it), so it is kept only attrTtlMs.
   */
  private generation = 0;
  /**
   * Whether the leader's change feed is up for this client (ChangeWatcher: set by a stream's opening resync, cleared
   * when the stream ends). Only then may answers be kept metadataTtlMs and directories be known whole for that long:
   * that rests on every other client's change being told. While it is down (a leader change, a dead master) answers
   * keep attrTtlMs, as without a feed.
   */
  private feedLive = false;
  /** (ino, name) → value, or null for "no such attribute". */
  private readonly xattrs = new Map<string, Cached<Buffer | null>>();
  /** fh → handle, and ino → the open file its handles share (kept past the last release while it holdsWrites()). */
  private readonly handles = new Map<number, FileHandle>();
  private readonly files = new Map<number, OpenFile>();
  /** Directory handle → the listing taken at opendir ("." and ".." first), so readdir offsets stay stable. */
  private readonly dirs = new Map<number, DirEntry[]>();
  private nextFh = 1;
  private readonly countCache: CountCacheLookup;
  /** Releases of files closed here, sent to the master in batches. */
  private readonly releases: DeferredReleases;
  /** Whether files this mount created for writing were written: a create asks for a grant while they mostly are. */
  private readonly createOutcomes = new CreateOutcomes();
  /** Bytes buffered or on their way, against writeBufferBytes, and the order of each handle's sends. */
  private readonly writeBack: WriteBackCache;

  constructor(
    private readonly master: MasterClient,
    private readonly io: FileIo,
    private readonly options: FileSystemClientOptions,
  ) {
    this.countCache = options.countCache ?? uncountedCache;
    this.releases = new DeferredReleases(master, options.clock, options.logger);
    this.writeBack = new WriteBackCache(options.writeBufferBytes);
  }

  /** Bytes written through the mount and not yet on the chunkservers, now and at most so far (metrics, tests). */
  get writeBackBytes(): { now: number; peak: number } {
    return { now: this.writeBack.usedBytes, peak: this.writeBack.peakBytes };
  }

  // ---- lookups -------------------------------------------------------------------------------------------------

  /**
   * The inode `name` in `parent` leads to (ENOENT when there is none), from the cache while fresh. The kernel has
   * checked the caller may search `parent` (default_permissions) before it asks.
   */
  async lookup(parent: number, name: string, cred: CallerCredentials): Promise<WireAttr> {
    const key = `${parent}\0${name}`;
    const now = this.options.clock.monotonic();
    const missingUntil = this.absent.get(key);
    if (missingUntil !== undefined && missingUntil > now) {
      this.countCache('name', true);
      throw new MoosengError(ErrorCodes.ENOENT, `no ${name} in directory ${parent}`);
    }
    const ino = this.names.get(key);
    if (ino === undefined && (this.complete.get(parent) ?? 0) > now) {
      this.countCache('name', true);
      throw new MoosengError(ErrorCodes.ENOENT, `no ${name} in directory ${parent}`);
    }
    const cached = ino !== undefined ? this.attrs.get(ino) : undefined;
    this.countCache('name', cached !== undefined && cached.expires > now);
    if (cached && cached.expires > now) return this.withPendingSize(cached.value);
    const since = this.generation;
    let attr: WireAttr;
    try {
      attr = replyAttr(await this.call('Lookup', { parent, name }, cred), 'Lookup');
    } catch (err) {
      if (isMoosengError(err, ErrorCodes.ENOENT)) this.rememberAbsent(key, since);
      throw err;
    }
    this.rememberName(parent, name, attr, since);
    return this.withPendingSize(attr);
  }

  /** The kernel holds no reference to `ino` any more: nothing cached about it is needed. */
  forget(ino: number): void {
    this.attrs.delete(ino);
  }

  async getattr(ino: number, cred: CallerCredentials): Promise<WireAttr> {
    return this.withPendingSize(await this.attrOf(ino, cred));
  }

  /** Opens a listing of `ino`: all of it now (paged from the master), served by offset until releasedir. */
  async opendir(ino: number, cred: CallerCredentials): Promise<number> {
    const self = await this.attrOf(ino, cred);
    const entries: DirEntry[] = [
      { name: '.', attr: self },
      { name: '..', attr: self },
    ];
    let after = '';
    const since = this.generation;
    for (;;) {
      const page = await this.call('ReadDir', { ino, after, limit: DEFAULT_READDIR_PAGE_ENTRIES }, cred);
      for (const e of page.entries) {
        const attr = replyAttr(e, `ReadDir entry ${e.name}`);
        entries.push({ name: e.name, attr });
        this.rememberName(ino, e.name, attr, since);
      }
      if (!page.more || page.entries.length === 0) break;
      after = page.entries[page.entries.length - 1]!.name;
    }
    // The whole listing, every name remembered (unless there were too many to keep).
    if (entries.length - 2 <= MAX_CACHED_ENTRIES / 2) this.complete.set(ino, this.options.clock.monotonic() + this.ttlSince(since));
    const fh = this.nextFh++;
    this.dirs.set(fh, entries);
    return fh;
  }

  /** Entries of an open listing from `offset` on (at most `limit`). */
  readdir(fh: number, offset: number, limit: number): DirEntry[] {
    const entries = this.dirs.get(fh);
    if (!entries) throw new MoosengError(ErrorCodes.EINVAL, `no open directory with handle ${fh}`);
    return entries
      .slice(offset, offset + limit)
      .map((e) => (e.name === '.' || e.name === '..' ? e : { name: e.name, attr: this.withPendingSize(e.attr) }));
  }

  releasedir(fh: number): void {
    this.dirs.delete(fh);
  }

  async readlink(ino: number, cred: CallerCredentials): Promise<string> {
    return (await this.call('ReadLink', { ino }, cred)).target;
  }

  async statfs(cred: CallerCredentials): Promise<WireStatFs> {
    return this.call('StatFs', {}, cred);
  }

  // ---- namespace changes ---------------------------------------------------------------------------------------

  /** `umask`: the creator's, for the master to apply (0: applied already); see FsCaller.umask. */
  async mkdir(parent: number, name: string, mode: number, cred: CallerCredentials, umask = 0): Promise<WireAttr> {
    const attr = await this.making(parent, name, async () =>
      replyAttr(await this.call('Mkdir', { parent, name, mode, umask }, cred), 'Mkdir'),
    );
    // A directory made here is empty (and nothing can have listed or looked into it before): until another client
    // changes it, every name not made here is missing.
    this.complete.set(attr.ino, this.options.clock.monotonic() + this.trustedTtl());
    return attr;
  }

  async mknod(parent: number, name: string, mode: number, rdev: number, cred: CallerCredentials, umask = 0): Promise<WireAttr> {
    return this.making(parent, name, async () =>
      replyAttr(await this.call('Mknod', { parent, name, mode, rdev, open: false, umask, wantGrant: false }, cred), 'Mknod'),
    );
  }

  async symlink(target: string, parent: number, name: string, cred: CallerCredentials): Promise<WireAttr> {
    return this.making(parent, name, async () => replyAttr(await this.call('Symlink', { parent, name, target }, cred), 'Symlink'));
  }

  /** A new name for `ino`; the attributes returned carry the new link count. */
  async link(ino: number, parent: number, name: string, cred: CallerCredentials): Promise<WireAttr> {
    return this.withPendingSize(
      await this.making(parent, name, async () => replyAttr(await this.call('Link', { ino, parent, name }, cred), 'Link')),
    );
  }

  async unlink(parent: number, name: string, cred: CallerCredentials): Promise<void> {
    this.forgetName(parent, name);
    this.directoryChanged(parent);
    const since = ++this.generation;
    await this.call('Unlink', { parent, name }, cred);
    this.rememberAbsent(`${parent}\0${name}`, since);
  }

  async rmdir(parent: number, name: string, cred: CallerCredentials): Promise<void> {
    this.forgetName(parent, name);
    this.directoryChanged(parent);
    const since = ++this.generation;
    await this.call('Rmdir', { parent, name }, cred);
    this.rememberAbsent(`${parent}\0${name}`, since);
  }

  /** `flags`: RenameFlags (NOREPLACE, EXCHANGE). */
  async rename(parent: number, name: string, newParent: number, newName: string, flags: number, cred: CallerCredentials): Promise<void> {
    // Both inodes' attributes change (ctime; the one renamed over loses a link).
    this.forgetName(parent, name);
    this.forgetName(newParent, newName);
    this.directoryChanged(parent);
    this.directoryChanged(newParent);
    // Names appear there that this client holds no entry for (the moved one; with EXCHANGE, the old name too).
    this.complete.delete(parent);
    this.complete.delete(newParent);
    this.generation++;
    await this.call('Rename', { parent, name, newParent, newName, flags }, cred);
  }

  /**
   * Changes attributes. A size change first sends this mount's writes to the file (every handle's: sent after the
   * cut, they would undo it) and commits them; `fh` names the handle of an ftruncate.
   */
  async setattr(ino: number, changes: AttrChanges, fh: number | undefined, cred: CallerCredentials): Promise<WireAttr> {
    if (changes.size === undefined && (changes.mtimeMs !== undefined || changes.atimeMs !== undefined)) {
      // Times set after writes come after them: the writes' commit (which sets mtime to its own time) goes first,
      // or it would replace what the program set (tar sets each file's mtime before closing it).
      const file = fh !== undefined ? this.handle(fh).file : this.files.get(ino);
      if (file) {
        await this.flushAll(file);
        if (fh !== undefined) await this.flush(fh, cred);
        else await this.commit(file, cred);
      }
    }
    if (changes.size !== undefined) {
      const file = fh !== undefined ? this.handle(fh).file : this.files.get(ino);
      if (file) {
        await this.flushAll(file);
        // Before the cut: a length committed after it would grow the file again.
        if (fh !== undefined) await this.flush(fh, cred);
        else await this.commit(file, cred);
        file.cut();
      }
      this.io.forget(ino);
    }
    let mask = 0;
    if (changes.mode !== undefined) mask |= SetattrMask.MODE;
    // chown(2) passes -1 (as 0xffffffff) for "leave unchanged".
    if (changes.uid !== undefined && changes.uid !== 0xffffffff && changes.uid !== -1) mask |= SetattrMask.UID;
    if (changes.gid !== undefined && changes.gid !== 0xffffffff && changes.gid !== -1) mask |= SetattrMask.GID;
    if (changes.size !== undefined) mask |= SetattrMask.SIZE;
    // "now" is allowed to anyone who may write the file; an explicit time only to its owner (utimensat(2)).
    if (changes.atimeMs !== undefined) mask |= changes.atimeMs === 'now' ? SetattrMask.ATIME_NOW : SetattrMask.ATIME;
    if (changes.mtimeMs !== undefined) mask |= changes.mtimeMs === 'now' ? SetattrMask.MTIME_NOW : SetattrMask.MTIME;
    if (mask === 0) return this.getattr(ino, cred);
    const since = this.generation;
    const reply = await this.call(
      'SetAttr',
      {
        ino,
        mask,
        mode: changes.mode ?? 0,
        uid: mask & SetattrMask.UID ? changes.uid! : 0,
        gid: mask & SetattrMask.GID ? changes.gid! : 0,
        size: changes.size ?? 0,
        atimeMs: typeof changes.atimeMs === 'number' ? changes.atimeMs : 0,
        mtimeMs: typeof changes.mtimeMs === 'number' ? changes.mtimeMs : 0,
      },
      cred,
    );
    const attr = replyAttr(reply, 'SetAttr');
    if (changes.size !== undefined) this.files.get(ino)?.truncated(changes.size);
    this.rememberIno(attr, since);
    return this.withPendingSize(attr);
  }

  // ---- extended attributes -------------------------------------------------------------------------------------

  async setxattr(ino: number, name: string, value: Buffer, flags: number, cred: CallerCredentials): Promise<void> {
    this.xattrs.delete(`${ino}\0${name}`);
    await this.call('SetXattr', { ino, name, value: Buffer.from(value), flags }, cred);
    // The cached attributes say "no extended attributes" no longer.
    this.attrs.delete(ino);
  }

  async getxattr(ino: number, name: string, cred: CallerCredentials): Promise<Buffer> {
    // The kernel asks for system.posix_acl_access before permission checks and `ls -l`, `cp -a` on every file:
    // most have no xattr at all, which the attributes say without a round trip.
    const attr = await this.attrOf(ino, cred);
    // Attributes fresh enough to use say whether there is any extended attribute at all.
    if (!attr.hasXattrs) throw new MoosengError(ErrorCodes.ENODATA, `no attribute ${name}`);
    const key = `${ino}\0${name}`;
    const now = this.options.clock.monotonic();
    const hit = this.xattrs.get(key);
    this.countCache('xattr', hit !== undefined && hit.expires > now);
    if (hit && hit.expires > now) {
      if (hit.value === null) throw new MoosengError(ErrorCodes.ENODATA, `no attribute ${name}`);
      return hit.value;
    }
    let value: Buffer | null;
    try {
      value = Buffer.from((await this.call('GetXattr', { ino, name }, cred)).value);
    } catch (err) {
      if ((err as MoosengError).code !== ErrorCodes.ENODATA) throw err;
      value = null;
    }
    this.rememberXattr(ino, name, value);
    if (value === null) throw new MoosengError(ErrorCodes.ENODATA, `no attribute ${name}`);
    return value;
  }

  async listxattr(ino: number, cred: CallerCredentials): Promise<string[]> {
    return (await this.call('ListXattr', { ino }, cred)).names;
  }

  async removexattr(ino: number, name: string, cred: CallerCredentials): Promise<void> {
    this.xattrs.delete(`${ino}\0${name}`);
    await this.call('RemoveXattr', { ino, name }, cred);
    // The cached attributes may say "has extended attributes" no longer.
    this.attrs.delete(ino);
  }

  // ---- open files ----------------------------------------------------------------------------------------------

  async create(
    parent: number,
    name: string,
    mode: number,
    flags: number,
    cred: CallerCredentials,
    umask = 0,
  ): Promise<{ attr: WireAttr; fh: number }> {
    // A file created for writing: the master may grant chunk 0 with the create (one commit for both), so the first
    // write asks for no grant; asked for while the files this mount lately created were mostly written.
    const forWriting = (flags & O_ACCMODE) !== O_RDONLY;
    const wantGrant = forWriting && this.createOutcomes.worthAGrant();
    let grant: ReplyOf<'Mknod'>['grant'] = null;
    const attr = await this.making(parent, name, async () => {
      const reply = await this.call('Mknod', { parent, name, mode, rdev: 0, open: true, umask, wantGrant }, cred);
      grant = reply.grant;
      return replyAttr(reply, 'Mknod');
    });
    const fh = this.addHandle(attr.ino, flags | O_RDWR, cred);
    if (forWriting) this.files.get(attr.ino)!.createdHere(grant);
    return { attr, fh };
  }

  /** Opens `ino`: the new handle, and the attributes the master has now (with this client's unsent size counted). */
  async open(ino: number, flags: number, cred: CallerCredentials): Promise<{ fh: number; attr: WireAttr }> {
    // Close-to-open consistency: an open always asks the master (Open returns fresh attributes), never the cache.
    this.attrs.delete(ino);
    const file = this.files.get(ino);
    if (flags & O_TRUNC && file) {
      // This client's earlier writes to the file come before the cut, not after it.
      await this.flushAll(file);
      await this.commit(file, cred);
      file.cut();
    }
    const mode = flags & O_ACCMODE;
    const want =
      (mode === O_WRONLY ? OpenFlags.WRITE : mode === O_RDWR ? OpenFlags.READ | OpenFlags.WRITE : OpenFlags.READ) |
      (flags & O_TRUNC ? OpenFlags.TRUNCATE : 0);
    const since = this.generation;
    const attr = replyAttr(await this.call('Open', { ino, flags: want }, cred), 'Open');
    this.rememberIno(attr, since);
    if (flags & O_TRUNC) {
      this.files.get(ino)?.truncated(0);
      this.io.forget(ino);
    } else this.io.invalidate(ino);
    const fh = this.addHandle(ino, flags, cred);
    return { fh, attr: this.withPendingSize(attr) };
  }

  async read(fh: number, length: number, position: number, cred: CallerCredentials): Promise<Buffer> {
    const handle = this.handle(fh);
    const { file } = handle;
    // Reads see every write this mount has acknowledged to the file, through any handle, and the length those give
    // it (a short read inside the size the kernel knows makes it shrink the file, and a mapping there faults with
    // SIGBUS): this handle's buffer goes as the reader, the others' as whoever opened them, and sends already on
    // their way (the kernel sends several reads at once; the first one took the buffer) are waited for.
    await this.flushHandle(handle, cred);
    await this.flushAll(file);
    if (handle.readAhead) {
      // The block cache: the read takes its blocks from it (or joins their fetch on its way); a sequential run
      // fetches the next window into it meanwhile, without waiting.
      const bytes = this.io.read(file, position, length, cred);
      const ahead = handle.readAhead.next(position, length);
      if (ahead) void this.io.prefetch(file, ahead.offset, ahead.length, handle.cred);
      return bytes;
    }
    return handle.read(
      position,
      length,
      (offset, bytes) => this.io.read(handle.file, offset, bytes, cred),
      (hit) => this.countCache('read_ahead', hit),
    );
  }

  /** The caller of `read` is done with what it returned (FileIo.readDone). */
  readDone(data: Buffer): void {
    this.io.readDone(data);
  }

  async write(fh: number, data: Buffer, position: number, cred: CallerCredentials): Promise<number> {
    const handle = this.handle(fh);
    this.io.invalidate(handle.file.ino);
    if (handle.append) position = await this.sizeOf(handle, cred);
    // Writes of other handles over the same bytes were acknowledged first: they reach the chunkservers first, so
    // this one lands over them, whenever this handle's buffer goes.
    if (handle.file.olderWritesOverlap(handle, position, data.length)) await this.flushAll(handle.file);
    if (!this.options.writeBack) {
      // The buffer holds one contiguous range: anything else sends it first.
      while (!handle.buffer(position, data)) await this.flushHandle(handle, cred);
      this.writeBack.take(data.length);
      if (handle.bufferedBytes >= this.options.writeBufferBytes) await this.flushHandle(handle, cred);
      return data.length;
    }
    await this.roomFor(data.length);
    const before = handle.bufferedBytes;
    handle.buffer(position, data, true);
    this.writeBack.take(handle.bufferedBytes - before);
    if (handle.syncWrites) await this.fsync(fh, cred);
    else if (handle.bufferedBytes >= this.writeBack.batchBytes || this.writeBack.full) this.sendInBackground(handle);
    return data.length;
  }

  /**
   * Waits until `bytes` more fit in the write-back cache. While it is full every handle holding buffered writes
   * sends them (in the background, as whoever opened it), so room is freed whoever holds it.
   */
  private async roomFor(bytes: number): Promise<void> {
    while (!this.writeBack.hasRoom(bytes)) {
      for (const h of this.handles.values()) if (h.bufferedBytes > 0) this.sendInBackground(h);
      await this.writeBack.roomFreed();
    }
  }

  /**
   * Sends the handle's buffered writes in the background, batch after batch, while it holds a batch's worth or the
   * cache is full. A failed send is kept for the writer's next fsync or close (see sendBuffered); a failed commit is
   * left for the next one (the chunks stay uncommitted).
   */
  private sendInBackground(handle: FileHandle): void {
    const cache = this.writeBack;
    this.writeBack.inBackground(handle, async () => {
      while (handle.bufferedBytes > 0 && (handle.bufferedBytes >= cache.batchBytes || cache.full)) {
        await this.sendBuffered(handle, handle.cred, true);
      }
    });
  }

  /**
   * Sends what the handle buffers, once its earlier sends settled (a handle's sends land in the order it buffered
   * them), its ranges in parallel; true when there was something to send. Fails with the first failure. In the
   * `background` no one waits for the answer, so the failure is kept on the file instead, for the next fsync or
   * close (takeWriteFailure), before the send settles: a flush queued behind it finds it; and a due commit is made
   * inside the batch too, so a truncate or close (which wait for the handle's batches) never races it.
   */
  private async sendBuffered(handle: FileHandle, cred: CallerCredentials, background = false): Promise<boolean> {
    const { file } = handle;
    let sent = false;
    await this.writeBack.inOrder(handle, async () => {
      const ranges = handle.takeBuffered();
      if (ranges.length === 0) return;
      sent = true;
      try {
        await sendInParallel(
          ranges,
          (range) => this.io.write(file, range.offset, range.data, cred),
          (range, done) => {
            void file.sending(range, done, handle).then(
              () => {
                this.writeBack.give(range.data.length);
                // Acknowledged by the chain: no socket refers to the bytes now. A failed send keeps its memory
                // (a socket may still queue it); the collector frees it.
                range.release?.();
              },
              () => this.writeBack.give(range.data.length),
            );
          },
        );
      } catch (err) {
        if (!background) throw err;
        this.options.logger.warn('buffered writes could not be stored; the next fsync or close fails', {
          ino: file.ino,
          err: (err as Error).message,
        });
        file.writesLost(
          new MoosengError(
            isMoosengError(err) ? err.code : ErrorCodes.IO_ERROR,
            `buffered writes to inode ${file.ino} were not stored: ${(err as Error).message}`,
            { cause: err },
          ),
        );
      }
      if (background && file.commitDue())
        await this.commit(file, cred).catch((err: unknown) =>
          this.options.logger.debug('a background commit failed; the next one retries it', { ino: file.ino, err: (err as Error).message }),
        );
    });
    return sent;
  }

  /**
   * fallocate(2). Chunkservers allocate space as data arrives, so nothing is reserved: mode 0 makes the file at
   * least `offset + length` long (the new part a hole, as a truncate up) and KEEP_SIZE alone changes nothing.
   * PUNCH_HOLE and ZERO_RANGE write zeros over the range through the handle like any write (clipped to the length
   * with KEEP_SIZE), so it reads back zeros; the space is not given back. COLLAPSE_RANGE and INSERT_RANGE:
   * EOPNOTSUPP (the kernel has refused bad combinations, such as PUNCH_HOLE without KEEP_SIZE, already).
   */
  async fallocate(fh: number, mode: number, offset: number, length: number, cred: CallerCredentials): Promise<void> {
    const supported = FallocateFlags.KEEP_SIZE | FallocateFlags.PUNCH_HOLE | FallocateFlags.ZERO_RANGE;
    if ((mode & ~supported) !== 0) throw new MoosengError(ErrorCodes.EOPNOTSUPP, `fallocate mode 0x${mode.toString(16)} is not supported`);
    if (offset < 0 || length <= 0) throw new MoosengError(ErrorCodes.EINVAL, `fallocate of ${length} bytes at ${offset}`);
    const handle = this.handle(fh);
    const end = offset + length;
    const size = await this.sizeOf(handle, cred);
    const keepSize = (mode & FallocateFlags.KEEP_SIZE) !== 0;
    if ((mode & (FallocateFlags.PUNCH_HOLE | FallocateFlags.ZERO_RANGE)) !== 0) {
      const zeroEnd = keepSize ? Math.min(end, size) : end;
      for (let at = offset; at < zeroEnd; at += ZEROS.length) {
        await this.write(fh, ZEROS.subarray(0, Math.min(ZEROS.length, zeroEnd - at)), at, cred);
      }
    } else if (!keepSize && end > size) {
      await this.setattr(handle.file.ino, { size: end }, fh, cred);
    }
  }

  /**
   * lseek(2) SEEK_DATA / SEEK_HOLE, answered by the master at chunk granularity. This client's writes go out and
   * are committed first, so the answer knows the chunks and the length they made.
   */
  async lseek(fh: number, offset: number, whence: number, cred: CallerCredentials): Promise<number> {
    const handle = this.handle(fh);
    await this.flushAll(handle.file);
    await this.commit(handle.file, cred);
    return (await this.call('Seek', { ino: handle.file.ino, offset, whence }, cred)).offset;
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
      // A read may have taken this handle's buffer and be sending it still: the commit must cover those bytes.
      await handle.file.sendsSettled();
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

  /**
   * fsync(2) and fdatasync(2) (and each write through an O_SYNC/O_DSYNC handle): buffered writes go out, every
   * replica written makes them durable, then the masters' Sync barrier makes the file's metadata durable too (the
   * masters may acknowledge a change before the leader's fsync: replication-raft sync: quorum-memory).
   */
  async fsync(fh: number, cred: CallerCredentials): Promise<void> {
    await this.flush(fh, cred);
    await this.io.sync(this.handle(fh).file);
    await this.syncMetadata(cred);
  }

  /**
   * fsyncdir(2), and the end of fsync: returns once every metadata change the masters acknowledged before the call
   * is on a majority of their disks (a create, rename or unlink this client saw acknowledged included). A leader
   * that acknowledges only what a majority has on disk (sync: commit) has nothing to add: no call then.
   */
  async syncMetadata(cred: CallerCredentials): Promise<void> {
    if (this.master.durableWhenAcknowledged) return;
    await this.call('Sync', {}, cred);
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
      // Nothing waits for it (close(2) returned at the flush): it goes with the next batch. A file created with
      // its chunk granted and never written lets the master free that chunk (an empty file holds none).
      const created = file.isOpen ? null : file.takeCreated();
      if (created) this.createOutcomes.record(created.written);
      this.releases.add(file.ino, cred, created?.granted === true && !created.written);
    }
  }

  /** Sends the releases not sent yet and waits for them (before the session closes; tests). */
  settleReleases(): Promise<void> {
    return this.releases.drain();
  }

  // ---- changes made by other clients ---------------------------------------------------------------------------

  /** Another client changed these inodes and names (the leader's change feed): what is cached of them goes. */
  changed(inodes: readonly number[], entries: ReadonlyArray<{ parent: number; name: string }>): void {
    this.generation++;
    for (const ino of inodes) {
      this.attrs.delete(ino);
      // Its bytes too: a committed write or a cut moved its chunks to new versions (close-to-open holds without
      // this: an open asks where the chunks are; this makes handles already open see the change as well).
      this.io.forget(ino);
    }
    for (const { parent, name } of entries) {
      this.forgetName(parent, name);
      this.complete.delete(parent);
    }
    if (inodes.length === 0 || this.xattrs.size === 0) return;
    const changed = new Set(inodes);
    for (const key of [...this.xattrs.keys()]) if (changed.has(Number(key.slice(0, key.indexOf('\0'))))) this.xattrs.delete(key);
  }

  /**
   * Change notices may have been lost (the feed's stream opened, or this client fell behind): nothing cached about
   * other clients' changes can be trusted. The feed tells of every change from here on.
   */
  resync(): void {
    this.feedLive = true;
    this.dropCached();
  }

  /** The change feed's stream ended: everything cached goes, and answers keep attrTtlMs until the next resync. */
  feedLost(): void {
    this.feedLive = false;
    this.dropCached();
  }

  private dropCached(): void {
    this.generation++;
    this.io.forgetLocations();
    this.attrs.clear();
    this.names.clear();
    this.absent.clear();
    this.complete.clear();
    this.xattrs.clear();
  }

  // ---- internals -----------------------------------------------------------------------------------------------

  private addHandle(ino: number, flags: number, cred: CallerCredentials): number {
    const fh = this.nextFh++;
    let file = this.files.get(ino);
    if (!file) this.files.set(ino, (file = new OpenFile(ino, this.options.clock)));
    const handle = file.open(fh, (flags & O_APPEND) !== 0, cred);
    handle.syncWrites = (flags & (O_SYNC | O_DSYNC)) !== 0;
    if (this.io.caching) handle.readAhead = new ReadAhead(undefined, this.options.readAheadMaxBytes ?? READ_AHEAD_MAX_BYTES);
    this.handles.set(fh, handle);
    return fh;
  }

  private handle(fh: number): FileHandle {
    const handle = this.handles.get(fh);
    if (!handle) throw new MoosengError(ErrorCodes.EINVAL, `no open file with handle ${fh}`);
    return handle;
  }

  /** Sends a handle's buffered writes; commits too once the oldest uncommitted write is COMMIT_INTERVAL_MS old. */
  private async flushHandle(handle: FileHandle, cred: CallerCredentials): Promise<void> {
    // Nothing of this handle's went out: not the moment for a due commit (reads come here too).
    if (!(await this.sendBuffered(handle, cred))) return;
    if (handle.file.commitDue()) await this.commit(handle.file, cred);
  }

  /**
   * Sends the buffered writes of every handle of the file (before a cut or a read), each as whoever opened that
   * handle: they are its writes, sent now only because someone else reads or cuts the file. Resolves once sends
   * already on their way have settled too, so what follows comes after all of them.
   */
  private async flushAll(file: OpenFile): Promise<void> {
    for (const handle of file.handles) await this.flushHandle(handle, handle.cred);
    await file.sendsSettled();
  }

  /** Sends the length and mtime of this client's writes to the master (close, fsync, truncate). */
  private async commit(file: OpenFile, cred: CallerCredentials): Promise<void> {
    const since = this.generation;
    const attr = await this.io.commit(file, cred);
    if (attr) this.rememberIno(attr, since);
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
    // Bytes written here and not committed yet are stored too, or will be.
    return size === attr.size ? attr : { ...attr, size, storedBytes: attr.storedBytes + size - attr.size };
  }

  /** Attributes of `ino`, from the cache while fresh. */
  private async attrOf(ino: number, cred: CallerCredentials): Promise<WireAttr> {
    const now = this.options.clock.monotonic();
    const cached = this.attrs.get(ino);
    this.countCache('entry', cached !== undefined && cached.expires > now);
    if (cached && cached.expires > now) return cached.value;
    const since = this.generation;
    const attr = replyAttr(await this.call('GetAttr', { ino }, cred), 'GetAttr');
    this.rememberIno(attr, since);
    return attr;
  }

  /**
   * Makes a name through `ask` (the master call) and records it. The directory changed (mtime, size, nlink) without
   * the master saying how: its attributes are kept only briefly. EEXIST means this client's view of the directory
   * was out of date: it is asked again next time.
   */
  private async making(parent: number, name: string, ask: () => Promise<WireAttr>): Promise<WireAttr> {
    const since = ++this.generation;
    let attr: WireAttr;
    try {
      attr = await ask();
    } catch (err) {
      if (isMoosengError(err, ErrorCodes.EEXIST)) {
        this.complete.delete(parent);
        this.absent.delete(`${parent}\0${name}`);
      }
      throw err;
    }
    this.rememberName(parent, name, attr, since);
    this.directoryChanged(parent);
    return attr;
  }

  private rememberName(parent: number, name: string, attr: WireAttr, since: number): void {
    const key = `${parent}\0${name}`;
    this.absent.delete(key);
    this.names.delete(key); // re-insert: Map order is then age order, for eviction
    this.names.set(key, attr.ino);
    if (this.names.size > MAX_CACHED_ENTRIES) {
      const oldest = this.names.keys().next().value!;
      this.names.delete(oldest);
      // Its directory is no longer known whole: a lookup of that name must not be answered "missing".
      this.complete.delete(Number(oldest.slice(0, oldest.indexOf('\0'))));
    }
    this.rememberIno(attr, since);
  }

  /** How long an answer asked for at generation `since` may be reused. */
  private ttlSince(since: number): number {
    return since === this.generation ? this.trustedTtl() : this.options.attrTtlMs;
  }

  /** How long an answer nothing has overtaken may be reused: long only while the change feed tells of changes. */
  private trustedTtl(): number {
    return this.feedLive ? (this.options.metadataTtlMs ?? this.options.attrTtlMs) : this.options.attrTtlMs;
  }

  private rememberIno(attr: WireAttr, since: number): void {
    this.attrs.delete(attr.ino);
    this.attrs.set(attr.ino, { value: attr, expires: this.options.clock.monotonic() + this.ttlSince(since) });
    if (this.attrs.size > MAX_CACHED_ENTRIES) this.attrs.delete(this.attrs.keys().next().value!);
  }

  private rememberAbsent(key: string, since: number): void {
    this.absent.delete(key);
    this.absent.set(key, this.options.clock.monotonic() + this.ttlSince(since));
    if (this.absent.size > MAX_CACHED_ENTRIES) this.absent.delete(this.absent.keys().next().value!);
  }

  /** This client changed a directory's entries: its cached attributes are reused for attrTtlMs at most. */
  private directoryChanged(dir: number): void {
    const cached = this.attrs.get(dir);
    if (cached) cached.expires = Math.min(cached.expires, this.options.clock.monotonic() + this.options.attrTtlMs);
  }

  /** The name is about to change: the attributes of the inode it led to are stale (nlink, ctime). */
  private forgetName(parent: number, name: string): void {
    const key = `${parent}\0${name}`;
    const ino = this.names.get(key);
    this.names.delete(key);
    this.absent.delete(key);
    if (ino !== undefined) this.attrs.delete(ino);
  }

  private call<M extends HeaderedMethodName>(method: M, body: CallBody<M>, cred: CallerCredentials): Promise<ReplyOf<M>> {
    return this.master.call(method, body, cred);
  }
}
