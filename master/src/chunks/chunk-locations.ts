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

/** A replica that must go: its version is not the current one, or the chunk no longer exists. */
export interface StaleReplica {
  serverId: string;
  chunkId: number;
  version: number;
}

/** The replicated facts the classification compares against: chunk id → (version, goal). */
export interface ChunkCatalog {
  forEachChunk(visit: (chunkId: number, version: number, goal: number) => void): void;
  chunkInfo(chunkId: number): { version: number; goal: number } | undefined;
}

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

  /** A (re-)registration: the server's full replica list replaces whatever was known about it; it is alive. */
  register(serverId: string, replicas: readonly ReplicaReport[]): void {
    this.removeServer(serverId);
    this.alive.add(serverId);
    for (const r of replicas) this.addReplica(serverId, r.chunkId, r.version);
  }

  /** A replica created or version-moved (after a write, copy or truncate). */
  addReplica(serverId: string, chunkId: number, version: number): void {
    let holders = this.byChunk.get(chunkId);
    if (holders === undefined) {
      holders = new Map();
      this.byChunk.set(chunkId, holders);
    }
    holders.set(serverId, version);
    let chunks = this.byServer.get(serverId);
    if (chunks === undefined) {
      chunks = new Set();
      this.byServer.set(serverId, chunks);
    }
    chunks.add(chunkId);
  }

  /** A replica deleted or lost (CRC failure, disk gone). */
  removeReplica(serverId: string, chunkId: number): void {
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

  /** Live servers holding exactly `version` of the chunk, in the order they reported it. */
  holders(chunkId: number, version: number): string[] {
    const out: string[] = [];
    for (const [server, v] of this.byChunk.get(chunkId) ?? []) if (v === version && this.alive.has(server)) out.push(server);
    return out;
  }

  /** Every known replica of a chunk, any version, live or not. */
  replicas(chunkId: number): Array<{ serverId: string; version: number; alive: boolean }> {
    return [...(this.byChunk.get(chunkId) ?? [])].map(([serverId, version]) => ({ serverId, version, alive: this.alive.has(serverId) }));
  }

  /** Chunk ids a server reported. */
  chunksOf(serverId: string): number[] {
    return [...(this.byServer.get(serverId) ?? [])];
  }

  /** Replicas to delete: versions other than the current one, and chunks the catalog does not know. */
  staleReplicas(catalog: ChunkCatalog, limit: number): StaleReplica[] {
    const out: StaleReplica[] = [];
    for (const [chunkId, holders] of this.byChunk) {
      const info = catalog.chunkInfo(chunkId);
      for (const [serverId, version] of holders) {
        if (out.length >= limit) return out;
        if (info === undefined || version !== info.version) out.push({ serverId, chunkId, version });
      }
    }
    return out;
  }

  /** One scan over the catalog: chunks below, above or without their goal of live current replicas. */
  classify(catalog: ChunkCatalog, limitPerKind: number): ChunkClassification {
    const result: ChunkClassification = { underGoal: [], overGoal: [], missing: [], counts: { underGoal: 0, overGoal: 0, missing: 0 } };
    const { counts } = result;
    catalog.forEachChunk((chunkId, version, goal) => {
      const holders = this.holders(chunkId, version);
      const health = (): ChunkHealth => ({ chunkId, version, goal, holders });
      if (holders.length === 0) {
        if (counts.missing++ < limitPerKind) result.missing.push(health());
      } else if (holders.length < goal) {
        if (counts.underGoal++ < limitPerKind) result.underGoal.push(health());
      } else if (holders.length > goal) {
        if (counts.overGoal++ < limitPerKind) result.overGoal.push(health());
      }
    });
    return result;
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
