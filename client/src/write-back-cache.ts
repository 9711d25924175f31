// WriteBackCache: the mount-wide bound on written bytes not yet on the chunkservers (buffered in handles or on their
// way), the order of each handle's sends, and the parallel sending of a batch of buffered ranges.

/** Ranges of one batch written at once (each on its chunk's chain: several chunks and chains at once). */
export const WRITE_BACK_PARALLEL_SENDS = 16;
/** The most a handle buffers before it starts sending in the background (smaller caches: a quarter of the cache). */
export const WRITE_BACK_BATCH_BYTES = 8 * 1024 * 1024;

/** A buffered range on its way: file offset and length. */
export interface RangeToSend {
  offset: number;
  data: Buffer;
  /** Gives the range's memory back once the chunkservers acknowledged it (DirtyRange.release). */
  release?: () => void;
}

/**
 * Counts the bytes written through the mount and not yet sent (or still being sent) against `limitBytes`; a writer
 * waits for room (roomFreed) while the count is at the limit. Keeps each handle's batches in order (inOrder): a
 * batch starts once the handle's previous one settled, so a write over bytes its own handle is still sending lands
 * over them.
 */
export class WriteBackCache {
  private used = 0;
  private peak = 0;
  private waiters: Array<() => void> = [];
  /** owner → its last batch (settled: never rejects). */
  private readonly tails = new WeakMap<object, Promise<void>>();
  /** Owners with a background send loop running. */
  private readonly sendingInBackground = new WeakSet<object>();

  constructor(
    /** client.writeBufferMb in bytes. */
    readonly limitBytes: number,
  ) {}

  /** A handle with this many bytes buffered starts sending them in the background. */
  get batchBytes(): number {
    return Math.max(1, Math.min(WRITE_BACK_BATCH_BYTES, Math.floor(this.limitBytes / 4)));
  }

  /** Bytes buffered or on their way. */
  get usedBytes(): number {
    return this.used;
  }

  /** The most bytes ever buffered or on their way at once (the bound held: at most limitBytes, or one larger write). */
  get peakBytes(): number {
    return this.peak;
  }

  /** True when the count is at the limit: every handle's buffer should be on its way. */
  get full(): boolean {
    return this.used >= this.limitBytes;
  }

  /** True when `bytes` more fit (or nothing is held: one write larger than the whole cache still goes through). */
  hasRoom(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limitBytes;
  }

  /** `bytes` were buffered. */
  take(bytes: number): void {
    this.used += bytes;
    if (this.used > this.peak) this.peak = this.used;
  }

  /** `bytes` left the cache (their send settled); waiting writers look again. */
  give(bytes: number): void {
    this.used -= bytes;
    if (this.used < 0) throw new Error(`write-back cache count went below zero (${this.used})`);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next give(). */
  roomFreed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Runs `batch` once every batch queued before for `owner` settled; its outcome is the caller's. */
  inOrder(owner: object, batch: () => Promise<void>): Promise<void> {
    const run = (this.tails.get(owner) ?? Promise.resolve()).then(batch);
    this.tails.set(
      owner,
      run.then(
        () => undefined,
        () => undefined,
      ),
    );
    return run;
  }

  /**
   * Runs `loop` for `owner` in the background unless one runs already (that one keeps going while there is work).
   * `loop` must not reject: its failures are recorded where the writer's next fsync or close finds them.
   */
  inBackground(owner: object, loop: () => Promise<void>): void {
    if (this.sendingInBackground.has(owner)) return;
    this.sendingInBackground.add(owner);
    void loop().finally(() => this.sendingInBackground.delete(owner));
  }
}

/**
 * Sends `ranges` WRITE_BACK_PARALLEL_SENDS at a time through `send`. Every range is handed to `started` first, all
 * at once, with a promise of its send (so what waits for sends on their way sees the whole batch, queued ones
 * included); resolves once all settled, rejecting with the first failure.
 */
export async function sendInParallel(
  ranges: readonly RangeToSend[],
  send: (range: RangeToSend) => Promise<void>,
  started: (range: RangeToSend, done: Promise<void>) => void,
): Promise<void> {
  const gates = ranges.map(() => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    return { gate, open };
  });
  const sends = ranges.map((range, i) => gates[i]!.gate.then(() => send(range)));
  ranges.forEach((range, i) => started(range, sends[i]!));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ranges.length) {
      const i = next++;
      gates[i]!.open();
      await sends[i]!.catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_BACK_PARALLEL_SENDS, ranges.length) }, worker));
  const results = await Promise.allSettled(sends);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
