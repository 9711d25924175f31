// The replicated chunk map: chunk id → version, goal, reference count; plus the queues of chunkserver work it implies.
import { assert, ErrorCodes, MoosengError } from '@mooseng/core';

/**
 * One chunk as every master agrees on it. Replica locations are soft state (ChunkLocations), not here.
 *
 * Versions (docs/chunk-lifecycle.md): the leader moves replicas to a new version first and records it here only once
 * they confirmed, so `version` is always one some replica had when it was recorded. A version number handed to
 * chunkservers is never handed out again for another change: `top` is the highest number reserved (a reservation is
 * a committed command, or the version after the proposer's last change), and a change must use exactly `top`.
 */
export class ChunkRecord {
  constructor(
    /** The version current replicas have: reads go only to them, and commits are checked against it. */
    public version: number,
    /** Replicas wanted: the max goal of the files that reference the chunk. */
    public goal: number,
    /** Files (slots) referencing the chunk: 1 today; more once snapshots share chunks. */
    public refs: number,
    /**
     * The lowest version whose writes the current replicas still hold: the version of the last change that could
     * lose bytes (a cut, a promotion). A commit of a write made under an older version is refused.
     */
    public base: number = version,
    /** The highest version number reserved so far (see above); never below `version`. */
    public top: number = version,
  ) {}
}

/** A boundary chunk a truncate left longer than its file: chunkservers must cut it to `length` bytes. */
export interface PendingTruncation {
  chunkId: number;
  length: number;
}

/** A freed chunk that chunkservers must delete (every version up to `version`). */
export interface PendingDeletion {
  chunkId: number;
  version: number;
}

/** The version changes a leader proposes after the replicas confirmed them (see NamespaceStateMachine). */
export type VersionChange =
  /** A write grant on an existing chunk: the live replicas moved; nothing is lost. */
  | 'grant'
  /** A replica failed a write mid-chain: the replicas that took it moved, the others are left behind. */
  | 'exclude'
  /** The replicas moved so a repair copy could be made where no grant writes: nothing is lost. */
  | 'move'
  /** A pending truncation was carried out: the moved replicas are cut. */
  | 'cut';

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

  /** The legacy allocation (op 16): the next id, at version 1, before any replica has it. */
  allocate(goal: number): number {
    const id = this.nextChunkId++;
    this.chunks.set(id, new ChunkRecord(1, goal, 1, 1, 2));
    return id;
  }

  /**
   * Reserves `count` chunk ids for the proposer (a leader creates each new chunk on chunkservers under a reserved id
   * before the catalog records it); returns the first. An id is handed out once: an attempt that fails burns it, and
   * whatever it created on chunkservers is a replica of a chunk the catalog never knows (deleted as such).
   */
  reserveIds(count: number): number {
    const first = this.nextChunkId;
    this.nextChunkId += count;
    return first;
  }

  /**
   * Records a new chunk under a reserved id (`id` below nextChunkId, never recorded before) at `version` (1, or
   * higher when some create went unconfirmed and the others moved on), the next version reserved for the proposer. CHUNK_STALE_VERSION, changing nothing, for an id that was
   * not reserved or is taken.
   */
  recordNew(id: number, goal: number, version = 1): void {
    if (!this.isReservedUnused(id)) {
      throw new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, `chunk id ${id} is not a reserved, unused id`, { details: { chunkId: id } });
    }
    this.chunks.set(id, new ChunkRecord(version, goal, 1, version, version + 1));
  }

  /** True for an id that was reserved (below nextChunkId) and that no chunk has had. */
  isReservedUnused(id: number): boolean {
    return Number.isSafeInteger(id) && id > 0 && id < this.nextChunkId && !this.chunks.has(id) && !this.deletions.has(id);
  }

  /**
   * The legacy bump (openChunkForWrite, op 16, kept for logs written before versions were reserved): the next
   * version, recorded before any replica has it. The reservation moves past it, so no reserved number is reused.
   */
  bumpVersion(chunkId: number): number {
    const rec = this.mustGet(chunkId);
    rec.version += 1;
    rec.top = Math.max(rec.top, rec.version) + 1;
    return rec.version;
  }

  /** Reserves the next version number for a change the proposer is about to make on chunkservers. */
  reserveVersion(chunkId: number): number {
    const rec = this.getOrFail(chunkId);
    rec.top += 1;
    return rec.top;
  }

  /**
   * Records a change whose replicas confirmed `version`: the catalog had `from`, `version` is the reserved number.
   * The next number is reserved for the same proposer (its next change needs no reservation of its own). Throws
   * CHUNK_STALE_VERSION, changing nothing, when the chunk moved on meanwhile or the number was not the reserved one.
   */
  recordChange(chunkId: number, kind: VersionChange, from: number, version: number): ChunkRecord {
    const rec = this.getOrFail(chunkId);
    if (rec.version !== from)
      throw new MoosengError(
        ErrorCodes.CHUNK_STALE_VERSION,
        `chunk ${chunkId} is at version ${rec.version}, not ${from}: it changed meanwhile`,
        { details: { chunkId, version: rec.version } },
      );
    if (version !== rec.top || version <= from) {
      throw new MoosengError(
        ErrorCodes.CHUNK_STALE_VERSION,
        `version ${version} of chunk ${chunkId} is not the reserved one (${rec.top})`,
        { details: { chunkId, version: rec.version } },
      );
    }
    if (kind === 'cut' && !this.truncations.has(chunkId)) {
      throw new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, `chunk ${chunkId} has no pending cut`, {
        details: { chunkId, version: rec.version },
      });
    }
    rec.version = version;
    rec.top = version + 1;
    if (kind === 'cut') rec.base = version;
    return rec;
  }

  /**
   * Makes `version`, a version surviving replicas have, the current one (no replica has the current version any
   * more). Never below `base`: an older replica may hold bytes a cut removed. The new version becomes the base
   * (writes made under other versions are not known to be in it), and the reservation moves past it.
   */
  promote(chunkId: number, from: number, version: number): ChunkRecord {
    const rec = this.getOrFail(chunkId);
    if (rec.version !== from)
      throw new MoosengError(
        ErrorCodes.CHUNK_STALE_VERSION,
        `chunk ${chunkId} is at version ${rec.version}, not ${from}: it changed meanwhile`,
        { details: { chunkId, version: rec.version } },
      );
    if (version === from) throw new MoosengError(ErrorCodes.EINVAL, `chunk ${chunkId} is already at version ${version}`);
    if (version < rec.base)
      throw new MoosengError(
        ErrorCodes.EINVAL,
        `version ${version} of chunk ${chunkId} is older than its base ${rec.base} (a cut or promotion since): it may hold removed bytes`,
      );
    rec.version = version;
    rec.base = version;
    rec.top = Math.max(rec.top, version) + 1;
    return rec;
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

  /**
   * Queues a cut of the chunk to `length` bytes; its version changes only when the leader has carried the cut out on
   * replicas (recordChange 'cut'). A cut already pending keeps the shorter length: bytes between the two lengths were
   * removed by the first truncate and must read as zeros whatever the second one says.
   */
  markTruncation(chunkId: number, length: number): void {
    this.mustGet(chunkId);
    const pending = this.truncations.get(chunkId);
    this.truncations.set(chunkId, { chunkId, length: pending === undefined ? length : Math.min(pending.length, length) });
  }

  /** Takes a pending truncation off the queue (the legacy grant hands it to the write chain), returning its length or -1. */
  takeTruncation(chunkId: number): number {
    const t = this.truncations.get(chunkId);
    if (t === undefined) return -1;
    this.truncations.delete(chunkId);
    return t.length;
  }

  /** Takes a carried-out cut of `length` bytes off the queue, unless a later truncate asked for a shorter one. */
  cutDone(chunkId: number, length: number): void {
    if (this.truncations.get(chunkId)?.length === length) this.truncations.delete(chunkId);
  }

  /** Chunkservers deleted these chunks: forget them. */
  deletionsDone(chunkIds: readonly number[]): number {
    let n = 0;
    for (const id of chunkIds) if (this.deletions.delete(id)) n++;
    return n;
  }

  /**
   * The legacy report of cuts (chunkOpsDone's pairs chunkId, version, from logs written when a truncate bumped the
   * version at once): forgets each pending cut whose chunk is still at that version.
   */
  truncationsDone(pairs: readonly number[]): number {
    let n = 0;
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      if (this.truncations.has(pairs[i]) && this.chunks.get(pairs[i])?.version === pairs[i + 1]) {
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

  /** The record of a chunk a command names (it may have been freed since the leader looked): CHUNK_NOT_FOUND if gone. */
  private getOrFail(chunkId: number): ChunkRecord {
    const rec = this.chunks.get(chunkId);
    if (rec === undefined)
      throw new MoosengError(ErrorCodes.CHUNK_NOT_FOUND, `chunk ${chunkId} is not in the chunk map (freed meanwhile?)`, {
        details: { chunkId },
      });
    return rec;
  }

  private mustGet(chunkId: number): ChunkRecord {
    const rec = this.chunks.get(chunkId);
    assert(rec !== undefined, `chunk ${chunkId} referenced by a file is missing from the chunk table`);
    return rec;
  }
}
