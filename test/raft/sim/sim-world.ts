// One seeded simulation run, VOPR-style: real RaftConsensus hosts (sim-node.ts) on simulated disks, a faulty
// simulated network and drifting simulated clocks, with clients and an operator, all driven by one SeededRandom and
// one event queue, so a seed replays exactly. The checkers run after every event.
import { SeededRandom } from '@mooseng/core';
import type { Member, RaftSyncMode } from '@mooseng/plugin-replication-raft';
import type { KvCommand } from '../support/kv-store';
import { EventQueue } from './event-queue';
import { InvariantChecker } from './invariants';
import { checkRegister, type RegisterOp } from './linearizability';
import { SimNetwork } from './sim-network';
import { SimNode, type ClientReply, type SimNodeSettings, type SimWorld } from './sim-node';

/** Faults happen during this phase; then the network heals, everyone restarts, and the cluster must converge. */
export const SIM_FAULT_PHASE_MS = 4_000;
/** The calm after the faults, long enough for any cluster to elect a leader and catch every member up. */
export const SIM_QUIET_PHASE_MS = 3_000;
/** A client gives up on a request after this long and counts its outcome as unknown. */
export const SIM_CLIENT_TIMEOUT_MS = 400;
const NODE_POOL = ['n1', 'n2', 'n3', 'n4', 'n5'];
const KEYS = ['x', 'y', 'z'];
/** Time before the end at which the leader's commit index is noted for the liveness check. */
const SIM_SETTLE_MS = 500;
/**
 * If an election is still under way at the end (a leader may step down in the calm too: a disk that stalls for an
 * election timeout blocks its heartbeats), the run goes on this long for one to finish, and fails only then.
 */
const SIM_ELECTION_GRACE_MS = 2_000;
/** Log segment sizes a run may use: tiny ones rotate every few batches, so rotation and compaction get crashed in. */
const SEGMENT_SIZES = [1024, 4096, 64 * 1024];
/** The longest fsync of a run: a fast SSD, a slow one, a disk that stalls (a wider window for crashes to hit). */
const FSYNC_MAX_MS = [2, 8, 40];

/** What one run did and what the checkers found. */
export interface SimResult {
  seed: number;
  violations: string[];
  stats: SimStats;
  trace: string[];
}

/** Counts of what happened in a run (the faults really happened; the host really compacted, cut torn tails...). */
export interface SimStats {
  events: number;
  commits: number;
  leaders: number;
  crashes: number;
  powerLosses: number;
  gracefulRestarts: number;
  ops: number;
  /** Snapshots restored (at start or installed from the leader). */
  snapshots: number;
  snapshotsTaken: number;
  tornTailsCut: number;
  /** Starts of a node whose log said it may have lost entries it counted unsynced (sync: quorum-memory). */
  recoveries: number;
  messages: number;
}

/** Ways of running a seed. */
export interface SimOptions {
  /** Keep the last this many trace lines (printed on failure). */
  traceLines?: number;
  /** Break the disks on purpose (a file fsync that makes nothing durable), to show the checkers notice. */
  lyingFsync?: boolean;
  /** Called after every event with the nodes (for digging into a failing seed from a script). */
  observe?: (now: number, nodes: readonly SimNode[]) => void;
  /** The hosts' durability mode (replication-raft.sync); commit unless given. */
  sync?: RaftSyncMode;
}

/** quorum-memory runs draw their fsync lag from these (short, long, and beyond the run's fsync times). */
const FSYNC_LAG_MS = [1, 5, 30];
const FSYNC_LAG_ENTRIES = [1, 8, 256];

/** Lets every promise continuation the last events started run to its next wait on simulated time. */
function drainMicrotasks(): Promise<void> {
  // Nothing in a run does real I/O or uses real timers, so once a macrotask comes round every microtask is done.
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs one seed to completion and returns what the checkers found. Deterministic in `seed`. */
export async function runSeed(seed: number, options: SimOptions = {}): Promise<SimResult> {
  const rng = new SeededRandom(seed);
  const queue = new EventQueue();
  const checker = new InvariantChecker();
  const trace: string[] = [];
  const traceLines = options.traceLines ?? 300;
  let now = 0;
  const log = (line: string): void => {
    trace.push(`${now.toFixed(1).padStart(7)} ${line}`);
    if (trace.length > traceLines) trace.shift();
  };
  const at = (delay: number, fn: () => void): void => queue.push(now + delay, fn);

  // The world's shape comes from the seed too.
  const clusterSize = rng.next() < 0.5 ? 3 : 5;
  const network = new SimNetwork(
    { at, random: rng },
    { dropRate: rng.next() * 0.1, dupRate: rng.next() * 0.05, maxDelayMs: 1 + rng.int(20) },
  );
  // Swarm testing: each run has its own mix of faults, so some runs are all crashes and some hardly any. Chances
  // are per 10 ms fault step.
  const chance = {
    crash: rng.next() * 0.1,
    clusterPower: rng.next() * 0.004,
    rackPower: rng.next() * 0.004,
    graceful: 0.002,
    partition: 0.05,
    cut: 0.005,
    membership: 0.005,
    transfer: 0.01,
  };
  // Half the worlds read through leader leases (clocks drift, see SimNode), half through heartbeat rounds.
  const settings: SimNodeSettings = { leaseReads: rng.next() < 0.5, segmentBytes: SEGMENT_SIZES[rng.int(SEGMENT_SIZES.length)] };
  const fsyncMaxMs = FSYNC_MAX_MS[rng.int(FSYNC_MAX_MS.length)];
  // (Drawn only in quorum-memory runs, so a commit-mode seed replays as it always did.)
  if (options.sync === 'quorum-memory') {
    settings.quorumMemory = {
      fsyncLagMs: FSYNC_LAG_MS[rng.int(FSYNC_LAG_MS.length)],
      fsyncLagEntries: FSYNC_LAG_ENTRIES[rng.int(FSYNC_LAG_ENTRIES.length)],
    };
  }
  const bootstrap: Member[] = NODE_POOL.slice(0, clusterSize).map((id) => ({ id, address: `${id}:9422` }));
  const stats: SimStats = {
    events: 0,
    commits: 0,
    leaders: 0,
    crashes: 0,
    powerLosses: 0,
    gracefulRestarts: 0,
    ops: 0,
    snapshots: 0,
    snapshotsTaken: 0,
    tornTailsCut: 0,
    recoveries: 0,
    messages: 0,
  };
  log(
    `world: ${clusterSize} members, lease reads ${settings.leaseReads}, segments of ${settings.segmentBytes} bytes, fsync up to ${fsyncMaxMs} ms, ` +
      (settings.quorumMemory
        ? `sync quorum-memory (lag ${settings.quorumMemory.fsyncLagMs} ms / ${settings.quorumMemory.fsyncLagEntries} entries)`
        : 'sync commit'),
  );

  const world: SimWorld = {
    now: () => now,
    at,
    random: rng,
    network,
    fsyncMaxMs,
    log,
    violation: (what) => checker.fail(what),
    onApply: (n, index, command, digest) => {
      stats.commits++;
      checker.onApply(n, index, command, digest);
    },
    onRestore: (n, index, digest) => {
      stats.snapshots++;
      checker.onRestore(n, index, digest);
    },
    count: (what) => stats[what]++,
  };
  const nodes = new Map<string, SimNode>();
  for (const id of NODE_POOL) {
    const node = new SimNode(id, bootstrap, settings, world);
    node.disk.lyingFsync = options.lyingFsync === true;
    nodes.set(id, node);
  }
  const all = (): SimNode[] => [...nodes.values()];
  for (const n of all()) n.start();
  const restartLater = (victim: SimNode, maxMs: number): void => {
    at(50 + rng.int(maxMs), () => {
      if (victim.up) return;
      victim.start();
      log(`restart ${victim.id}`);
    });
  };
  const leaderNode = (): SimNode | undefined => all().find((n) => n.raft?.role === 'leader');

  // ----- faults -----
  let quiet = false;
  const faults = (): void => {
    if (quiet) return;
    // One draw picks at most one fault, each from its own slice of [0, 1).
    let r = rng.next();
    const pick = (p: number): boolean => {
      r -= p;
      return r < 0;
    };
    const ids = all().map((n) => n.id);
    if (pick(chance.crash)) {
      const victim = nodes.get(ids[rng.int(ids.length)])!;
      if (victim.up) {
        // SIGKILL keeps the page cache; a machine losing power keeps only what was synced.
        const kind = rng.next() < 0.5 ? 'process' : 'power';
        victim.crash(kind);
        stats.crashes++;
        if (kind === 'power') stats.powerLosses++;
        log(`crash ${victim.id} (${kind})`);
        restartLater(victim, 800);
      }
    } else if (pick(chance.clusterPower)) {
      // Power loss across the cluster: every node crashes at once and loses what it had not synced.
      log('power loss: crash everyone');
      for (const victim of all()) {
        if (!victim.up) continue;
        victim.crash('power');
        stats.crashes++;
        stats.powerLosses++;
        restartLater(victim, 400);
      }
    } else if (pick(chance.rackPower)) {
      // A rack loses power: two nodes at once, as likely as any pair to hold the only durable copies of an entry.
      const first = rng.int(ids.length);
      const second = (first + 1 + rng.int(ids.length - 1)) % ids.length;
      const pair = [nodes.get(ids[first])!, nodes.get(ids[second])!];
      log(`rack power loss: ${pair.map((n) => n.id).join(', ')}`);
      for (const victim of pair) {
        if (!victim.up) continue;
        victim.crash('power');
        stats.crashes++;
        stats.powerLosses++;
        restartLater(victim, 400);
      }
    } else if (pick(chance.graceful)) {
      const victim = nodes.get(ids[rng.int(ids.length)])!;
      if (victim.up) {
        log(`graceful restart of ${victim.id}`);
        stats.gracefulRestarts++;
        victim.stopGracefully(() => restartLater(victim, 200));
      }
    } else if (pick(chance.partition)) {
      if (network.partition !== null) {
        at(10, faults);
        return;
      }
      const side = new Set(ids.filter(() => rng.next() < 0.4));
      network.partition = side;
      log(`partition {${[...side].join(',')}} | rest`);
      at(100 + rng.int(1500), () => {
        if (network.partition !== side) return;
        network.partition = null;
        log('heal');
      });
    } else if (pick(chance.cut)) {
      const from = ids[rng.int(ids.length)];
      const to = ids[rng.int(ids.length)];
      if (from !== to && !network.oneWayCuts.has(`${from}>${to}`)) {
        network.oneWayCuts.add(`${from}>${to}`);
        log(`cut ${from} -> ${to}`);
        at(100 + rng.int(1000), () => {
          network.oneWayCuts.delete(`${from}>${to}`);
          log(`restore ${from} -> ${to}`);
        });
      }
    } else if (pick(chance.membership)) {
      const leader = leaderNode();
      if (leader) {
        const members = leader.raft!.members.map((m) => m.id);
        const outsiders = NODE_POOL.filter((id) => !members.includes(id));
        if (members.length > 3 && (outsiders.length === 0 || rng.next() < 0.5)) {
          const id = members[rng.int(members.length)];
          log(`propose remove ${id} at ${leader.id}`);
          leader.admin({ change: { op: 'remove', id } });
        } else if (outsiders.length > 0) {
          const id = outsiders[rng.int(outsiders.length)];
          log(`propose add ${id} at ${leader.id}`);
          leader.admin({ change: { op: 'add', member: { id, address: `${id}:9422` } } });
        }
      }
    } else if (pick(chance.transfer)) {
      const leader = leaderNode();
      const members = leader?.raft!.members.map((m) => m.id) ?? [];
      if (leader && members.length > 1) {
        const target = members[rng.int(members.length)];
        log(`transfer ${leader.id} -> ${target}`);
        leader.admin({ transferTo: target });
      }
    }
    at(10, faults);
  };
  at(10, faults);

  // ----- clients -----
  const history = new Map<string, RegisterOp[]>(KEYS.map((k) => [k, []]));
  let valueSeq = 0;
  const CLIENTS = 3;
  for (let c = 0; c < CLIENTS; c++) {
    let guess = bootstrap[rng.int(bootstrap.length)].id;
    const issue = (): void => {
      const key = KEYS[rng.int(KEYS.length)];
      const isPut = rng.next() < 0.6;
      const command: KvCommand = isPut ? { op: 'put', key, value: `c${c}-${valueSeq++}` } : { op: 'get', key };
      const op: RegisterOp = {
        call: now,
        ret: Infinity,
        kind: isPut ? 'write' : 'read',
        value: isPut ? (command as { value: string }).value : '',
      };
      let settled = false;
      stats.ops++;
      // A write counts from its call: until the client hears back it may take effect at any time (even after the end).
      if (isPut) history.get(key)!.push(op);
      const target = nodes.get(guess)!;
      const settle = (reply: ClientReply | null): void => {
        if (settled) return;
        settled = true;
        if (reply && reply.ok) {
          op.ret = now;
          if (op.kind === 'read') {
            op.value = reply.value;
            history.get(key)!.push(op);
          }
        } else {
          // Refused as not the leader: it was never logged. Dropped, unavailable or timed out: a write may still
          // take effect.
          if (op.kind === 'write' && reply?.code === 'NOT_LEADER')
            history.set(
              key,
              history.get(key)!.filter((o) => o !== op),
            );
          guess = reply?.leaderId ?? NODE_POOL[rng.int(NODE_POOL.length)];
        }
        at(1 + rng.int(20), issue);
      };
      at(1 + rng.int(5), () => target.request(command, (reply) => at(1 + rng.int(5), () => settle(reply))));
      at(SIM_CLIENT_TIMEOUT_MS, () => settle(null));
    };
    at(rng.int(50), issue);
  }

  // ----- run -----
  const end = SIM_FAULT_PHASE_MS + SIM_QUIET_PHASE_MS;
  at(SIM_FAULT_PHASE_MS, () => {
    quiet = true;
    network.quiet = true;
    network.partition = null;
    network.oneWayCuts.clear();
    log('quiet: heal and restart everyone');
    for (const n of all()) if (!n.up) n.start();
  });
  // What the leader had committed shortly before the end: every member must have reached it by the end.
  let settledCommit = 0;
  at(end - SIM_SETTLE_MS, () => {
    settledCommit = leaderNode()?.raft!.log.committed ?? 0;
  });
  let lastLeader = '';
  let drained = true;
  const oneLeader = (): boolean => all().filter((n) => n.raft?.role === 'leader').length === 1;
  for (;;) {
    const next = queue.peekTime();
    if (next === undefined || next > end + SIM_ELECTION_GRACE_MS) break;
    if (next > end && oneLeader()) break;
    // Before simulated time moves on, let the hosts' promise chains run up to their next wait (an fsync, a timer, a
    // scheduled turn of their loop), as a real process would in that time.
    if (next > now && !drained) {
      await drainMicrotasks();
      drained = true;
      continue;
    }
    const ev = queue.pop()!;
    now = ev.time;
    ev.fn();
    drained = false;
    stats.events++;
    checker.check(all());
    options.observe?.(now, all());
    const leader = leaderNode();
    const tag = leader ? `${leader.id}@${leader.raft!.term}` : '';
    if (tag !== lastLeader) {
      if (tag) {
        stats.leaders++;
        log(`leader ${tag} members ${leader!.raft!.members.map((m) => m.id).join(',')}`);
      } else {
        log(`no leader (${lastLeader} stepped down or went)`);
      }
      lastLeader = tag;
    }
    if (checker.violations.length > 0) break;
  }
  await drainMicrotasks();
  stats.messages = network.delivered;

  // ----- liveness: after the quiet phase one leader has committed and every member has caught up -----
  if (checker.violations.length === 0) {
    const leaders = all().filter((n) => n.raft?.role === 'leader');
    if (leaders.length !== 1)
      checker.fail(`liveness: ${leaders.length} leaders after the quiet phase and ${SIM_ELECTION_GRACE_MS} ms more`);
    else {
      const leader = leaders[0].raft!;
      for (const m of leader.members) {
        const committed = nodes.get(m.id)!.raft?.log.committed ?? -1;
        if (committed < settledCommit) {
          checker.fail(
            `liveness: member ${m.id} ${committed < 0 ? 'is not running' : `stuck at commit ${committed}`} below ${settledCommit} (leader ${leaders[0].id})`,
          );
        }
      }
    }
  }
  if (checker.violations.length > 0) for (const n of all()) trace.push(`  ${n.describe()}`);
  // ----- linearizability of the clients' history, per key -----
  if (checker.violations.length === 0) {
    for (const [key, ops] of history) {
      if (checkRegister(ops)) continue;
      checker.fail(`history of key ${key} is not linearizable (${ops.length} ops)`);
      // Explain it: the history, then the order the writes committed in.
      for (const op of [...ops].sort((a, b) => a.call - b.call))
        trace.push(`  ${key} ${op.kind} ${op.value || '(empty)'} [${op.call}, ${op.ret}]`);
      for (const c of checker.committedCommands()) if (c.data.includes(`"key":"${key}"`)) trace.push(`  committed ${c.index}: ${c.data}`);
    }
  }
  return { seed, violations: checker.violations, stats, trace };
}
