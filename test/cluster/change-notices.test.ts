// The leader's change feed on real mounts: a change made through one mount reaches the other mount's kernel at once,
// though that mount's kernel would otherwise keep its cached names and attributes for a minute.
import { expect } from 'chai';
import { chmod, mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
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

// Found by the demo: mount A listed its root, the leader was killed, mount B wrote a new file through the new leader,
// and A answered ENOENT for it: A's cache of names (a directory listed whole is known complete for
// client.metadataCacheMs) trusted a change feed that was down between the old leader's death and A's new stream.
describe('change notices across a leader change', function () {
  this.timeout(180_000);
  let cluster: TestCluster | undefined;

  before(async () => {
    cluster = await TestCluster.start({ masters: 3, chunkservers: 1, clients: 2, goal: 1 });
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) console.error(cluster.logs());
  });

  it('a file another mount writes right after the leader is killed is found on a mount that listed the directory', async () => {
    const c = cluster!;
    const [a, b] = c.nodes('client').map((n) => n.mountPoint) as [string, string];
    for (let round = 0; round < 2; round++) {
      const dir = `listed-${round}`;
      await writeFile(join(a, `${dir}-seed`), 'x');
      await mkdir(join(a, dir));
      await readdir(join(a, dir)); // A knows the directory whole (empty)
      expect(await exists(join(b, dir))).to.equal(true);
      const old = await c.leader();
      await c.stopNode(old, 'kill');
      // Name and data through the new leader (which waits for the chunkserver to register with it: no ENOSPC).
      await writeFile(join(b, dir, 'after-failover'), 'written by B through the new leader');
      expect(await exists(join(b, dir, 'after-failover')), `round ${round}: made on B`).to.equal(true);
      // Asked at once: only A's change feed could have told it, and that feed was down.
      expect(await exists(join(a, dir, 'after-failover')), `round ${round}: seen on A`).to.equal(true);
      await c.restartNode(old);
    }
  });
});
