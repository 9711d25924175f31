// The replicated chunk map: chunk id → version, goal, reference count; plus the queues of chunkserver work it implies.
import { assert } from '@mooseng/core';

/** One chunk as every master agrees on it. Replica locations are soft state (ChunkLocations), not here. */
export class ChunkRecord {
  constructor(
    /** The version current replicas must have; older ones are stale. */
    public version: number,
    /** Replicas wanted: the max goal of the files that reference the chunk. */
    public goal: number,
    /** Files (slots) referencing the chunk: 1 today; more once snapshots share chunks. */
    public refs: number,
  ) {}
}

/** A boundary chunk cut by a truncate: chunkservers must cut it to `length` bytes and move it to `version`. */
export interface PendingTruncation {
  chunkId: number;
  version: number;
  length: number;
}

/** A freed chunk that chunkservers must delete (every version up to `version`). */
export interface PendingDeletion {
  chunkId: number;
  version: number;
}

/**
 * Chunk ids come from `nextChunkId`, a counter inside the state, so every master allocates the same ids. The
 * deletion and truncation queues are replicated too: a new leader carries on where the old one stopped. The leader
 * drains them by sending chunkserver commands and then proposing `chunkOpsDone`.
 */
export class ChunkTable {
  readonly chunks = new Map<number, ChunkRecord>();
  readonly deletions = new Map<number, number>();
  readonly truncations = new Map<number, PendingTruncation>();
  nextChunkId = 1;

  get size(): number {
    return this.chunks.size;
  }

  get(chunkId: number): ChunkRecord | undefined {
    return this.chunks.get(chunkId);
  }

  /** A new chunk at version 1 with one reference. */
  allocate(goal: number): number {
    const id = this.nextChunkId++;
    this.chunks.set(id, new ChunkRecord(1, goal, 1));
    return id;
  }

  /** Moves the chunk to a new version so replicas that miss the coming change are recognisably stale. */
  bumpVersion(chunkId: number): number {
    const rec = this.mustGet(chunkId);
    rec.version += 1;
    return rec.version;
  }

  /** Drops one reference; a chunk nobody references goes to the deletion queue. */
  release(chunkId: number): void {
    const rec = this.mustGet(chunkId);
    rec.refs -= 1;
    if (rec.refs > 0) return;
    this.chunks.delete(chunkId);
    this.truncations.delete(chunkId);
    this.deletions.set(chunkId, rec.version);
  }

  /** Raises or lowers the goal (a chunk with one reference takes its file's goal). */
  setGoal(chunkId: number, goal: number): void {
    const rec = this.mustGet(chunkId);
    // With shared chunks (refs > 1) lowering would need the other files' goals; keep the max until snapshots land.
    rec.goal = rec.refs > 1 ? Math.max(rec.goal, goal) : goal;
  }

  /** Queues a cut of the chunk to `length` bytes under a new version. */
  markTruncation(chunkId: number, length: number): number {
    const version = this.bumpVersion(chunkId);
    this.truncations.set(chunkId, { chunkId, version, length });
    return version;
  }

  /** Takes a pending truncation off the queue (a write chain will perform it), returning its length or -1. */
  takeTruncation(chunkId: number): number {
    const t = this.truncations.get(chunkId);
    if (t === undefined) return -1;
    this.truncations.delete(chunkId);
    return t.length;
  }

  /** Chunkservers deleted these chunks: forget them. */
  deletionsDone(chunkIds: readonly number[]): number {
    let n = 0;
    for (const id of chunkIds) if (this.deletions.delete(id)) n++;
    return n;
  }

  /** Chunkservers cut these chunks (pairs chunkId, version): forget each whose version still matches. */
  truncationsDone(pairs: readonly number[]): number {
    let n = 0;
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const t = this.truncations.get(pairs[i]);
      if (t !== undefined && t.version === pairs[i + 1]) {
        this.truncations.delete(pairs[i]);
        n++;
      }
    }
    return n;
  }

  /** Up to `limit` queued deletions, oldest first. */
  pendingDeletions(limit: number): PendingDeletion[] {
    const out: PendingDeletion[] = [];
    for (const [chunkId, version] of this.deletions) {
      if (out.length >= limit) break;
      out.push({ chunkId, version });
    }
    return out;
  }

  /** Up to `limit` queued truncations, oldest first. */
  pendingTruncations(limit: number): PendingTruncation[] {
    const out: PendingTruncation[] = [];
    for (const t of this.truncations.values()) {
      if (out.length >= limit) break;
      out.push({ ...t });
    }
    return out;
  }

  /** Empties the table (before a restore). */
  clear(): void {
    this.chunks.clear();
    this.deletions.clear();
    this.truncations.clear();
    this.nextChunkId = 1;
  }

  private mustGet(chunkId: number): ChunkRecord {
    const rec = this.chunks.get(chunkId);
    assert(rec !== undefined, `chunk ${chunkId} referenced by a file is missing from the chunk table`);
    return rec;
  }
}
