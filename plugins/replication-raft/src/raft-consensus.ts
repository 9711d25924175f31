// RaftConsensus: IConsensus on the pure Raft core. It drives the Ready cycle as each Ready says (send what may go
// early, persist with one fsync if the core asks for it, send the rest, apply, advance), owns the segmented log,
// the snapshot file and the peer transport, and turns applied entries and read states into resolved promises. Its
// time, disk, network and event-loop turns come through seams (IClock, RaftFileSystem, RaftTransport, schedule),
// so the seeded simulation runs this very host.
import {
  ErrorCodes,
  MoosengError,
  type ConsensusMember,
  type ConsensusRole,
  type ConsensusStatus,
  type IClock,
  type Counter,
  type Histogram,
  type IConsensus,
  type ILogger,
  type IMetrics,
  type IRandom,
  type IStateMachine,
  type LeadershipEvent,
  loadClusterSecret,
  loadNodeTls,
  MemberProofKey,
  type ProposeOptions,
  type TimerHandle,
} from '@mooseng/core';
import type { ConfigChange } from './core/membership';
import { RaftNode, RaftRefusal } from './core/raft-node';
import type { Entry, Member, Message, RaftConfig, Ready, Snapshot } from './core/types';
import type { RaftFileSystem } from './storage/file-system';
import { NodeFileSystem } from './storage/node-file-system';
import { SegmentWal } from './storage/segment-wal';
import { readSnapshotFile, writeSnapshotFile } from './storage/snapshot-file';
import { replayWal } from './storage/wal-replay';
import { entryTooLarge, MAX_ENTRY_BYTES, type WalRecord } from './storage/wal-records';
import { GrpcTransport } from './transport/grpc-transport';
import type { RaftTransport } from './transport/transport';
import { checkDurabilitySettings, RAFT_CONFIG_DEFAULTS, raftDirFor, type RaftPluginConfig, type RaftSyncMode } from './plugin-config';

/** Bytes of entries in one append message. */
export const DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;
/** Un-acknowledged appends per follower while pipelining. */
export const MAX_INFLIGHT_APPENDS = 64;
/** Proposals and reads waiting for the event loop at once; beyond this they fail fast with UNAVAILABLE. */
export const MAX_PENDING_REQUESTS = 100_000;

/** The plugin's settings (replication-raft section, see plugin-config.ts) and what the host supplies. */
/** The host's options: the section's tuning settings, with its membership and port already resolved (members, raftPort). */
export interface RaftConsensusOptions
  extends
    Omit<RaftPluginConfig, 'peers' | 'port' | 'host' | 'sync' | 'fsyncLagMs' | 'fsyncLagEntries'>,
    Partial<Pick<RaftPluginConfig, 'sync' | 'fsyncLagMs' | 'fsyncLagEntries'>> {
  nodeId: string;
  clusterId: string;
  /** Bootstrap membership (this node included), used when no snapshot says otherwise. */
  members: ConsensusMember[];
  /** Where the default gRPC transport listens for peers (unused when `transport` is given). */
  listenHost: string;
  raftPort: number;
  /** Directory of the log segments and the snapshot. */
  dir: string;
  clock: IClock;
  random: IRandom;
  logger: ILogger;
  /** Where to report Raft metrics (term, indexes, proposals, log write latency); none when absent. */
  metrics?: IMetrics;
  /** The disk the log and snapshot live on: node:fs unless a simulation supplies its own. */
  fs?: RaftFileSystem;
  /** How messages reach the peers: gRPC on listenHost:raftPort unless given. */
  transport?: RaftTransport;
  /**
   * The cluster secret's file (node.clusterSecretFile): the gRPC transport then proves this node's membership on
   * every call and drops calls from senders that cannot prove theirs. Empty or absent: no proof asked or given.
   */
  clusterSecretFile?: string;
  /** The node's TLS files (node.tls): the gRPC transport then runs mutual TLS, taking only masters of the CA. */
  tls?: { caFile: string; certFile: string; keyFile: string };
  /**
   * Runs `fn` after the callbacks already due in this turn of the event loop (setImmediate unless given; the
   * simulation queues it as one of its events). The loop starts through it, so inputs arriving together (a
   * Deliver call's messages, a burst of proposals) go into one Ready and share its fsync.
   */
  schedule?: (fn: () => void) => void;
}

interface Pending {
  term: number;
  resolve(result: Uint8Array): void;
  reject(err: MoosengError): void;
}

interface PendingRead {
  resolve(): void;
  reject(err: MoosengError): void;
}

/** A waitDurable call: resolved once a majority has the log up to `index` on disk. */
interface DurableWaiter {
  index: number;
  resolve(): void;
  reject(err: MoosengError): void;
}

/** IConsensus on the pure Raft core; see the file comment and docs/raft.md. */
export class RaftConsensus implements IConsensus {
  readonly nodeId: string;
  private raft: RaftNode | null = null;
  private stateMachine: IStateMachine | null = null;
  private readonly fs: RaftFileSystem;
  private readonly schedule: (fn: () => void) => void;
  private readonly wal: SegmentWal;
  private transport: RaftTransport | null = null;
  private ticker: TimerHandle | null = null;
  /** Monotonic ms up to which ticks have been given to the core; null until the first look at the clock. */
  private tickedUpTo: number | null = null;
  private running = false;
  /** start() finished: the log is open and the core built (stop() may then write to the log). */
  private startedUp = false;
  private stopped = false;
  /** The start() in progress or done (null before it is called). */
  private starting: Promise<void> | null = null;
  /** Inputs that arrived while a Ready was being handled; run, in order, once it is advanced. */
  private inbox: (() => void)[] = [];
  private looping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly proposals = new Map<number, Pending>();
  private readonly reads = new Map<number, PendingRead>();
  private readsAwaitingApply: { index: number; read: PendingRead }[] = [];
  private nextReadId = 1;
  private appliedIndex = 0;
  /** The commit index in the last hard state written to the log (commit-only Readies are not written). */
  private loggedCommit = 0;
  private lastSnapshotIndex = 0;
  private compactRequested: { resolve(): void; reject(err: unknown): void }[] = [];
  private readonly listeners = new Set<(e: LeadershipEvent) => void>();
  private lastEvent: { term: number; leaderId: string | null } = { term: -1, leaderId: null };
  private loopError: unknown = null;
  private transportMembers: readonly Member[] | null = null;
  private readonly proposalsCounter: Counter | null = null;
  private readonly walWriteSeconds: Histogram | null = null;
  private readonly commitSeconds: Histogram | null = null;
  private readonly syncMode: RaftSyncMode;

  get durableWhenAcknowledged(): boolean {
    return this.syncMode === 'commit';
  }
  private readonly fsyncLagMs: number;
  private readonly fsyncLagEntries: number;
  /** The last entry index written to the log file, and the last one this node knows is on its disk. */
  private writtenIndex = 0;
  private durableIndex = 0;
  /** The background fsync of deferred batches (quorum-memory): the one in flight, the index it covers, its timer. */
  private backgroundSync: Promise<void> | null = null;
  private backgroundSyncCovers = 0;
  private backgroundSyncTimer: TimerHandle | null = null;
  private durableWaiters: DurableWaiter[] = [];

  constructor(private readonly options: RaftConsensusOptions) {
    this.nodeId = options.nodeId;
    this.syncMode = options.sync ?? RAFT_CONFIG_DEFAULTS.sync;
    this.fsyncLagMs = options.fsyncLagMs ?? RAFT_CONFIG_DEFAULTS.fsyncLagMs;
    this.fsyncLagEntries = options.fsyncLagEntries ?? RAFT_CONFIG_DEFAULTS.fsyncLagEntries;
    checkDurabilitySettings({
      sync: this.syncMode,
      fsyncLagMs: this.fsyncLagMs,
      fsyncLagEntries: this.fsyncLagEntries,
      fsync: options.fsync,
    });
    this.fs = options.fs ?? new NodeFileSystem();
    this.schedule = options.schedule ?? ((fn) => void setImmediate(fn));
    this.wal = new SegmentWal({ fs: this.fs, dir: options.dir, segmentBytes: options.segmentBytes, fsync: options.fsync });
    const m = options.metrics;
    if (m) {
      const s = (): ConsensusStatus => this.status();
      m.gauge({ name: 'mooseng_raft_term', help: 'Current Raft term', collect: (set) => set(s().term) });
      m.gauge({ name: 'mooseng_raft_commit_index', help: 'Highest log index known committed', collect: (set) => set(s().commitIndex) });
      m.gauge({
        name: 'mooseng_raft_applied_index',
        help: 'Highest log index applied to the state machine',
        collect: (set) => set(s().appliedIndex),
      });
      m.gauge({
        name: 'mooseng_raft_is_leader',
        help: '1 on the leader, 0 elsewhere',
        collect: (set) => set(s().role === 'leader' ? 1 : 0),
      });
      this.proposalsCounter = m.counter({ name: 'mooseng_raft_proposals_total', help: 'Proposals by outcome', labelNames: ['result'] });
      m.gauge({
        name: 'mooseng_raft_log_entries',
        help: 'Entries in the log not yet covered by a snapshot',
        collect: (set) => set(s().lastIndex - this.lastSnapshotIndex),
      });
      m.gauge({ name: 'mooseng_raft_log_bytes', help: 'Size of the log segments on disk', collect: (set) => set(this.wal.sizeBytes()) });
      this.commitSeconds = m.histogram({
        name: 'mooseng_raft_commit_seconds',
        help: 'Time from proposal to applied on the leader (replication, fsync on a quorum, apply)',
        buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1, 5],
      });
      this.walWriteSeconds = m.histogram({
        name: 'mooseng_raft_log_write_seconds',
        help: 'Time to write (and fsync) one Ready batch to the log',
        buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      });
    }
  }

  start(stateMachine: IStateMachine, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.running || this.starting)
      return Promise.reject(new MoosengError(ErrorCodes.INVALID_ARGUMENT, 'RaftConsensus already started'));
    if (this.stopped) return Promise.reject(new MoosengError(ErrorCodes.UNAVAILABLE, 'RaftConsensus was stopped'));
    this.starting = this.startUp(stateMachine, options).catch(async (err: unknown) => {
      // Whatever was opened is closed again: a failed or abandoned start leaves nothing listening or open.
      await this.transport?.close();
      await this.wal.close();
      throw err;
    });
    return this.starting;
  }

  private async startUp(stateMachine: IStateMachine, options: { signal?: AbortSignal }): Promise<void> {
    this.stateMachine = stateMachine;
    const o = this.options;
    // stop() may come while we read the disk: from then on, this start is abandoned.
    const stillWanted = (): void => {
      if (this.stopped) throw new MoosengError(ErrorCodes.UNAVAILABLE, 'consensus stopped while starting');
    };
    const recovery = await this.wal.open();
    stillWanted();
    if (recovery.cut) {
      o.logger.warn('cut a write torn by a crash off the Raft log tail', {
        file: recovery.cut.path,
        offset: recovery.cut.offset,
        bytes: recovery.truncatedBytes,
        found: recovery.cut.reason,
      });
    }
    const snapshot: Snapshot = (await readSnapshotFile(this.fs, o.dir)) ?? {
      index: 0,
      term: 0,
      members: o.members,
      data: new Uint8Array(0),
    };
    stillWanted();
    const state = replayWal(snapshot, recovery.records);
    this.loggedCommit = state.hardState.commit;
    if (state.needsReset) {
      await this.wal.append(
        [
          { type: 'reset', index: snapshot.index, term: snapshot.term },
          { type: 'hard-state', hardState: state.hardState },
        ],
        state.hardState,
      );
      stillWanted();
    }
    options.signal?.throwIfAborted();
    if (snapshot.index > 0) await stateMachine.restore(snapshot.data);
    stillWanted();
    this.appliedIndex = snapshot.index;
    this.lastSnapshotIndex = snapshot.index;
    const config: RaftConfig = {
      id: o.nodeId,
      electionTicks: o.electionTicks,
      heartbeatTicks: o.heartbeatTicks,
      maxMessageBytes: o.maxBatchBytes,
      maxInflightMessages: MAX_INFLIGHT_APPENDS,
      preVote: true,
      checkQuorum: true,
      leaseReads: o.leaseReads,
      quorumMemory: this.syncMode === 'quorum-memory',
    };
    this.raft = new RaftNode(config, o.random, state);
    // open() made the whole log durable before anything else is written.
    this.writtenIndex = this.raft.log.lastIndex();
    this.durableIndex = this.writtenIndex;
    if (this.raft.recoveringTerm !== 0) {
      o.logger.warn('raft log was written without fsync as leader of an earlier term: recovering before voting', {
        term: this.raft.recoveringTerm,
        lastIndex: this.writtenIndex,
      });
    }
    let memberProofs: MemberProofKey | undefined;
    if (!o.transport && o.clusterSecretFile) {
      const { secret, retired, warning } = await loadClusterSecret(o.clusterSecretFile, 'node.clusterSecretFile');
      if (warning) o.logger.warn(warning);
      memberProofs = new MemberProofKey(secret, retired);
    }
    const tls = o.transport ? null : await loadNodeTls(o.tls, 'node.tls');
    this.transport =
      o.transport ??
      new GrpcTransport({
        memberProofs,
        tls: tls ?? undefined,
        selfId: o.nodeId,
        clusterId: o.clusterId,
        listenHost: o.listenHost,
        port: o.raftPort,
        clock: o.clock,
        random: o.random,
        logger: o.logger,
      });
    this.syncTransportMembers();
    await this.transport.start((m: Message) => this.input(() => this.raft!.step(m)));
    stillWanted();
    this.running = true;
    this.startedUp = true;
    o.logger.info('raft started', {
      term: state.hardState.term,
      snapshotIndex: snapshot.index,
      lastIndex: this.raft.log.lastIndex(),
      members: this.raft.members.map((m) => m.id),
    });
    // A cluster of one need not wait an election timeout to lead.
    if (this.raft.members.length === 1 && this.raft.isMember(o.nodeId)) this.input(() => this.raft!.campaignNow());
    this.scheduleTick();
    this.kick();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    this.ticker?.cancel();
    this.backgroundSyncTimer?.cancel();
    this.backgroundSyncTimer = null;
    this.failAll(
      new MoosengError(ErrorCodes.PROPOSAL_DROPPED, 'consensus stopped before the command was applied'),
      new MoosengError(ErrorCodes.UNAVAILABLE, 'consensus stopped'),
    );
    // A start still reading the disk gives up at its next step and closes what it opened; wait for that.
    await this.starting?.catch(() => undefined);
    await this.transport?.close();
    // Let a Ready being persisted finish before closing the log under it.
    await this.loopDone;
    await this.clearDeferredSyncMark();
    await this.wal.close();
  }

  /**
   * A clean stop makes the whole log durable and clears the deferred-sync mark, so the next start need not recover
   * (a rolling restart of a quorum-memory leader). Not after a failure (the log's state is unknown) nor while
   * recovering (what was lost is still lost); if it fails, the next start recovers, which is always safe.
   */
  private async clearDeferredSyncMark(): Promise<void> {
    const raft = this.raft;
    if (!this.startedUp || !raft || this.loopError !== null || raft.deferredSyncMark === 0 || raft.recoveringTerm !== 0) return;
    try {
      await this.wal.append([{ type: 'deferred-sync', term: 0 }], raft.hardState());
    } catch (err) {
      this.options.logger.warn('could not clear the deferred-sync mark at stop; the next start recovers', {
        error: (err as Error).message,
      });
    }
  }

  propose(command: Uint8Array, options: ProposeOptions = {}): Promise<Uint8Array> {
    // Refused here, not when the batch is written: a log write that fails stops the node.
    if (command.byteLength > MAX_ENTRY_BYTES) return Promise.reject(entryTooLarge(command.byteLength));
    const result = this.request<Uint8Array>(options, (resolve, reject) => {
      const { index, term } = this.raft!.propose(command);
      this.proposals.set(index, { term, resolve, reject });
      return () => this.proposals.delete(index);
    });
    if (this.proposalsCounter && this.commitSeconds) {
      const counter = this.proposalsCounter;
      const elapsed = this.commitSeconds.startTimer();
      void result.then(
        () => {
          elapsed();
          counter.inc({ result: 'applied' });
        },
        (err: unknown) => counter.inc({ result: (err as MoosengError).code?.toLowerCase() ?? 'error' }),
      );
    }
    return result;
  }

  readBarrier(options: ProposeOptions = {}): Promise<void> {
    return this.request<void>(options, (resolve, reject) => {
      const id = this.nextReadId++;
      this.reads.set(id, { resolve: () => resolve(undefined), reject });
      this.raft!.readIndex(id);
      return () => this.reads.delete(id);
    });
  }

  /**
   * Resolves once this (leader) node knows a majority has on disk every entry committed before the call, its own
   * copy or not: a client's fsync waits for it in sync: quorum-memory, where a write is acknowledged before the
   * leader's fsync. In commit mode that holds as soon as the entries are committed. A readBarrier first, so a
   * leader elected since the write covers it (its commit index then includes everything acknowledged before).
   */
  async waitDurable(options: ProposeOptions = {}): Promise<void> {
    await this.readBarrier(options);
    await this.request<void>(options, (resolve, reject) => {
      const raft = this.raft!;
      if (raft.role !== 'leader') throw new RaftRefusal('not-leader', 'not the leader');
      const waiter: DurableWaiter = { index: raft.log.committed, resolve: () => resolve(undefined), reject };
      this.durableWaiters.push(waiter);
      // A waiting client should not wait out the fsync lag as well.
      this.startBackgroundSync();
      this.releaseDurableWaiters();
      return () => {
        this.durableWaiters = this.durableWaiters.filter((w) => w !== waiter);
      };
    });
  }

  /** The highest index this node knows is on disk (its own log; quorum-memory leaders run ahead of it). */
  get localDurableIndex(): number {
    return this.durableIndex;
  }

  /**
   * The pure core this host drives, for simulations and tests to inspect (its log, role, members). Never step
   * or advance it from outside: only the host's loop may, between its own ready() and advance().
   */
  get raftNode(): RaftNode | null {
    return this.raft;
  }

  status(): ConsensusStatus {
    const raft = this.raft;
    if (!raft) {
      return { nodeId: this.nodeId, role: 'stopped', term: 0, leaderId: null, commitIndex: 0, appliedIndex: 0, lastIndex: 0, members: [] };
    }
    const role: ConsensusRole = this.running ? raft.role : 'stopped';
    return {
      nodeId: this.nodeId,
      role,
      term: raft.term,
      leaderId: raft.leaderId,
      commitIndex: raft.log.committed,
      appliedIndex: this.appliedIndex,
      durableIndex: this.durableIndex,
      lastIndex: raft.log.lastIndex(),
      members: raft.members.map((m) => ({ ...m })),
      ...(role === 'leader' ? { followers: raft.followerProgress() } : {}),
    };
  }

  onLeadershipChange(listener: (event: LeadershipEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  addMember(member: ConsensusMember, options: ProposeOptions = {}): Promise<void> {
    return this.changeMembership({ op: 'add', member: { id: member.id, address: member.address } }, options);
  }

  removeMember(id: string, options: ProposeOptions = {}): Promise<void> {
    return this.changeMembership({ op: 'remove', id }, options);
  }

  async transferLeadership(targetId?: string, options: ProposeOptions = {}): Promise<void> {
    const target = await this.request<string>(options, (resolve) => {
      const raft = this.raft!;
      const t = targetId ?? raft.bestTransferTarget();
      if (t === null) throw new RaftRefusal('invalid', 'no other member to hand leadership to');
      raft.transferLeadership(t);
      resolve(t);
      return () => undefined;
    });
    if (target === this.nodeId) return;
    const timeoutMs = 4 * this.options.electionTicks * this.options.tickIntervalMs;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: MoosengError): void => {
        unsubscribe();
        timer.cancel();
        options.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const onAbort = (): void => done(new MoosengError(ErrorCodes.ABORTED, 'leader transfer aborted'));
      const unsubscribe = this.onLeadershipChange((e) => {
        if (e.leaderId === target) done();
      });
      const timer = this.options.clock.setTimer(timeoutMs, () =>
        done(new MoosengError(ErrorCodes.TIMEOUT, `${target} did not take over within ${timeoutMs} ms`)),
      );
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (this.raft?.leaderId === target) done();
    });
  }

  compact(options: ProposeOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      this.compactRequested.push({ resolve, reject });
      this.kick();
    });
  }

  // ----- the event loop -----

  /**
   * Runs `fn` against the core when no Ready is in flight (the core is never stepped between ready() and
   * advance()), then drives the loop.
   */
  private input(fn: () => void): void {
    if (!this.running) return;
    this.inbox.push(fn);
    this.kick();
  }

  private kick(): void {
    if (this.looping || !this.running) return;
    this.looping = true;
    this.loopDone = new Promise<void>((resolve) => this.schedule(resolve))
      .then(() => this.loop())
      .catch((err) => {
        // A failed fsync or apply leaves this node's state unknown: stop it rather than risk diverging.
        this.loopError = err;
        this.looping = false;
        this.options.logger.error('raft loop failed; stopping this node', { error: (err as Error).message });
        this.schedule(() => void this.stop().catch(() => undefined));
      });
  }

  private async loop(): Promise<void> {
    try {
      while (this.running) {
        const inbox = this.inbox;
        this.inbox = [];
        this.catchUpTicks();
        for (const fn of inbox) fn();
        const raft = this.raft!;
        if (raft.hasReady()) {
          await this.handleReady(raft.ready());
          continue;
        }
        if (this.compactRequested.length > 0 || this.appliedIndex - this.lastSnapshotIndex >= this.options.snapshotThresholdEntries) {
          await this.takeSnapshot();
          continue;
        }
        if (this.inbox.length === 0) break;
      }
    } finally {
      this.looping = false;
    }
    if (this.running && this.inbox.length > 0) this.kick();
  }

  private async handleReady(rd: Ready): Promise<void> {
    const raft = this.raft!;
    // Committed entries this node already holds on disk are final: they need not wait for this Ready's write, so
    // under load a proposal is answered one log write sooner (the one for the entries proposed since). Only those:
    // an entry applied here is never one a crash could take from this node's log. After a snapshot, none: it is
    // restored first.
    const stableIndex = raft.log.stableIndex;
    let appliedEarly = 0;
    if (!rd.snapshot) while (appliedEarly < rd.committed.length && rd.committed[appliedEarly].index <= stableIndex) appliedEarly++;
    // The core sorted the messages: these promise nothing about our disk (a leader's appends and heartbeats), so
    // they go now and the followers' fsyncs overlap ours (thesis 10.2.1).
    this.send(rd.messages);
    // 1. Persist (started now, awaited after the early apply, which runs while the disk works). Deferred batches
    // (a quorum-memory leader's) are written and fsynced in the background; anything promising durable state
    // (messagesAfterSync) first makes deferred batches still unsynced durable too.
    const persisted = rd.mustSync
      ? this.persist(rd)
      : rd.messagesAfterSync.length > 0 && this.wal.hasUnsyncedBatches()
        ? this.syncAll()
        : null;
    try {
      this.applyEntries(rd.committed, 0, appliedEarly);
    } catch (err) {
      // The loop fails on this (the node stops); the write must not be left to fail unobserved.
      await persisted?.catch(() => undefined);
      throw err;
    }
    if (persisted) await persisted;
    // 2. Send what promises durable state (votes, append acknowledgements), now that it is durable.
    this.send(rd.messagesAfterSync);
    // 3. Apply.
    if (rd.snapshot) {
      this.options.logger.info('installing snapshot from the leader', {
        index: rd.snapshot.index,
        term: rd.snapshot.term,
        bytes: rd.snapshot.data.byteLength,
      });
      await this.stateMachine!.restore(rd.snapshot.data);
      this.appliedIndex = rd.snapshot.index;
      this.lastSnapshotIndex = rd.snapshot.index;
      for (const [index, p] of this.proposals) {
        if (index > rd.snapshot.index) continue;
        this.proposals.delete(index);
        p.reject(
          new MoosengError(
            ErrorCodes.PROPOSAL_DROPPED,
            'replaced by a snapshot from the leader; the command may or may not have been applied',
          ),
        );
      }
    }
    this.applyEntries(rd.committed, appliedEarly, rd.committed.length);
    for (const rs of rd.readStates) {
      const read = this.reads.get(rs.requestId);
      if (!read) continue;
      this.reads.delete(rs.requestId);
      this.readsAwaitingApply.push({ index: rs.index, read });
    }
    if (this.readsAwaitingApply.length > 0) {
      this.readsAwaitingApply = this.readsAwaitingApply.filter((r) => {
        if (this.appliedIndex < r.index) return true;
        r.read.resolve();
        return false;
      });
    }
    // 4. Advance.
    raft.advance(rd);
    if (rd.softState) this.noteSoftState();
    this.releaseDurableWaiters();
  }

  /**
   * Snapshot file first (atomic), then the log records in one batch made durable in one write. A Ready that only
   * moves the commit index is not written at all: its commit index goes into the next batch (a lost commit index
   * is learnt again from the leader), and the log never holds an unsynced batch with another after it, so recovery
   * can take damage before the final batch as corruption.
   */
  private async persist(rd: Ready): Promise<void> {
    const raft = this.raft!;
    if (rd.snapshot) await writeSnapshotFile(this.fs, this.options.dir, rd.snapshot, this.options.fsync);
    const hardState = raft.hardState();
    const records: WalRecord[] = [];
    if (rd.snapshot) records.push({ type: 'reset', index: rd.snapshot.index, term: rd.snapshot.term });
    if (rd.entries.length > 0) records.push({ type: 'entries', entries: rd.entries });
    if (rd.hardState || hardState.commit !== this.loggedCommit) records.push({ type: 'hard-state', hardState });
    if (rd.deferredSyncTerm !== null) records.push({ type: 'deferred-sync', term: rd.deferredSyncTerm });
    // Entries replacing the log from `first` on take what was durable above it with them.
    const first = rd.snapshot ? rd.snapshot.index + 1 : rd.entries[0]?.index;
    if (first !== undefined) {
      this.durableIndex = Math.min(this.durableIndex, first - 1);
      this.backgroundSyncCovers = Math.min(this.backgroundSyncCovers, first - 1);
    }
    const written = rd.entries.length > 0 ? rd.entries[rd.entries.length - 1].index : rd.snapshot ? rd.snapshot.index : this.writtenIndex;
    const endTimer = this.walWriteSeconds?.startTimer();
    await this.wal.append(records, hardState, { deferFsync: rd.syncDeferrable });
    endTimer?.();
    this.loggedCommit = hardState.commit;
    this.writtenIndex = written;
    if (!rd.syncDeferrable) this.durableIndex = written;
    else this.scheduleBackgroundSync();
  }

  /** Makes every deferred batch durable now (before a message that promises it goes out). */
  private async syncAll(): Promise<void> {
    const covers = this.writtenIndex;
    await this.wal.sync();
    this.durableIndex = Math.max(this.durableIndex, Math.min(covers, this.writtenIndex));
  }

  /**
   * quorum-memory: after a deferred write, the fsync starts once fsyncLagEntries entries are unsynced, or
   * fsyncLagMs after the first of them, whichever comes first (at once when a client waits in waitDurable). One
   * fsync at a time; one that ends with more unsynced entries schedules the next. So what a power cut of every
   * master can take is what was written within the lag and the fsync under way at the time.
   */
  private scheduleBackgroundSync(): void {
    if (!this.running || this.writtenIndex <= this.durableIndex) return;
    if (this.writtenIndex - this.durableIndex >= this.fsyncLagEntries || this.durableWaiters.length > 0) {
      this.startBackgroundSync();
      return;
    }
    this.backgroundSyncTimer ??= this.options.clock.setTimer(this.fsyncLagMs, () => {
      this.backgroundSyncTimer = null;
      this.startBackgroundSync();
    });
  }

  private startBackgroundSync(): void {
    if (!this.running || this.backgroundSync || !this.wal.hasUnsyncedBatches()) return;
    this.backgroundSyncTimer?.cancel();
    this.backgroundSyncTimer = null;
    this.backgroundSyncCovers = this.writtenIndex;
    const run = this.wal.sync().then(
      () => {
        this.backgroundSync = null;
        this.durableIndex = Math.max(this.durableIndex, this.backgroundSyncCovers);
        this.releaseDurableWaiters();
        this.scheduleBackgroundSync();
      },
      (err: unknown) => {
        this.backgroundSync = null;
        if (this.stopped) return;
        // As a failed log write: this node's disk is in an unknown state.
        this.loopError = err;
        this.options.logger.error('raft log fsync failed; stopping this node', { error: (err as Error).message });
        void this.stop().catch(() => undefined);
      },
    );
    this.backgroundSync = run;
  }

  /** Resolves the waitDurable calls a majority's disks now cover (only a leader knows its followers' progress). */
  private releaseDurableWaiters(): void {
    if (this.durableWaiters.length === 0) return;
    const raft = this.raft!;
    if (raft.role !== 'leader') {
      const notLeader = this.notLeader();
      for (const w of this.durableWaiters) w.reject(notLeader);
      this.durableWaiters = [];
      return;
    }
    const durable = raft.durableQuorumIndex(this.durableIndex);
    this.durableWaiters = this.durableWaiters.filter((w) => {
      if (w.index > durable) return true;
      w.resolve();
      return false;
    });
  }

  /** Applies committed[from, to) in order and settles the proposals waiting for them. */
  private applyEntries(committed: readonly Entry[], from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const e = committed[i];
      let result: Uint8Array = new Uint8Array(0);
      if (e.type === 'normal') result = this.stateMachine!.apply(e.data, e.index);
      this.appliedIndex = e.index;
      const p = this.proposals.get(e.index);
      if (!p) continue;
      this.proposals.delete(e.index);
      if (p.term === e.term) p.resolve(result);
      else
        p.reject(
          new MoosengError(ErrorCodes.PROPOSAL_DROPPED, 'a new leader replaced the entry; the command was not applied', this.leaderHint()),
        );
    }
  }

  private send(messages: readonly Message[]): void {
    if (messages.length === 0) return;
    this.syncTransportMembers();
    for (const m of messages) this.transport!.send(m);
  }

  /** The core replaces its member list on every change (appended, truncated or snapshotted): follow it. */
  private syncTransportMembers(): void {
    const members = this.raft!.members;
    if (members === this.transportMembers) return;
    this.transportMembers = members;
    this.transport!.setMembers(members);
  }

  private noteSoftState(): void {
    const raft = this.raft!;
    if (raft.role !== 'leader') {
      // Entries proposed here may still commit under the new leader, or be overwritten: the caller cannot know.
      const dropped = new MoosengError(
        ErrorCodes.PROPOSAL_DROPPED,
        'leadership was lost before the command committed; it may or may not be applied',
        this.leaderHint(),
      );
      for (const p of this.proposals.values()) p.reject(dropped);
      this.proposals.clear();
      const notLeader = this.notLeader();
      for (const r of this.reads.values()) r.reject(notLeader);
      this.reads.clear();
    }
    if (raft.term !== this.lastEvent.term || raft.leaderId !== this.lastEvent.leaderId) {
      this.lastEvent = { term: raft.term, leaderId: raft.leaderId };
      const event: LeadershipEvent = { term: raft.term, leaderId: raft.leaderId, isSelf: raft.leaderId === this.nodeId };
      if (raft.leaderId !== null) this.options.logger.info('leader', { term: raft.term, leaderId: raft.leaderId });
      for (const l of [...this.listeners]) {
        try {
          l(event);
        } catch (err) {
          this.options.logger.warn('leadership listener threw', { error: (err as Error).message });
        }
      }
    }
  }

  private async takeSnapshot(): Promise<void> {
    const waiting = this.compactRequested;
    this.compactRequested = [];
    try {
      const raft = this.raft!;
      const index = this.appliedIndex;
      if (index > this.lastSnapshotIndex) {
        // Nothing is applied while we await: the loop is ours until this returns.
        const data = await this.stateMachine!.snapshot();
        const snapshot = raft.compact(index, data);
        await writeSnapshotFile(this.fs, this.options.dir, snapshot, this.options.fsync);
        this.lastSnapshotIndex = index;
        const removed = await this.wal.compact(index);
        this.options.logger.debug('snapshot taken', { index, bytes: data.byteLength, segmentsRemoved: removed });
      }
      for (const w of waiting) w.resolve();
    } catch (err) {
      for (const w of waiting) w.reject(err);
      throw err;
    }
  }

  private scheduleTick(): void {
    if (!this.running) return;
    this.ticker = this.options.clock.setTimer(this.options.tickIntervalMs, () => {
      this.input(() => undefined); // the loop catches up the ticks
      this.scheduleTick();
    });
  }

  /**
   * Gives the core one tick per tick interval of monotonic time since the last, however late the timer fired: a
   * process that was paused (GC, a stalled disk, SIGSTOP) learns how much time passed before it handles anything
   * else, so a leader cannot serve a read from a lease that ran out while it was stopped, and a leader cut off
   * that long steps down first. Bounded, so a very long pause costs a few election timeouts of ticks, no more.
   */
  private catchUpTicks(): void {
    const now = this.options.clock.monotonic();
    const interval = this.options.tickIntervalMs;
    // (null, not 0, marks "not yet": a clock may well read 0 at the start.)
    if (this.tickedUpTo === null) this.tickedUpTo = now;
    const due = Math.floor((now - this.tickedUpTo) / interval);
    if (due <= 0) return;
    this.tickedUpTo += due * interval;
    for (let i = Math.min(due, 4 * this.options.electionTicks); i > 0; i--) this.raft!.tick();
  }

  // ----- helpers -----

  /**
   * Runs `start` on the core inside the loop; it registers the request and returns how to forget it. Refusals
   * become NOT_LEADER (with the leader hint) or INVALID_ARGUMENT; the signal rejects with ABORTED.
   */
  private request<T>(
    options: ProposeOptions,
    start: (resolve: (v: T) => void, reject: (e: MoosengError) => void) => () => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.loopError)
        return reject(new MoosengError(ErrorCodes.UNAVAILABLE, 'consensus failed and stopped', { cause: this.loopError }));
      if (!this.running) return reject(new MoosengError(ErrorCodes.UNAVAILABLE, 'consensus is not running'));
      if (options.signal?.aborted) return reject(new MoosengError(ErrorCodes.ABORTED, 'aborted'));
      if (this.proposals.size + this.reads.size + this.inbox.length >= MAX_PENDING_REQUESTS) {
        return reject(new MoosengError(ErrorCodes.UNAVAILABLE, `more than ${MAX_PENDING_REQUESTS} requests pending; retry later`));
      }
      let forget: (() => void) | null = null;
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        forget?.();
        reject(new MoosengError(ErrorCodes.ABORTED, 'aborted; the command may still be applied'));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const finish =
        <A extends unknown[]>(fn: (...a: A) => void) =>
        (...a: A): void => {
          if (settled) return;
          settled = true;
          options.signal?.removeEventListener('abort', onAbort);
          fn(...a);
        };
      const ok = finish(resolve as (v: T) => void);
      const fail = finish(reject as (e: MoosengError) => void);
      this.input(() => {
        if (settled) return;
        try {
          forget = start(ok, fail);
        } catch (err) {
          if (!(err instanceof RaftRefusal)) throw err;
          if (err.reason === 'not-leader') fail(this.notLeader());
          else if (err.reason === 'invalid') fail(new MoosengError(ErrorCodes.INVALID_ARGUMENT, err.message));
          else fail(new MoosengError(ErrorCodes.UNAVAILABLE, `${err.message}`, this.leaderHint()));
        }
      });
    });
  }

  private changeMembership(change: ConfigChange, options: ProposeOptions): Promise<void> {
    return this.request<void>(options, (resolve, reject) => {
      const { index, term } = this.raft!.proposeConfigChange(change);
      this.proposals.set(index, { term, resolve: () => resolve(undefined), reject });
      return () => this.proposals.delete(index);
    });
  }

  private leaderHint(): { details: Record<string, unknown> } {
    const raft = this.raft;
    const leaderId = raft?.leaderId ?? null;
    const leaderAddress = leaderId ? (raft!.members.find((m: Member) => m.id === leaderId)?.address ?? null) : null;
    return { details: { leaderId, leaderAddress } };
  }

  private notLeader(): MoosengError {
    const hint = this.leaderHint();
    const where = hint.details.leaderId
      ? `the leader is ${hint.details.leaderId} at ${hint.details.leaderAddress}`
      : 'no leader is known yet (election in progress)';
    return new MoosengError(ErrorCodes.NOT_LEADER, `this master is not the leader; ${where}`, hint);
  }

  private failAll(dropped: MoosengError, unavailable: MoosengError): void {
    for (const p of this.proposals.values()) p.reject(dropped);
    this.proposals.clear();
    for (const r of this.reads.values()) r.reject(unavailable);
    this.reads.clear();
    for (const r of this.readsAwaitingApply) r.read.reject(unavailable);
    this.readsAwaitingApply = [];
    for (const c of this.compactRequested) c.reject(unavailable);
    this.compactRequested = [];
    for (const w of this.durableWaiters) w.reject(unavailable);
    this.durableWaiters = [];
    this.inbox = [];
  }

  /** Where the log and snapshot of a node live, under its data directory (see raftDirFor). */
  static dirFor(dataDir: string): string {
    return raftDirFor(dataDir);
  }
}
