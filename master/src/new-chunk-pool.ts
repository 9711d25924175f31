// NewChunkPool: chunks the leader has created on chunkservers ahead of need, so that a create for writing can take
// one as the file's chunk 0 in the create's own commit (ChunkOperations.createWithChunk): a small file then costs two
// commits, not three. A pooled chunk stands where a new chunk stands in the middle of its grant: its id reserved and
// tried, its replicas made at version 1, the catalog not told. The repair loop keeps off it (ChunkOperations.isBusy),
// and a pool is only ever used in the tenure that filled it: a leader that stops leading forgets it, and its
// replicas, of ids the catalog never knows, are deleted as such by whoever leads next. Off unless
// master.newChunkPoolSize says otherwise (docs/chunk-lifecycle.md#the-pool-of-new-chunks says why).

/** Creations in flight per goal while the pool refills (each is a round trip to the goal's chunkservers). */
const FILL_CONCURRENCY = 2;

/** What happens to pooled chunks: made (created on every chosen server), taken by a grant, dropped unused. */
export type PoolEvent = 'made' | 'taken' | 'dropped';

/** A chunk created on `servers` (the chain order) at version 1, in the leader tenure `tenure`. */
export interface PooledChunk {
  chunkId: number;
  servers: string[];
  tenure: number;
}

export class NewChunkPool {
  private readonly ready = new Map<number, PooledChunk[]>();
  private readonly filling = new Map<number, number>();
  /** chunk id → the tenure it was made in, for every chunk in `ready`. */
  private readonly ids = new Map<number, number>();
  /** What the pool did: chunks taken for grants, made, and dropped unused (also counted through `o.count`). */
  readonly stats: Record<PoolEvent, number> = { taken: 0, made: 0, dropped: 0 };

  constructor(
    private readonly o: {
      /** Chunks kept per goal; 0 turns the pool off. */
      size: number;
      /** The current leader tenure (LeaderTenure.generation): entries of another one are never used. */
      tenure: () => number;
      /**
       * Creates one chunk for `goal` and hands it to `add` before its own exclusive section ends (so it is never
       * neither busy nor pooled), or creates nothing (not leading, no servers, a server failed).
       */
      make: (goal: number, add: (chunk: PooledChunk) => void) => Promise<void>;
      onError: (err: unknown) => void;
      /** Called for each event the stats count (a metrics counter). */
      count?: (event: PoolEvent) => void;
    },
  ) {}

  /** True while the chunk waits in the pool of the current tenure (one of an earlier tenure is the repair loop's). */
  has(chunkId: number): boolean {
    return this.ids.get(chunkId) === this.o.tenure();
  }

  /**
   * A pooled chunk for `goal` that `fits` (the placement would choose the same servers for it now: none died,
   * filled up or started draining since), then the pool refills. Chunks that do not fit, or are of another
   * tenure, are dropped: their replicas belong to an id the catalog never knows, which the repair loop deletes.
   */
  take(goal: number, fits: (chunk: PooledChunk) => boolean): PooledChunk | undefined {
    if (this.o.size === 0) return undefined;
    const list = this.ready.get(goal) ?? [];
    let found: PooledChunk | undefined;
    while (found === undefined && list.length > 0) {
      const chunk = list.shift()!;
      this.ids.delete(chunk.chunkId);
      if (chunk.tenure === this.o.tenure() && fits(chunk)) found = chunk;
      else this.note('dropped');
    }
    if (found) this.note('taken');
    this.fill(goal);
    return found;
  }

  /**
   * Starts creations until the goal's pool (ready and in flight) is full, at most FILL_CONCURRENCY at once; each one
   * that made a chunk starts the next. One that made none (not leading, no room, a server failed) stops the filling
   * until the next take: a pool never retries in a loop against a cluster that cannot take chunks.
   */
  private fill(goal: number): void {
    const ready = this.ready.get(goal)?.length ?? 0;
    let inFlight = this.filling.get(goal) ?? 0;
    while (ready + inFlight < this.o.size && inFlight < FILL_CONCURRENCY) {
      inFlight++;
      this.filling.set(goal, inFlight);
      let made = false;
      void this.o
        .make(goal, (chunk) => (made = this.add(goal, chunk)))
        .catch(this.o.onError)
        .finally(() => {
          this.filling.set(goal, (this.filling.get(goal) ?? 1) - 1);
          if (made) this.fill(goal);
        });
    }
  }

  /** Keeps a chunk just made; false when leadership changed while it was made (it is dropped). */
  private note(event: PoolEvent): void {
    this.stats[event]++;
    this.o.count?.(event);
  }

  private add(goal: number, chunk: PooledChunk): boolean {
    if (chunk.tenure !== this.o.tenure()) {
      this.note('dropped');
      return false;
    }
    let list = this.ready.get(goal);
    if (!list) {
      list = [];
      this.ready.set(goal, list);
    }
    list.push(chunk);
    this.ids.set(chunk.chunkId, chunk.tenure);
    this.note('made');
    return true;
  }
}
