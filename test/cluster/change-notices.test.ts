// The leader's change feed on real mounts: a change made through one mount reaches the other mount's kernel at once,
// though that mount's kernel would otherwise keep its cached names and attributes for a minute.
import { expect } from 'chai';
import { chmod, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs } from '../support';
import { TestCluster } from './harness';

/** The kernel caches of both mounts: far longer than any test waits, so only a notice can refresh them. */
const CACHE_TIMEOUT_MS = 60_000;
/** How long a notice may take to reach the other mount's kernel ("at once": well under a second). */
const NOTICE_WAIT_MS = 2_000;
const POLL_MS = 20;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds, for at most NOTICE_WAIT_MS; returns how long it took. */
async function within(what: string, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > NOTICE_WAIT_MS) throw new Error(`${what}: not seen within ${NOTICE_WAIT_MS} ms`);
    await sleep(POLL_MS);
  }
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('change notices from the leader to other mounts', function () {
  this.timeout(120_000);
  let cluster: TestCluster | undefined;
  let a: string;
  let b: string;

  before(async () => {
    cluster = await TestCluster.start({
      masters: 1,
      chunkservers: 1,
      clients: 2,
      goal: 1,
      clientSettings: { entryTimeoutMs: CACHE_TIMEOUT_MS, attrTimeoutMs: CACHE_TIMEOUT_MS, negativeTimeoutMs: CACHE_TIMEOUT_MS },
    });
    [a, b] = cluster.nodes('client').map((n) => n.mountPoint) as [string, string];
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) console.error(cluster.logs());
  });

  it('a rename on mount A is seen on mount B at once (no timeout wait)', async () => {
    await writeFile(join(a, 'before'), 'x');
    // Mount B's kernel caches both names: "before" found, "after" not there (a negative entry).
    expect(await exists(join(b, 'before'))).to.equal(true);
    expect(await exists(join(b, 'after'))).to.equal(false);
    await rename(join(a, 'before'), join(a, 'after'));
    await within('the new name on mount B', () => exists(join(b, 'after')));
    await within('the old name gone on mount B', async () => !(await exists(join(b, 'before'))));
  });

  it("a chmod and a write on mount A show in mount B's stat at once", async () => {
    await writeFile(join(a, 'attrs'), 'x', { mode: 0o644 });
    expect((await stat(join(b, 'attrs'))).size).to.equal(1);
    await chmod(join(a, 'attrs'), 0o600);
    await within('the mode on mount B', async () => ((await stat(join(b, 'attrs'))).mode & 0o777) === 0o600);
    await writeFile(join(a, 'attrs'), 'longer');
    await within('the size on mount B', async () => (await stat(join(b, 'attrs'))).size === 6);
  });
});
