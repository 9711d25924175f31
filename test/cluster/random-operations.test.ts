// The model checker in CI: a short seeded slice of random file operations on the mounts of a real 1/2/2 cluster,
// every byte and size compared with the model (long runs: npm run check:model; docs/testing.md).
import { expect } from 'chai';
import { cleanupTempDirs } from '../support';
import { TestCluster } from './harness';
import { generateOps, MiB, ModelChecker, type Op, totalsLine } from './model-checker';

/** The CI slice: a fixed seed (MOOSENG_MODEL_SEED picks another) and a few hundred operations. */
const SEED = Number(process.env.MOOSENG_MODEL_SEED ?? 20_261_201);
const OPS = Number(process.env.MOOSENG_MODEL_OPS ?? 250);
/** Smaller transfers than a long run's, to keep the slice under a minute on a shared two-core machine. */
const MAX_IO_BYTES = 2 * MiB;
/** Generous: the slice takes well under a minute, but a hung mount must fail the test, not the whole run. */
const SLICE_TIMEOUT_MS = 240_000;

describe('random operations on the mounts (model checker)', function () {
  this.timeout(SLICE_TIMEOUT_MS);
  let cluster: TestCluster | undefined;
  let checker: ModelChecker | undefined;

  before(async () => {
    cluster = await TestCluster.start({ masters: 1, chunkservers: 2, disks: 1, clients: 2, goal: 2 });
  });
  after(async () => {
    await checker?.close();
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) console.error(cluster.logs());
  });

  it(`applies ${OPS} operations of seed ${SEED}, and every byte and size read back agrees with the model`, async () => {
    const mounts = cluster!.nodes('client').map((n) => n.mountPoint);
    const applied: Op[] = [];
    checker = new ModelChecker({
      seed: SEED,
      ops: OPS,
      mounts,
      maxIoBytes: MAX_IO_BYTES,
      onOp: (_i, op) => applied.push(op),
    });
    // A failure throws a CheckFailure naming the seed, the operation index and the last operations.
    const totals = await checker.run();
    console.log(`      ${totalsLine(totals)}`);
    expect(totals.mismatches + totals.errors).to.equal(0);
    expect(totals.bytesVerified).to.be.greaterThan(0);
    // What was applied is what the seed alone generates: a failure here is replayable from its seed.
    expect(applied).to.deep.equal(generateOps({ seed: SEED, ops: OPS, mounts: mounts.length, maxIoBytes: MAX_IO_BYTES }));
  });
});
