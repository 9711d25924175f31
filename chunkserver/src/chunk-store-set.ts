// ChunkStoreSet: the chunkserver's stores, one per data directory: routes each chunk to its store, places new
// chunks on the directory with the most free space, and notices directories that fail.
import {
  type ChunkRef,
  type DirectoryUsage,
  ErrorCodes,
  type IChunkStore,
  type IChunkStoreFactory,
  type ICompressor,
  type ILogger,
  isMoosengError,
  MoosengError,
  type StoredChunk,
  toMoosengError,
} from '@mooseng/core';

interface Slot {
  dir: string;
  store: IChunkStore | null;
  /** Why the directory could not be opened, or why it was found unusable later. */
  error: string | null;
}

/** Errors that mean "this directory cannot take the chunk", so a create tries the next directory. */
const DIRECTORY_FAILURES = new Set<string>([ErrorCodes.NO_SPACE, ErrorCodes.DISK_UNUSABLE, ErrorCodes.IO_ERROR]);

export class ChunkStoreSet {
  private readonly where = new Map<number, Slot>();

  private constructor(
    private readonly slots: Slot[],
    private readonly logger: ILogger,
  ) {}

  /**
   * Opens a store on every directory. A directory that cannot be opened is kept as unusable (and reported); only when
   * none opens does this fail, with DISK_UNUSABLE naming each directory and why.
   */
  static async open(
    dirs: readonly string[],
    factory: IChunkStoreFactory,
    compressor: ICompressor | undefined,
    logger: ILogger,
  ): Promise<ChunkStoreSet> {
    const slots: Slot[] = [];
    for (const dir of dirs) {
      try {
        slots.push({ dir, store: await factory.open(dir, { compressor }), error: null });
      } catch (err) {
        const e = toMoosengError(err, `opening data directory ${dir}`);
        logger.error(`data directory ${dir} is unusable: ${e.message}`, { dir, code: e.code });
        slots.push({ dir, store: null, error: e.message });
      }
    }
    if (!slots.some((s) => s.store)) {
      throw new MoosengError(
        ErrorCodes.DISK_UNUSABLE,
        `no data directory is usable: ${slots.map((s) => `${s.dir} (${s.error})`).join('; ')}`,
        { details: { dirs } },
      );
    }
    const set = new ChunkStoreSet(slots, logger);
    for (const slot of slots) {
      if (!slot.store) continue;
      for (const chunk of await slot.store.list()) {
        const other = set.where.get(chunk.chunkId);
        if (other) {
          logger.warn(`chunk ${chunk.chunkId} is in both ${other.dir} and ${slot.dir}; serving the copy in ${other.dir}`);
          continue;
        }
        set.where.set(chunk.chunkId, slot);
      }
    }
    return set;
  }

  /** The store holding a chunk; CHUNK_NOT_FOUND when no directory has it. */
  storeOf(chunkId: number): IChunkStore {
    const slot = this.where.get(chunkId);
    if (!slot?.store)
      throw new MoosengError(ErrorCodes.CHUNK_NOT_FOUND, `chunk ${chunkId} is not on this chunkserver`, { details: { chunkId } });
    return slot.store;
  }

  /** True when some directory holds the chunk. */
  has(chunkId: number): boolean {
    return this.where.has(chunkId);
  }

  /** Creates a chunk on the usable directory with the most free space, falling back to the next when one fails. */
  async create(ref: ChunkRef, options: { signal?: AbortSignal } = {}): Promise<void> {
    const existing = this.where.get(ref.chunkId);
    if (existing) {
      const stored = await existing.store!.stat(ref.chunkId);
      throw new MoosengError(
        ErrorCodes.CHUNK_EXISTS,
        `chunk ${ref.chunkId} already exists (version ${stored?.version}) in ${existing.dir}`,
        { details: { chunkId: ref.chunkId, version: stored?.version } },
      );
    }
    const candidates: Array<{ slot: Slot; free: number }> = [];
    for (const slot of this.slots) {
      if (!slot.store) continue;
      const usage = await slot.store.usage();
      if (usage.state === 'ok') candidates.push({ slot, free: usage.freeBytes });
    }
    candidates.sort((a, b) => b.free - a.free);
    let lastError: MoosengError | null = null;
    for (const { slot } of candidates) {
      try {
        await slot.store!.create(ref, options);
        this.where.set(ref.chunkId, slot);
        return;
      } catch (err) {
        if (!isMoosengError(err) || !DIRECTORY_FAILURES.has(err.code)) throw err;
        this.logger.warn(`cannot create chunk ${ref.chunkId} in ${slot.dir}: ${err.message}; trying the next directory`);
        lastError = err;
      }
    }
    throw new MoosengError(
      ErrorCodes.NO_SPACE,
      `no usable data directory can take chunk ${ref.chunkId}${lastError ? `: ${lastError.message}` : ''}`,
      { cause: lastError ?? undefined },
    );
  }

  /** Forgets a chunk after its store deleted it. */
  forget(chunkId: number): void {
    this.where.delete(chunkId);
  }

  /** Every chunk on usable directories. */
  async list(): Promise<StoredChunk[]> {
    const all: StoredChunk[] = [];
    for (const slot of this.slots) {
      if (!slot.store || slot.error) continue;
      for (const c of await slot.store.list()) if (this.where.get(c.chunkId) === slot) all.push(c);
    }
    return all;
  }

  /** The usable stores, for scrubbing. */
  usableStores(): IChunkStore[] {
    return this.slots.filter((s) => s.store && !s.error).map((s) => s.store!);
  }

  /** Usage of every directory, unusable ones included (with their error). */
  async usage(): Promise<DirectoryUsage[]> {
    const out: DirectoryUsage[] = [];
    for (const slot of this.slots) {
      if (!slot.store) {
        out.push({
          dir: slot.dir,
          totalBytes: 0,
          freeBytes: 0,
          usedBytes: 0,
          chunks: 0,
          state: 'unusable',
          error: slot.error ?? 'not opened',
        });
        continue;
      }
      out.push(await slot.store.usage());
    }
    return out;
  }

  /**
   * Chunks lost since the last call: those on directories that have become unusable. They are dropped from the map
   * (reads answer CHUNK_NOT_FOUND) so the masters re-create them elsewhere.
   */
  async collectLost(): Promise<StoredChunk[]> {
    const lost: StoredChunk[] = [];
    for (const slot of this.slots) {
      if (!slot.store || slot.error) continue;
      const usage = await slot.store.usage();
      if (usage.state !== 'unusable') continue;
      slot.error = usage.error ?? 'unusable';
      this.logger.error(`data directory ${slot.dir} is unusable (${slot.error}); reporting its chunks as lost`, { dir: slot.dir });
      for (const c of await slot.store.list().catch(() => [] as StoredChunk[])) {
        if (this.where.get(c.chunkId) !== slot) continue;
        this.where.delete(c.chunkId);
        lost.push(c);
      }
    }
    return lost;
  }

  /** Flushes and closes every store. */
  async close(): Promise<void> {
    for (const slot of this.slots) {
      try {
        await slot.store?.close();
      } catch (err) {
        this.logger.error(`closing the store on ${slot.dir} failed`, { err });
      }
    }
  }
}
