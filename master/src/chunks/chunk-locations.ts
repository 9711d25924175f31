// Soft state: which chunkserver holds which version of which chunk, as registrations and heartbeats report it.

/** A replica report: chunk id and the version a server holds. */
export interface ReplicaReport {
  chunkId: number;
  version: number;
}

/** What the repair loop must do about one chunk. */
export interface ChunkHealth {
  chunkId: number;
  version: number;
  goal: number;
  /** Live servers holding the current version. */
  holders: string[];
}

/**
 * A replica that may go: the chunk no longer exists, or it is not a good current copy (another version, or
 * corrupt) while enough good current copies exist elsewhere.
 */
export interface StaleReplica {
  serverId: string;
  chunkId: number;
  version: number;
}

/** One replica as the map knows it. */
export interface KnownReplica {
  serverId: string;
  version: number;
  alive: boolean;
  /** Reported corrupt (by the scrubber or a read) since it was last registered or moved. */
  corrupt: boolean;
}

/** One chunk of the replicated catalog, as the classification reads it. */
export interface CatalogChunk {
  readonly version: number;
  readonly goal: number;
}

/** The replicated facts the classification compares against: chunk id → (version, goal). */
export interface ChunkCatalog {
  /** The live map (not a copy): a sweep keeps an iterator on it across passes, and a restore replaces it. */
  chunks(): ReadonlyMap<number, CatalogChunk>;
}

/** How a chunk stands against its goal: the classes of ChunkClassification, or 'ok'. */
export type GoalStanding = 'ok' | 'underGoal' | 'overGoal' | 'missing';

/** Results of one repair scan. */
export interface ChunkClassification {
  /** Fewer live current replicas than the goal, but at least one: copy. */
  underGoal: ChunkHealth[];
  /** More live current replicas than the goal: drop some. */
  overGoal: ChunkHealth[];
  /** No live current replica at all. */
  missing: ChunkHealth[];
  /** How many chunks are in each class in all (the lists above stop at the limit). */
  counts: { underGoal: number; overGoal: number; missing: number };
}

/**
 * Replica locations. Never replicated through consensus: every master fills its own copy from chunkserver
 * registrations and heartbeats (chunkservers talk to every master), so a new leader knows the map at once.
 * Keyed by number; each chunk maps server id → version held.
 */
export class ChunkLocations {
  private readonly byChunk = new Map<number, Map<string, number>>();
  private readonly byServer = new Map<string, Set<number>>();
  private readonly alive = new Set<string>();
  /** chunk id → servers whose replica (at the version the map has) was reported corrupt. Rare: kept apart. */
  private readonly corrupt = new Map<number, Set<string>>();

  /**
   * A (re-)registration: the server's full replica list replaces whatever was known about it; it is alive. A copy
   * marked corrupt stays marked when the server reports the same version again (a registration says nothing of a
   * copy's health; a new leader asks every server to register).
   */
  register(serverId: string, replicas: readonly ReplicaReport[]): void {
    const wasCorrupt = new Map<number, number>();
    for (const chunkId of this.byServer.get(serverId) ?? [])
      if (this.isCorrupt(serverId, chunkId)) wasCorrupt.set(chunkId, this.byChunk.get(chunkId)!.get(serverId)!);
    this.removeServer(serverId);
    this.alive.add(serverId);
    for (const r of replicas) {
      this.addReplica(serverId, r.chunkId, r.version);
      if (wasCorrupt.get(r.chunkId) === r.version) this.markCorrupt(serverId, r.chunkId, r.version);
    }
  }

  /** A replica created or version-moved (after a write, copy or truncate); a new version is a new copy, not corrupt. */
  addReplica(serverId: string, chunkId: number, version: number): void {
    let holders = this.byChunk.get(chunkId);
    if (holders === undefined) {
      holders = new Map();
      this.byChunk.set(chunkId, holders);
    }
    if (holders.get(serverId) !== version) this.clearCorrupt(serverId, chunkId);
    holders.set(serverId, version);
    let chunks = this.byServer.get(serverId);
    if (chunks === undefined) {
      chunks = new Set();
      this.byServer.set(serverId, chunks);
    }
    chunks.add(chunkId);
  }

  /** A replica deleted or lost (disk gone). */
  removeReplica(serverId: string, chunkId: number): void {
    this.clearCorrupt(serverId, chunkId);
    const holders = this.byChunk.get(chunkId);
    if (holders !== undefined) {
      holders.delete(serverId);
      if (holders.size === 0) this.byChunk.delete(chunkId);
    }
    this.byServer.get(serverId)?.delete(chunkId);
  }

  /** Forgets a server and everything it held (it left, or its registration is being replaced). */
  removeServer(serverId: string): void {
    const chunks = this.byServer.get(serverId);
    if (chunks !== undefined) {
      for (const chunkId of chunks) {
        this.clearCorrupt(serverId, chunkId);
        const holders = this.byChunk.get(chunkId);
        holders?.delete(serverId);
        if (holders !== undefined && holders.size === 0) this.byChunk.delete(chunkId);
      }
    }
    this.byServer.delete(serverId);
    this.alive.delete(serverId);
  }

  /** Liveness from the heartbeat timeout: a dead server's replicas stop counting but are remembered. */
  setAlive(serverId: string, alive: boolean): void {
    if (alive) this.alive.add(serverId);
    else this.alive.delete(serverId);
  }

  isAlive(serverId: string): boolean {
    return this.alive.has(serverId);
  }

  /**
   * A chunkserver found the replica corrupt: it stops counting as a holder (no reads, no chain, no copy source) but
   * stays known, so it is deleted only once good copies elsewhere reach the goal. Ignored (false) when the map has
   * that server at another version: the report is about a copy that is gone.
   */
  markCorrupt(serverId: string, chunkId: number, version: number): boolean {
    if (this.byChunk.get(chunkId)?.get(serverId) !== version) return false;
    let bad = this.corrupt.get(chunkId);
    if (bad === undefined) {
      bad = new Set();
      this.corrupt.set(chunkId, bad);
    }
    bad.add(serverId);
    return true;
  }

  isCorrupt(serverId: string, chunkId: number): boolean {
    return this.corrupt.get(chunkId)?.has(serverId) === true;
  }

  private clearCorrupt(serverId: string, chunkId: number): void {
    const bad = this.corrupt.get(chunkId);
    if (bad === undefined) return;
    bad.delete(serverId);
    if (bad.size === 0) this.corrupt.delete(chunkId);
  }

  /** How many servers holders() would name, without making the list (the repair scans judge every chunk by it). */
  countHolders(chunkId: number, version: number): number {
    const replicas = this.byChunk.get(chunkId);
    if (replicas === undefined) return 0;
    let n = 0;
    for (const [server, v] of replicas) if (v === version && this.alive.has(server) && !this.isCorrupt(server, chunkId)) n++;
    return n;
  }

  /** Where a chunk stands against its goal by its live good copies at `version`. */
  standing(chunkId: number, version: number, goal: number): GoalStanding {
    const n = this.countHolders(chunkId, version);
    return n === 0 ? 'missing' : n < goal ? 'underGoal' : n > goal ? 'overGoal' : 'ok';
  }

  /** Live servers holding exactly `version` of the chunk and not reported corrupt, in the order they reported it. */
  holders(chunkId: number, version: number): string[] {
    const out: string[] = [];
    for (const [server, v] of this.byChunk.get(chunkId) ?? [])
      if (v === version && this.alive.has(server) && !this.isCorrupt(server, chunkId)) out.push(server);
    return out;
  }

  /** Every known replica of a chunk, any version, live or not, corrupt or not. */
  replicas(chunkId: number): KnownReplica[] {
    return [...(this.byChunk.get(chunkId) ?? [])].map(([serverId, version]) => ({
      serverId,
      version,
      alive: this.alive.has(serverId),
      corrupt: this.isCorrupt(serverId, chunkId),
    }));
  }

  /** The version the map has for a server's replica of a chunk, or undefined. */
  versionOn(serverId: string, chunkId: number): number | undefined {
    return this.byChunk.get(chunkId)?.get(serverId);
  }

  /** Chunk ids a server reported. */
  chunksOf(serverId: string): number[] {
    return [...(this.byServer.get(serverId) ?? [])];
  }

  /**
   * Replicas that may be deleted: every replica of a chunk the catalog does not know, and, of a known chunk, every
   * replica that is not a good current copy (another version, ahead or behind, or corrupt) — but only while at least
   * `goal` good live copies at the current version exist. Fewer than that, and nothing of the chunk is deleted:
   * those other copies may be all that is left (see promotionFor).
   */
  surplusReplicas(catalog: ChunkCatalog, limit: number): StaleReplica[] {
    const out: StaleReplica[] = [];
    const chunks = catalog.chunks();
    for (const [chunkId, replicas] of this.byChunk) {
      if (out.length >= limit) break;
      this.surplusOf(chunkId, replicas, chunks.get(chunkId), out);
    }
    return out.slice(0, limit);
  }

  /** Every chunk's replicas (server id → version), live: what a sweep walks for surplusOf. */
  replicaEntries(): IterableIterator<[number, ReadonlyMap<string, number>]> {
    return this.byChunk.entries();
  }

  /** Appends to `out` the replicas of one chunk that may go (see surplusReplicas); `info` is its catalog entry. */
  surplusOf(chunkId: number, replicas: ReadonlyMap<string, number>, info: CatalogChunk | undefined, out: StaleReplica[]): void {
    if (info !== undefined && this.countHolders(chunkId, info.version) < info.goal) return;
    for (const [serverId, version] of replicas)
      if (info === undefined || version !== info.version || this.isCorrupt(serverId, chunkId)) out.push({ serverId, chunkId, version });
  }

  /**
   * The version to make current for a chunk no live good replica has the current `version` of, or null (nothing to
   * do, or wait). Replicas ahead of the catalog (a grant or cut whose commit never happened: the same bytes, or the
   * same bytes cut) are promoted at once, the highest first. Replicas behind it are the last good copies only when no
   * replica at or above the current version is known anywhere, dead servers and corrupt copies included (one may
   * come back with it; a corrupt one still has every other block's newest bytes); then the highest at or above
   * `base` (never one from before a cut or an earlier promotion).
   */
  promotionFor(chunkId: number, version: number, base: number): number | null {
    let ahead = -1;
    let behind = -1;
    let currentKnown = false;
    for (const r of this.replicas(chunkId)) {
      // A corrupt copy at or above the version still holds the newest writes of every block but the bad ones: no
      // older copy may replace it. It is never promoted itself either.
      if (r.version >= version) currentKnown = true;
      if (r.corrupt) continue;
      if (r.version === version && r.alive) return null;
      if (!r.alive) continue;
      if (r.version > version) ahead = Math.max(ahead, r.version);
      else if (r.version < version && r.version >= base) behind = Math.max(behind, r.version);
    }
    if (ahead > 0) return ahead;
    if (!currentKnown && behind > 0) return behind;
    return null;
  }

  /**
   * One scan over the catalog: chunks below, above or without their goal of live current replicas. Chunks for which
   * `settling` is true are left out (of the lists and the counts): their replicas are being moved to a new version
   * one by one, so the map has some at the catalog's version and some at the next, and judging them now would see a
   * chunk under its goal, or with no current replica at all, that is neither.
   */
  classify(catalog: ChunkCatalog, limitPerKind: number, settling: (chunkId: number) => boolean = () => false): ChunkClassification {
    const result: ChunkClassification = { underGoal: [], overGoal: [], missing: [], counts: { underGoal: 0, overGoal: 0, missing: 0 } };
    for (const [chunkId, { version, goal }] of catalog.chunks()) {
      if (settling(chunkId)) continue;
      const standing = this.standing(chunkId, version, goal);
      if (standing !== 'ok' && result.counts[standing]++ < limitPerKind) result[standing].push(this.health(chunkId, version, goal));
    }
    return result;
  }

  /** A chunk's ChunkHealth as the map has it now. */
  health(chunkId: number, version: number, goal: number): ChunkHealth {
    return { chunkId, version, goal, holders: this.holders(chunkId, version) };
  }

  /** Servers known (alive or not). */
  servers(): string[] {
    return [...this.byServer.keys()];
  }

  /** Chunks with at least one known replica. */
  get chunkCount(): number {
    return this.byChunk.size;
  }
}
