// BlockRangeLocks: per chunk, runs operations once earlier ones on overlapping blocks finish; results in call order.
import { BLOCK_SIZE_BYTES } from '@mooseng/core';

/** Inclusive block indexes [first, last] an operation touches; `last` may be Infinity (to the end of the chunk). */
export type BlockRange = readonly [first: number, last: number];

/** The range of operations on the whole chunk (create, truncate, version change, delete, flush, verify, close). */
export const WHOLE_CHUNK: BlockRange = [0, Infinity];

/** Blocks a write of `length` bytes at `offset` touches; an empty write still holds the block at `offset`. */
export function writeRange(offset: number, length: number): BlockRange {
  const first = Math.floor(offset / BLOCK_SIZE_BYTES);
  return [first, Math.max(first, Math.floor((offset + length - 1) / BLOCK_SIZE_BYTES))];
}

/**
 * Blocks a read at `offset` holds: from its first block to the end of the chunk. How many bytes a read returns
 * depends on the chunk's length, which an earlier write to any later block may still be extending, and the read must
 * see that write as if the two ran in call order.
 */
export function readRange(offset: number): BlockRange {
  return [Math.floor(offset / BLOCK_SIZE_BYTES), Infinity];
}

interface PendingOp {
  first: number;
  last: number;
  shared: boolean;
  /** Settles (never rejects) when the operation has finished. */
  done: Promise<void>;
}

function noop(): void {}

/**
 * Orders a store's operations per chunk. An operation waits for every earlier one on the same chunk whose block
 * range overlaps its own, unless both are shared (reads do not conflict with each other), so writes to different
 * blocks of one chunk reach the disk in parallel while overlapping ones keep their call order. Results are still
 * delivered in call order, as IChunkStore promises. Different chunks never wait for each other.
 */
export class BlockRangeLocks {
  /** Per chunk, operations started or waiting, with their block ranges. */
  private readonly active = new Map<number, Set<PendingOp>>();
  /** Per chunk, settles when the last operation called so far has settled (delivery in call order). */
  private readonly tails = new Map<number, Promise<void>>();

  /** Runs `fn` on `chunkId` once the conflicting earlier operations have finished; settles after all earlier ones. */
  run<T>(chunkId: number, range: BlockRange, shared: boolean, fn: () => Promise<T>): Promise<T> {
    let ops = this.active.get(chunkId);
    if (!ops) {
      ops = new Set();
      this.active.set(chunkId, ops);
    }
    const [first, last] = range;
    const waits: Array<Promise<void>> = [];
    for (const o of ops) if (o.first <= last && first <= o.last && !(shared && o.shared)) waits.push(o.done);
    const result = waits.length === 0 ? fn() : Promise.all(waits).then(fn);
    const op: PendingOp = { first, last, shared, done: result.then(noop, noop) };
    ops.add(op);
    const set = ops;
    void op.done.then(() => {
      set.delete(op);
      if (set.size === 0 && this.active.get(chunkId) === set) this.active.delete(chunkId);
    });
    const prev = this.tails.get(chunkId);
    const ordered = prev ? Promise.all([prev, op.done]).then(() => result) : result;
    const tail = ordered.then(noop, noop);
    this.tails.set(chunkId, tail);
    void tail.then(() => {
      if (this.tails.get(chunkId) === tail) this.tails.delete(chunkId);
    });
    return ordered;
  }

  /** Settles (never rejects) once every operation run so far, on any chunk, has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
