// FileIo: a file's bytes through its chunks. Asks the master where each chunk is (or for a write grant), then moves
// the bytes straight to and from chunkservers over the data plane; a failed replica is reported and skipped.
import { CHUNK_SIZE_BYTES, type DataPlaneClient, ErrorCodes, type ILogger, isMoosengError, MoosengError, replyAttr } from '@mooseng/core';
import type { CallerCredentials, MasterClient } from './master-client';
import type { WireAttr, WireReadChunk, WireWriteChunk } from './wire-types';
import { uncountedCache, type CountCacheLookup } from './cache-stats';

/** Attempts at writing one chunk range before the write fails (each with a fresh grant from the master). */
export const CHUNK_WRITE_ATTEMPTS = 3;
/** How long chunk locations are reused without asking the master (close-to-open: open() drops them anyway). */
export const LOCATION_CACHE_MS = 5_000;
/** Files whose chunk locations are remembered at once. */
export const LOCATION_CACHE_FILES = 4_096;

/** Replica errors after which another replica is tried (and the master told). */
const REPLICA_ERRORS = new Set<string>([
  ErrorCodes.CHUNK_CORRUPT,
  ErrorCodes.CHUNK_NOT_FOUND,
  ErrorCodes.CHUNK_STALE_VERSION,
  ErrorCodes.UNAVAILABLE,
  ErrorCodes.TIMEOUT,
  ErrorCodes.IO_ERROR,
  ErrorCodes.DISK_UNUSABLE,
  ErrorCodes.PROTOCOL_ERROR,
]);

/** How long a read waits for a chunk with no known live replica (a new leader relearns locations within a heartbeat). */
export const NO_REPLICA_WAIT_MS = 5_000;
/** Pause between asks while waiting. */
export const NO_REPLICA_RETRY_MS = 250;

/** Uncommitted writes older than this are committed at the next write, so other clients see a growing file. */
export const COMMIT_INTERVAL_MS = 1_000;

/** How long a write grant is reused without asking the master again. */
export const WRITE_GRANT_REUSE_MS = 30_000;

/**
 * Reusing a write grant is safe: if another client was granted the chunk since, the chunkservers have moved to a
 * newer version and refuse ours (CHUNK_STALE_VERSION), and we ask for a new grant.
 */
interface HeldGrant {
  chunkId: number;
  version: number;
  chain: WireWriteChunk['chain'];
  expires: number;
}

export class FileIo {
  /** ino → chunk index → a write grant this client may keep using. */
  private readonly grants = new Map<number, Map<number, HeldGrant>>();
  /**
   * ino → chunk index → the chunk written and how far, not yet committed to the master. Length and mtime reach the
   * master on commit() (close, fsync, truncate); until then this client answers for them (localEnd).
   */
  private readonly uncommitted = new Map<number, Map<number, { chunkId: number; end: number }>>();
  /** ino → when its oldest uncommitted write happened. */
  private readonly uncommittedSince = new Map<number, number>();
  /** ino → chunk index → the chunk version and chain written since the last sync (what fsync must make durable). */
  private readonly unsynced = new Map<number, Map<number, HeldGrant>>();
  /** ino → chunk index → locations; the outer map is in age order, for eviction. */
  private readonly locations = new Map<number, Map<number, { grant: WireReadChunk; expires: number }>>();

  constructor(
    private readonly master: MasterClient,
    private readonly data: DataPlaneClient,
    private readonly logger: ILogger,
    private readonly countCache: CountCacheLookup = uncountedCache,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** True when the inode's writes have waited for a commit longer than COMMIT_INTERVAL_MS. */
  commitDue(ino: number): boolean {
    const since = this.uncommittedSince.get(ino);
    return since !== undefined && this.now() - since > COMMIT_INTERVAL_MS;
  }

  /** Where this client's uncommitted writes end (0 when there are none): the file is at least this long. */
  localEnd(ino: number): number {
    let end = 0;
    for (const c of this.uncommitted.get(ino)?.values() ?? []) end = Math.max(end, c.end);
    return end;
  }

  /**
   * Commits the length (and mtime) of everything written to the master: one CommitWrite per chunk written since the
   * last commit. Returns the file's attributes after the last one, or null when there was nothing to commit.
   */
  async commit(ino: number, cred: CallerCredentials, signal?: AbortSignal): Promise<WireAttr | null> {
    const chunks = this.uncommitted.get(ino);
    if (!chunks) return null;
    let attr: WireAttr | null = null;
    for (const [index, c] of [...chunks]) {
      try {
        attr = replyAttr(await this.master.call('CommitWrite', { ino, chunkIndex: index, chunkId: c.chunkId, length: c.end }, cred, { signal }), 'CommitWrite');
      } catch (err) {
        // The chunk is no longer the file's (cut by a truncate meanwhile): nothing of it to commit.
        if (!isMoosengError(err) || err.code !== ErrorCodes.CHUNK_STALE_VERSION) throw err;
      }
      chunks.delete(index);
    }
    if (chunks.size === 0) {
      this.uncommitted.delete(ino);
      this.uncommittedSince.delete(ino);
    }
    // Cached locations carry the file length from before the commit.
    this.invalidate(ino);
    return attr;
  }

  /** Forgets cached chunk locations of an inode (on open, truncate and after this client's writes). */
  invalidate(ino: number): void {
    this.locations.delete(ino);
  }

  /**
   * fsync: asks every replica of every chunk this client wrote since the last sync to make it durable (the
   * chunkservers' FLUSH, which fsyncs under their "on-close" policy), along each chunk's chain.
   */
  async sync(ino: number, signal?: AbortSignal): Promise<void> {
    const chunks = this.unsynced.get(ino);
    if (!chunks) return;
    this.unsynced.delete(ino);
    await Promise.all(
      [...chunks.values()].map((g) => {
        const [head, ...rest] = g.chain.map((c) => c.address);
        return this.data.flush(head!, { chunkId: g.chunkId, version: g.version }, { chain: rest, signal });
      }),
    );
  }

  /** Gives up the write grants held for an inode (the file was closed or cut). */
  releaseGrants(ino: number): void {
    this.grants.delete(ino);
  }

  /** Where a chunk is, from the cache while fresh, else from the master. */
  private async locate(ino: number, index: number, cred: CallerCredentials, signal?: AbortSignal, fresh = false): Promise<WireReadChunk> {
    const hit = this.locations.get(ino)?.get(index);
    const usable = !fresh && hit !== undefined && hit.expires > this.now();
    this.countCache('location', usable);
    if (usable) return hit.grant;
    const grant = await this.master.call('ReadChunk', { ino, chunkIndex: index }, cred, { signal });
    let chunks = this.locations.get(ino);
    if (!chunks) {
      if (this.locations.size >= LOCATION_CACHE_FILES) this.locations.delete(this.locations.keys().next().value!);
      chunks = new Map();
      this.locations.set(ino, chunks);
    }
    chunks.set(index, { grant, expires: this.now() + LOCATION_CACHE_MS });
    return grant;
  }

  /** Reads up to `length` bytes at `offset`; short only at the end of the file. Holes read as zeros. */
  async read(ino: number, offset: number, length: number, cred: CallerCredentials, signal?: AbortSignal): Promise<Buffer> {
    const parts: Buffer[] = [];
    let pos = offset;
    let end = offset + length;
    while (pos < end) {
      const index = Math.floor(pos / CHUNK_SIZE_BYTES);
      let grant = await this.locate(ino, index, cred, signal);
      // The file is as long as the master says, or as this client's uncommitted writes make it.
      end = Math.min(end, Math.max(grant.fileLength, this.localEnd(ino)));
      if (pos >= end) break;
      const inChunk = pos - index * CHUNK_SIZE_BYTES;
      const n = Math.min(end - pos, CHUNK_SIZE_BYTES - inChunk);
      let part: Buffer;
      try {
        part = grant.chunkId === 0 ? Buffer.alloc(n) : await this.readReplica(grant, inChunk, n, cred, signal);
      } catch (err) {
        // The cached locations may be out of date (a replica moved, the version changed, a new leader is still
        // relearning where chunks are): ask again for a few seconds before giving up.
        if (!isMoosengError(err) || err.code !== ErrorCodes.IO_ERROR) throw err;
        const giveUpAt = this.now() + NO_REPLICA_WAIT_MS;
        for (;;) {
          grant = await this.locate(ino, index, cred, signal, true);
          try {
            part = grant.chunkId === 0 ? Buffer.alloc(n) : await this.readReplica(grant, inChunk, n, cred, signal);
            break;
          } catch (again) {
            if (!isMoosengError(again) || again.code !== ErrorCodes.IO_ERROR || this.now() > giveUpAt) throw again;
            await new Promise((r) => setTimeout(r, NO_REPLICA_RETRY_MS));
          }
        }
      }
      parts.push(part);
      pos += n;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Writes `data` at `offset` through each chunk's replication chain; the new length is committed by commit(). */
  async write(ino: number, offset: number, data: Buffer, cred: CallerCredentials, signal?: AbortSignal): Promise<void> {
    this.invalidate(ino);
    let pos = 0;
    while (pos < data.length) {
      const fileOffset = offset + pos;
      const index = Math.floor(fileOffset / CHUNK_SIZE_BYTES);
      const inChunk = fileOffset - index * CHUNK_SIZE_BYTES;
      const n = Math.min(data.length - pos, CHUNK_SIZE_BYTES - inChunk);
      await this.writeChunkRange(ino, index, inChunk, data.subarray(pos, pos + n), cred, signal);
      pos += n;
    }
  }

  private async writeChunkRange(ino: number, index: number, inChunk: number, slice: Buffer, cred: CallerCredentials, signal?: AbortSignal): Promise<void> {
    let lastError: MoosengError | null = null;
    for (let attempt = 1; attempt <= CHUNK_WRITE_ATTEMPTS; attempt++) {
      const grant = await this.grantFor(ino, index, cred, signal);
      const [head, ...rest] = grant.chain.map((c) => c.address);
      const ref = { chunkId: grant.chunkId, version: grant.version };
      try {
        await this.data.write(head!, ref, inChunk, slice, { chain: rest, signal });
        let pending = this.unsynced.get(ino);
        if (!pending) this.unsynced.set(ino, (pending = new Map()));
        pending.set(index, grant);
      } catch (err) {
        if (!isMoosengError(err)) throw err;
        if (err.code === ErrorCodes.REPLICA_FAILED) {
          // The head has the data; a downstream replica does not. The write stands (the chunk is under goal), the
          // master re-replicates once told, and the next write asks for a fresh chain.
          const failed = String(err.details.failedReplica ?? '');
          const server = grant.chain.find((c) => c.address === failed)?.serverId ?? failed;
          this.report(grant.chunkId, server, err.code, cred);
          this.grants.get(ino)?.delete(index);
        } else if (REPLICA_ERRORS.has(err.code)) {
          this.grants.get(ino)?.delete(index);
          // A stale version only means another writer took the chunk since our grant: not the replica's fault.
          if (err.code !== ErrorCodes.CHUNK_STALE_VERSION) this.report(grant.chunkId, grant.chain[0]!.serverId, err.code, cred);
          lastError = err;
          this.logger.debug('chunk write failed; retrying with a new grant', { ino, index, attempt, code: err.code });
          continue;
        } else {
          throw err;
        }
      }
      // The end of this write, for the next commit (the master keeps the larger of it and the file's length).
      const end = index * CHUNK_SIZE_BYTES + inChunk + slice.length;
      let chunks = this.uncommitted.get(ino);
      if (!chunks) {
        this.uncommitted.set(ino, (chunks = new Map()));
        this.uncommittedSince.set(ino, this.now());
      }
      const prior = chunks.get(index);
      chunks.set(index, { chunkId: grant.chunkId, end: prior && prior.chunkId === grant.chunkId ? Math.max(prior.end, end) : end });
      return;
    }
    throw new MoosengError(ErrorCodes.IO_ERROR, `writing chunk ${index} of inode ${ino} failed ${CHUNK_WRITE_ATTEMPTS} times: ${lastError?.message}`, { cause: lastError });
  }

  /** A write grant for the chunk: the one held while fresh, else a new one from the master (creating or cutting the chunk as it says). */
  private async grantFor(ino: number, index: number, cred: CallerCredentials, signal?: AbortSignal): Promise<HeldGrant> {
    const held = this.grants.get(ino)?.get(index);
    if (held && held.expires > this.now()) return held;
    const grant = await this.master.call('WriteChunk', { ino, chunkIndex: index }, cred, { signal });
    if (grant.chain.length === 0) throw new MoosengError(ErrorCodes.NO_CHUNKSERVERS, `no chunkserver can take chunk ${index} of inode ${ino}; start more chunkservers`);
    const [head, ...rest] = grant.chain.map((c) => c.address);
    const ref = { chunkId: grant.chunkId, version: grant.version };
    if (grant.isNew) await this.data.create(head!, ref, { chain: rest, signal });
    if (grant.truncateTo >= 0) await Promise.all(grant.chain.map((c) => this.data.truncate(c.address, ref, grant.truncateTo, { signal })));
    const fresh: HeldGrant = { chunkId: grant.chunkId, version: grant.version, chain: grant.chain, expires: this.now() + WRITE_GRANT_REUSE_MS };
    let chunks = this.grants.get(ino);
    if (!chunks) this.grants.set(ino, (chunks = new Map()));
    chunks.set(index, fresh);
    return fresh;
  }

  private async readReplica(grant: WireReadChunk, offset: number, length: number, cred: CallerCredentials, signal?: AbortSignal): Promise<Buffer> {
    if (grant.locations.length === 0) {
      throw new MoosengError(ErrorCodes.IO_ERROR, `chunk ${grant.chunkId} has no live replica; the data returns when a chunkserver holding it does`);
    }
    let lastError: unknown;
    for (const loc of grant.locations) {
      try {
        const got = await this.data.read(loc.address, { chunkId: grant.chunkId, version: grant.version }, offset, length, { signal });
        // The chunk may be shorter than the file's view of it (a hole at its end): the rest reads as zeros.
        if (got.length === length) return got;
        const padded = Buffer.alloc(length);
        got.copy(padded);
        return padded;
      } catch (err) {
        if (!isMoosengError(err) || !REPLICA_ERRORS.has(err.code)) throw err;
        lastError = err;
        this.report(grant.chunkId, loc.serverId, err.code, cred);
        this.logger.warn('replica read failed; trying the next replica', { chunkId: grant.chunkId, server: loc.serverId, code: err.code });
      }
    }
    throw new MoosengError(ErrorCodes.IO_ERROR, `every replica of chunk ${grant.chunkId} failed: ${(lastError as Error).message}`, { cause: lastError });
  }

  private report(chunkId: number, serverId: string, code: string, cred: CallerCredentials): void {
    this.master
      .call('ReportReplica', { chunkId, serverId, code }, cred)
      .catch((err) => this.logger.warn('could not report a failed replica', { chunkId, serverId, err: (err as Error).message }));
  }
}
