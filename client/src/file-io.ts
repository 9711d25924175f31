// FileIo: a file's bytes through its chunks. Asks the master where each chunk is (or for a write grant), then moves
// the bytes straight to and from chunkservers over the data plane; a failed replica is reported and skipped. What
// it holds for an open file (grants, uncommitted ends, unsynced chunks) it keeps on that file's OpenFile.
import {
  BLOCK_SIZE_BYTES,
  CHUNK_SIZE_BYTES,
  type DataPlaneClient,
  ErrorCodes,
  type IClock,
  type ILogger,
  isMoosengError,
  MoosengError,
  replyAttr,
} from '@mooseng/core';
import type { CallerCredentials, MasterClient } from './master-client';
import type { WireAttr, WireReadChunk } from './wire-types';
import { uncountedCache, type CountCacheLookup } from './cache-stats';
import type { HeldGrant, OpenFile } from './open-file';
import type { BlockCache, BlockLease } from './block-cache';

/** Attempts at writing one chunk range before the write fails (each with a fresh grant from the master). */
export const CHUNK_WRITE_ATTEMPTS = 3;
/** How long chunk locations are reused without asking the master (close-to-open: open() drops them anyway). */
export const LOCATION_CACHE_MS = 5_000;
/** Files whose chunk locations are remembered at once. */
export const LOCATION_CACHE_FILES = 4_096;

/** Replica errors after which another replica is tried (and the master told). */
const REPLICA_ERRORS = new Set<string>([
  ErrorCodes.NO_SPACE,
  ErrorCodes.CHUNK_CORRUPT,
  // Bytes damaged between the chunkserver and this client: the receiver refused them (see readReplica, writeChunkRange).
  ErrorCodes.CHUNK_CRC_MISMATCH,
  ErrorCodes.CHUNK_NOT_FOUND,
  ErrorCodes.CHUNK_STALE_VERSION,
  ErrorCodes.UNAVAILABLE,
  ErrorCodes.TIMEOUT,
  ErrorCodes.IO_ERROR,
  ErrorCodes.DISK_UNUSABLE,
  ErrorCodes.PROTOCOL_ERROR,
]);

/** What a chunkserver answers a FLUSH of a version its replica no longer has (moved on, or deleted). */
const LEFT_THE_VERSION = [ErrorCodes.CHUNK_STALE_VERSION, ErrorCodes.CHUNK_NOT_FOUND];

/** How long a read waits for a chunk with no known live replica (a new leader relearns locations within a heartbeat). */
export const NO_REPLICA_WAIT_MS = 5_000;
/** Pause between asks while waiting. */
export const NO_REPLICA_RETRY_MS = 250;

/** Errors after which a read asks the master where the chunk is again instead of failing. */
function locationMayBeStale(err: unknown): boolean {
  return (
    isMoosengError(err) &&
    (err.code === ErrorCodes.IO_ERROR || err.code === ErrorCodes.CHUNK_STALE_VERSION || err.code === ErrorCodes.PERMIT_REFUSED)
  );
}

/**
 * Reads, writes, commits and syncs of files through their chunks. Every call acts with the credentials it is given;
 * per-file state lives on the OpenFile passed in, only the location cache (a cache of master answers) here.
 */
export class FileIo {
  /** Write-grant requests in flight, per open file and chunk index (see grantFor). */
  private readonly granting = new WeakMap<OpenFile, Map<number, Promise<HeldGrant>>>();
  /**
   * ino → chunk index → locations, and the file length they were asked for (see locate); the outer map is in age
   * order, for eviction.
   */
  private readonly locations = new Map<number, Map<number, { grant: WireReadChunk; expires: number; knownLength: number }>>();
  /** Turns among replicas: the next read of a chunk starts at this replica (modulo how many there are). */
  private nextReplica = 0;
  /** Views `read` returned of the block cache's memory, with the lease that keeps it theirs until readDone. */
  private readonly lent = new WeakMap<Buffer, BlockLease>();

  constructor(
    private readonly master: MasterClient,
    private readonly data: DataPlaneClient,
    /** Ages of cached locations and waits for a replica are measured on this clock. */
    private readonly clock: IClock,
    private readonly logger: ILogger,
    private readonly countCache: CountCacheLookup = uncountedCache,
    /** The mount's read cache; null: every read goes to a chunkserver (client.cacheSizeMb 0). */
    private readonly blocks: BlockCache | null = null,
  ) {}

  /** True when reads go through the block cache (and read-ahead fills it: prefetch). */
  get caching(): boolean {
    return this.blocks !== null;
  }

  /**
   * Commits the length (and mtime) of everything written to the master: one CommitWrite per chunk written since the
   * last commit, naming the version the bytes were written under. Returns the file's attributes after the last one,
   * or null when there was nothing to commit. A commit the master refuses as stale (another client's truncate cut or
   * dropped the chunk since: the bytes may be gone) is not retried: the file records the loss, and its next close or
   * fsync fails with EIO (takeWriteFailure), since those writes were never acknowledged.
   */
  async commit(file: OpenFile, cred: CallerCredentials, signal?: AbortSignal): Promise<WireAttr | null> {
    const { ino } = file;
    const chunks = file.toCommit();
    if (chunks.length === 0) return null;
    let attr: WireAttr | null = null;
    for (const [index, c] of chunks) {
      try {
        attr = replyAttr(
          await this.master.call('CommitWrite', { ino, chunkIndex: index, chunkId: c.chunkId, version: c.version, length: c.end }, cred, {
            signal,
          }),
          'CommitWrite',
        );
      } catch (err) {
        if (!isMoosengError(err) || err.code !== ErrorCodes.CHUNK_STALE_VERSION) throw err;
        this.logger.warn('the master refused a commit: writes to the chunk are lost', {
          ino,
          index,
          chunkId: c.chunkId,
          version: c.version,
          err: err.message,
        });
        file.writesLost(
          new MoosengError(ErrorCodes.IO_ERROR, `writes to chunk ${index} of inode ${ino} were not kept (${err.message})`, { cause: err }),
        );
      }
      file.committed(index, c);
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
   * Forgets everything cached of an inode's bytes: its chunk locations and its blocks (another client changed it, or
   * this one cut it). The blocks are of versions no read would ask for again; this frees them at once.
   */
  forget(ino: number): void {
    this.locations.delete(ino);
    this.blocks?.dropFile(ino);
  }

  /**
   * Forgets every cached chunk location (change notices may have been lost): the next read of each file asks the
   * master which version is current, so no block of a version another client moved on from is read again.
   */
  forgetLocations(): void {
    this.locations.clear();
  }

  /**
   * Read-ahead: fetches [offset, offset + length) of the file into the block cache, its chunks at once, for reads
   * still to come. Stops at the end of the file. A failure is only logged: the read that wants the bytes fetches them
   * itself (and reports what fails then).
   */
  async prefetch(file: OpenFile, offset: number, length: number, cred: CallerCredentials): Promise<void> {
    if (!this.blocks) return;
    const parts: Array<Promise<void>> = [];
    for (let pos = offset; pos < offset + length;) {
      const index = Math.floor(pos / CHUNK_SIZE_BYTES);
      const inChunk = pos - index * CHUNK_SIZE_BYTES;
      const n = Math.min(offset + length - pos, CHUNK_SIZE_BYTES - inChunk);
      parts.push(this.prefetchChunk(file, index, inChunk, n, cred));
      pos += n;
    }
    await Promise.all(parts);
  }

  private async prefetchChunk(file: OpenFile, index: number, inChunk: number, length: number, cred: CallerCredentials): Promise<void> {
    try {
      const located = await this.locate(file, index, cred);
      const chunkEnd = located.end - index * CHUNK_SIZE_BYTES;
      const n = Math.min(length, chunkEnd - inChunk);
      if (n <= 0 || located.grant.chunkId === 0) return;
      (await this.cachedBlocks(file, located.grant, located.cached, chunkEnd, inChunk, n, cred, false)).release();
    } catch (err) {
      this.logger.debug('read-ahead failed; the reader fetches the bytes itself', { ino: file.ino, index, err: (err as Error).message });
    }
  }

  /**
   * fsync: asks every replica of every chunk this client wrote since the last sync to make it durable (the
   * chunkservers' FLUSH, which fsyncs under their "on-close" policy), along each chunk's chain.
   */
  async sync(file: OpenFile, signal?: AbortSignal): Promise<void> {
    const grants = file.takeUnsynced();
    await Promise.all(
      grants.map(async (g) => {
        const addresses = g.chain.map((c) => c.address);
        const [head, ...rest] = addresses;
        const ref = { chunkId: g.chunkId, version: g.version };
        try {
          await this.data.flush(head!, ref, { chain: rest, signal, serverId: g.chain[0]!.serverId });
        } catch (err) {
          if (!LEFT_THE_VERSION.some((code) => isMoosengError(err, code)) && !isMoosengError(err, ErrorCodes.REPLICA_FAILED)) throw err;
          // A replica moved on since the write (a grant, cut or exclusion): moving made the write durable there
          // (chunkservers sync a version change before answering it). Or the master deleted it: over the goal, or
          // as a copy that is not current, only while the goal's worth of good copies exists elsewhere, which hold
          // the write (copies are made from moved replicas); or the file's chunk was freed. Every other replica is
          // flushed on its own; with none left that holds the chunk, the write may be lost.
          const gone = await Promise.all(
            addresses.map((a, i) =>
              this.data.flush(a, ref, { signal, serverId: g.chain[i]!.serverId }).then(
                () => false,
                (e: unknown) => {
                  if (isMoosengError(e, ErrorCodes.CHUNK_NOT_FOUND)) return true;
                  if (!isMoosengError(e, ErrorCodes.CHUNK_STALE_VERSION)) throw e;
                  return false;
                },
              ),
            ),
          );
          if (gone.every(Boolean))
            throw new MoosengError(
              ErrorCodes.IO_ERROR,
              `no replica the write of chunk ${g.chunkId} went to (${addresses.join(', ')}) holds the chunk any more: the writes since the last fsync may be lost`,
            );
        }
      }),
    );
  }

  /**
   * Where a chunk is, from the cache while fresh, else from the master. The master is told how long this client
   * knows the file to be (its uncommitted writes included; the read goes that far): a truncate may have left a cut
   * of the chunk pending, whose uncut replicas still hold the bytes it removed, and a read past the cut must wait
   * for the master to carry it out. So cached locations serve only reads within the length they were asked for,
   * and `end` is where the file ends for this read: what the master answered for, never a length grown since.
   */
  private async locate(
    file: OpenFile,
    index: number,
    cred: CallerCredentials,
    signal?: AbortSignal,
    fresh = false,
  ): Promise<{ grant: WireReadChunk; end: number; cached: boolean }> {
    const { ino } = file;
    const knownLength = file.uncommittedEnd();
    const hit = this.locations.get(ino)?.get(index);
    const usable = !fresh && hit !== undefined && hit.expires > this.clock.monotonic() && knownLength <= hit.knownLength;
    this.countCache('location', usable);
    if (usable) return { grant: hit.grant, end: Math.max(hit.grant.fileLength, knownLength), cached: true };
    const grant = await this.master.call('ReadChunk', { ino, chunkIndex: index, knownLength }, cred, { signal });
    let chunks = this.locations.get(ino);
    if (!chunks) {
      if (this.locations.size >= LOCATION_CACHE_FILES) this.locations.delete(this.locations.keys().next().value!);
      chunks = new Map();
      this.locations.set(ino, chunks);
    }
    chunks.set(index, { grant, expires: this.clock.monotonic() + LOCATION_CACHE_MS, knownLength });
    return { grant, end: Math.max(grant.fileLength, knownLength), cached: false };
  }

  /** Reads up to `length` bytes at `offset`; short only at the end of the file. Holes read as zeros. */
  async read(file: OpenFile, offset: number, length: number, cred: CallerCredentials, signal?: AbortSignal): Promise<Buffer> {
    const parts: Buffer[] = [];
    let pos = offset;
    let end = offset + length;
    while (pos < end) {
      const index = Math.floor(pos / CHUNK_SIZE_BYTES);
      const located = await this.locate(file, index, cred, signal);
      // The file is as long as the master says, or as this client's uncommitted writes make it.
      end = Math.min(end, located.end);
      if (pos >= end) break;
      const inChunk = pos - index * CHUNK_SIZE_BYTES;
      const n = Math.min(end - pos, CHUNK_SIZE_BYTES - inChunk);
      let part: Buffer;
      try {
        part = await this.readChunk(file, located.grant, located.cached, located.end - index * CHUNK_SIZE_BYTES, inChunk, n, cred, signal);
      } catch (err) {
        // The cached locations may be out of date (a replica moved, the version changed, a new leader is still
        // relearning where chunks are): ask again for a few seconds before giving up.
        if (!locationMayBeStale(err)) throw err;
        const giveUpAt = this.clock.monotonic() + NO_REPLICA_WAIT_MS;
        for (;;) {
          const again = await this.locate(file, index, cred, signal, true);
          try {
            part = await this.readChunk(file, again.grant, false, again.end - index * CHUNK_SIZE_BYTES, inChunk, n, cred, signal);
            break;
          } catch (again) {
            if (!locationMayBeStale(again) || this.clock.monotonic() > giveUpAt) throw again;
            await this.clock.sleep(NO_REPLICA_RETRY_MS, { signal });
          }
        }
      }
      parts.push(part);
      pos += n;
    }
    if (parts.length === 1) return parts[0]!;
    const whole = Buffer.concat(parts);
    for (const part of parts) this.readDone(part);
    return whole;
  }

  /** Writes `data` at `offset` through each chunk's replication chain; the new length is committed by commit(). */
  async write(file: OpenFile, offset: number, data: Buffer, cred: CallerCredentials, signal?: AbortSignal): Promise<void> {
    this.invalidate(file.ino);
    let pos = 0;
    while (pos < data.length) {
      const fileOffset = offset + pos;
      const index = Math.floor(fileOffset / CHUNK_SIZE_BYTES);
      const inChunk = fileOffset - index * CHUNK_SIZE_BYTES;
      const n = Math.min(data.length - pos, CHUNK_SIZE_BYTES - inChunk);
      await this.writeChunkRange(file, index, inChunk, data.subarray(pos, pos + n), cred, signal);
      pos += n;
    }
  }

  private async writeChunkRange(
    file: OpenFile,
    index: number,
    inChunk: number,
    slice: Buffer,
    cred: CallerCredentials,
    signal?: AbortSignal,
  ): Promise<void> {
    const { ino } = file;
    let lastError: MoosengError | null = null;
    for (let attempt = 1; attempt <= CHUNK_WRITE_ATTEMPTS; attempt++) {
      const grant = await this.grantFor(file, index, cred);
      const [head, ...rest] = grant.chain.map((c) => c.address);
      const ref = { chunkId: grant.chunkId, version: grant.version };
      try {
        await this.data.write(head!, ref, inChunk, slice, {
          chain: rest,
          signal,
          permit: grant.permit,
          serverId: grant.chain[0]!.serverId,
        });
        file.mustSync(index, grant);
      } catch (err) {
        if (!isMoosengError(err)) throw err;
        if (err.code === ErrorCodes.REPLICA_FAILED) {
          // The head (and any replica before the failed one) has the data; the failed replica does not. The write
          // stands; the master is told who took it, moves those on to a new version and leaves the failed replica
          // (and those after it) behind, so none of them serves reads without this write. The next write asks for a
          // fresh chain (a write under this grant is refused now: CHUNK_STALE_VERSION).
          const failed = String(err.details.failedReplica ?? '');
          const at = grant.chain.findIndex((c) => c.address === failed);
          const server = at >= 0 ? grant.chain[at]!.serverId : failed;
          const acknowledged = grant.chain.slice(0, Math.max(1, at)).map((c) => c.serverId);
          await this.report(ino, grant.chunkId, server, err.code, cred, grant.version, acknowledged);
          file.dropGrant(index, grant);
          // The replicas that took the write must still be flushed by the next fsync.
          file.mustSync(index, grant, failed);
        } else if (REPLICA_ERRORS.has(err.code) || err.code === ErrorCodes.PERMIT_REFUSED) {
          file.dropGrant(index, grant);
          // A head whose disk is full refuses every grant's writes until the master leaves it out of the chain: the
          // next grant must come after the report did that.
          if (err.code === ErrorCodes.NO_SPACE)
            await this.report(ino, grant.chunkId, grant.chain[0]!.serverId, err.code, cred, grant.version);
          // A stale version only means another writer took the chunk since our grant, a refused permit that the
          // grant's permit expired (or the clocks disagree): not the replica's fault. A CRC mismatch is reported
          // as such: the head refused the damaged bytes and its copy is sound.
          else if (err.code !== ErrorCodes.CHUNK_STALE_VERSION && err.code !== ErrorCodes.PERMIT_REFUSED)
            void this.report(ino, grant.chunkId, grant.chain[0]!.serverId, err.code, cred, grant.version);
          lastError = err;
          this.logger.debug('chunk write failed; retrying with a new grant', { ino, index, attempt, code: err.code });
          continue;
        } else {
          throw err;
        }
      }
      // The end of this write, for the next commit (the master keeps the larger of it and the file's length).
      file.wrote(index, grant.chunkId, index * CHUNK_SIZE_BYTES + inChunk + slice.length, grant.version);
      // After the chunkservers took it: a fetch of these blocks that started before then is dropped too, not kept.
      this.blocks?.dropBlocks(
        grant.chunkId,
        Math.floor(inChunk / BLOCK_SIZE_BYTES),
        Math.ceil((inChunk + slice.length) / BLOCK_SIZE_BYTES),
      );
      return;
    }
    throw new MoosengError(
      ErrorCodes.IO_ERROR,
      `writing chunk ${index} of inode ${ino} failed ${CHUNK_WRITE_ATTEMPTS} times: ${lastError?.message}`,
      { cause: lastError },
    );
  }

  /**
   * A write grant for the chunk: the one held while fresh, else the one being asked for (concurrent writes of one
   * chunk, such as the kernel writing back several pages of a mapping at once, share one request: each asking on its
   * own would move the chunk to a new version and void the others' grants), else a new one from the master.
   */
  private grantFor(file: OpenFile, index: number, cred: CallerCredentials): Promise<HeldGrant> {
    const held = file.grant(index);
    if (held) return Promise.resolve(held);
    let asking = this.granting.get(file);
    if (!asking) {
      asking = new Map();
      this.granting.set(file, asking);
    }
    const pending = asking.get(index);
    if (pending) return pending;
    const inFlight = asking;
    // Not cancelled by one caller's signal: the request is every waiting write's.
    const request = this.askGrant(file, index, cred).finally(() => {
      if (inFlight.get(index) === request) inFlight.delete(index);
    });
    inFlight.set(index, request);
    return request;
  }

  /** Asks the master for a write grant (creating or cutting the chunk as an older master says) and holds it. */
  private async askGrant(file: OpenFile, index: number, cred: CallerCredentials): Promise<HeldGrant> {
    const { ino } = file;
    const grant = await this.master.call('WriteChunk', { ino, chunkIndex: index }, cred);
    if (grant.chain.length === 0)
      throw new MoosengError(ErrorCodes.NO_CHUNKSERVERS, `no chunkserver can take chunk ${index} of inode ${ino}; start more chunkservers`);
    const [head, ...rest] = grant.chain.map((c) => c.address);
    const ref = { chunkId: grant.chunkId, version: grant.version };
    const { permit } = grant;
    if (grant.isNew) await this.data.create(head!, ref, { chain: rest, permit, serverId: grant.chain[0]!.serverId });
    if (grant.truncateTo >= 0)
      await Promise.all(grant.chain.map((c) => this.data.truncate(c.address, ref, grant.truncateTo, { permit, serverId: c.serverId })));
    return file.holdGrant(index, grant);
  }

  /**
   * `length` bytes at `inChunk` of one chunk (a hole: zeros), through the block cache when there is one. The blocks
   * are fetched whole, but only up to `fileEnd` (where the file ends for this read, from the chunk's start): bytes
   * past it read as zeros,
   * whatever a replica whose pending cut has not been carried out yet still holds there.
   */
  private async readChunk(
    file: OpenFile,
    grant: WireReadChunk,
    cached: boolean,
    fileEnd: number,
    inChunk: number,
    length: number,
    cred: CallerCredentials,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    if (grant.chunkId === 0) return Buffer.alloc(length);
    if (!this.blocks) return this.readReplica(file.ino, grant, cached, inChunk, length, cred, signal);
    const lease = await this.cachedBlocks(file, grant, cached, fileEnd, inChunk, length, cred, true);
    const { blocks } = lease;
    const from = inChunk % BLOCK_SIZE_BYTES;
    // Blocks in the cache are never changed (a write drops them), so a view of them is safe to hand out while the
    // lease holds their memory: one block, or blocks side by side in the memory of one fetch (a sequential read of
    // what read-ahead fetched), need no copy. The lease goes with the view until the reader is done (readDone).
    const head = blocks[0]!;
    if (blocks.every((b, i) => b.buffer === head.buffer && b.byteOffset === head.byteOffset + i * BLOCK_SIZE_BYTES)) {
      const view = Buffer.from(head.buffer, head.byteOffset + from, length);
      this.lent.set(view, lease);
      return view;
    }
    const copy = Buffer.concat(blocks, from + length).subarray(from);
    lease.release();
    return copy;
  }

  /**
   * The reader of what `read` returned is done with it (the mount copied it to the kernel): the cache's memory it
   * was a view of may hold other blocks now. Without this call the memory is only ever freed, never used again.
   */
  readDone(data: Buffer): void {
    const lease = this.lent.get(data);
    if (!lease) return;
    this.lent.delete(data);
    lease.release();
  }

  /** The blocks covering [inChunk, inChunk + length) of the chunk, from or into the block cache. */
  private cachedBlocks(
    file: OpenFile,
    grant: WireReadChunk,
    cached: boolean,
    fileEnd: number,
    inChunk: number,
    length: number,
    cred: CallerCredentials,
    countLookups: boolean,
  ): Promise<BlockLease> {
    const first = Math.floor(inChunk / BLOCK_SIZE_BYTES);
    const end = Math.ceil((inChunk + length) / BLOCK_SIZE_BYTES);
    return this.blocks!.lease(
      { ino: file.ino, chunkId: grant.chunkId, version: grant.version },
      first,
      end - first,
      // Shared by every reader of these blocks: no one reader's signal may cancel it.
      (b, count, into, filled) => {
        const offset = b * BLOCK_SIZE_BYTES;
        const want = Math.min(count * BLOCK_SIZE_BYTES, fileEnd - offset);
        return want <= 0 ? Promise.resolve(0) : this.streamReplica(file.ino, grant, cached, offset, want, into, filled, cred);
      },
      countLookups,
    );
  }

  /**
   * Reads `length` bytes at `offset` of the chunk into `into`, telling `filled` how many are in place as they arrive
   * (pieces come CRC-checked, in order). Replicas are tried in turn as readReplica does; one that fails part way is
   * left for the next, which goes on from the byte where it stopped. Resolves with the bytes read: fewer where the
   * chunk ends.
   */
  private async streamReplica(
    ino: number,
    grant: WireReadChunk,
    cached: boolean,
    offset: number,
    length: number,
    into: Buffer,
    filled: (bytes: number) => void,
    cred: CallerCredentials,
  ): Promise<number> {
    if (grant.locations.length === 0) {
      throw new MoosengError(
        ErrorCodes.IO_ERROR,
        `chunk ${grant.chunkId} has no live replica; the data returns when a chunkserver holding it does`,
      );
    }
    let got = 0;
    let lastError: unknown;
    const first = this.nextReplica++ % grant.locations.length;
    for (let i = 0; i < grant.locations.length; i++) {
      const loc = grant.locations[(first + i) % grant.locations.length]!;
      try {
        const ref = { chunkId: grant.chunkId, version: grant.version };
        const from = got;
        const options = { permit: grant.permit, serverId: loc.serverId };
        // Straight into the run: this replica goes on from the byte the last one stopped at.
        const read = await this.data.readInto(
          loc.address,
          ref,
          offset + from,
          into.subarray(from, length),
          (bytes) => filled((got = from + bytes)),
          options,
        );
        return from + read;
      } catch (err) {
        if (!isMoosengError(err) || !REPLICA_ERRORS.has(err.code)) throw err;
        // See readReplica: a location from the cache may be out of date, or its read permit may have run out.
        if ((err.code === ErrorCodes.CHUNK_STALE_VERSION && cached) || err.code === ErrorCodes.PERMIT_REFUSED) throw err;
        lastError = err;
        const reported = err.code === ErrorCodes.CHUNK_CRC_MISMATCH ? ErrorCodes.CHUNK_CORRUPT : err.code;
        void this.report(ino, grant.chunkId, loc.serverId, reported, cred, grant.version);
        this.logger.warn('replica read failed; the next replica goes on from there', {
          chunkId: grant.chunkId,
          server: loc.serverId,
          code: err.code,
          at: offset + got,
        });
      }
    }
    throw new MoosengError(ErrorCodes.IO_ERROR, `every replica of chunk ${grant.chunkId} failed: ${(lastError as Error).message}`, {
      cause: lastError,
    });
  }

  private async readReplica(
    ino: number,
    grant: WireReadChunk,
    /** The location came from the cache (it may be out of date), not from the master just now. */
    cached: boolean,
    offset: number,
    length: number,
    cred: CallerCredentials,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    if (grant.locations.length === 0) {
      throw new MoosengError(
        ErrorCodes.IO_ERROR,
        `chunk ${grant.chunkId} has no live replica; the data returns when a chunkserver holding it does`,
      );
    }
    let lastError: unknown;
    // Reads take turns among the replicas (each starts at the next one), so a chunk's readers spread over all of them.
    const first = this.nextReplica++ % grant.locations.length;
    for (let i = 0; i < grant.locations.length; i++) {
      const loc = grant.locations[(first + i) % grant.locations.length]!;
      try {
        const got = await this.data.read(loc.address, { chunkId: grant.chunkId, version: grant.version }, offset, length, {
          signal,
          permit: grant.permit,
          serverId: loc.serverId,
        });
        // The chunk may be shorter than the file's view of it (a hole at its end): the rest reads as zeros.
        if (got.length === length) return got;
        const padded = Buffer.alloc(length);
        got.copy(padded);
        return padded;
      } catch (err) {
        if (!isMoosengError(err) || !REPLICA_ERRORS.has(err.code)) throw err;
        // A location from the cache may be older than the replica (another writer's grant or a truncate moved the
        // chunk on since): the replica is sound and the location is not, so read() asks the master again. With a
        // location just asked for, the replica is the one behind: reported like any failed replica.
        if (err.code === ErrorCodes.CHUNK_STALE_VERSION && cached) throw err;
        // The location's read permit ran out (a location cached past its lifetime, or clocks apart): ask again.
        if (err.code === ErrorCodes.PERMIT_REFUSED) throw err;
        lastError = err;
        // Bytes that came damaged are treated as a corrupt replica, whose bytes cannot be trusted: the master stops
        // counting it and copies a good one (where the damage happened, disk, memory or wire, cannot be told here).
        const reported = err.code === ErrorCodes.CHUNK_CRC_MISMATCH ? ErrorCodes.CHUNK_CORRUPT : err.code;
        void this.report(ino, grant.chunkId, loc.serverId, reported, cred, grant.version);
        this.logger.warn('replica read failed; trying the next replica', { chunkId: grant.chunkId, server: loc.serverId, code: err.code });
      }
    }
    throw new MoosengError(ErrorCodes.IO_ERROR, `every replica of chunk ${grant.chunkId} failed: ${(lastError as Error).message}`, {
      cause: lastError,
    });
  }

  /**
   * Tells the master a replica failed (`version` read or written; `acknowledged`, for a broken chain, the replicas
   * that took the write). Never fails: a report that does not arrive only delays the repair.
   */
  private async report(
    ino: number,
    chunkId: number,
    serverId: string,
    code: string,
    cred: CallerCredentials,
    version: number,
    acknowledged: string[] = [],
  ): Promise<void> {
    await this.master
      .call('ReportReplica', { ino, chunkId, serverId, code, version, acknowledged }, cred)
      .catch((err) => this.logger.warn('could not report a failed replica', { chunkId, serverId, err: (err as Error).message }));
  }
}
