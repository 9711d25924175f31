// Data right after a leader change. A new leader learns where chunks live and which chunkservers have room only as
// the chunkservers register with it; until then a write of a new chunk found "no chunkserver with room" (ENOSPC)
// and a write or read of an existing chunk "no live replica" (EIO), although nothing was wrong but the timing. The
// mount must see neither: a new leader waits for its chunkservers (within the grace its repair loop keeps) before it
// answers that none can serve.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs } from '../support';
import { TestCluster } from './harness';

/**
 * Rounds of: write `old-N`, `disrupt` the masters, then at once write `new-N`, append to `old-N` and read both back
 * (no wait for a leader or for the chunkservers: the mount's calls find whoever leads next).
 */
async function writeThrough(
  mnt: string,
  rounds: number,
  disrupt: () => Promise<void>,
  after: () => Promise<void> = async () => undefined,
): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const old = randomBytes(300_000);
    await writeFile(join(mnt, `old-${round}`), old);
    await disrupt();
    const fresh = randomBytes(200_000);
    await writeFile(join(mnt, `new-${round}`), fresh);
    const tail = randomBytes(50_000);
    await appendFile(join(mnt, `old-${round}`), tail);
    expect((await readFile(join(mnt, `old-${round}`))).equals(Buffer.concat([old, tail])), `round ${round}: old file`).to.equal(true);
    expect((await readFile(join(mnt, `new-${round}`))).equals(fresh), `round ${round}: new file`).to.equal(true);
    await after();
  }
}

describe('data right after a leader change', function () {
  this.timeout(240_000);
  let cluster: TestCluster | undefined;

  before(async () => {
    cluster = await TestCluster.start({ masters: 3, chunkservers: 2, clients: 1, goal: 2 });
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) console.error(cluster.logs());
  });

  it('writes new files, appends to and reads old ones at once through the new leader', async () => {
    const c = cluster!;
    const mnt = c.nodes('client')[0]!.mountPoint!;
    let leader = '';
    await writeThrough(
      mnt,
      Number(process.env.ROUNDS ?? 2),
      async () => {
        leader = await c.leader();
        await c.stopNode(leader, 'kill');
      },
      () => c.restartNode(leader),
    );
  });
});

describe('data right after the only master restarts', function () {
  this.timeout(240_000);
  let cluster: TestCluster | undefined;

  before(async () => {
    cluster = await TestCluster.start({ masters: 1, chunkservers: 2, clients: 1, goal: 2 });
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) console.error(cluster.logs());
  });

  it('writes and reads at once, before the chunkservers have registered again', async () => {
    const c = cluster!;
    const mnt = c.nodes('client')[0]!.mountPoint!;
    const master = c.nodes('master')[0]!.id;
    await writeThrough(mnt, 2, async () => {
      await c.stopNode(master, 'kill');
      await c.restartNode(master);
    });
  });
});
