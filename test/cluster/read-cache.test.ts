// The client's block cache on real FUSE mounts of a real cluster: a file read twice is served the second time from
// the cache (the client's own counters say so), and a mount that read a file sees the bytes another mount wrote over
// it since. keepCache is off, so every open drops the kernel's pages and reads reach the client.
import { expect } from 'chai';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs, waitFor } from '../support';
import { TestCluster } from './harness';
import { KiB, MiB, patternBytes } from './model-checker';

const BLOCK = 64 * KiB;

describe('the read cache on real mounts', function () {
  this.timeout(300_000);
  let cluster: TestCluster | undefined;
  let a: string; // client1's mount: writes
  let b: string; // client2's mount: reads
  let serial = 0;
  const fresh = (what: string): string => `${what}-${serial++}`;

  /** client2's block-cache lookups so far, from its /metrics. */
  const blockLookups = async (): Promise<{ hit: number; miss: number }> => {
    const node = cluster!.nodes('client')[1]!;
    const text = await (await fetch(`http://${node.host}:${node.httpPort}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    const counts = { hit: 0, miss: 0 };
    for (const line of text.split('\n')) {
      if (!line.startsWith('mooseng_client_cache_requests_total{') || !line.includes('cache="block"')) continue;
      const result = line.includes('result="hit"') ? 'hit' : 'miss';
      counts[result] += Number(line.split(' ').pop());
    }
    return counts;
  };

  before(async () => {
    cluster = await TestCluster.start({
      masters: 1,
      chunkservers: 2,
      disks: 1,
      clients: 2,
      goal: 2,
      clientSettings: { keepCache: false, cacheSizeMb: 64 },
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

  it('a file read a second time comes from the block cache, not the chunkservers', async () => {
    const name = fresh('twice');
    const data = patternBytes(1, 3 * MiB + 100);
    await writeFile(join(a, name), data);
    expect((await readFile(join(b, name))).equals(data), 'first read').to.equal(true);
    const before = await blockLookups();
    expect((await readFile(join(b, name))).equals(data), 'second read').to.equal(true);
    const after = await blockLookups();
    expect(after.miss - before.miss, 'blocks fetched by the second read').to.equal(0);
    expect(after.hit - before.hit, 'blocks served from the cache').to.be.at.least(Math.ceil(data.length / BLOCK));
  });

  it('a mount that read a file reads the bytes another mount wrote over it since', async () => {
    const name = fresh('rewritten');
    const first = patternBytes(2, 2 * MiB);
    await writeFile(join(a, name), first);
    expect((await readFile(join(b, name))).equals(first), 'before the rewrite').to.equal(true);
    const second = patternBytes(3, 2 * MiB);
    await writeFile(join(a, name), second);
    expect((await readFile(join(b, name))).equals(second), 'after the rewrite').to.equal(true);
    // Over part of it, the same size (a new mtime only): the blocks around the write are still read right.
    const third = Buffer.from(second);
    patternBytes(4, 100 * KiB).copy(third, MiB - 1000);
    await writeFile(join(a, name), third);
    expect((await readFile(join(b, name))).equals(third), 'after a partial rewrite').to.equal(true);
  });

  it('a descriptor held open on one mount reads what another mount wrote and closed since (the change notice)', async function () {
    // libfuse 2's high-level API cannot tell the kernel to drop its cached pages: the fallback waits for the timeout.
    if (process.env.MOOSENG_TEST_MOUNT === 'mount-fuse-native') this.skip();
    const name = fresh('held-open');
    const first = patternBytes(7, MiB);
    await writeFile(join(a, name), first);
    const reader = await open(join(b, name), 'r');
    try {
      const got = Buffer.alloc(MiB);
      await reader.read(got, 0, MiB, 0);
      expect(got.equals(first), 'before the rewrite').to.equal(true);
      const second = patternBytes(8, MiB);
      await writeFile(join(a, name), second);
      await waitFor('the new bytes through the descriptor opened before the rewrite', async () => {
        await reader.read(got, 0, MiB, 0);
        return got.equals(second);
      });
    } finally {
      await reader.close();
    }
  });

  it('a mount reads its own writes over blocks it holds', async () => {
    const name = fresh('own');
    const data = patternBytes(5, MiB);
    await writeFile(join(b, name), data);
    expect((await readFile(join(b, name))).equals(data)).to.equal(true);
    const changed = Buffer.from(data);
    patternBytes(6, 5000).copy(changed, 70_000);
    await writeFile(join(b, name), changed);
    expect((await readFile(join(b, name))).equals(changed)).to.equal(true);
  });
});
