// The client's write-back cache (client.writeBack) on real FUSE mounts of a real cluster: random 4 KiB writes are
// merged before they reach the chunkservers (counted on the chunkservers' own request counters), every byte reads
// back from another mount after fsync, and a chunkserver killed while buffered writes are being sent makes fsync
// either fail or succeed with every byte kept: never succeed with bytes missing.
import { expect } from 'chai';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs } from '../support';
import { TestCluster } from './harness';
import { KiB, MiB } from './model-checker';

/** The mounts' cache: small, so the kill test has several background batches on their way (2 MiB each). */
const WRITE_BUFFER_MB = 8;

/** A repeatable stream of 32-bit numbers. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
}

describe('the mount with the write-back cache', function () {
  this.timeout(300_000);
  let cluster: TestCluster | undefined;
  let a: string; // client1's mount: where files are written
  let b: string; // client2's mount: reads after close

  /** Data-plane writes the chunkservers served so far (every replica's, forwarded ones included). */
  const chunkserverWrites = async (): Promise<number> => {
    let total = 0;
    for (const cs of cluster!.nodes('chunkserver')) {
      if (cs.pid === null) continue;
      const text = await (await fetch(`http://${cs.host}:${cs.httpPort}/metrics`)).text();
      for (const line of text.split('\n'))
        if (line.startsWith('mooseng_chunkserver_requests_total{') && line.includes('op="write"')) total += Number(line.split(' ').pop());
    }
    return total;
  };

  before(async () => {
    cluster = await TestCluster.start({
      masters: 1,
      chunkservers: 3,
      disks: 1,
      clients: 2,
      goal: 2,
      clientSettings: { writeBack: true, writeBufferMb: WRITE_BUFFER_MB },
    });
    [a, b] = cluster.nodes('client').map((n) => n.mountPoint) as [string, string];
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && cluster) console.error(cluster.logs());
  });

  it('sends 1,000 random 4 KiB pwrites as far fewer chunkserver writes, and another mount reads every byte after fsync', async () => {
    const pwrites = 1_000;
    const region = 2 * MiB;
    const model = Buffer.alloc(region);
    const next = seeded(11);
    let end = 0;
    const before = await chunkserverWrites();
    const fh = await open(join(a, 'random-4k'), 'w+');
    try {
      for (let i = 0; i < pwrites; i++) {
        const data = Buffer.alloc(4 * KiB, (i % 250) + 1);
        const at = (next() % (region / (4 * KiB))) * 4 * KiB;
        await fh.write(data, 0, data.length, at);
        data.copy(model, at);
        end = Math.max(end, at + data.length);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    const writes = (await chunkserverWrites()) - before;
    // Without the cache each pwrite is a write on each of the 2 replicas: 2,000.
    expect(writes, 'chunkserver writes (both replicas) for 1,000 pwrites').to.be.below(pwrites / 2);
    const got = await readFile(join(b, 'random-4k'));
    expect(got.length).to.equal(end);
    expect(got.equals(model.subarray(0, end)), 'the bytes on the other mount').to.equal(true);
  });

  it('a chunkserver killed while buffered writes are on their way: fsync fails, or every byte is there', async () => {
    const region = 48 * MiB;
    const pieces = region / (64 * KiB);
    const model = Buffer.alloc(region);
    const next = seeded(5);
    let end = 0;
    const fh = await open(join(a, 'killed-mid-flush'), 'w+');
    let outcome = 'OK';
    try {
      for (let i = 0; i < pieces * 2; i++) {
        if (i === pieces / 2) await cluster!.stopNode(cluster!.nodes('chunkserver')[1]!.id, 'kill');
        const data = Buffer.alloc(64 * KiB, (i % 250) + 1);
        const at = (next() % pieces) * 64 * KiB;
        try {
          await fh.write(data, 0, data.length, at);
        } catch (err) {
          // A write may fail once a failure is known; what it wrote is then not promised.
          outcome = (err as NodeJS.ErrnoException).code ?? String(err);
          break;
        }
        data.copy(model, at);
        end = Math.max(end, at + data.length);
      }
      if (outcome === 'OK')
        await fh.sync().catch((err: NodeJS.ErrnoException) => {
          outcome = err.code ?? String(err);
        });
    } finally {
      await fh.close().catch((err: NodeJS.ErrnoException) => {
        if (outcome === 'OK') outcome = `close: ${err.code}`;
      });
    }
    if (outcome !== 'OK') {
      expect(outcome, 'the failure reported').to.match(/EIO|ENOSPC|close: EIO/);
      return;
    }
    const got = await readFile(join(b, 'killed-mid-flush'));
    expect(got.length, 'fsync succeeded: the length').to.equal(end);
    expect(got.equals(model.subarray(0, end)), 'fsync succeeded: every byte kept').to.equal(true);
  });
});
