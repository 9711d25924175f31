// ChunkOperations: what the leader asks chunkservers to do to replicas (move versions, cut, delete, copy), over the
// data plane, and the version changes that follow (docs/chunk-lifecycle.md): a version reaches the catalog only after
// replicas confirmed it, and the map of who holds what follows every answer.
import { type DataPlaneClient, ErrorCodes, type IClock, type ILogger, type IMetrics, isMoosengError, MoosengError } from '@mooseng/core';
import type { ChunkLocations } from './chunks/chunk-locations';
import type { ChunkserverRegistry } from './chunkserver-registry';
import type { LeaderTenure } from './leader-tenure';
import type { MetadataService, RequestOrigin } from './metadata-service';
import type { Credentials } from './namespace/commands';
import type { ChunkWriteGrant } from './namespace/results';
import { NewChunkPool, type PooledChunk } from './new-chunk-pool';

/**
 * The version a pooled chunk (made at version 1) is granted at: never one an old copy of a chunkserver's disk can
 * hold it at with nothing written (createWithChunk).
 */
export const POOLED_GRANT_VERSION = 2;

/** True when two chains name the same servers in the same order. */
function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/**
 * The chunkserver calls the leader makes: DataPlaneClient's (a test double in tests). Each names the chunkserver's
 * id (`serverId`): over TLS the leader then takes only that chunkserver's certificate at the registered address.
 */
export type ReplicaControl = Pick<DataPlaneClient, 'create' | 'setVersion' | 'cut' | 'delete' | 'replicate' | 'stat' | 'verify'>;

/** How long a server that held a corrupt copy of a chunk is not chosen as a repair target for it (its disk rots). */
export const CORRUPT_TARGET_EXCLUSION_MS = 10 * 60_000;

/** Chunk ids a leader reserves at once for new chunks: one reserveChunkIds command per this many new chunks. */
export const CHUNK_ID_BLOCK = 64;

/** Rounds of a version move before it gives up, when replicas keep failing to confirm (see moveConfirmed). */
export const MOVE_ROUNDS = 3;

/** Commands of the leader itself: not deduplicated (each is checked against the state it expects instead). */
const LEADER: RequestOrigin = { sessionId: 0, requestId: 0 };

/**
 * The leader's chunk work. Every change of a chunk's version runs alone per chunk (isBusy() tells the repair loop to
 * keep off) and follows one pattern: take the reserved version number, move (or cut) the live current replicas to it
 * on the chunkservers, then propose the change naming the replicas that confirmed. Until the proposal commits, the
 * replicas at the new number hold exactly the catalog version's bytes (nothing is written before a grant returns),
 * so a leader dying in between leaves replicas ahead of the catalog, which the repair loop promotes, never deletes.
 */
export class ChunkOperations {
  /** The version change in progress per chunk (grants, cuts, exclusions, promotions): one at a time. */
  private readonly lanes = new Map<number, Promise<unknown>>();
  /** chunk → the version number this leader holds reserved (committed, not yet handed to any chunkserver). */
  private readonly reserved = new Map<number, number>();
  /** chunk → server → monotonic ms until which it is no repair target for the chunk (it held a corrupt copy). */
  private readonly badTargets = new Map<number, Map<string, number>>();
  /** "server:chunk" of client reports being verified now: a burst of reports on one replica costs one verify. */
  private readonly verifying = new Set<string>();
  /** Chunk ids this leader reserved and has not tried yet ([next, end)), and the reservation in flight. */
  private ids = { next: 0, end: 0 };
  private idsReserving: Promise<void> | null = null;
  /** New chunks made ahead of need, and the placement each goal's grants used last (what the pool places by). */
  private readonly pool: NewChunkPool;
  private readonly choosers = new Map<number, (chunkId: number) => string[]>();

  constructor(
    private readonly metadata: MetadataService,
    private readonly locations: ChunkLocations,
    private readonly registry: ChunkserverRegistry,
    private readonly data: ReplicaControl,
    private readonly logger: ILogger,
    private readonly clock: IClock,
    /** A young leader waits for chunkservers to register before it finds none (see LeaderTenure). */
    private readonly tenure: LeaderTenure,
    options: { newChunkPoolSize?: number; metrics?: IMetrics } = {},
  ) {
    const pooled = options.metrics?.counter({
      name: 'mooseng_master_new_chunk_pool_total',
      help: 'Chunks of the pool of new chunks (created ahead of need), by event: made, taken by a create, dropped unused',
      labelNames: ['event'],
    });
    this.pool = new NewChunkPool({
      count: pooled && ((event) => pooled.inc({ event })),
      size: options.newChunkPoolSize ?? 0,
      tenure: () => this.tenure.generation,
      make: (goal, add) => this.precreate(goal, add),
      onError: (err) => this.logger.warn('a chunk for the pool of new chunks could not be made', { err: (err as Error).message }),
    });
  }

  /**
   * True while a version change of the chunk is under way, or while it waits in the pool of new chunks (the repair
   * loop leaves the chunk alone meanwhile).
   */
  isBusy(chunkId: number): boolean {
    return this.lanes.has(chunkId) || this.pool.has(chunkId);
  }

  /** What the pool of new chunks did so far (NewChunkPool.stats). */
  get newChunkPool(): NewChunkPool['stats'] {
    return this.pool.stats;
  }

  /**
   * A write grant into an empty slot: a new chunk under a reserved id is created at version 1 on the servers
   * `choose` names, then recorded with those that created it. A chunk never enters the catalog without a replica, so
   * a chain that failed to create it cannot leave a chunk nobody has. A failed attempt burns its id; what it created
   * is a replica of a chunk the catalog never knows, deleted as such. (A pooled chunk would save nothing here: it
   * must move to version 2 first, which costs a chunkserver what a create does; see createWithChunk.)
   */
  grantNew(
    origin: RequestOrigin,
    cred: Credentials,
    ino: number,
    chunkIndex: number,
    choose: (chunkId: number) => string[],
  ): Promise<ChunkWriteGrant> {
    return this.takeChunkId().then((chunkId) =>
      this.exclusive(chunkId, async () => {
        const servers = await this.tenure.servers('chunkservers with room', () => choose(chunkId));
        if (servers.length === 0)
          throw new MoosengError(
            ErrorCodes.NO_CHUNKSERVERS,
            'no live chunkserver with free space can take a new chunk; start chunkservers or free space',
          );
        let chain = await this.createOn(chunkId, servers);
        if (chain.length === 0)
          throw new MoosengError(
            ErrorCodes.IO_ERROR,
            `no chunkserver could create chunk ${chunkId} (chunk ${chunkIndex} of inode ${ino}): ${servers.join(', ')} refused`,
          );
        // A create that failed may still have happened (its answer lost, or a crash after it): that server would hold
        // an empty chunk at version 1. The chunk is recorded at a version only the servers that confirmed have seen.
        let version = 1;
        let sent = servers;
        for (let round = 1; chain.length > 0 && chain.length < sent.length; round++) {
          if (round > MOVE_ROUNDS)
            throw new MoosengError(ErrorCodes.IO_ERROR, `chunk ${chunkId}: its replicas kept failing to take a version`);
          sent = chain;
          chain = await this.moveAll(chunkId, sent, version, version + 1, 'set-version');
          version += 1;
        }
        if (chain.length === 0) throw new MoosengError(ErrorCodes.IO_ERROR, `no chunkserver could create chunk ${chunkId}`);
        const r = await this.metadata.mutate(origin, { op: 'grantChunkWrite', ino, chunkIndex, chunkId, version, servers: chain, cred });
        if (r.kind !== 'chunk') throw new Error(`invariant broken: grantChunkWrite returned ${r.kind}`);
        this.reserved.set(chunkId, version + 1);
        return r.grant;
      }),
    );
  }

  /**
   * A create that takes a pooled new chunk as the file's chunk 0 (a Mknod that asked for the write grant): the
   * file's first write then needs no grant commit of its own. Inside the chunk's exclusive section (so the chunk is
   * never neither pooled nor busy until the catalog has it), its replicas first move from version 1 to 2, then
   * `propose` proposes the create naming the chunk at version 2. The move is what keeps a chunkserver restarted
   * from an old copy of its disks safe: that copy may hold the pooled chunk empty at version 1, made any time before,
   * and must not count as a current copy of a chunk written since (the fault harness's stale-restart found it: seed
   * 458176). Null when no pooled chunk fits or not every replica confirmed the move (the caller creates without
   * one); a failed create burns the chunk, whose replicas are then deleted as strangers.
   */
  async createWithChunk<T>(
    goal: number,
    choose: (chunkId: number) => string[],
    propose: (chunk: { chunkId: number; version: number; servers: string[] }) => Promise<T>,
  ): Promise<{ created: T; grant: ChunkWriteGrant } | null> {
    const pooled = this.takePooled(goal, choose);
    if (!pooled) return null;
    const chunk = { chunkId: pooled.chunkId, version: POOLED_GRANT_VERSION, servers: pooled.servers };
    return this.exclusive(chunk.chunkId, async () => {
      // Every replica must confirm: one that did not may have moved anyway, and a partial chain would need the
      // version rounds grantNew makes. An unused chunk's replicas are strangers, deleted as such.
      const moved = await this.moveAll(chunk.chunkId, chunk.servers, 1, POOLED_GRANT_VERSION, 'set-version');
      if (moved.length !== chunk.servers.length) return null;
      const created = await propose(chunk);
      this.reserved.set(chunk.chunkId, chunk.version + 1);
      return { created, grant: { ...chunk, isNew: false, fileSize: 0, truncateTo: -1 } };
    });
  }

  /** A pooled chunk that fits a new chunk of `goal` placed by `choose` now; the pool then refills. */
  private takePooled(goal: number, choose: (chunkId: number) => string[]): PooledChunk | undefined {
    this.choosers.set(goal, choose);
    // A pooled chunk fits while the placement would choose its servers now and each still reports its replica.
    return this.pool.take(
      goal,
      (c) => sameOrder(choose(c.chunkId), c.servers) && c.servers.every((id) => this.locations.versionOn(id, c.chunkId) === 1),
    );
  }

  /** Creates the chunk at version 1 on each of `servers`: those that confirmed, in the order given. */
  private async createOn(chunkId: number, servers: readonly string[]): Promise<string[]> {
    const created = await Promise.all(
      servers.map(async (id) => {
        const address = this.registry.addressOf(id);
        if (!address) return null;
        try {
          await this.data.create(address, { chunkId, version: 1 }, { serverId: id });
          this.locations.addReplica(id, chunkId, 1);
          return id;
        } catch (err) {
          this.logger.warn('chunkserver could not create a new chunk', { chunkId, server: id, err: (err as Error).message });
          return null;
        }
      }),
    );
    return created.filter((id): id is string => id !== null);
  }

  /**
   * One chunk for the pool of `goal`, made as grantNew makes one, kept only when every chosen server created it (a
   * partial chain would need a version move first: grantNew does that when it must). Nothing while this master does
   * not lead or chunkservers may still be registering.
   */
  private async precreate(goal: number, add: (chunk: PooledChunk) => void): Promise<void> {
    const choose = this.choosers.get(goal);
    if (!choose || !this.metadata.isLeader() || this.tenure.graceLeftMs() > 0) return;
    const tenure = this.tenure.generation;
    const chunkId = await this.takeChunkId();
    await this.exclusive(chunkId, async () => {
      const servers = choose(chunkId);
      if (servers.length === 0) return;
      const chain = await this.createOn(chunkId, servers);
      if (chain.length === servers.length) add({ chunkId, servers: chain, tenure });
    });
  }

  /**
   * A write grant on an existing chunk: a pending cut is carried out first, then the live current replicas move to
   * the reserved version and the grant is proposed (as the client's request `origin`) with those that confirmed.
   * IO_ERROR when no replica could take part; CHUNK_STALE_VERSION when the chunk changed meanwhile (ask again).
   */
  grantExisting(origin: RequestOrigin, cred: Credentials, ino: number, chunkIndex: number, chunkId: number): Promise<ChunkWriteGrant> {
    return this.exclusive(chunkId, async () => {
      let v = this.metadata.state.chunkVersions(chunkId);
      if (v === undefined) throw new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, `chunk ${chunkId} was freed meanwhile`);
      if (v.pendingCut >= 0) {
        // A write after a truncate must not land before the cut: the cut would remove it.
        await this.cutLocked(chunkId);
        v = this.metadata.state.chunkVersions(chunkId);
        if (v === undefined) throw new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, `chunk ${chunkId} was freed meanwhile`);
        if (v.pendingCut >= 0)
          throw new MoosengError(
            ErrorCodes.IO_ERROR,
            `chunk ${chunkId} (chunk ${chunkIndex} of inode ${ino}) must be cut before it is written, and no replica took the cut`,
          );
      }
      const current = v.version;
      const holders = await this.tenure.servers(`the replicas of chunk ${chunkId}`, () => this.locations.holders(chunkId, current));
      if (holders.length === 0) {
        throw new MoosengError(
          ErrorCodes.IO_ERROR,
          `chunk ${chunkId} (chunk ${chunkIndex} of inode ${ino}) has no live replica to write to`,
        );
      }
      const { version, moved } = await this.moveConfirmed(chunkId, holders, v.version, 'set-version');
      if (moved.length === 0) throw new MoosengError(ErrorCodes.IO_ERROR, `no replica of chunk ${chunkId} took a new version`);
      const r = await this.metadata.mutate(origin, { op: 'grantChunkWrite', ino, chunkIndex, chunkId, version, servers: moved, cred });
      if (r.kind !== 'chunk') throw new Error(`invariant broken: grantChunkWrite returned ${r.kind}`);
      this.reserved.set(chunkId, version + 1);
      return r.grant;
    });
  }

  /**
   * Carries out a chunk's pending cut: each live current replica is cut and moved to the reserved version in one
   * chunkserver call, then the cut is proposed with those that confirmed (the others are left behind, stale once the
   * cut ones reach the goal). True when no cut is pending afterwards.
   */
  cut(chunkId: number): Promise<boolean> {
    return this.exclusive(chunkId, () => this.cutLocked(chunkId));
  }

  private async cutLocked(chunkId: number): Promise<boolean> {
    const v = this.metadata.state.chunkVersions(chunkId);
    if (v === undefined || v.pendingCut < 0) return true;
    const holders = await this.tenure.servers(`the replicas of chunk ${chunkId}`, () => this.locations.holders(chunkId, v.version));
    if (holders.length === 0) return false;
    const { version, moved: cut } = await this.moveConfirmed(chunkId, holders, v.version, 'cut', v.pendingCut);
    if (cut.length === 0) return false;
    await this.metadata.mutate(LEADER, { op: 'cutChunk', chunkId, fromVersion: v.version, version, length: v.pendingCut, servers: cut });
    this.reserved.set(chunkId, version + 1);
    this.logger.debug('chunk cut', { chunkId, from: v.version, to: version, length: v.pendingCut, servers: cut });
    return (this.metadata.state.chunkVersions(chunkId)?.pendingCut ?? -1) < 0;
  }

  /**
   * A client's write under `version` broke at replica `failed`; `acknowledged` took it. The live current replicas
   * that took it move to a new version and the rest are left behind: they can no longer serve reads or join a chain,
   * and are deleted once the goal is met again (repair copies from those that have the write). Nothing happens when
   * every current replica took it, or none did (the write is then nowhere current, and a replica that missed it is
   * as good as any). Returns the chunk's version afterwards, or null when the chunk is gone.
   */
  exclude(chunkId: number, version: number, acknowledged: readonly string[], failed: string): Promise<number | null> {
    return this.exclusive(chunkId, async () => {
      const v = this.metadata.state.chunkVersions(chunkId);
      if (v === undefined) return null;
      if (version > v.version) return v.version; // a version the catalog never had: nothing of it is current
      const holders = this.locations.holders(chunkId, v.version);
      const took = new Set(acknowledged.length > 0 ? acknowledged : holders.filter((h) => h !== failed));
      const keep = holders.filter((h) => took.has(h));
      if (keep.length === 0 || keep.length === holders.length) return v.version;
      const { version: to, moved } = await this.moveConfirmed(chunkId, keep, v.version, 'set-version');
      if (moved.length === 0) return v.version;
      await this.metadata.mutate(LEADER, { op: 'excludeReplicas', chunkId, fromVersion: v.version, version: to, servers: moved });
      this.reserved.set(chunkId, to + 1);
      this.logger.warn('replicas that missed a write left the chunk', {
        chunkId,
        failed,
        from: v.version,
        to,
        kept: moved,
        left: holders.filter((h) => !moved.includes(h)),
      });
      return to;
    });
  }

  /**
   * No live good replica has the chunk's version: makes the version surviving replicas have current
   * (ChunkLocations.promotionFor says which, and when to wait). Logged as an event naming the chunk and versions.
   */
  promote(chunkId: number): Promise<void> {
    return this.exclusive(chunkId, async () => {
      const v = this.metadata.state.chunkVersions(chunkId);
      if (v === undefined) return;
      const to = this.locations.promotionFor(chunkId, v.version, v.base);
      if (to === null) return;
      await this.metadata.mutate(LEADER, { op: 'promoteChunk', chunkId, fromVersion: v.version, version: to });
      this.reserved.delete(chunkId);
      this.logger.warn(
        to > v.version
          ? 'chunk promoted to a version ahead of the catalog (a change whose commit was lost)'
          : 'chunk promoted to an older version: its newest copies are gone',
        {
          chunkId,
          from: v.version,
          to,
          servers: this.locations.holders(chunkId, to),
        },
      );
    });
  }

  /**
   * A repair copy of the chunk to `target`, made where no write can land meanwhile: a client may hold a grant at the
   * current version and write while the copy streams from the source, and the target would miss those writes yet
   * count as a current copy. So the holders first move to a version no grant names (a write under the old grant is
   * refused and retried under a new grant, which waits for the copy), the copy is made at that version, and the move
   * is recorded with the target among the holders if the copy completed. True when it did.
   *
   * Judged again here, after any change of the chunk queued before it: a repair pass that found the chunk under
   * its goal may have looked while a grant was moving its replicas (some moved, some not yet), and a copy of a chunk
   * back at its goal is a copy too many, whose drop later deletes a replica a client may still have to flush.
   */
  copy(chunkId: number, target: string): Promise<boolean> {
    return this.exclusive(chunkId, async () => {
      const v = this.metadata.state.chunkVersions(chunkId);
      if (v === undefined) return false;
      const holders = this.locations.holders(chunkId, v.version);
      // The repair loop decided on a view from before it queued here: the chunk may be back at its goal meanwhile,
      // and a copy would move the replicas a writer holds a grant for, for nothing.
      if (holders.length === 0 || holders.includes(target) || holders.length >= v.goal) return false;
      const { version, moved } = await this.moveConfirmed(chunkId, holders, v.version, 'set-version');
      if (moved.length === 0) return false;
      const copied = await this.replicate(chunkId, version, moved[0]!, target);
      try {
        await this.metadata.mutate(LEADER, {
          op: 'moveReplicas',
          chunkId,
          fromVersion: v.version,
          version,
          servers: copied ? [...moved, target] : moved,
        });
      } catch (err) {
        // The file went while the copy streamed (its chunk freed): nothing is left to record, and the copies are of a
        // chunk the catalog no longer knows, which the repair loop deletes.
        if (isMoosengError(err, ErrorCodes.CHUNK_NOT_FOUND)) return false;
        throw err;
      }
      this.reserved.set(chunkId, version + 1);
      return copied;
    });
  }

  /**
   * A chunkserver (or a client's read) found a replica corrupt: it stops counting as a copy at once, its server is no
   * repair target for the chunk for CORRUPT_TARGET_EXCLUSION_MS, and the leader deletes it as soon as enough good
   * copies exist elsewhere (now, or after repair copied one).
   */
  async corrupt(serverId: string, chunkId: number, version: number): Promise<void> {
    if (!this.locations.markCorrupt(serverId, chunkId, version)) return;
    let bad = this.badTargets.get(chunkId);
    if (bad === undefined) {
      bad = new Map();
      this.badTargets.set(chunkId, bad);
    }
    bad.set(serverId, this.clock.monotonic() + CORRUPT_TARGET_EXCLUSION_MS);
    if (!this.metadata.isLeader()) return;
    await this.exclusive(chunkId, async () => {
      const v = this.metadata.state.chunkVersions(chunkId);
      if (v !== undefined && this.locations.holders(chunkId, v.version).length < v.goal) return;
      if (await this.deleteReplica(serverId, chunkId, version))
        this.logger.info('corrupt replica deleted', { chunkId, server: serverId, version });
    });
  }

  /**
   * A client read bad CRCs from a replica. Its word alone is not enough to give up a copy (any client with read
   * access can say so, and a flaky network can garble a read): the chunkserver re-reads the whole replica (VERIFY),
   * and only a replica it finds corrupt goes the way of corrupt(). The chunkserver reports what it finds to every
   * master as well, like its scrubber. Unreachable, or no such replica: nothing changes (heartbeats judge the server).
   */
  async verifyReported(serverId: string, chunkId: number, version: number): Promise<void> {
    const key = `${serverId}:${chunkId}`;
    const address = this.registry.addressOf(serverId);
    if (!address || this.verifying.has(key)) return;
    this.verifying.add(key);
    try {
      await this.data.verify(address, { chunkId, version }, { serverId });
      this.logger.warn('a client reported a replica corrupt; its chunkserver re-read it and found it sound', {
        chunkId,
        server: serverId,
        version,
      });
    } catch (err) {
      if (isMoosengError(err, ErrorCodes.CHUNK_CORRUPT)) await this.corrupt(serverId, chunkId, version);
      else if (isMoosengError(err, ErrorCodes.CHUNK_STALE_VERSION) || isMoosengError(err, ErrorCodes.CHUNK_NOT_FOUND))
        await this.refresh(serverId, chunkId);
      else
        this.logger.warn('could not verify a replica a client reported corrupt', {
          chunkId,
          server: serverId,
          err: (err as Error).message,
        });
    } finally {
      this.verifying.delete(key);
    }
  }

  /** Servers that held a corrupt copy of the chunk within CORRUPT_TARGET_EXCLUSION_MS (repair avoids them). */
  recentlyCorruptOn(chunkId: number): Set<string> {
    const out = new Set<string>();
    const bad = this.badTargets.get(chunkId);
    if (bad !== undefined) {
      const now = this.clock.monotonic();
      for (const [server, until] of bad) {
        if (until > now) out.add(server);
        else bad.delete(server);
      }
      if (bad.size === 0) this.badTargets.delete(chunkId);
    }
    return out;
  }

  /**
   * Deletes one replica at `version`; true when it is gone (deleted, or the chunkserver had no copy). A chunkserver
   * holding another version (CHUNK_STALE_VERSION: a grant moved it meanwhile) keeps it: the map learns that version.
   */
  async deleteReplica(serverId: string, chunkId: number, version: number): Promise<boolean> {
    const address = this.registry.addressOf(serverId);
    if (!address) return false;
    try {
      await this.data.delete(address, { chunkId, version }, { serverId });
    } catch (err) {
      if (isMoosengError(err, ErrorCodes.CHUNK_NOT_FOUND)) {
        this.locations.removeReplica(serverId, chunkId);
        return true;
      }
      if (isMoosengError(err, ErrorCodes.CHUNK_STALE_VERSION)) await this.refresh(serverId, chunkId);
      else this.logger.warn('could not delete a replica', { chunkId, server: serverId, err: (err as Error).message });
      return false;
    }
    this.locations.removeReplica(serverId, chunkId);
    return true;
  }

  /** Has `targetId` copy the chunk from `sourceId` (chunkserver to chunkserver); true once the copy is complete. */
  async replicate(chunkId: number, version: number, sourceId: string, targetId: string): Promise<boolean> {
    const source = this.registry.addressOf(sourceId);
    const target = this.registry.addressOf(targetId);
    if (!source || !target) return false;
    try {
      await this.data.replicate(target, { chunkId, version }, source, { serverId: targetId });
      this.locations.addReplica(targetId, chunkId, version);
      return true;
    } catch (err) {
      this.logger.warn('replication copy failed', { chunkId, from: sourceId, to: targetId, err: (err as Error).message });
      // The source moved on, or the target already has a copy: the map learns what each really holds.
      if (isMoosengError(err, ErrorCodes.CHUNK_STALE_VERSION)) await this.refresh(sourceId, chunkId);
      if (isMoosengError(err, ErrorCodes.CHUNK_EXISTS)) await this.refresh(targetId, chunkId);
      return false;
    }
  }

  /** Asks a chunkserver which version of a chunk it holds, and records the answer (forgets the replica when none). */
  async refresh(serverId: string, chunkId: number): Promise<void> {
    const address = this.registry.addressOf(serverId);
    if (!address) return;
    try {
      const stored = await this.data.stat(address, chunkId, { serverId });
      this.locations.addReplica(serverId, chunkId, stored.version);
    } catch (err) {
      if (isMoosengError(err, ErrorCodes.CHUNK_NOT_FOUND)) this.locations.removeReplica(serverId, chunkId);
    }
  }

  /** An id for a new chunk, never tried before: from this leader's block, reserving a new block when it is used up. */
  private async takeChunkId(): Promise<number> {
    while (this.ids.next >= this.ids.end) {
      this.idsReserving ??= this.metadata
        .mutate(LEADER, { op: 'reserveChunkIds', count: CHUNK_ID_BLOCK })
        .then((r) => {
          if (r.kind !== 'count') throw new Error(`invariant broken: reserveChunkIds returned ${r.kind}`);
          this.ids = { next: r.count, end: r.count + CHUNK_ID_BLOCK };
        })
        .finally(() => {
          this.idsReserving = null;
        });
      await this.idsReserving;
    }
    return this.ids.next++;
  }

  /** The version number this leader may hand to chunkservers for its next change of the chunk. */
  private async reserve(chunkId: number): Promise<number> {
    const held = this.reserved.get(chunkId);
    this.reserved.delete(chunkId);
    // Still the catalog's reserved number: nobody reserved or changed anything since this leader's last change.
    if (held !== undefined && held === this.metadata.state.chunkVersions(chunkId)?.top) return held;
    const r = await this.metadata.mutate(LEADER, { op: 'reserveChunkVersion', chunkId });
    if (r.kind !== 'count') throw new Error(`invariant broken: reserveChunkVersion returned ${r.kind}`);
    return r.count;
  }

  /**
   * Moves `servers` from `from` to a reserved version that only replicas which confirmed it have ever been sent:
   * a move that failed may still have happened (its answer lost, or a crash after the chunkserver wrote it, completed
   * at its restart), and such a replica must not hold the version the catalog then records, without the writes
   * made under it. So when some did not confirm, those that did move again, to a fresh number, up to MOVE_ROUNDS
   * times. Returns the version and the servers at it (none: nothing moved).
   */
  private async moveConfirmed(
    chunkId: number,
    servers: readonly string[],
    from: number,
    how: 'set-version' | 'cut',
    length = 0,
  ): Promise<{ version: number; moved: string[] }> {
    let sent = [...servers];
    let at = from;
    let kind = how;
    for (let round = 1; round <= MOVE_ROUNDS; round++) {
      const to = await this.reserve(chunkId);
      const moved = await this.moveAll(chunkId, sent, at, to, kind, length);
      if (moved.length === sent.length || moved.length === 0) return { version: to, moved };
      this.logger.warn('some replicas did not confirm a version; the others move on to one they never saw', {
        chunkId,
        version: to,
        unconfirmed: sent.filter((id) => !moved.includes(id)),
      });
      // The moved ones are cut already: the next round only moves the version.
      sent = moved;
      at = to;
      kind = 'set-version';
    }
    return { version: at, moved: [] };
  }

  /**
   * Moves each server's replica from `from` to `to` (a cut to `length` as well, for 'cut'); returns the servers that
   * confirmed. The map follows every answer: moved replicas at `to`, refused ones at what the server says it holds.
   */
  private async moveAll(
    chunkId: number,
    servers: readonly string[],
    from: number,
    to: number,
    how: 'set-version' | 'cut',
    length = 0,
  ): Promise<string[]> {
    const moved = await Promise.all(
      servers.map(async (id) => {
        const address = this.registry.addressOf(id);
        if (!address) return null;
        const ref = { chunkId, version: from };
        try {
          if (how === 'cut') await this.data.cut(address, ref, length, to, { serverId: id });
          else await this.data.setVersion(address, ref, to, { serverId: id });
          this.locations.addReplica(id, chunkId, to);
          return id;
        } catch (err) {
          this.logger.warn(
            how === 'cut' ? 'replica could not be cut; it is left behind' : 'replica did not take the new version; it is left behind',
            { chunkId, server: id, to, err: (err as Error).message },
          );
          if (isMoosengError(err, ErrorCodes.CHUNK_STALE_VERSION) || isMoosengError(err, ErrorCodes.CHUNK_NOT_FOUND))
            await this.refresh(id, chunkId);
          return null;
        }
      }),
    );
    return moved.filter((id): id is string => id !== null);
  }

  /** Runs version changes of one chunk one after another. */
  private exclusive<T>(chunkId: number, work: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(chunkId) ?? Promise.resolve();
    const mine = previous.then(work, work);
    const tail = mine.catch(() => undefined);
    this.lanes.set(chunkId, tail);
    void tail.then(() => {
      if (this.lanes.get(chunkId) === tail) this.lanes.delete(chunkId);
    });
    return mine;
  }
}
