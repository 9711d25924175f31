// The seeded simulation as a test: a few hundred seeds with faults, every invariant and linearizability checked.
import { expect } from 'chai';
import { runSeed } from './sim/sim-world';
import { checkRegister } from './sim/linearizability';

/** Seeds per test run (`npm run sim -- --seeds N` runs more). */
const TEST_SEEDS = 200;

describe('raft simulation', function () {
  this.timeout(120_000);

  it(`runs ${TEST_SEEDS} seeds with no invariant or linearizability violation`, () => {
    const failures: string[] = [];
    let ops = 0;
    let crashes = 0;
    let snapshots = 0;
    for (let seed = 1; seed <= TEST_SEEDS; seed++) {
      const r = runSeed(seed);
      ops += r.stats.ops;
      crashes += r.stats.crashes;
      snapshots += r.stats.snapshots;
      if (r.violations.length > 0) failures.push(`seed ${seed}: ${r.violations.join('; ')} (replay: npm run sim -- --seed ${seed})`);
    }
    expect(failures).to.deep.equal([]);
    // The faults really happened.
    expect(crashes).to.be.greaterThan(TEST_SEEDS);
    expect(snapshots).to.be.greaterThan(0);
    expect(ops).to.be.greaterThan(TEST_SEEDS * 100);
  });

  it('catches a host that acknowledges writes it never synced', () => {
    const caught = [];
    for (let seed = 1; seed <= 40 && caught.length === 0; seed++) {
      const r = runSeed(seed, { skipFsync: true });
      if (r.violations.length > 0) caught.push(seed);
    }
    expect(caught).to.have.length(1);
  });

  it('replays a seed exactly', () => {
    const a = runSeed(42);
    const b = runSeed(42);
    expect(a.stats).to.deep.equal(b.stats);
    expect(a.trace).to.deep.equal(b.trace);
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
    expect(checkRegister([pending, { call: 5, ret: 6, kind: 'read', value: '' }, { call: 7, ret: 8, kind: 'read', value: 'p' }])).to.equal(true);
    expect(checkRegister([pending, { call: 5, ret: 6, kind: 'read', value: 'p' }, { call: 7, ret: 8, kind: 'read', value: '' }])).to.equal(false);
  });
});
