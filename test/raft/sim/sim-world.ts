// One seeded simulation run: a Raft cluster, a faulty network, crashing disks, clients and an operator, all driven
// by one SeededRandom and one simulated clock, so a seed replays exactly. Checkers run after every event.
import { SeededRandom } from '@mooseng/core';
import type { Member, Message, RaftConfig } from '@mooseng/plugin-replication-raft';
import type { KvCommand } from '../support/kv-store';
import { EventQueue } from './event-queue';
import { InvariantChecker } from './invariants';
import { checkRegister, type RegisterOp } from './linearizability';
import { SimNode, type ClientReply } from './sim-node';

/** Simulated milliseconds per Raft tick. */
export const SIM_TICK_MS = 10;
/** Faults happen during this phase; then the network heals, everyone restarts, and the cluster must converge. */
export const SIM_FAULT_PHASE_MS = 4_000;
export const SIM_QUIET_PHASE_MS = 3_000;
/** A client gives up on a request after this long and counts its outcome as unknown. */
export const SIM_CLIENT_TIMEOUT_MS = 400;
/** A simulated fsync takes up to this long: the window in which a crash loses unsynced writes. */
export const SIM_FSYNC_MAX_MS = 8;
const NODE_POOL = ['n1', 'n2', 'n3', 'n4', 'n5'];
const KEYS = ['x', 'y', 'z'];
/** Time before the end at which the leader's commit index is noted for the liveness check. */
const SIM_SETTLE_MS = 500;

export interface SimResult {
  seed: number;
  violations: string[];
  stats: { events: number; commits: number; leaders: number; crashes: number; ops: number; snapshots: number };
  trace: string[];
}

export interface SimOptions {
  /** Keep the last this many trace lines (printed on failure). */
  traceLines?: number;
  /** Break the hosts on purpose (acknowledge writes that were never synced), to show the checkers notice. */
  skipFsync?: boolean;
}

/** Runs one seed to completion and returns what the checkers found. Deterministic in `seed`. */
export function runSeed(seed: number, options: SimOptions = {}): SimResult {
  const rng = new SeededRandom(seed);
  const queue = new EventQueue();
  const checker = new InvariantChecker();
  const trace: string[] = [];
  const traceLines = options.traceLines ?? 200;
  let now = 0;
  const log = (line: string): void => {
    trace.push(`${String(now).padStart(6)} ${line}`);
    if (trace.length > traceLines) trace.shift();
  };
  const at = (delay: number, fn: () => void): void => queue.push(now + delay, fn);

  // The world's shape comes from the seed too.
  const clusterSize = rng.next() < 0.5 ? 3 : 5;
  const dropRate = rng.next() * 0.1;
  const dupRate = rng.next() * 0.05;
  const maxDelayMs = 1 + rng.int(20);
  const crashRate = rng.next() * 0.002;
  const bootstrap: Member[] = NODE_POOL.slice(0, clusterSize).map((id) => ({ id, address: `${id}:9422` }));
  const stats = { events: 0, commits: 0, leaders: 0, crashes: 0, ops: 0, snapshots: 0 };

  let partition: Set<string> | null = null;
  /** Directed links that lose everything (asymmetric faults: a hears b, b does not hear a). */
  const oneWayCuts = new Set<string>();
  let quiet = false;
  const nodes = new Map<string, SimNode>();
  const all = (): SimNode[] => [...nodes.values()];

  const send = (m: Message): void => {
    const copies = !quiet && rng.next() < dupRate ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      if (!quiet && rng.next() < dropRate) continue;
      const delay = 1 + rng.int(maxDelayMs);
      const copy: Message = { ...m, entries: m.entries.map((e) => ({ ...e })) };
      at(delay, () => {
        if (partition && partition.has(m.from) !== partition.has(m.to)) return;
        if (oneWayCuts.has(`${m.from}>${m.to}`)) return;
        nodes.get(m.to)?.deliver(copy);
      });
    }
  };

  // Half the worlds read through leader leases (ticks drift ±10% per tick below), half through heartbeat rounds.
  const leaseReads = rng.next() < 0.5;
  for (const id of NODE_POOL) {
    const config: RaftConfig = {
      id,
      electionTicks: 10,
      heartbeatTicks: 2,
      maxMessageBytes: 512,
      maxInflightMessages: 4,
      preVote: true,
      checkQuorum: true,
      leaseReads,
    };
    const node: SimNode = new SimNode(id, bootstrap, config, new SeededRandom(rng.int(2 ** 31)), {
      now: () => now,
      send,
      afterFsync: (fn) => at(rng.int(SIM_FSYNC_MAX_MS), fn),
      onApply: (n, index, digest) => {
        stats.commits++;
        checker.onApply(n, index, digest);
      },
      onRestore: (n, index, digest) => {
        stats.snapshots++;
        checker.onRestore(n, index, digest);
      },
      violation: (what) => checker.fail(what),
      skipFsync: options.skipFsync,
    });
    nodes.set(id, node);
    node.start();
    const tick = (): void => {
      node.tick();
      // Clocks drift a little: each node's tick period varies.
      at(SIM_TICK_MS - 1 + rng.int(3), tick);
    };
    at(rng.int(SIM_TICK_MS), tick);
  }

  // ----- faults -----
  const faults = (): void => {
    if (quiet) return;
    // One draw picks at most one fault: crashes take the first slice, the other faults fixed slices after it.
    const r = rng.next();
    const crashSlice = crashRate * 50;
    const rest = r - crashSlice - 0.002;
    const ids = all().map((n) => n.id);
    if (r < crashSlice) {
      const victim = nodes.get(ids[rng.int(ids.length)])!;
      if (victim.up) {
        victim.crash(rng);
        stats.crashes++;
        log(`crash ${victim.id}`);
        at(50 + rng.int(800), () => {
          if (!victim.up) {
            victim.start();
            log(`restart ${victim.id}`);
          }
        });
      }
    } else if (rest < 0) {
      // Power loss across the cluster: every node crashes at once and loses what it had not synced.
      log('power loss: crash everyone');
      for (const victim of all()) {
        if (!victim.up) continue;
        victim.crash(rng);
        stats.crashes++;
        at(50 + rng.int(400), () => {
          if (!victim.up) {
            victim.start();
            log(`restart ${victim.id}`);
          }
        });
      }
    } else if (rest < 0.05) {
      if (partition !== null) {
        at(10, faults);
        return;
      }
      partition = new Set(ids.filter(() => rng.next() < 0.4));
      log(`partition {${[...partition].join(',')}} | rest`);
      at(100 + rng.int(1500), () => {
        partition = null;
        log('heal');
      });
    } else if (rest < 0.055) {
      const from = ids[rng.int(ids.length)];
      const to = ids[rng.int(ids.length)];
      if (from !== to && !oneWayCuts.has(`${from}>${to}`)) {
        oneWayCuts.add(`${from}>${to}`);
        log(`cut ${from} -> ${to}`);
        at(100 + rng.int(1000), () => {
          oneWayCuts.delete(`${from}>${to}`);
          log(`restore ${from} -> ${to}`);
        });
      }
    } else if (rest < 0.06) {
      const leader = all().find((n) => n.up && n.raft?.role === 'leader');
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
    } else if (rest < 0.07) {
      const leader = all().find((n) => n.up && n.raft?.role === 'leader');
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
      const op: RegisterOp = { call: now, ret: Infinity, kind: isPut ? 'write' : 'read', value: isPut ? (command as { value: string }).value : '' };
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
          // Refused before logging: it never happened. Dropped or timed out: a write may still take effect.
          if (op.kind === 'write' && reply?.code === 'NOT_LEADER') history.set(key, history.get(key)!.filter((o) => o !== op));
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
    partition = null;
    oneWayCuts.clear();
    log('quiet: heal and restart everyone');
    for (const n of all()) if (!n.up) n.start();
  });
  // What the leader had committed shortly before the end: every member must have reached it by the end.
  let settledCommit = 0;
  at(end - SIM_SETTLE_MS, () => {
    const leader = all().find((n) => n.up && n.raft?.role === 'leader');
    settledCommit = leader?.raft!.log.committed ?? 0;
  });
  let lastLeader = '';
  for (;;) {
    const ev = queue.pop();
    if (!ev || ev.time > end) break;
    now = ev.time;
    ev.fn();
    stats.events++;
    checker.check(all());
    const leader = all().find((n) => n.up && n.raft?.role === 'leader');
    const tag = leader ? `${leader.id}@${leader.raft!.term}` : '';
    if (tag && tag !== lastLeader) {
      stats.leaders++;
      lastLeader = tag;
      log(`leader ${tag} members ${leader!.raft!.members.map((m) => m.id).join(',')}`);
    }
    if (checker.violations.length > 0) break;
  }

  // ----- liveness: after the quiet phase one leader has committed and every member has caught up -----
  if (checker.violations.length === 0) {
    const leaders = all().filter((n) => n.up && n.raft!.role === 'leader');
    if (leaders.length !== 1) checker.fail(`liveness: ${leaders.length} leaders after the quiet phase`);
    else {
      const leader = leaders[0].raft!;
      for (const m of leader.members) {
        const n = nodes.get(m.id)!;
        if (n.raft!.log.committed < settledCommit) {
          checker.fail(`liveness: member ${m.id} stuck at commit ${n.raft!.log.committed} below ${settledCommit} (leader ${leaders[0].id})`);
        }
      }
    }
  }
  // ----- linearizability of the clients' history, per key -----
  if (checker.violations.length === 0) {
    for (const [key, ops] of history) {
      if (checkRegister(ops)) continue;
      checker.fail(`history of key ${key} is not linearizable (${ops.length} ops)`);
      // Explain it: the history, then the order the writes committed in.
      for (const op of [...ops].sort((a, b) => a.call - b.call)) trace.push(`  ${key} ${op.kind} ${op.value || '(empty)'} [${op.call}, ${op.ret}]`);
      for (const c of checker.committedCommands()) if (c.data.includes(`"key":"${key}"`)) trace.push(`  committed ${c.index}: ${c.data}`);
    }
  }
  return { seed, violations: checker.violations, stats, trace };
}
