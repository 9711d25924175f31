// BlockChunkStore: IChunkStore on chunk files of CRC-checked (optionally compressed) 64 KiB blocks, over any IBlockFileIo.
import { crc32 } from '@node-rs/crc32';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, statfs, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  BLOCK_SIZE_BYTES,
  CHUNK_SIZE_BYTES,
  ErrorCodes,
  MoosengError,
  isMoosengError,
  toMoosengError,
  type ChunkRef,
  type DirectoryUsage,
  type IChunkStore,
  type ICompressor,
  type ILogger,
  type IoOptions,
  type StoredChunk,
} from '@mooseng/core';
import { CHUNK_FILE_ALIGNMENT_BYTES, type IBlockFileIo } from './block-file-io';
import { CHUNK_FIELDS_BYTES, CHUNK_HEADER_BYTES, ChunkHeader, HOLE, slotOffset, type BlockEntry } from './chunk-file-format';
import { CHUNKS_FOLDER, chunkFilePath, isChunkSubfolderName, parseChunkFileName } from './chunk-file-path';
import { syncDirectory, type FsyncPolicy } from './fsync-policy';
import { createChunkFile, openChunkFile, type OpenChunk } from './open-chunk';
import { OpenChunkCache } from './open-chunk-cache';
import { BlockRangeLocks, WHOLE_CHUNK, readRange, writeRange, type BlockRange } from './block-range-locks';

/** Most blocks one file read or write covers (1 MiB), which bounds the memory of one I/O. */
export const MAX_IO_BLOCKS = 16;

export interface BlockChunkStoreOptions {
  dir: string;
  /** The I/O mode's file access (buffered, O_DIRECT): the store takes it by the IBlockFileIo contract only. */
  io: IBlockFileIo;
  fsync: FsyncPolicy;
  compressor?: ICompressor;
  logger?: ILogger;
}

interface IndexEntry {
  version: number;
  length: number;
}

function alignUp(n: number): number {
  return Math.ceil(n / CHUNK_FILE_ALIGNMENT_BYTES) * CHUNK_FILE_ALIGNMENT_BYTES;
}

function checkAbort(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new MoosengError(ErrorCodes.ABORTED, `${what} aborted`);
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * The chunk store both storage plugins share (see docs/chunkserver.md for the file format). Every block read is
 * checked against its CRC before any byte of it is returned; writes to part of a block read, merge and re-checksum
 * it. Operations on overlapping blocks of one chunk run in call order, writes to different blocks in parallel, and
 * every result is delivered in call order; different chunks are independent.
 */
export class BlockChunkStore implements IChunkStore {
  private readonly index = new Map<number, IndexEntry>();
  private readonly openFiles = new OpenChunkCache();
  private readonly locks = new BlockRangeLocks();
  private unusableReason: string | null = null;
  private closed = false;

  private constructor(private readonly options: BlockChunkStoreOptions) {}

  get dir(): string {
    return this.options.dir;
  }

  /** Opens a data directory: creates its chunks folder, probes the I/O mode, and indexes the chunk files found. */
  static async open(options: BlockChunkStoreOptions): Promise<BlockChunkStore> {
    const store = new BlockChunkStore(options);
    try {
      await mkdir(join(options.dir, CHUNKS_FOLDER), { recursive: true });
    } catch (err) {
      throw new MoosengError(ErrorCodes.DISK_UNUSABLE, `data directory ${options.dir} cannot be used: ${(err as Error).message}`, { cause: err, details: { dir: options.dir } });
    }
    await options.io.probe(options.dir);
    await store.scan();
    return store;
  }

  /** The reason the store stopped serving, or null while it is usable. */
  get unusable(): string | null {
    return this.unusableReason;
  }

  async create(ref: ChunkRef, options: IoOptions = {}): Promise<void> {
    this.checkRef(ref);
    return this.schedule(ref.chunkId, WHOLE_CHUNK, false, async () => {
      this.checkUsable();
      checkAbort(options.signal, `create of chunk ${ref.chunkId}`);
      const existing = this.index.get(ref.chunkId);
      if (existing) throw new MoosengError(ErrorCodes.CHUNK_EXISTS, `chunk ${ref.chunkId} already exists (version ${existing.version}) in ${this.dir}`, { details: { chunkId: ref.chunkId, version: existing.version } });
      let c: OpenChunk;
      try {
        c = await createChunkFile(this.options.io, chunkFilePath(this.dir, ref.chunkId, ref.version), ref, this.options.fsync);
      } catch (err) {
        throw this.fsError(err, `create of chunk ${ref.chunkId}`);
      }
      this.index.set(ref.chunkId, { version: ref.version, length: 0 });
      this.remember(c);
    });
  }

  async write(ref: ChunkRef, offset: number, data: Uint8Array, options: IoOptions = {}): Promise<void> {
    this.checkRef(ref);
    this.checkRange(ref, offset, data.length);
    return this.schedule(ref.chunkId, writeRange(offset, data.length), false, async () => {
      const c = await this.handle(ref, options.signal, 'write');
      if (data.length === 0) return;
      await this.guard(`write to chunk ${ref.chunkId}`, () => this.writeBlocks(c, offset, asBuffer(data)));
    });
  }

  async read(ref: ChunkRef, offset: number, length: number, options: IoOptions = {}): Promise<Uint8Array> {
    this.checkRef(ref);
    this.checkRange(ref, offset, length);
    return this.schedule(ref.chunkId, readRange(offset), true, async () => {
      const c = await this.handle(ref, options.signal, 'read');
      return this.guard(`read of chunk ${ref.chunkId}`, () => this.readRange(c, offset, length));
    });
  }

  async truncate(ref: ChunkRef, length: number, options: IoOptions = {}): Promise<void> {
    this.checkRef(ref);
    this.checkRange(ref, length, 0);
    return this.schedule(ref.chunkId, WHOLE_CHUNK, false, async () => {
      const c = await this.handle(ref, options.signal, 'truncate');
      await this.guard(`truncate of chunk ${ref.chunkId}`, () => this.truncateBlocks(c, length));
    });
  }

  async setVersion(ref: ChunkRef, newVersion: number, options: IoOptions = {}): Promise<void> {
    this.checkRef(ref);
    this.checkRef({ chunkId: ref.chunkId, version: newVersion });
    return this.schedule(ref.chunkId, WHOLE_CHUNK, false, async () => {
      const c = await this.handle(ref, options.signal, 'set-version');
      if (newVersion === ref.version) return;
      await this.guard(`version change of chunk ${ref.chunkId}`, async () => {
        const path = chunkFilePath(this.dir, ref.chunkId, newVersion);
        c.header.version = newVersion;
        c.header.sealFields();
        await c.headerWriter.persist();
        await rename(c.path, path);
        c.path = path;
        this.index.get(ref.chunkId)!.version = newVersion;
        if (this.options.fsync === 'always') {
          await c.file.sync();
          await syncDirectory(dirname(path));
        } else {
          c.dirty = true;
          c.dirDirty = true;
        }
      });
    });
  }

  async delete(ref: ChunkRef, options: IoOptions = {}): Promise<void> {
    this.checkRef(ref);
    return this.schedule(ref.chunkId, WHOLE_CHUNK, false, async () => {
      this.checkUsable();
      checkAbort(options.signal, `delete of chunk ${ref.chunkId}`);
      // No need to open (or trust) the file: a chunk whose header is damaged must still be deletable.
      const entry = this.lookup(ref);
      const path = chunkFilePath(this.dir, ref.chunkId, entry.version);
      const open = this.openFiles.take(ref.chunkId);
      if (open) await open.file.close().catch(() => undefined);
      await this.guard(`delete of chunk ${ref.chunkId}`, async () => {
        await unlink(path);
        this.index.delete(ref.chunkId);
        if (this.options.fsync === 'always') await syncDirectory(dirname(path));
      });
    });
  }

  async flush(ref: ChunkRef, options: IoOptions = {}): Promise<void> {
    this.checkRef(ref);
    return this.schedule(ref.chunkId, WHOLE_CHUNK, true, async () => {
      checkAbort(options.signal, `flush of chunk ${ref.chunkId}`);
      this.lookup(ref);
      const c = this.openFiles.peek(ref.chunkId);
      if (c) await this.guard(`flush of chunk ${ref.chunkId}`, () => this.syncChunk(c));
    });
  }

  async stat(chunkId: number, options: IoOptions = {}): Promise<StoredChunk | null> {
    checkAbort(options.signal, 'stat');
    const e = this.index.get(chunkId);
    return e ? { chunkId, version: e.version, length: e.length } : null;
  }

  async list(options: IoOptions = {}): Promise<StoredChunk[]> {
    checkAbort(options.signal, 'list');
    return [...this.index].map(([chunkId, e]) => ({ chunkId, version: e.version, length: e.length }));
  }

  async usage(options: IoOptions = {}): Promise<DirectoryUsage> {
    checkAbort(options.signal, 'usage');
    let usedBytes = 0;
    for (const e of this.index.values()) usedBytes += CHUNK_HEADER_BYTES + e.length;
    const base = { dir: this.dir, usedBytes, chunks: this.index.size };
    if (!this.unusableReason) {
      try {
        const fs = await statfs(this.dir);
        return { ...base, totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bavail * fs.bsize, state: 'ok' };
      } catch (err) {
        this.markUnusable(`cannot stat its file system: ${(err as Error).message}`);
      }
    }
    return { ...base, totalBytes: 0, freeBytes: 0, state: 'unusable', error: this.unusableReason! };
  }

  async verify(ref: ChunkRef, options: IoOptions = {}): Promise<number[]> {
    this.checkRef(ref);
    return this.schedule(ref.chunkId, WHOLE_CHUNK, true, async () => {
      const c = await this.handle(ref, options.signal, 'verify');
      const bad: number[] = [];
      const blocks = Math.ceil(c.header.length / BLOCK_SIZE_BYTES);
      for (let b = 0; b < blocks; b++) {
        checkAbort(options.signal, `verify of chunk ${ref.chunkId}`);
        const entry = c.header.entry(b);
        if (entry.storedLength === 0) continue;
        try {
          await this.guard(`verify of chunk ${ref.chunkId}`, () => this.readBlock(c, b, entry));
        } catch (err) {
          if (isMoosengError(err, ErrorCodes.CHUNK_CORRUPT)) bad.push(b);
          else throw err;
        }
      }
      return bad;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.locks.idle();
    await this.openFiles.opensSettled();
    for (const c of this.openFiles.values()) {
      try {
        await this.syncChunk(c);
      } catch (err) {
        this.options.logger?.error(`cannot sync chunk ${c.chunkId} on close`, { err, dir: this.dir });
      }
      await c.file.close().catch(() => undefined);
    }
    this.openFiles.clear();
  }

  // ---- internals ----

  /** Runs `fn` under the chunk's block-range lock (BlockRangeLocks); refused once the store is closing. */
  private schedule<T>(chunkId: number, range: BlockRange, shared: boolean, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new MoosengError(ErrorCodes.UNAVAILABLE, `chunk store on ${this.dir} is closed`));
    return this.locks.run(chunkId, range, shared, fn);
  }

  private checkRef(ref: ChunkRef): void {
    if (!Number.isSafeInteger(ref.chunkId) || ref.chunkId < 0 || !Number.isSafeInteger(ref.version) || ref.version < 0) {
      throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `bad chunk reference ${JSON.stringify(ref)}: id and version must be unsigned safe integers`);
    }
  }

  private checkRange(ref: ChunkRef, offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > CHUNK_SIZE_BYTES) {
      throw new MoosengError(ErrorCodes.CHUNK_OUT_OF_RANGE, `chunk ${ref.chunkId}: range ${offset}+${length} is outside the ${CHUNK_SIZE_BYTES}-byte chunk`, { details: { chunkId: ref.chunkId, offset, length } });
    }
  }

  private checkUsable(): void {
    if (this.unusableReason) throw new MoosengError(ErrorCodes.DISK_UNUSABLE, `data directory ${this.dir} is unusable: ${this.unusableReason}`, { details: { dir: this.dir } });
  }

  private lookup(ref: ChunkRef): IndexEntry {
    const e = this.index.get(ref.chunkId);
    if (!e) throw new MoosengError(ErrorCodes.CHUNK_NOT_FOUND, `chunk ${ref.chunkId} is not in ${this.dir}`, { details: { chunkId: ref.chunkId } });
    if (e.version !== ref.version) {
      throw new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, `chunk ${ref.chunkId} is at version ${e.version}, not ${ref.version}`, { details: { chunkId: ref.chunkId, version: e.version, requested: ref.version } });
    }
    return e;
  }

  /** The open file of a chunk at the version `ref` names (opening it if needed). */
  private async handle(ref: ChunkRef, signal: AbortSignal | undefined, what: string): Promise<OpenChunk> {
    this.checkUsable();
    checkAbort(signal, `${what} of chunk ${ref.chunkId}`);
    const entry = this.lookup(ref);
    const open = this.openFiles.use(ref.chunkId);
    if (open) return open;
    const pending = this.openFiles.pendingOpen(ref.chunkId);
    if (pending) return pending;
    const path = chunkFilePath(this.dir, ref.chunkId, entry.version);
    const opened = this.guard(`open of chunk ${ref.chunkId}`, async () => {
      const c = await openChunkFile(this.options.io, path, { chunkId: ref.chunkId, version: entry.version });
      this.remember(c);
      return c;
    });
    this.openFiles.trackOpen(ref.chunkId, opened);
    return opened;
  }

  /** Adds an open chunk, closing the least recently used one beyond the bound (after its queued operations). */
  private remember(c: OpenChunk): void {
    const oldest = this.openFiles.add(c);
    if (!oldest) return;
    const oldestId = oldest.chunkId;
    // Operations already queued on the chunk still hold this handle: close it only after them.
    void this.schedule(oldestId, WHOLE_CHUNK, false, async () => {
      try {
        await this.syncChunk(oldest);
      } finally {
        await oldest.file.close();
      }
    }).catch((err) => this.options.logger?.error(`cannot close chunk ${oldestId}`, { err, dir: this.dir }));
  }

  private async syncChunk(c: OpenChunk): Promise<void> {
    if (this.options.fsync === 'never') return;
    if (c.dirty) {
      await c.file.sync();
      c.dirty = false;
    }
    if (c.dirDirty) {
      await syncDirectory(dirname(c.path));
      c.dirDirty = false;
    }
  }

  /** Runs file I/O, turning Node errors into MoosengErrors and marking the directory unusable when the disk failed. */
  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.fsError(err, what);
    }
  }

  private fsError(err: unknown, what: string): MoosengError {
    if (isMoosengError(err)) return err;
    const code = (err as NodeJS.ErrnoException)?.code;
    const message = (err as Error)?.message ?? String(err);
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      this.markUnusable(`file system full (${code})`);
      return new MoosengError(ErrorCodes.NO_SPACE, `${what}: data directory ${this.dir} is full; free space or add a directory`, { cause: err, details: { dir: this.dir } });
    }
    if (code === 'EIO' || code === 'EROFS' || ((code === 'ENOENT' || code === 'ENOTDIR') && !existsSync(join(this.dir, CHUNKS_FOLDER)))) {
      this.markUnusable(code === 'EIO' ? `I/O error: ${message}` : code === 'EROFS' ? 'file system is read-only' : 'directory vanished');
      return new MoosengError(code === 'EIO' ? ErrorCodes.IO_ERROR : ErrorCodes.DISK_UNUSABLE, `${what}: data directory ${this.dir} failed: ${message}`, { cause: err, details: { dir: this.dir } });
    }
    return toMoosengError(err, `${what} in ${this.dir}`);
  }

  private markUnusable(reason: string): void {
    if (this.unusableReason) return;
    this.unusableReason = reason;
    this.options.logger?.error(`data directory ${this.dir} marked unusable: ${reason}`, { dir: this.dir });
  }

  private canCompress(c: OpenChunk): boolean {
    const compressor = this.options.compressor;
    return compressor !== undefined && (c.header.algorithm === compressor.algorithm || c.header.algorithm === '');
  }

  /** The stored form of a raw block: compressed when that is smaller, raw otherwise. */
  private async encodeBlock(c: OpenChunk, raw: Buffer): Promise<{ stored: Buffer; entry: BlockEntry }> {
    if (this.canCompress(c)) {
      const packed = asBuffer(await this.options.compressor!.compress(raw));
      if (packed.length < raw.length) {
        return { stored: packed, entry: { storedLength: packed.length, rawLength: raw.length, compressed: true, crc: crc32(packed) } };
      }
    }
    return { stored: raw, entry: { storedLength: raw.length, rawLength: raw.length, compressed: false, crc: crc32(raw) } };
  }

  /** Checks and decodes the stored bytes of one block. */
  private async decodeBlock(c: OpenChunk, index: number, entry: BlockEntry, stored: Buffer): Promise<Buffer> {
    if (crc32(stored) !== entry.crc) {
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `chunk ${c.chunkId} block ${index} in ${this.dir} failed its CRC check`, {
        details: { chunkId: c.chunkId, version: c.header.version, block: index, dir: this.dir },
      });
    }
    if (!entry.compressed) return stored;
    const algorithm = c.header.algorithm;
    const compressor = this.options.compressor;
    if (!compressor || compressor.algorithm !== algorithm) {
      throw new MoosengError(ErrorCodes.IO_ERROR, `chunk ${c.chunkId} in ${this.dir} holds blocks compressed with "${algorithm}": configure that compressor to read it`, { details: { chunkId: c.chunkId, algorithm } });
    }
    let raw: Buffer;
    try {
      raw = asBuffer(await compressor.decompress(stored, entry.rawLength));
    } catch (err) {
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `chunk ${c.chunkId} block ${index} in ${this.dir} does not decompress`, { cause: err, details: { chunkId: c.chunkId, block: index, dir: this.dir } });
    }
    if (raw.length !== entry.rawLength) {
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `chunk ${c.chunkId} block ${index} decompressed to ${raw.length} bytes, not ${entry.rawLength}`, { details: { chunkId: c.chunkId, block: index } });
    }
    return raw;
  }

  private async readBlock(c: OpenChunk, index: number, entry: BlockEntry): Promise<Buffer> {
    const bytes = await c.file.read(slotOffset(index), alignUp(entry.storedLength));
    return this.decodeBlock(c, index, entry, bytes.subarray(0, entry.storedLength));
  }

  private async writeBlocks(c: OpenChunk, offset: number, data: Buffer): Promise<void> {
    const end = offset + data.length;
    const first = Math.floor(offset / BLOCK_SIZE_BYTES);
    const last = Math.floor((end - 1) / BLOCK_SIZE_BYTES);
    const encoded: Array<{ index: number; stored: Buffer; entry: BlockEntry }> = [];
    const jobs: Array<Promise<void>> = [];
    for (let b = first; b <= last; b++) {
      jobs.push(
        (async () => {
          const blockStart = b * BLOCK_SIZE_BYTES;
          const s = Math.max(offset, blockStart) - blockStart;
          const e = Math.min(end, blockStart + BLOCK_SIZE_BYTES) - blockStart;
          const old = c.header.entry(b);
          const oldRawLength = old.storedLength === 0 ? 0 : old.rawLength;
          const piece = data.subarray(blockStart + s - offset, blockStart + e - offset);
          let raw: Buffer;
          if (s === 0 && e >= oldRawLength) {
            raw = piece;
          } else {
            // Part of a block: merge with what it holds (zeros for a hole) and checksum the whole block again.
            raw = Buffer.alloc(Math.max(oldRawLength, e));
            if (oldRawLength > 0) (await this.readBlock(c, b, old)).copy(raw);
            piece.copy(raw, s);
          }
          encoded.push({ index: b, ...(await this.encodeBlock(c, raw)) });
        })(),
      );
    }
    await Promise.all(jobs);
    encoded.sort((x, y) => x.index - y.index);
    // Contiguous runs of full raw slots go to the file in one call each.
    const writes: Array<Promise<void>> = [];
    let run: typeof encoded = [];
    const flushRun = (): void => {
      if (run.length === 0) return;
      const buffers = run.map((r) => r.stored);
      writes.push(c.file.writev(slotOffset(run[0]!.index), buffers));
      run = [];
    };
    for (const block of encoded) {
      const prev = run[run.length - 1];
      if (prev && (prev.index + 1 !== block.index || prev.stored.length !== BLOCK_SIZE_BYTES || run.length >= MAX_IO_BLOCKS)) flushRun();
      run.push(block);
    }
    flushRun();
    if (this.options.compressor && c.header.algorithm === '' && encoded.some((b) => b.entry.compressed)) {
      c.header.bytes.write(this.options.compressor.algorithm, 28, 'ascii');
    }
    for (const block of encoded) c.header.setEntry(block.index, block.entry);
    // Header and index change together, synchronously: writes to other blocks of this chunk may be in flight, and
    // a length computed before an await could undo the extension one of them made meanwhile.
    c.header.length = Math.max(c.header.length, end);
    c.header.sealFields();
    this.index.get(c.chunkId)!.length = c.header.length;
    // Data and header go out together: a crash between them leaves blocks whose CRC does not match, which reads
    // report as CHUNK_CORRUPT (never as wrong data), and the policy never promised durability before a sync anyway.
    writes.push(c.headerWriter.persist());
    await Promise.all(writes);
    if (this.options.fsync === 'always') await c.file.sync();
    else c.dirty = true;
  }

  private async readRange(c: OpenChunk, offset: number, length: number): Promise<Buffer> {
    const end = Math.min(offset + length, c.header.length);
    if (end <= offset) return Buffer.alloc(0);
    const direct = await this.readContiguous(c, offset, end);
    if (direct) return direct;
    const out = Buffer.alloc(end - offset);
    const first = Math.floor(offset / BLOCK_SIZE_BYTES);
    const last = Math.floor((end - 1) / BLOCK_SIZE_BYTES);
    // Consecutive stored blocks (raw or compressed) are read in one call of up to MAX_IO_BLOCKS slots, the unused
    // tails of compressed slots included: one syscall instead of one per block. Holes end a run and stay zero.
    const runs: Array<{ start: number; entries: BlockEntry[] }> = [];
    for (let b = first; b <= last; b++) {
      const entry = c.header.entry(b);
      if (entry.storedLength === 0) continue;
      const run = runs[runs.length - 1];
      if (run && run.start + run.entries.length === b && run.entries.length < MAX_IO_BLOCKS) run.entries.push(entry);
      else runs.push({ start: b, entries: [entry] });
    }
    await Promise.all(
      runs.map(async (run) => {
        const lastEntry = run.entries[run.entries.length - 1]!;
        const span = (run.entries.length - 1) * BLOCK_SIZE_BYTES + lastEntry.storedLength;
        const bytes = await c.file.read(slotOffset(run.start), alignUp(span));
        // Blocks decode in parallel (decompression runs on the thread pool).
        await Promise.all(
          run.entries.map(async (entry, i) => {
            const b = run.start + i;
            const stored = bytes.subarray(i * BLOCK_SIZE_BYTES, i * BLOCK_SIZE_BYTES + entry.storedLength);
            const raw = await this.decodeBlock(c, b, entry, stored);
            const blockStart = b * BLOCK_SIZE_BYTES;
            const from = Math.max(offset, blockStart);
            const to = Math.min(end, blockStart + raw.length);
            if (to > from) raw.copy(out, from - offset, from - blockStart, to - blockStart);
          }),
        );
      }),
    );
    return out;
  }

  /**
   * The common case without copies: every block of the range stored raw and full (the last one at least up to
   * `end`), so the range is one contiguous stretch of the file. Null when the range is not like that.
   */
  private async readContiguous(c: OpenChunk, offset: number, end: number): Promise<Buffer | null> {
    const first = Math.floor(offset / BLOCK_SIZE_BYTES);
    const last = Math.floor((end - 1) / BLOCK_SIZE_BYTES);
    if (last - first + 1 > MAX_IO_BLOCKS) return null;
    const entries: BlockEntry[] = [];
    for (let b = first; b <= last; b++) {
      const e = c.header.entry(b);
      const needed = b === last ? end - b * BLOCK_SIZE_BYTES : BLOCK_SIZE_BYTES;
      if (e.storedLength === 0 || e.compressed || e.rawLength < needed || (b < last && e.storedLength !== BLOCK_SIZE_BYTES)) return null;
      entries.push(e);
    }
    const span = (entries.length - 1) * BLOCK_SIZE_BYTES + entries[entries.length - 1]!.storedLength;
    const bytes = await c.file.read(slotOffset(first), alignUp(span));
    for (let i = 0; i < entries.length; i++) {
      await this.decodeBlock(c, first + i, entries[i]!, bytes.subarray(i * BLOCK_SIZE_BYTES, i * BLOCK_SIZE_BYTES + entries[i]!.storedLength));
    }
    return bytes.subarray(offset - first * BLOCK_SIZE_BYTES, end - first * BLOCK_SIZE_BYTES);
  }

  private async truncateBlocks(c: OpenChunk, length: number): Promise<void> {
    const old = c.header.length;
    if (length < old) {
      const keep = Math.ceil(length / BLOCK_SIZE_BYTES);
      const oldBlocks = Math.ceil(old / BLOCK_SIZE_BYTES);
      for (let b = keep; b < oldBlocks; b++) c.header.setEntry(b, HOLE);
      const tail = length % BLOCK_SIZE_BYTES;
      if (tail !== 0) {
        // The block holding the new end keeps only its head, so growing again later reads zeros there.
        const b = keep - 1;
        const entry = c.header.entry(b);
        if (entry.storedLength !== 0 && entry.rawLength > tail) {
          const raw = await this.readBlock(c, b, entry);
          const { stored, entry: next } = await this.encodeBlock(c, Buffer.from(raw.subarray(0, tail)));
          await c.file.writev(slotOffset(b), [stored]);
          c.header.setEntry(b, next);
        }
      }
      await c.file.truncate(slotOffset(keep));
    }
    c.header.length = length;
    c.header.sealFields();
    await c.headerWriter.persist();
    this.index.get(c.chunkId)!.length = length;
    if (this.options.fsync === 'always') await c.file.sync();
    else c.dirty = true;
  }

  /** Indexes the chunk files of the directory; unreadable ones are logged and left alone. */
  private async scan(): Promise<void> {
    const root = join(this.dir, CHUNKS_FOLDER);
    for (const sub of await readdir(root)) {
      if (!isChunkSubfolderName(sub)) continue;
      for (const name of await readdir(join(root, sub))) {
        const ref = parseChunkFileName(name);
        if (!ref) continue;
        const { chunkId, version } = ref;
        const path = join(root, sub, name);
        let header: ChunkHeader;
        try {
          const file = await this.options.io.open(path, 'open');
          try {
            header = ChunkHeader.parse(await file.read(0, CHUNK_FIELDS_BYTES), path);
          } finally {
            await file.close();
          }
        } catch (err) {
          this.options.logger?.warn(`skipping unreadable chunk file ${path}`, { err });
          continue;
        }
        const known = this.index.get(chunkId);
        if (known && known.version >= version) continue;
        this.index.set(chunkId, { version, length: header.length });
      }
    }
  }
}
