// One simulated master: the real RaftConsensus host (its Ready loop, segmented log, snapshot file, ticking) over
// this node's simulated disk, network transport and drifting clock, with a key-value state machine. A crash ends
// the process abruptly (its pending I/O never completes, its timers never fire) and a restart boots a new
// RaftConsensus from whatever the disk kept.
import { isMoosengError, SeededRandom, type IRandom, type IStateMachine, type ILogger, type LogFields } from '@mooseng/core';
import { RaftConsensus, type ConfigChange, type Member, type RaftNode } from '@mooseng/plugin-replication-raft';
import { encodeKvCommand, KvStore, type KvCommand } from '../support/kv-store';
import { SimNodeClock } from './sim-clock';
import { SimDisk } from './sim-fs';
import type { SimNetwork } from './sim-network';

/** Simulated milliseconds per Raft tick. */
export const SIM_TICK_MS = 10;
/** Entries applied past the last snapshot before the host compacts (small, so InstallSnapshot gets exercised). */
export const SIM_SNAPSHOT_THRESHOLD_ENTRIES = 40;
/** Where each node's host keeps its Raft files on its simulated disk. */
const RAFT_DIR = '/data/raft';

/** What a node needs from the simulation around it. */
export interface SimWorld {
  now(): number;
  at(delayMs: number, fn: () => void): void;
  random: IRandom;
  network: SimNetwork;
  /** The longest a simulated fsync takes in this run. */
  fsyncMaxMs: number;
  /** A line for the run's trace. */
  log(line: string): void;
  violation(what: string): void;
  onApply(node: SimNode, index: number, command: Uint8Array, digest: string): void;
  onRestore(node: SimNode, index: number, digest: string): void;
  /** Host events worth counting (snapshots taken, torn tails cut). */
  count(what: 'snapshotsTaken' | 'tornTailsCut' | 'recoveries'): void;
}

/** Host settings that vary from run to run. */
export interface SimNodeSettings {
  leaseReads: boolean;
  segmentBytes: number;
  /** sync: quorum-memory with this fsync lag; absent: sync: commit. */
  quorumMemory?: { fsyncLagMs: number; fsyncLagEntries: number };
}

/** A client's answer; `UNAVAILABLE` (and no answer at all) leave a write's outcome unknown. */
export type ClientReply =
  { ok: true; value: string } | { ok: false; code: 'NOT_LEADER' | 'DROPPED' | 'UNAVAILABLE'; leaderId: string | null };

/**
 * The replicated key-value map, as IStateMachine. Its snapshots carry the index of the last command applied, so a
 * restore can be checked against what other replicas had at that index.
 */
class SimStateMachine implements IStateMachine {
  readonly kv = new KvStore();
  lastIndex = 0;

  constructor(
    private readonly node: SimNode,
    private readonly world: SimWorld,
  ) {}

  apply(command: Uint8Array, index: number): Uint8Array {
    if (index <= this.lastIndex) this.world.violation(`${this.node.id} applied entry ${index} after ${this.lastIndex}`);
    this.lastIndex = index;
    const result = this.kv.apply(command, index);
    this.world.onApply(this.node, index, command, this.kv.digest());
    return result;
  }

  async snapshot(): Promise<Uint8Array> {
    return Buffer.from(JSON.stringify({ index: this.lastIndex, state: Buffer.from(this.kv.snapshotSync()).toString('base64') }), 'utf8');
  }

  async restore(snapshot: Uint8Array): Promise<void> {
    const { index, state } = JSON.parse(Buffer.from(snapshot).toString('utf8')) as { index: number; state: string };
    this.kv.restoreSync(Buffer.from(state, 'base64'));
    this.lastIndex = index;
    this.world.onRestore(this.node, index, this.kv.digest());
  }
}

/** ILogger into the run's trace. An error from the host is a violation: nothing in the simulation should cause one. */
class SimLogger implements ILogger {
  constructor(
    private readonly world: SimWorld,
    private readonly alive: () => boolean,
    private readonly bindings: LogFields,
  ) {}

  debug(msg: string): void {
    if (msg === 'snapshot taken' && this.alive()) this.world.count('snapshotsTaken');
  }

  info(msg: string, fields?: LogFields): void {
    this.line('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    if (msg.startsWith('cut a write torn by a crash')) this.world.count('tornTailsCut');
    if (msg.includes('recovering before voting')) this.world.count('recoveries');
    this.line('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.line('error', msg, fields);
    if (this.alive()) this.world.violation(`${String(this.bindings.node)} logged an error: ${msg} ${JSON.stringify(fields ?? {})}`);
  }

  child(bindings: LogFields): ILogger {
    return new SimLogger(this.world, this.alive, { ...this.bindings, ...bindings });
  }

  private line(level: string, msg: string, fields?: LogFields): void {
    if (this.alive()) this.world.log(`${String(this.bindings.node)} ${level}: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
  }
}

type ProcessState = 'down' | 'up' | 'stopping';

/** One machine of the simulation: its disk, and the RaftConsensus process currently running on it, if any. */
export class SimNode {
  readonly disk: SimDisk;
  private consensus: RaftConsensus | null = null;
  private sm: SimStateMachine | null = null;
  private state: ProcessState = 'down';
  /** Bumped whenever a process ends, so everything it left scheduled is ignored. */
  private life = 0;
  /** This machine's clock rate against simulated time, and its monotonic origin. */
  private readonly clockRate: number;
  private readonly clockOrigin: number;

  constructor(
    readonly id: string,
    private readonly bootstrap: Member[],
    private readonly settings: SimNodeSettings,
    private readonly world: SimWorld,
  ) {
    this.disk = new SimDisk(world);
    // Within ±2 %: the leader lease's margin assumes tick lengths that agree that closely (docs/raft.md).
    this.clockRate = 0.98 + world.random.next() * 0.04;
    this.clockOrigin = world.random.int(1_000_000);
  }

  /** The process is running (it may still be reading its disk). */
  get up(): boolean {
    return this.state === 'up';
  }

  /** The running host's core, for the checkers; null while down or before the host has read its disk. */
  get raft(): RaftNode | null {
    return this.state === 'up' ? (this.consensus?.raftNode ?? null) : null;
  }

  /** Boots a new process from the disk. */
  start(): void {
    if (this.state !== 'down') return;
    const life = ++this.life;
    const alive = (): boolean => this.life === life;
    const w = this.world;
    const sm = new SimStateMachine(this, w);
    const consensus = new RaftConsensus({
      nodeId: this.id,
      clusterId: 'sim',
      members: this.bootstrap,
      // Unused: the simulated transport replaces gRPC.
      listenHost: 'sim',
      raftPort: 0,
      dir: RAFT_DIR,
      tickIntervalMs: SIM_TICK_MS,
      electionTicks: 10,
      heartbeatTicks: 2,
      snapshotThresholdEntries: SIM_SNAPSHOT_THRESHOLD_ENTRIES,
      segmentBytes: this.settings.segmentBytes,
      maxBatchBytes: 512,
      fsync: true,
      leaseReads: this.settings.leaseReads,
      ...(this.settings.quorumMemory ? { sync: 'quorum-memory' as const, ...this.settings.quorumMemory } : {}),
      clock: new SimNodeClock(w, this.clockRate, this.clockOrigin, alive),
      random: new SeededRandom(w.random.int(2 ** 31)),
      logger: new SimLogger(w, alive, { node: this.id }),
      fs: this.disk.mount(),
      transport: w.network.transport(this.id, alive),
      schedule: (fn) => w.at(0, () => alive() && fn()),
    });
    this.consensus = consensus;
    this.sm = sm;
    this.state = 'up';
    consensus.start(sm).then(
      () => undefined,
      (err: unknown) => {
        // A start abandoned because the operator stopped the node meanwhile is no failure.
        if (alive() && this.state === 'up')
          w.violation(`${this.id} could not start from its disk: ${(err as Error).message} [disk: ${this.disk.listing()}]`);
      },
    );
  }

  /** The process dies at once: SIGKILL (the page cache survives) or power loss (only what was synced survives). */
  crash(kind: 'process' | 'power'): void {
    if (this.state === 'down') return;
    this.life++;
    this.state = 'down';
    this.consensus = null;
    this.sm = null;
    this.world.network.listen(this.id, null);
    if (kind === 'power') this.disk.powerLoss();
    else this.disk.processCrash();
  }

  /** A clean shutdown through RaftConsensus.stop(); `then` runs once the process has exited. */
  stopGracefully(then: () => void): void {
    const consensus = this.consensus;
    if (this.state !== 'up' || !consensus) return;
    this.state = 'stopping';
    const life = this.life;
    consensus.stop().then(
      () => {
        if (this.life !== life) return;
        this.life++;
        this.state = 'down';
        this.consensus = null;
        this.sm = null;
        this.disk.processCrash();
        then();
      },
      (err: unknown) => this.life === life && this.world.violation(`${this.id} failed to stop: ${(err as Error).message}`),
    );
  }

  /** A client's put or get, answered through `reply` (never, if the process dies first). */
  request(command: KvCommand, reply: (r: ClientReply) => void): void {
    const consensus = this.consensus;
    const sm = this.sm;
    if (this.state !== 'up' || !consensus || !sm) return;
    const life = this.life;
    const answer = (r: ClientReply): void => {
      if (this.life === life) reply(r);
    };
    const fail = (err: unknown): void => answer(this.errorReply(err));
    if (command.op === 'put') {
      consensus.propose(encodeKvCommand(command)).then((result) => answer({ ok: true, value: Buffer.from(result).toString('utf8') }), fail);
    } else {
      // Read the map the moment the barrier resolves, as a master serving a getattr does.
      consensus.readBarrier().then(() => answer({ ok: true, value: sm.kv.get(command.key) }), fail);
    }
  }

  /** An operator's membership change or leader transfer through the host's API; refusals are simply ignored. */
  admin(action: { change: ConfigChange } | { transferTo: string }): void {
    const consensus = this.consensus;
    if (this.state !== 'up' || !consensus) return;
    let done: Promise<void>;
    if ('transferTo' in action) done = consensus.transferLeadership(action.transferTo);
    else if (action.change.op === 'add') done = consensus.addMember(action.change.member);
    else done = consensus.removeMember(action.change.id);
    done.catch(() => undefined);
  }

  /** One line on this node's state, for explaining a failure. */
  describe(): string {
    const raft = this.raft;
    if (!raft) return `${this.id}: ${this.state}`;
    const s = this.consensus!.status();
    const followers = s.followers ? ` followers ${JSON.stringify(s.followers)}` : '';
    return `${this.id}: ${raft.role} term ${raft.term} leader ${raft.leaderId} snapshot ${raft.log.snapshot.index} last ${raft.log.lastIndex()} stable ${raft.log.stableIndex} commit ${raft.log.committed} applied ${s.appliedIndex}${followers} [disk ${this.disk.listing()}]`;
  }

  private errorReply(err: unknown): ClientReply {
    if (!isMoosengError(err)) {
      this.world.violation(`${this.id} failed a request with a non-MooseNG error: ${String(err)}`);
      return { ok: false, code: 'UNAVAILABLE', leaderId: null };
    }
    const leaderId = typeof err.details.leaderId === 'string' ? err.details.leaderId : null;
    if (err.code === 'NOT_LEADER') return { ok: false, code: 'NOT_LEADER', leaderId };
    if (err.code === 'PROPOSAL_DROPPED') return { ok: false, code: 'DROPPED', leaderId };
    return { ok: false, code: 'UNAVAILABLE', leaderId };
  }
}
