// OpenFile: the one owner of everything this client holds about an open file: per inode the size it answers for,
// write grants, written ends not yet committed (and when they are due) and chunks not yet synced; per handle
// (FileHandle) the write-back buffer and the read-ahead windows. It does no I/O: FileIo and FileSystemClient do,
// and tell it what happened.
import { CHUNK_SIZE_BYTES, type IClock } from '@mooseng/core';
import type { CallerCredentials } from './master-client';
import type { WireWriteChunk } from './wire-types';
import { DirtyExtents } from './dirty-extents';
import type { ReadAhead } from './read-ahead';

/** Uncommitted writes older than this are committed at the next write sent, so other clients see a growing file. */
export const COMMIT_INTERVAL_MS = 1_000;
/** How long a write grant is reused without asking the master again. */
export const WRITE_GRANT_REUSE_MS = 30_000;
const NO_PERMIT = Buffer.alloc(0);
/** Bytes fetched ahead once reads of a handle are sequential (one data-plane request instead of 32). */
export const READAHEAD_BYTES = 4 * 1024 * 1024;
/** Windows of read-ahead per handle: the one being read, the next one (fetched while the first is consumed), and one spare for reads still finishing in the previous one. */
export const READAHEAD_WINDOWS = 3;

/**
 * A write grant this client keeps using until it expires or a chunkserver refuses it. Reuse is safe: if another
 * client was granted the chunk since, the chunkservers have moved to a newer version and refuse ours
 * (CHUNK_STALE_VERSION), and FileIo asks for a new grant.
 */
export interface HeldGrant {
  chunkId: number;
  version: number;
  chain: WireWriteChunk['chain'];
  /** The leader's permit for the chain's chunkservers (empty in a cluster without a secret). */
  permit: Buffer;
  /** Monotonic time after which the grant is asked for again. */
  expires: number;
}

/** How far this client has written into one chunk since the master was last told (CommitWrite). */
export interface UncommittedChunk {
  chunkId: number;
  /**
   * The oldest chunk version these writes were made under: the commit names it, and the master refuses it when the
   * chunk lost bytes since (a truncate by another client cut it), so none of them is acknowledged by mistake.
   */
  version: number;
  end: number;
}

/** A range of the file fetched ahead of the reader; `data` may be shorter than `length` at the end of the file. */
export interface ReadWindow {
  offset: number;
  length: number;
  data: Promise<Buffer>;
}

/** Reads `length` bytes of the file at `offset` (short only at its end): how a handle fills its read-ahead. */
export type FetchRange = (offset: number, length: number) => Promise<Buffer>;

/** A contiguous range of buffered writes, taken from a handle to be sent. */
export interface BufferedRange {
  offset: number;
  data: Buffer;
  /** Gives the range's memory back for later writes once the write is acknowledged (DirtyRange.release). */
  release?: () => void;
}

/**
 * One inode open on this client, through any number of handles. It lives from the first open until the last
 * release, and after that for as long as it still holds writes the master or the chunkservers have not been told
 * about (holdsWrites()): a failed commit is retried at the next one, and an fsync through a later open still
 * reaches chunks written through this one.
 */
export class OpenFile {
  private readonly handleSet = new Set<FileHandle>();
  /** chunk index → the write grant held for it. */
  private readonly grants = new Map<number, HeldGrant>();
  /** Created for writing by this mount (createdHere), and whether with chunk 0 granted; nothing written since. */
  private created: { granted: boolean; written: boolean } | null = null;
  /**
   * chunk index → the chunk written and how far, not yet committed to the master. Length and mtime reach the master
   * on commit (close, fsync, truncate, or when due); until then this client answers for them (uncommittedEnd()).
   */
  private readonly uncommitted = new Map<number, UncommittedChunk>();
  /** When the oldest uncommitted write happened (monotonic), or null with nothing uncommitted. */
  private uncommittedSince: number | null = null;
  /** chunk index → the chunk version and chain written since the last sync (what fsync must make durable). */
  private readonly unsynced = new Map<number, HeldGrant>();
  /** Writes the master refused to acknowledge (CommitWrite refused): the next close or fsync fails with this. */
  private writeFailure: Error | null = null;
  /** Buffered ranges taken from a handle and still on their way to the chunkservers (settled: never rejects). */
  private readonly sends = new Map<Promise<void>, { offset: number; end: number; owner: FileHandle | undefined }>();

  constructor(
    readonly ino: number,
    /** Grant ages and the commit deadline are measured on this clock. */
    private readonly clock: IClock,
  ) {}

  // ---- handles -------------------------------------------------------------------------------------------------

  /** A new handle on this file: `append` for O_APPEND, `cred` of whoever opened it. */
  open(fh: number, append: boolean, cred: CallerCredentials): FileHandle {
    const handle = new FileHandle(fh, this, append, cred);
    this.handleSet.add(handle);
    return handle;
  }

  /** The handle is released. With the last one gone the write grants are given up (another client may want them). */
  close(handle: FileHandle): void {
    this.handleSet.delete(handle);
    if (this.handleSet.size === 0) this.releaseGrants();
  }

  /** The handles open on this file now. */
  get handles(): readonly FileHandle[] {
    return [...this.handleSet];
  }

  /** True while some handle has the file open. */
  get isOpen(): boolean {
    return this.handleSet.size > 0;
  }

  /** True while writes are not yet committed to the master or synced on the chunkservers: the file must be kept. */
  holdsWrites(): boolean {
    return this.uncommitted.size > 0 || this.unsynced.size > 0 || this.writeFailure !== null;
  }

  // ---- size ----------------------------------------------------------------------------------------------------

  /** Where this client's uncommitted writes end (0 when there are none): the file is at least this long. */
  uncommittedEnd(): number {
    let end = 0;
    for (const c of this.uncommitted.values()) end = Math.max(end, c.end);
    return end;
  }

  /** The file's size as this client knows it: the master's, or longer by its uncommitted, buffered or sending writes. */
  knownSize(masterSize: number): number {
    let size = Math.max(masterSize, this.uncommittedEnd());
    for (const h of this.handleSet) size = Math.max(size, h.bufferedEnd());
    for (const r of this.sends.values()) size = Math.max(size, r.end);
    return size;
  }

  // ---- buffered writes on their way ----------------------------------------------------------------------------

  /**
   * Keeps `send` (the buffered `range` taken from a handle, being written to the chunkservers) until it settles, so
   * a read can wait for it (sendsSettled()); returns `send` itself, whose failure stays the sender's. `owner`, when
   * given, is the handle whose buffer it was and which orders its own sends (olderWritesOverlap skips them for it).
   */
  sending<T>(range: BufferedRange, send: Promise<T>, owner?: FileHandle): Promise<T> {
    const settled = send.then(
      () => undefined,
      () => undefined,
    );
    this.sends.set(settled, { offset: range.offset, end: range.offset + range.data.length, owner });
    void settled.then(() => this.sends.delete(settled));
    return send;
  }

  /**
   * Resolves once every send on its way now has settled (those started later are not waited for, so a steady
   * writer cannot starve a reader): a read that starts then sees their bytes and the length they give the file.
   */
  async sendsSettled(): Promise<void> {
    if (this.sends.size > 0) await Promise.all([...this.sends.keys()]);
  }

  /**
   * True when bytes in [offset, offset + length) are buffered in a handle other than `writer`, or on their way to
   * the chunkservers: those writes were acknowledged before `writer`'s write there, so they must reach the
   * chunkservers first, or they would land over it (each handle sends its own buffer, when it will).
   */
  olderWritesOverlap(writer: FileHandle, offset: number, length: number): boolean {
    const end = offset + length;
    for (const r of this.sends.values()) if (r.owner !== writer && r.offset < end && offset < r.end) return true;
    for (const h of this.handleSet) if (h !== writer && h.bufferOverlaps(offset, end)) return true;
    return false;
  }

  // ---- cached data ---------------------------------------------------------------------------------------------

  /** Drops every handle's read-ahead: the file's bytes are changing. */
  dropWindows(): void {
    for (const h of this.handleSet) h.dropWindows();
  }

  /** The file is being cut: read-ahead and write grants (whose chunks the master may cut or drop) are out of date. */
  cut(): void {
    this.dropWindows();
    this.releaseGrants();
  }

  // ---- write grants --------------------------------------------------------------------------------------------

  /** The grant held for a chunk while it is fresh, else undefined (ask the master). */
  grant(index: number): HeldGrant | undefined {
    const held = this.grants.get(index);
    return held && held.expires > this.clock.monotonic() ? held : undefined;
  }

  /**
   * The file was just created for writing by this mount, with chunk 0's write grant when the master gave one (Mknod
   * want_grant): the grant is held for the first write, and whether anything gets written is noted for the last
   * close (takeCreated).
   */
  createdHere(grant: (Pick<WireWriteChunk, 'chunkId' | 'version' | 'chain'> & { permit?: Buffer }) | null): void {
    if (grant) this.holdGrant(0, grant);
    this.created = { granted: grant !== null, written: false };
  }

  /** How the file's creation here ended, once (at its last close): null when this mount did not create it. */
  takeCreated(): { granted: boolean; written: boolean } | null {
    const created = this.created;
    this.created = null;
    return created;
  }

  /** Keeps a grant from the master for WRITE_GRANT_REUSE_MS. */
  holdGrant(index: number, grant: Pick<WireWriteChunk, 'chunkId' | 'version' | 'chain'> & { permit?: Buffer }): HeldGrant {
    const held: HeldGrant = {
      chunkId: grant.chunkId,
      version: grant.version,
      chain: grant.chain,
      permit: grant.permit ?? NO_PERMIT,
      expires: this.clock.monotonic() + WRITE_GRANT_REUSE_MS,
    };
    this.grants.set(index, held);
    return held;
  }

  /**
   * A chunkserver refused or failed `failed`: the next write of the chunk asks for a new grant. A grant held now that
   * is not the one that failed (another write of the chunk took a newer one meanwhile) is kept: dropping it would make
   * each of several concurrent writes void the others' grants in turn.
   */
  dropGrant(index: number, failed: Pick<HeldGrant, 'chunkId' | 'version'>): void {
    const held = this.grants.get(index);
    if (held && (held.chunkId !== failed.chunkId || held.version !== failed.version)) return;
    this.grants.delete(index);
  }

  /** Gives up every grant (last close, truncate). */
  releaseGrants(): void {
    this.grants.clear();
  }

  // ---- writes sent, commits, syncs -----------------------------------------------------------------------------

  /**
   * A write to chunk `index` (chunk `chunkId`, under `version`) ending at file offset `end` reached the chunkservers.
   * The first uncommitted write starts the commit clock. Ends in the same chunk merge to the furthest, under the
   * oldest version; a different chunk id in the slot (the old one was cut and replaced) starts over from this write.
   */
  wrote(index: number, chunkId: number, end: number, version: number): void {
    if (this.created) this.created.written = true;
    if (this.uncommitted.size === 0) this.uncommittedSince = this.clock.monotonic();
    const prior = this.uncommitted.get(index);
    const same = prior !== undefined && prior.chunkId === chunkId;
    this.uncommitted.set(index, {
      chunkId,
      version: same ? Math.min(prior.version, version) : version,
      end: same ? Math.max(prior.end, end) : end,
    });
  }

  /**
   * Chunk `index` was written under `grant`: fsync must flush it on the replicas that have the write. That is the
   * whole chain, or, when replica `failed` failed it (REPLICA_FAILED), the ones before it (the head at least).
   */
  mustSync(index: number, grant: HeldGrant, failed?: string): void {
    if (failed === undefined) {
      this.unsynced.set(index, grant);
      return;
    }
    const at = grant.chain.findIndex((c) => c.address === failed);
    this.unsynced.set(index, { ...grant, chain: grant.chain.slice(0, Math.max(1, at)) });
  }

  /** True when the oldest uncommitted write has waited longer than COMMIT_INTERVAL_MS. */
  commitDue(): boolean {
    return this.uncommittedSince !== null && this.clock.monotonic() - this.uncommittedSince > COMMIT_INTERVAL_MS;
  }

  /** The uncommitted chunks, [chunk index, what was written], in the order first written. */
  toCommit(): Array<[number, UncommittedChunk]> {
    return [...this.uncommitted];
  }

  /**
   * The master has been told `told`, the end of chunk `index` as toCommit() gave it (or the chunk is no longer the
   * file's). A write that went further in that chunk while the commit was on its way stays to be committed.
   */
  committed(index: number, told: UncommittedChunk): void {
    const now = this.uncommitted.get(index);
    if (now && (now.chunkId !== told.chunkId || now.end > told.end || now.version < told.version)) return;
    this.uncommitted.delete(index);
    if (this.uncommitted.size === 0) this.uncommittedSince = null;
  }

  /** The master refused to acknowledge writes of this file (their commit): close and fsync must fail with `err`. */
  writesLost(err: Error): void {
    this.writeFailure ??= err;
  }

  /** The refusal recorded since the last close or fsync, cleared: that call fails with it (once). */
  takeWriteFailure(): Error | null {
    const err = this.writeFailure;
    this.writeFailure = null;
    return err;
  }

  /**
   * A truncate to `size` bytes committed: chunks wholly past it are no longer the file's, so fsync has nothing of
   * them to flush (their replicas are being deleted: a FLUSH would fail with CHUNK_NOT_FOUND).
   */
  truncated(size: number): void {
    const keep = Math.ceil(size / CHUNK_SIZE_BYTES);
    for (const index of [...this.unsynced.keys()]) if (index >= keep) this.unsynced.delete(index);
  }

  /** The grants written since the last sync, forgotten here: the caller flushes them. */
  takeUnsynced(): HeldGrant[] {
    const grants = [...this.unsynced.values()];
    this.unsynced.clear();
    return grants;
  }
}

/** One open(2) of a file: how it was opened, by whom, its write-back buffer and its read-ahead. */
export class FileHandle {
  /** Buffered writes, not yet sent. */
  private readonly pending = new DirtyExtents();
  /** Opened with O_SYNC or O_DSYNC: each write is durable on every replica before it is answered. */
  syncWrites = false;
  /** Read-ahead windows, fetched or in flight (at most READAHEAD_WINDOWS), and where the last read ended. */
  private windows: ReadWindow[] = [];
  private lastEnd = 0;
  /**
   * With the block cache: the handle's read pattern, which says what to fetch ahead into the cache (the windows
   * above are then unused). Null: no block cache.
   */
  readAhead: ReadAhead | null = null;

  constructor(
    readonly fh: number,
    readonly file: OpenFile,
    /** Opened with O_APPEND: every write goes to the end of the file. */
    readonly append: boolean,
    /** Who opened it: work done for this handle outside its own requests acts as them. */
    readonly cred: CallerCredentials,
  ) {}

  // ---- write-back buffer ---------------------------------------------------------------------------------------

  /**
   * Buffers a copy of `data` (FUSE reuses its buffer) at `position`, dropping the file's read-ahead. With `merge`
   * (the write-back cache) any write is taken, over or between what is buffered; without it only one that continues
   * the one buffered range (or starts one): false, buffering nothing, otherwise (send the buffer with
   * takeBuffered(), then buffer again).
   */
  buffer(position: number, data: Buffer, merge = false): boolean {
    if (!merge && !this.pending.continues(position)) return false;
    this.pending.insert(position, data);
    this.file.dropWindows();
    return true;
  }

  /** Bytes buffered, not yet sent. */
  get bufferedBytes(): number {
    return this.pending.bytes;
  }

  /** True when buffered bytes and [offset, end) share a byte. */
  bufferOverlaps(offset: number, end: number): boolean {
    return this.pending.overlaps(offset, end);
  }

  /** Where the buffered ranges end (0 with nothing buffered). */
  bufferedEnd(): number {
    return this.pending.end;
  }

  /** Takes the buffered ranges, in offset order, to send them (none when nothing is buffered). */
  takeBuffered(): BufferedRange[] {
    return this.pending.take();
  }

  // ---- read-ahead ----------------------------------------------------------------------------------------------

  /**
   * Reads `length` bytes at `position`: from a read-ahead window when one holds them (waiting for it if still in
   * flight: the kernel sends several reads of one file at once), else straight through `fetch`. A read where the
   * last one ended starts a READAHEAD_BYTES window; past the middle of a window the next one is fetched, so it is
   * there when the reader gets to it. `lookup` is told whether a window held the read (hit) or not.
   */
  async read(position: number, length: number, fetch: FetchRange, lookup: (hit: boolean) => void = () => undefined): Promise<Buffer> {
    let w = this.windows.find((x) => position >= x.offset && position + length <= x.offset + x.length);
    lookup(w !== undefined);
    if (!w && position === this.lastEnd && length < READAHEAD_BYTES) {
      this.windows = [];
      w = this.startWindow(position, fetch);
    }
    if (!w) {
      this.lastEnd = position + length;
      return fetch(position, length);
    }
    this.lastEnd = Math.max(this.lastEnd, position + length);
    const next = w.offset + w.length;
    if (position + length > w.offset + w.length / 2 && !this.windows.some((x) => x.offset === next)) this.startWindow(next, fetch);
    const window = w;
    let data: Buffer;
    try {
      data = await window.data;
    } catch (err) {
      this.windows = this.windows.filter((x) => x !== window);
      throw err;
    }
    const from = position - window.offset;
    return from >= data.length ? Buffer.alloc(0) : data.subarray(from, Math.min(data.length, from + length));
  }

  /** Forgets the read-ahead windows and read pattern (the file was written or cut). */
  dropWindows(): void {
    this.windows = [];
    this.readAhead?.reset();
  }

  /** Starts fetching READAHEAD_BYTES at `offset` as a window, dropping the oldest beyond READAHEAD_WINDOWS. */
  private startWindow(offset: number, fetch: FetchRange): ReadWindow {
    const data = fetch(offset, READAHEAD_BYTES);
    data.catch(() => undefined); // a failed prefetch is reported to the reader that awaits it, if any
    const w: ReadWindow = { offset, length: READAHEAD_BYTES, data };
    this.windows.push(w);
    if (this.windows.length > READAHEAD_WINDOWS) this.windows.shift();
    return w;
  }
}
