// BlockChunkStore: IChunkStore on chunk files of CRC-checked (optionally compressed) 64 KiB blocks, over any IBlockFileIo.
import { mkdir, rename, statfs, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  BLOCK_SIZE_BYTES,
  CHUNK_SIZE_BYTES,
  ErrorCodes,
  MoosengError,
  isMoosengError,
  type ChecksummedRead,
  type ChunkRef,
  type DirectoryUsage,
  type IChunkStore,
  type ICompressor,
  type ILogger,
  type IoOptions,
  type ReadOptions,
  type SetVersionOptions,
  type StoredChunk,
  type WriteOptions,
} from '@mooseng/core';
import { BlockCodec } from './block-codec';
import type { IBlockFileIo } from './block-file-io';
import { BlockRangeLocks, WHOLE_CHUNK, readRange, writeRange, type BlockRange } from './block-range-locks';
import { ChunkBlocks } from './chunk-blocks';
import { scanChunkDirectory, type IndexedChunk } from './chunk-directory-scan';
import { CHUNK_HEADER_BYTES } from './chunk-file-format';
import { CHUNKS_FOLDER, chunkFilePath } from './chunk-file-path';
import { classifyDiskError } from './disk-errors';
import { syncDirectory, type FsyncPolicy } from './fsync-policy';
import { createChunkFile, openChunkFile, type OpenChunk } from './open-chunk';
import { OpenChunkCache } from './open-chunk-cache';

/** What a storage plugin gives BlockChunkStore.open for one data directory. */
export interface BlockChunkStoreOptions {
  /** The data directory; chunk files go under its chunks folder. */
  dir: string;
  /** The I/O mode's file access (buffered, O_DIRECT): the store takes it by the IBlockFileIo contract only. */
  io: IBlockFileIo;
  fsync: FsyncPolicy;
  /** Per-block compression, when the chunkserver config selects a compressor. */
  compressor?: ICompressor;
  logger?: ILogger;
  /** How a directory is fsynced after a create, rename or delete (the real fsync unless a test counts them). */
  syncDirectory?: (dir: string) => Promise<void>;
}

/**
 * A full directory takes new chunks again once this much is free (a whole chunk's worth), or this fraction of its
 * file system on a disk smaller than that: enough that the first new chunk does not fill it straight away.
 */
export const FULL_RESUME_FREE_BYTES = CHUNK_SIZE_BYTES;
export const FULL_RESUME_FREE_FRACTION = 0.05;
/**
 * A directory with less than this free is full before any write failed (another program filled the file system):
 * a new chunk could not take its header and first block, and the masters should stop sending new chunks at once.
 * Always below the resume threshold (at most half of it), so the state does not flap.
 */
export const FULL_ENTER_FREE_BYTES = CHUNK_HEADER_BYTES + BLOCK_SIZE_BYTES;

function checkAbort(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new MoosengError(ErrorCodes.ABORTED, `${what} aborted`);
}

/**
 * The chunk store both storage plugins share (see docs/chunkserver.md for the file format). Every block read is
 * checked against its CRC before any byte of it is returned; writes to part of a block read, merge and re-checksum
 * it. Operations on overlapping blocks of one chunk run in call order, writes to different blocks in parallel, and
 * every result is delivered in call order; different chunks are independent.
 *
 * This class checks arguments, keeps the index and the directory's health, and composes the parts: BlockRangeLocks
 * (ordering), OpenChunkCache (file handles), ChunkBlocks over a BlockCodec (the bytes), classifyDiskError (what a
 * failure means for the directory) and scanChunkDirectory (start-up).
 */
export class BlockChunkStore implements IChunkStore {
  private readonly openFiles = new OpenChunkCache();
  private readonly locks = new BlockRangeLocks();
  private readonly blocks: ChunkBlocks;
  /** Set once, by the first failure that takes the whole directory out of service; never cleared (restart to retry). */
  private unusableReason: string | null = null;
  /** Set by ENOSPC; cleared by usage() once enough space is free again (see FULL_RESUME_FREE_BYTES). */
  private fullReason: string | null = null;
  private closed = false;

  private constructor(
    private readonly options: BlockChunkStoreOptions,
    /** Every chunk of the directory: the start-up scan, then kept up to date by each operation. */
    private readonly index: Map<number, IndexedChunk>,
  ) {
    this.blocks = new ChunkBlocks({
      codec: new BlockCodec(options.dir, options.compressor),
      fsync: options.fsync,
      onLength: (chunkId, length) => {
        this.index.get(chunkId)!.length = length;
      },
    });
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Opens a data directory: creates its chunks folder, probes the I/O mode, and indexes the chunk files found. */
  static async open(options: BlockChunkStoreOptions): Promise<BlockChunkStore> {
    try {
      await mkdir(join(options.dir, CHUNKS_FOLDER), { recursive: true });
    } catch (err) {
      throw new MoosengError(ErrorCodes.DISK_UNUSABLE, `data directory ${options.dir} cannot be used: ${(err as Error).message}`, {
        cause: err,
        details: { dir: options.dir },
      });
    }
    await options.io.probe(options.dir);
    return new BlockChunkStore(
      options,
      await scanChunkDirectory(options.dir, options.io, options.logger, options.syncDirectory ?? syncDirectory),
    );
  }

  /** The reason the store stopped serving, or null while it is usable. */
  get unusable(): string | null {
    return this.unusableReason;
  }

  async create(ref: ChunkRef, options: IoOptions = {}): Promise<void> {
    this.checkRef(ref);
    return this.schedule(ref.chunkId, WHOLE_CHUNK, false, async () => {
      this.checkUsable();
      if (this.fullReason) {
        throw new MoosengError(
          ErrorCodes.NO_SPACE,
          `create of chunk ${ref.chunkId}: data directory ${this.dir} is full (${this.fullReason}); free space or add a directory`,
          { details: { dir: this.dir } },
        );
      }
      checkAbort(options.signal, `create of chunk ${ref.chunkId}`);
      const existing = this.index.get(ref.chunkId);
      if (existing)
        throw new MoosengError(
          ErrorCodes.CHUNK_EXISTS,
          `chunk ${ref.chunkId} already exists (version ${existing.version}) in ${this.dir}`,
          { details: { chunkId: ref.chunkId, version: existing.version } },
        );
      let c: OpenChunk;
      try {
        c = await createChunkFile(this.options.io, chunkFilePath(this.dir, ref.chunkId, ref.version), ref, this.options.fsync, (dir) =>
          this.syncDir(dir),
        );
      } catch (err) {
        throw this.fsError(err, `create of chunk ${ref.chunkId}`);
      }
      this.index.set(ref.chunkId, { version: ref.version, length: 0 });
      this.remember(c);
    });
  }

  async write(ref: ChunkRef, offset: number, data: Uint8Array, options: WriteOptions = {}): Promise<void> {
    this.checkRef(ref);
    this.checkRange(ref, offset, data.length);
    return this.schedule(ref.chunkId, writeRange(offset, data.length), false, async () => {
      const c = await this.handle(ref, options.signal, 'write');
      if (data.length === 0) return;
      await this.guard(`write to chunk ${ref.chunkId}`, () => this.blocks.write(c, offset, data, options.blockCrcs));
    });
  }

  async read(ref: ChunkRef, offset: number, length: number, options: IoOptions = {}): Promise<Uint8Array> {
    this.checkRef(ref);
    this.checkRange(ref, offset, length);
    return this.schedule(ref.chunkId, readRange(offset), true, async () => {
      const c = await this.handle(ref, options.signal, 'read');
      return this.guard(`read of chunk ${ref.chunkId}`, () => this.blocks.read(c, offset, length));
    });
  }

  async readChecksummed(ref: ChunkRef, offset: number, length: number, options: ReadOptions = {}): Promise<ChecksummedRead> {
    this.checkRef(ref);
    this.checkRange(ref, offset, length);
    return this.schedule(ref.chunkId, readRange(offset), true, async () => {
      const c = await this.handle(ref, options.signal, 'read');
      return this.guard(`read of chunk ${ref.chunkId}`, () => this.blocks.readChecksummed(c, offset, length, options.into));
    });
  }

  async truncate(ref: ChunkRef, length: number, options: IoOptions = {}): Promise<void> {
    this.checkRef(ref);
    this.checkRange(ref, length, 0);
    return this.schedule(ref.chunkId, WHOLE_CHUNK, false, async () => {
      const c = await this.handle(ref, options.signal, 'truncate');
      await this.guard(`truncate of chunk ${ref.chunkId}`, () => this.blocks.truncate(c, length));
    });
  }

  async setVersion(ref: ChunkRef, newVersion: number, options: SetVersionOptions = {}): Promise<void> {
    this.checkRef(ref);
    this.checkRef({ chunkId: ref.chunkId, version: newVersion });
    const cut = options.truncateTo;
    if (cut !== undefined) this.checkRange(ref, cut, 0);
    return this.schedule(ref.chunkId, WHOLE_CHUNK, false, async () => {
      const c = await this.handle(ref, options.signal, 'set-version');
      if (newVersion === ref.version && cut === undefined) return;
      await this.guard(`version change of chunk ${ref.chunkId}`, async () => {
        // Unless the policy is "never", each step is on the disk before the next starts: the cut before the header
        // names the new version (a replica at the new version is always cut), the header before the rename (a crash
        // between them leaves the old name with the new header, which the start-up scan completes), the rename
        // before the answer (the master records the version once the replicas it counts on confirmed it).
        const durable = this.options.fsync !== 'never';
        if (cut !== undefined) {
          await this.blocks.truncate(c, cut);
          if (durable && c.dirty) {
            await c.file.sync();
            c.dirty = false;
          }
        }
        if (newVersion === ref.version) return;
        const path = chunkFilePath(this.dir, ref.chunkId, newVersion);
        c.header.version = newVersion;
        c.header.sealFields();
        await c.headerWriter.persist();
        if (durable) {
          await c.file.sync();
          c.dirty = false;
        }
        await rename(c.path, path);
        c.path = path;
        this.index.get(ref.chunkId)!.version = newVersion;
        if (durable) {
          await this.syncDir(dirname(path));
          c.dirDirty = false;
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
        if (this.options.fsync === 'always') await this.syncDir(dirname(path));
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
        const totalBytes = fs.blocks * fs.bsize;
        const freeBytes = fs.bavail * fs.bsize;
        const resumeAt = Math.min(FULL_RESUME_FREE_BYTES, totalBytes * FULL_RESUME_FREE_FRACTION);
        if (this.fullReason && freeBytes >= resumeAt) {
          this.options.logger?.info(`data directory ${this.dir} has room again (${freeBytes} bytes free); it takes new chunks`, {
            dir: this.dir,
          });
          this.fullReason = null;
        }
        if (!this.fullReason && freeBytes < Math.min(FULL_ENTER_FREE_BYTES, resumeAt / 2)) {
          this.fullReason = `only ${freeBytes} bytes free`;
          this.options.logger?.warn(
            `data directory ${this.dir} is full (${this.fullReason}): it keeps serving its chunks and takes no new ones until space is freed`,
            { dir: this.dir },
          );
        }
        if (this.fullReason) return { ...base, totalBytes, freeBytes, state: 'full', error: this.fullReason };
        return { ...base, totalBytes, freeBytes, state: 'ok' };
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
          await this.guard(`verify of chunk ${ref.chunkId}`, () => this.blocks.readBlock(c, b, entry));
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
      throw new MoosengError(
        ErrorCodes.INVALID_ARGUMENT,
        `bad chunk reference ${JSON.stringify(ref)}: id and version must be unsigned safe integers`,
      );
    }
  }

  private checkRange(ref: ChunkRef, offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > CHUNK_SIZE_BYTES) {
      throw new MoosengError(
        ErrorCodes.CHUNK_OUT_OF_RANGE,
        `chunk ${ref.chunkId}: range ${offset}+${length} is outside the ${CHUNK_SIZE_BYTES}-byte chunk`,
        { details: { chunkId: ref.chunkId, offset, length } },
      );
    }
  }

  private checkUsable(): void {
    if (this.unusableReason)
      throw new MoosengError(ErrorCodes.DISK_UNUSABLE, `data directory ${this.dir} is unusable: ${this.unusableReason}`, {
        details: { dir: this.dir },
      });
  }

  private lookup(ref: ChunkRef): IndexedChunk {
    const e = this.index.get(ref.chunkId);
    if (!e)
      throw new MoosengError(ErrorCodes.CHUNK_NOT_FOUND, `chunk ${ref.chunkId} is not in ${this.dir}`, {
        details: { chunkId: ref.chunkId },
      });
    if (e.version !== ref.version) {
      throw new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, `chunk ${ref.chunkId} is at version ${e.version}, not ${ref.version}`, {
        details: { chunkId: ref.chunkId, version: e.version, requested: ref.version },
      });
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
      await this.syncDir(dirname(c.path));
      c.dirDirty = false;
    }
  }

  private syncDir(dir: string): Promise<void> {
    return (this.options.syncDirectory ?? syncDirectory)(dir);
  }

  /** Runs file I/O, turning Node errors into MoosengErrors and marking the directory unusable when the disk failed. */
  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.fsError(err, what);
    }
  }

  /** The MoosengError for a failed file operation; takes the directory out of service when the error says the disk failed. */
  private fsError(err: unknown, what: string): MoosengError {
    const { error, unusable, full } = classifyDiskError(err, this.dir, what);
    if (unusable) this.markUnusable(unusable);
    if (full && !this.fullReason) {
      this.fullReason = full;
      this.options.logger?.warn(
        `data directory ${this.dir} is full: it keeps serving its chunks and takes no new ones until space is freed`,
        { dir: this.dir },
      );
    }
    return error;
  }

  private markUnusable(reason: string): void {
    if (this.unusableReason) return;
    this.unusableReason = reason;
    this.options.logger?.error(`data directory ${this.dir} marked unusable: ${reason}`, { dir: this.dir });
  }
}
