// RepairLoop: on the leader only, brings every chunk back to its goal: copies under-goal chunks, drops replicas over
// the goal, deletes stale and freed replicas, carries out queued truncations. Bounded in work per pass and in
// concurrent copies.
import type { ChunkserverView, Counter, IClock, ILogger, IMetrics, IPlacement } from '@mooseng/core';
import type { ChunkOperations } from './chunk-operations';
import type { ChunkClassification, ChunkHealth, ChunkLocations } from './chunks/chunk-locations';
import { ChunkSweep } from './chunks/chunk-sweep';
import type { ChunkserverRegistry } from './chunkserver-registry';
import type { MetadataService } from './metadata-service';
import { PeriodicPass } from './periodic-pass';

/** Pause between passes. */
export const REPAIR_INTERVAL_MS = 1_000;
/** Chunk copies in flight at once, cluster-wide (bounds the repair bandwidth). */
export const MAX_CONCURRENT_COPIES = 4;
/** Chunks of each kind (under, over, stale, freed) looked at per pass. */
export const REPAIR_BATCH = 200;

/** Figures of the last pass, for /status and metrics. */
export interface RepairFigures {
  underGoal: number;
  overGoal: number;
  missing: number;
  copiesInFlight: number;
  lastPassAt: number | null;
}

export class RepairLoop {
  private readonly loop: PeriodicPass;
  private readonly inFlight = new Set<number>();
  private leaderSince: number | null = null;
  readonly figures: RepairFigures = { underGoal: 0, overGoal: 0, missing: 0, copiesInFlight: 0, lastPassAt: null };
  private readonly copies: Counter;
  private readonly sweep: ChunkSweep;

  constructor(
    private readonly o: {
      metadata: MetadataService;
      locations: ChunkLocations;
      registry: ChunkserverRegistry;
      placement: IPlacement;
      ops: ChunkOperations;
      clock: IClock;
      logger: ILogger;
      /** Time for chunkservers to (re-)register after this master becomes leader, before it judges replicas. */
      graceMs: number;
      metrics: IMetrics;
    },
  ) {
    this.sweep = new ChunkSweep(o.locations);
    this.copies = o.metrics.counter({
      name: 'mooseng_master_replications_total',
      help: 'Chunk copies made toward a goal, by result',
      labelNames: ['result'],
    });
    // Both series exist from the start (at 0), so rates and alerts on them have something to read before the first copy.
    for (const result of ['ok', 'failed']) this.copies.inc({ result }, 0);
    this.loop = new PeriodicPass({
      clock: o.clock,
      logger: o.logger,
      intervalMs: REPAIR_INTERVAL_MS,
      what: 'repair pass',
      pass: () => this.runPass(),
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  /** One pass (PeriodicPass runs them one at a time; tests that drive a master without timers call it directly). */
  async runPass(): Promise<void> {
    this.o.registry.expire();
    if (!this.o.metadata.isLeader()) {
      if (this.leaderSince !== null) this.sweep.reset();
      this.leaderSince = null;
      return;
    }
    this.leaderSince ??= this.o.clock.monotonic();
    // Everything below reads the replicated catalog: make sure this master is caught up and still leader.
    await this.o.metadata.read(() => undefined);
    const state = this.o.metadata.state;
    // A chunk whose version is changing (a grant, cut, copy...) is judged once the change is recorded. The chunks
    // this loop is copying are among them: they count as under goal until their copy lands. A pass judges the
    // chunks found away from their goal and the next part of the catalog (ChunkSweep), not all of it.
    const classes = this.sweep.pass(state, REPAIR_BATCH, (chunkId) => this.o.ops.isBusy(chunkId));
    classes.counts.underGoal += this.inFlight.size;
    this.record(classes);
    await this.retireDeletions();
    await this.carryOutTruncations();
    if (this.o.clock.monotonic() - this.leaderSince < this.o.graceMs) return; // chunkservers may still be registering
    await this.promoteMissing(classes);
    await this.deleteSurplus();
    await this.dropOverGoal(classes);
    this.copyUnderGoal(classes);
  }

  private record(c: ChunkClassification): void {
    // Said once per change, not once per pass: the figure itself is in /status and the metrics.
    if (c.counts.missing !== this.figures.missing) {
      if (c.counts.missing > 0)
        this.o.logger.warn('chunks with no live replica', { count: c.counts.missing, first: c.missing[0]!.chunkId });
      else this.o.logger.info('every chunk has a live replica again');
    }
    // Copies are too many to be events one by one; the start and the end of a re-replication are.
    if (this.figures.underGoal === 0 && c.counts.underGoal > 0)
      this.o.logger.warn('chunks under their goal: copying', { count: c.counts.underGoal });
    if (this.figures.underGoal > 0 && c.counts.underGoal === 0) this.o.logger.info('every chunk is back at its goal');
    this.figures.underGoal = c.counts.underGoal;
    this.figures.overGoal = c.counts.overGoal;
    this.figures.missing = c.counts.missing;
    this.figures.copiesInFlight = this.inFlight.size;
    this.figures.lastPassAt = this.o.clock.now();
  }

  /** Freed chunks: delete every known replica, then retire them from the queue through consensus. */
  private async retireDeletions(): Promise<void> {
    const pending = this.o.metadata.state.pendingDeletions(REPAIR_BATCH);
    const retired: number[] = [];
    for (const d of pending) {
      const replicas = this.o.locations.replicas(d.chunkId);
      const results = await Promise.all(
        replicas.filter((r) => r.alive).map((r) => this.o.ops.deleteReplica(r.serverId, d.chunkId, r.version)),
      );
      // Dead servers' copies are deleted as stale when they come back (the catalog no longer knows the chunk).
      if (results.every(Boolean)) retired.push(d.chunkId);
    }
    if (retired.length > 0)
      await this.o.metadata.mutate({ sessionId: 0, requestId: 0 }, { op: 'chunkOpsDone', deleted: retired, truncated: [] });
  }

  /** Pending cuts (ChunkOperations.cut); a chunk whose version is changing is left for the next pass. */
  private async carryOutTruncations(): Promise<void> {
    for (const t of this.o.metadata.state.pendingTruncations(REPAIR_BATCH / 10)) {
      if (!this.o.ops.isBusy(t.chunkId)) await this.o.ops.cut(t.chunkId);
    }
  }

  /** Chunks no live good replica has the current version of: surviving replicas' version may become current. */
  private async promoteMissing(c: ChunkClassification): Promise<void> {
    for (const h of c.missing) if (!this.o.ops.isBusy(h.chunkId)) await this.o.ops.promote(h.chunkId);
  }

  /**
   * Replicas that are not good current copies (another version, corrupt, or of a chunk no longer in the catalog),
   * deleted only while the goal's worth of good copies exists elsewhere (ChunkLocations.surplusReplicas), looked
   * for in the next part of the replica map (ChunkSweep.surplus).
   */
  private async deleteSurplus(): Promise<void> {
    const surplus = this.sweep.surplus(this.o.metadata.state, REPAIR_BATCH);
    await Promise.all(
      surplus
        .filter((s) => this.o.locations.isAlive(s.serverId) && !this.o.ops.isBusy(s.chunkId) && !this.inFlight.has(s.chunkId))
        .map((s) => this.o.ops.deleteReplica(s.serverId, s.chunkId, s.version)),
    );
  }

  private async dropOverGoal(c: ChunkClassification): Promise<void> {
    const views = this.o.registry.views();
    for (const h of c.overGoal) {
      if (this.inFlight.has(h.chunkId) || this.o.ops.isBusy(h.chunkId)) continue;
      const drop = this.o.placement.chooseToDrop(h.chunkId, h.holders, h.holders.length - h.goal, views);
      await Promise.all(drop.map((id) => this.o.ops.deleteReplica(id, h.chunkId, h.version)));
    }
  }

  /**
   * Where a copy of an under-goal chunk goes, by preference: a server holding no copy of the chunk and not lately a
   * holder of a corrupt one (its disk may be rotting); then one holding only an old or ahead copy (the copy replaces
   * it); then one that lately held a corrupt copy; last, one holding a corrupt copy now, which is deleted first (a
   * chunkserver refuses a copy of a version it has, and a good copy, the source, exists). The later tiers keep a
   * small cluster from staying under goal: with three servers at goal 2, a chunk whose two copies rotted one after
   * the other has no server of the first two kinds.
   */
  private repairTarget(h: ChunkHealth, views: readonly ChunkserverView[]): string | undefined {
    const replicas = this.o.locations.replicas(h.chunkId);
    const corrupt = new Set(replicas.filter((r) => r.corrupt).map((r) => r.serverId));
    const lately = this.o.ops.recentlyCorruptOn(h.chunkId);
    const any = new Set(replicas.map((r) => r.serverId));
    const tiers = [new Set([...any, ...lately, ...corrupt]), new Set([...lately, ...corrupt]), corrupt, new Set<string>()];
    for (const exclude of tiers) {
      const allowed = views.filter((v) => h.holders.includes(v.id) || !exclude.has(v.id));
      const [target] = this.o.placement.chooseRepairTargets(h.chunkId, h.holders, 1, allowed);
      if (target) return target;
    }
    return undefined;
  }

  /**
   * Starts copies up to the concurrency bound; they finish in the background (the next pass sees the result). The
   * classification is from the start of the pass: each chunk is looked at again as it is now (a grant may have
   * moved its replicas meanwhile), and ChunkOperations.copy judges it once more when its turn comes.
   */
  private copyUnderGoal(c: ChunkClassification): void {
    const views = this.o.registry.views();
    for (const then of c.underGoal) {
      if (this.inFlight.size >= MAX_CONCURRENT_COPIES) return;
      if (this.inFlight.has(then.chunkId)) continue;
      if (this.o.ops.isBusy(then.chunkId)) continue;
      const version = this.o.metadata.state.chunkVersions(then.chunkId)?.version;
      if (version === undefined) continue; // freed meanwhile
      const h: ChunkHealth = { ...then, version, holders: this.o.locations.holders(then.chunkId, version) };
      if (h.holders.length === 0 || h.holders.length >= h.goal) continue;
      const target = this.repairTarget(h, views);
      if (!target) continue; // no server can take another copy: stays under goal, reported in /status
      this.inFlight.add(h.chunkId);
      const bad = this.o.locations.isCorrupt(target, h.chunkId) ? this.o.locations.versionOn(target, h.chunkId) : undefined;
      void (bad === undefined ? Promise.resolve(true) : this.o.ops.deleteReplica(target, h.chunkId, bad))
        .then((cleared) => cleared && this.o.ops.copy(h.chunkId, target))
        .then((ok) => {
          this.copies.inc({ result: ok ? 'ok' : 'failed' });
          if (ok) this.o.logger.debug('chunk copied toward its goal', { chunkId: h.chunkId, to: target });
        })
        // Nobody awaits a background copy: a rejection left here would be unhandled, and that ends the process.
        .catch((err: unknown) => {
          this.copies.inc({ result: 'failed' });
          this.o.logger.warn('a repair copy failed', { chunkId: h.chunkId, to: target, err: (err as Error).message });
        })
        .finally(() => this.inFlight.delete(h.chunkId));
    }
  }
}
