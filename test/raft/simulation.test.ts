// The seeded simulation as a test: real RaftConsensus hosts on simulated disks, network and clocks, a few hundred
// seeds with faults, every invariant and linearizability checked; and proof that the checkers catch a broken disk
// and a core that gets the durability rules wrong.
import { expect } from 'chai';
import { RaftNode, type Ready } from '@mooseng/plugin-replication-raft';
import { runSeed, type SimOptions, type SimStats } from './sim/sim-world';
import { checkRegister } from './sim/linearizability';

/** Seeds per test run (`npm run sim -- --seeds N` runs more). */
const TEST_SEEDS = 200;

/** The first seed in [1, budget] whose run has a violation, or null. */
async function firstViolation(budget: number, options: SimOptions = {}): Promise<number | null> {
  for (let seed = 1; seed <= budget; seed++) {
    if ((await runSeed(seed, options)).violations.length > 0) return seed;
  }
  return null;
}

/** Runs `fn` with every Ready the core hands out rewritten by `mutate` (a deliberately broken core). */
async function withBrokenCore<T>(mutate: (rd: Ready) => void, fn: () => Promise<T>): Promise<T> {
  const ready = Object.getOwnPropertyDescriptor(RaftNode.prototype, 'ready')!;
  RaftNode.prototype.ready = function (this: RaftNode): Ready {
    const rd = (ready.value as () => Ready).call(this);
    mutate(rd);
    return rd;
  };
  try {
    return await fn();
  } finally {
    Object.defineProperty(RaftNode.prototype, 'ready', ready);
  }
}

describe('raft simulation (the real host on simulated disks, network and clocks)', function () {
  this.timeout(300_000);

  it(`runs ${TEST_SEEDS} seeds with no invariant or linearizability violation`, async () => {
    const failures: string[] = [];
    const total: Partial<Record<keyof SimStats, number>> = {};
    for (let seed = 1; seed <= TEST_SEEDS; seed++) {
      const r = await runSeed(seed);
      for (const [k, v] of Object.entries(r.stats) as [keyof SimStats, number][]) total[k] = (total[k] ?? 0) + v;
      if (r.violations.length > 0) failures.push(`seed ${seed}: ${r.violations.join('; ')} (replay: npm run sim -- --seed ${seed})`);
    }
    expect(failures).to.deep.equal([]);
    // The faults really happened, and the host really went through its storage paths.
    expect(total.crashes).to.be.greaterThan(TEST_SEEDS);
    expect(total.powerLosses).to.be.greaterThan(TEST_SEEDS / 2);
    expect(total.gracefulRestarts).to.be.greaterThan(10);
    expect(total.tornTailsCut).to.be.greaterThan(10);
    expect(total.snapshotsTaken).to.be.greaterThan(TEST_SEEDS);
    expect(total.snapshots).to.be.greaterThan(0);
    expect(total.ops).to.be.greaterThan(TEST_SEEDS * 100);
  });

  it(`runs ${TEST_SEEDS} seeds in sync: quorum-memory with no violation, leaders losing unsynced tails and recovering`, async () => {
    const failures: string[] = [];
    let recoveries = 0;
    let tornTailsCut = 0;
    for (let seed = 1; seed <= TEST_SEEDS; seed++) {
      const r = await runSeed(seed, { sync: 'quorum-memory' });
      recoveries += r.stats.recoveries;
      tornTailsCut += r.stats.tornTailsCut;
      if (r.violations.length > 0)
        failures.push(`seed ${seed}: ${r.violations.join('; ')} (replay: npm run sim -- --seed ${seed} --sync quorum-memory)`);
    }
    expect(failures).to.deep.equal([]);
    expect(recoveries).to.be.greaterThan(TEST_SEEDS / 4);
    expect(tornTailsCut).to.be.greaterThan(10);
  });

  it('catches, in sync: quorum-memory, a core that forgets a leader may have lost entries it counted unsynced', async () => {
    // Without recovery, a restarted leader that lost its unsynced tail votes (or runs) as if it had it, and a
    // leader lacking a committed entry is elected. Seed 74 shows it today; the budget leaves room.
    const proto = RaftNode.prototype as unknown as { maybeEndRecovery(this: RaftNode): void };
    const maybeEndRecovery = Object.getOwnPropertyDescriptor(proto, 'maybeEndRecovery')!;
    proto.maybeEndRecovery = function (this: RaftNode): void {
      this.recoveringTerm = 0;
    };
    try {
      expect(await firstViolation(150, { sync: 'quorum-memory' })).to.not.equal(null);
    } finally {
      Object.defineProperty(proto, 'maybeEndRecovery', maybeEndRecovery);
    }
  });

  it('catches a disk whose fsync reports success and makes nothing durable', async () => {
    expect(await firstViolation(40, { lyingFsync: true })).to.not.equal(null);
  });

  it('catches a core that never asks its host for an fsync', async () => {
    const seed = await withBrokenCore(
      (rd) => void (rd.mustSync = false),
      () => firstViolation(40),
    );
    expect(seed).to.not.equal(null);
  });

  it('catches a core that lets votes and append acknowledgements overtake the fsync', async () => {
    // Rarer: a power loss must land inside a follower's fsync after it answered. The budget covers the first seed
    // that shows it today (95, since the commit index rides on the next append instead of an empty append of its
    // own: fewer messages per commit, fewer chances for one to overtake an fsync; it was below 80 before); a change
    // to the simulation that moves it past the budget needs a larger one.
    const seed = await withBrokenCore(
      (rd) => {
        rd.messages = [...rd.messages, ...rd.messagesAfterSync];
        rd.messagesAfterSync = [];
      },
      () => firstViolation(120),
    );
    expect(seed).to.not.equal(null);
  });

  it('replays a seed exactly', async () => {
    const a = await runSeed(42);
    const b = await runSeed(42);
    expect(a.stats).to.deep.equal(b.stats);
    expect(a.trace).to.deep.equal(b.trace);
    expect(a.stats.events).to.be.greaterThan(1000);
  });
});

describe('linearizability checker', () => {
  it('accepts a sequential history and concurrent reads of either value', () => {
    expect(
      checkRegister([
        { call: 0, ret: 1, kind: 'write', value: 'a' },
        { call: 2, ret: 5, kind: 'write', value: 'b' },
        { call: 3, ret: 4, kind: 'read', value: 'a' },
        { call: 3, ret: 6, kind: 'read', value: 'b' },
      ]),
    ).to.equal(true);
  });

  it('rejects a stale read after a completed write', () => {
    expect(
      checkRegister([
        { call: 0, ret: 1, kind: 'write', value: 'a' },
        { call: 2, ret: 3, kind: 'write', value: 'b' },
        { call: 4, ret: 5, kind: 'read', value: 'a' },
      ]),
    ).to.equal(false);
  });

  it('rejects reads that see a value go back (a then b then a)', () => {
    expect(
      checkRegister([
        { call: 0, ret: 10, kind: 'write', value: 'a' },
        { call: 0, ret: 10, kind: 'write', value: 'b' },
        { call: 1, ret: 2, kind: 'read', value: 'a' },
        { call: 3, ret: 4, kind: 'read', value: 'b' },
        { call: 5, ret: 6, kind: 'read', value: 'a' },
      ]),
    ).to.equal(false);
  });

  it('lets an unanswered write take effect late or never', () => {
    const pending = { call: 0, ret: Infinity, kind: 'write' as const, value: 'p' };
    expect(checkRegister([pending, { call: 5, ret: 6, kind: 'read', value: '' }, { call: 7, ret: 8, kind: 'read', value: 'p' }])).to.equal(
      true,
    );
    expect(checkRegister([pending, { call: 5, ret: 6, kind: 'read', value: 'p' }, { call: 7, ret: 8, kind: 'read', value: '' }])).to.equal(
      false,
    );
  });
});
