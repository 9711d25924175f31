// BlockCache: the mount's read cache. Chunk bytes in 64 KiB blocks (the chunkservers' CRC block), shared by every
// file of the mount, least recently used first out, bounded in bytes (client.cacheSizeMb). A block is named by
// (chunk id, chunk version, block index): every change to a chunk by anyone (a write grant, a truncate) moves it to a
// new version, so a block of an older version is never asked for again and ages out; nothing else need be told.
// This mount's own writes drop the blocks they cover at once (a write grant is reused for many writes under one
// version), and change notices drop a file's blocks to free them early.
//
// The memory of a whole run (one fetch of MAX_BLOCKS_PER_FETCH blocks) is used again for a later fetch once none of
// its blocks is held or on its way and no reader holds a lease on it: a sequential read otherwise allocated every
// byte it read afresh, and that churn of external memory set off a major collection every few tens of MiB (a third
// of the mount's CPU on a 1 GiB read). A reader that takes blocks with `lease` gives them back with `release` once it
// no longer looks at them; `read` hands blocks out for good (their runs are never used again: safe, only slower).
import { BLOCK_SIZE_BYTES, BLOCKS_PER_CHUNK } from '@mooseng/core';

/** Blocks fetched in one data-plane read at most (1 MiB: the largest request the kernel sends). */
export const MAX_BLOCKS_PER_FETCH = 16;

/** Whole runs' memory kept for the next fetches (16 MiB): enough for a read-ahead window on its way. */
export const FREE_RUNS_KEPT = 16;

/** Blocks a reader may look at until it calls `release` (once; more calls do nothing). */
export interface BlockLease {
  blocks: Buffer[];
  release(): void;
}

/**
 * The memory of one fetch and who still needs it: `live` counts its blocks held or on their way in the cache, `pins`
 * the leases on it, `settled` whether the fetch is over (nothing writes into it any more). Used again only when all
 * three say nobody.
 */
interface Run {
  readonly buffer: Buffer;
  live: number;
  pins: number;
  settled: boolean;
  /** Handed out by `read` (no lease): never used again. */
  kept: boolean;
}

interface Held {
  data: Buffer;
  run: Run;
}

interface Coming {
  block: Promise<Buffer>;
  run: Run;
}

/**
 * Reads `count` blocks of the chunk from block `first` into `into` (count blocks long), in order, telling `filled` how
 * many bytes from its start are in place as they arrive; resolves with how many bytes it put there in all, fewer
 * where the chunk ends (the rest reads as zeros).
 */
export type FetchBlocks = (first: number, count: number, into: Buffer, filled: (bytes: number) => void) => Promise<number>;

/** Which chunk, under which version, of which file (the file only so a change notice can drop its blocks). */
export interface ChunkVersion {
  ino: number;
  chunkId: number;
  version: number;
}

/** Counts one block a reader asked for: held or already on its way (hit: no fetch of its own), or fetched (miss). */
export type CountBlockLookup = (hit: boolean) => void;

export class BlockCache {
  /** key → block, least recently used first (a Map keeps insertion order; a hit moves the block to the end). */
  private readonly blocks = new Map<string, Held>();
  /** key → the fetch on its way that will bring the block: readers of it wait for that instead of fetching again. */
  private readonly inFlight = new Map<string, Coming>();
  /** Whole runs' memory free for the next fetch (FREE_RUNS_KEPT at most). */
  private readonly freeRuns: Buffer[] = [];
  /** chunk id → its file and its keys held or on their way, so a write or a notice drops them without a scan. */
  private readonly chunks = new Map<number, { ino: number; keys: Set<string> }>();
  /** ino → its chunk ids with blocks held or on their way. */
  private readonly files = new Map<number, Set<number>>();
  private held = 0;

  constructor(
    /** The bound on the bytes of blocks held; below one block the cache holds nothing (reads still share fetches). */
    readonly capacityBytes: number,
    private readonly countLookup: CountBlockLookup = () => undefined,
  ) {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 0)
      throw new RangeError(`block cache capacity must be a whole number of bytes, at least 0 (got ${capacityBytes})`);
  }

  /** Bytes of blocks held now. */
  get bytesHeld(): number {
    return this.held;
  }

  /** Blocks held now. */
  get blockCount(): number {
    return this.blocks.size;
  }

  /**
   * Blocks [first, first + count) of the chunk, each BLOCK_SIZE_BYTES long (zeros past where the chunk ends): held
   * ones from the cache, ones another read is fetching from that fetch, the rest through `fetch`, runs of missing
   * blocks together (up to MAX_BLOCKS_PER_FETCH a request, all at once). Fails when a fetch it needs failed; a
   * failed fetch is not kept, so the next read tries again. `count` false: a read-ahead, not counted as lookups.
   * The blocks are the caller's for good (see `lease` for blocks given back).
   */
  async read(chunk: ChunkVersion, first: number, count: number, fetch: FetchBlocks, countLookups = true): Promise<Buffer[]> {
    const { blocks, runs } = this.take(chunk, first, count, fetch, countLookups);
    for (const run of runs) run.kept = true;
    return Promise.all(blocks);
  }

  /**
   * As `read`, but the blocks are lent: the caller calls `release` once it no longer looks at them (nor at views of
   * them), and their memory may then be used for other blocks. Not releasing is safe: the memory is then only freed.
   * A lease whose blocks could not all be had is released by the failure.
   */
  async lease(chunk: ChunkVersion, first: number, count: number, fetch: FetchBlocks, countLookups = true): Promise<BlockLease> {
    const { blocks, runs } = this.take(chunk, first, count, fetch, countLookups);
    for (const run of runs) run.pins++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      for (const run of runs) {
        run.pins--;
        this.reuse(run);
      }
    };
    try {
      return { blocks: await Promise.all(blocks), release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /** The blocks (held, coming, or fetched now) and the runs whose memory they are in. */
  private take(
    chunk: ChunkVersion,
    first: number,
    count: number,
    fetch: FetchBlocks,
    countLookups: boolean,
  ): { blocks: Array<Buffer | Promise<Buffer>>; runs: Set<Run> } {
    if (first < 0 || count < 0 || first + count > BLOCKS_PER_CHUNK)
      throw new RangeError(`blocks ${first}..${first + count} are outside a ${BLOCKS_PER_CHUNK}-block chunk`);
    const got: Array<Buffer | Promise<Buffer>> = [];
    const runs = new Set<Run>();
    let runStart = -1;
    const startRun = (end: number): void => {
      if (runStart < 0) return;
      const fetched = this.fetchRun(chunk, runStart, end - runStart, fetch);
      got.push(...fetched.blocks);
      runs.add(fetched.run);
      runStart = -1;
    };
    for (let b = first; b < first + count; b++) {
      const key = keyOf(chunk, b);
      const held = this.blocks.get(key);
      const coming = held ? undefined : this.inFlight.get(key);
      if (countLookups) this.countLookup(held !== undefined || coming !== undefined);
      if (held) {
        this.blocks.delete(key);
        this.blocks.set(key, held);
      }
      if (!held && !coming) {
        if (runStart < 0) runStart = b;
        if (b + 1 - runStart === MAX_BLOCKS_PER_FETCH) startRun(b + 1);
        continue;
      }
      startRun(b);
      got.push(held ? held.data : coming!.block);
      runs.add((held ?? coming)!.run);
    }
    startRun(first + count);
    return { blocks: got, runs };
  }

  /** Drops the blocks of blocks [first, end) of the chunk, whatever their version: this mount wrote over them. */
  dropBlocks(chunkId: number, first: number, end: number): void {
    const keys = this.chunks.get(chunkId)?.keys;
    if (!keys) return;
    for (const key of [...keys]) {
      const b = blockOfKey(key);
      if (b >= first && b < end) this.drop(chunkId, key);
    }
  }

  /** Drops every block of a file (another client changed it, or it was cut). */
  dropFile(ino: number): void {
    for (const chunkId of [...(this.files.get(ino) ?? [])])
      for (const key of [...(this.chunks.get(chunkId)?.keys ?? [])]) this.drop(chunkId, key);
  }

  /** Drops everything. */
  clear(): void {
    for (const key of [...this.blocks.keys(), ...this.inFlight.keys()]) this.drop(chunkIdOfKey(key), key);
  }

  /**
   * Fetches `count` blocks from `first` as one request into one buffer, whose blocks are views of it (the run's
   * memory goes when the last of them is evicted; they are evicted together unless some were read since). Each block
   * is handed to its readers, and kept, as soon as its bytes are in (a reader of the run's first block does not wait
   * for the last), unless it was dropped while on its way (a write of this mount over it: the bytes may predate the
   * write). Where the fetch comes back short the blocks read as zeros.
   */
  private fetchRun(chunk: ChunkVersion, first: number, count: number, fetch: FetchBlocks): { blocks: Array<Promise<Buffer>>; run: Run } {
    const whole = count === MAX_BLOCKS_PER_FETCH;
    const run = (whole ? this.freeRuns.pop() : undefined) ?? Buffer.allocUnsafeSlow(count * BLOCK_SIZE_BYTES);
    const owner: Run = { buffer: run, live: count, pins: 0, settled: false, kept: !whole };
    const keys: string[] = [];
    const blocks: Array<Promise<Buffer>> = [];
    const settle: Array<{ resolve: (block: Buffer) => void; reject: (err: unknown) => void }> = [];
    for (let i = 0; i < count; i++) {
      const key = keyOf(chunk, first + i);
      const block = new Promise<Buffer>((resolve, reject) => settle.push({ resolve, reject }));
      block.catch(() => undefined); // its readers are told; a block no one waits for any more needs no handler
      keys.push(key);
      blocks.push(block);
      this.inFlight.set(key, { block, run: owner });
      this.index(chunk, key);
    }
    let delivered = 0;
    const deliver = (bytes: number): void => {
      while (delivered < count && bytes >= (delivered + 1) * BLOCK_SIZE_BYTES) {
        const i = delivered++;
        const block = run.subarray(i * BLOCK_SIZE_BYTES, (i + 1) * BLOCK_SIZE_BYTES);
        settle[i]!.resolve(block);
        this.landed(chunk.chunkId, keys[i]!, blocks[i]!, block, owner);
      }
    };
    let fetching: Promise<number>;
    try {
      fetching = fetch(first, count, run, deliver);
    } catch (err) {
      fetching = Promise.reject(err);
    }
    fetching.then(
      (got) => {
        const end = Math.max(delivered * BLOCK_SIZE_BYTES, Math.min(got, run.length));
        run.fill(0, end);
        owner.settled = true;
        deliver(run.length);
        this.reuse(owner);
      },
      (err: unknown) => {
        owner.settled = true;
        for (let i = delivered; i < count; i++) {
          settle[i]!.reject(err);
          this.abandon(chunk.chunkId, keys[i]!, blocks[i]!);
        }
        this.reuse(owner);
      },
    );
    return { blocks, run: owner };
  }

  private landed(chunkId: number, key: string, flight: Promise<Buffer>, data: Buffer, run: Run): void {
    if (this.inFlight.get(key)?.block !== flight) return; // dropped while on its way
    this.inFlight.delete(key);
    if (this.capacityBytes < BLOCK_SIZE_BYTES) {
      run.live--;
      this.unindex(chunkId, key);
      return;
    }
    this.blocks.set(key, { data, run });
    this.held += data.length;
    while (this.held > this.capacityBytes) {
      const oldest = this.blocks.keys().next().value!;
      this.drop(chunkIdOfKey(oldest), oldest);
    }
  }

  private abandon(chunkId: number, key: string, flight: Promise<Buffer>): void {
    const coming = this.inFlight.get(key);
    if (coming?.block !== flight) return;
    this.inFlight.delete(key);
    coming.run.live--;
    this.unindex(chunkId, key);
  }

  /** Forgets a block held or on its way; its run's memory goes back to the free list if nobody needs it now. */
  private drop(chunkId: number, key: string): void {
    const held = this.blocks.get(key);
    if (held) {
      this.blocks.delete(key);
      this.held -= held.data.length;
      held.run.live--;
      this.reuse(held.run);
    }
    const coming = this.inFlight.get(key);
    if (coming) {
      this.inFlight.delete(key);
      coming.run.live--;
    }
    this.unindex(chunkId, key);
  }

  /** A whole run nobody needs any more (no block held or coming, no lease, the fetch over) goes to the free list. */
  private reuse(run: Run): void {
    if (run.kept || !run.settled || run.live > 0 || run.pins > 0) return;
    run.kept = true; // once: its memory belongs to the next fetch now
    if (this.freeRuns.length < FREE_RUNS_KEPT) this.freeRuns.push(run.buffer);
  }

  private index(chunk: ChunkVersion, key: string): void {
    let entry = this.chunks.get(chunk.chunkId);
    if (!entry) {
      // A chunk shared by two files (a snapshot) is filed under the first: its blocks are safe by version anyway.
      this.chunks.set(chunk.chunkId, (entry = { ino: chunk.ino, keys: new Set() }));
      let ids = this.files.get(chunk.ino);
      if (!ids) this.files.set(chunk.ino, (ids = new Set()));
      ids.add(chunk.chunkId);
    }
    entry.keys.add(key);
  }

  /** Forgets a key in the indexes; a chunk with no key left leaves them, and a file with no chunk left too. */
  private unindex(chunkId: number, key: string): void {
    const entry = this.chunks.get(chunkId);
    if (!entry) return;
    entry.keys.delete(key);
    if (entry.keys.size > 0) return;
    this.chunks.delete(chunkId);
    const ids = this.files.get(entry.ino);
    ids?.delete(chunkId);
    if (ids?.size === 0) this.files.delete(entry.ino);
  }
}

function keyOf(chunk: ChunkVersion, block: number): string {
  return `${chunk.chunkId}/${chunk.version}/${block}`;
}

function chunkIdOfKey(key: string): number {
  return Number(key.slice(0, key.indexOf('/')));
}

function blockOfKey(key: string): number {
  return Number(key.slice(key.lastIndexOf('/') + 1));
}
