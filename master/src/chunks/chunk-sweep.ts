// ChunkSweep: the repair loop's view of chunk health at any scale. A pass looks at a bounded number of chunks and
// resumes where the last one stopped (judging 10 M chunks every second would take several cores); the chunks it
// finds away from their goal go into a backlog that every pass judges first, so repair runs as fast as copies allow,
// not at the pace of the walk.
import type { CatalogChunk, ChunkCatalog, ChunkClassification, ChunkLocations, StaleReplica } from './chunk-locations';

/** Catalog chunks judged per pass, and replica-map entries looked at per pass for surplus copies. */
export const SWEEP_CHUNKS_PER_PASS = 20_000;
/** Chunks away from their goal kept for the next passes; more are counted, and found again by the next walk. */
export const SWEEP_BACKLOG_LIMIT = 10_000;

type Counts = ChunkClassification['counts'];
const zero = (): Counts => ({ underGoal: 0, overGoal: 0, missing: 0 });

export class ChunkSweep {
  /** The catalog map the walk's iterator belongs to (a snapshot restore replaces it: the walk starts again). */
  private walked: ReadonlyMap<number, CatalogChunk> | null = null;
  private walk: Iterator<[number, CatalogChunk]> | null = null;
  private walking: Counts = zero();
  private done: Counts | null = null;
  private readonly backlog = new Set<number>();
  private surplusWalk: Iterator<[number, ReadonlyMap<string, number>]> | null = null;

  constructor(
    private readonly locations: ChunkLocations,
    private readonly chunksPerPass = SWEEP_CHUNKS_PER_PASS,
    private readonly backlogLimit = SWEEP_BACKLOG_LIMIT,
  ) {}

  /**
   * One pass: the backlog judged again (chunks at their goal or freed leave it), then the walk's next chunks. Lists
   * hold at most `limitPerKind` chunks of each kind, backlog first. `counts` are those of the last complete walk
   * (of the walk so far before the first one ends); a walk ends at the end of a pass, so a catalog smaller than
   * chunksPerPass is walked whole by every pass. Chunks for which `settling` is true are left out, as in classify.
   */
  pass(catalog: ChunkCatalog, limitPerKind: number, settling: (chunkId: number) => boolean = () => false): ChunkClassification {
    const result: ChunkClassification = { underGoal: [], overGoal: [], missing: [], counts: zero() };
    const chunks = catalog.chunks();
    const listed = new Set<number>();
    for (const chunkId of this.backlog) {
      const c = chunks.get(chunkId);
      if (c === undefined) {
        this.backlog.delete(chunkId);
        continue;
      }
      if (settling(chunkId)) continue;
      const standing = this.locations.standing(chunkId, c.version, c.goal);
      if (standing === 'ok') this.backlog.delete(chunkId);
      else if (result[standing].length < limitPerKind) {
        result[standing].push(this.locations.health(chunkId, c.version, c.goal));
        listed.add(chunkId);
      }
    }
    if (this.walked !== chunks || this.walk === null) {
      this.walked = chunks;
      this.walk = chunks.entries();
      this.walking = zero();
    }
    for (let n = 0; n < this.chunksPerPass; n++) {
      const next = this.walk.next();
      if (next.done === true) {
        this.done = this.walking;
        this.walk = null;
        break;
      }
      const [chunkId, c] = next.value;
      if (settling(chunkId)) continue;
      const standing = this.locations.standing(chunkId, c.version, c.goal);
      if (standing === 'ok') continue;
      this.walking[standing]++;
      if (!this.backlog.has(chunkId)) {
        if (this.backlog.size >= this.backlogLimit) continue;
        this.backlog.add(chunkId);
      }
      if (!listed.has(chunkId) && result[standing].length < limitPerKind) {
        result[standing].push(this.locations.health(chunkId, c.version, c.goal));
        listed.add(chunkId);
      }
    }
    result.counts = { ...(this.done ?? this.walking) };
    return result;
  }

  /**
   * Replicas that may be deleted (ChunkLocations.surplusReplicas) among the next chunksPerPass entries of the replica
   * map, resuming where the last call stopped; at most about `limit` (a chunk's replicas are taken together).
   */
  surplus(catalog: ChunkCatalog, limit: number): StaleReplica[] {
    const out: StaleReplica[] = [];
    const chunks = catalog.chunks();
    this.surplusWalk ??= this.locations.replicaEntries();
    for (let n = 0; n < this.chunksPerPass && out.length < limit; n++) {
      const next = this.surplusWalk.next();
      if (next.done === true) {
        this.surplusWalk = null;
        break;
      }
      const [chunkId, replicas] = next.value;
      this.locations.surplusOf(chunkId, replicas, chunks.get(chunkId), out);
    }
    return out;
  }

  /** Forgets the walks, their counts and the backlog (this master stopped leading: the next tenure starts afresh). */
  reset(): void {
    this.walked = null;
    this.walk = null;
    this.walking = zero();
    this.done = null;
    this.backlog.clear();
    this.surplusWalk = null;
  }
}
