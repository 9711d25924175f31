// What a program relies on from a mount whose client buffers writes (client.writeBack), on real FUSE mounts of a
// real cluster: another mount sees the bytes after close and after fsync; reads on the writing mount (another
// descriptor, mmap) see bytes still buffered; truncate, ftruncate and O_TRUNC with buffered bytes cut what they
// should; an unlinked file's buffered bytes neither fail the close nor reappear; the buffer bound holds; a full
// cluster fails fsync and close with ENOSPC or EIO and never acknowledges the bytes. (A chunkserver killed while
// buffered bytes are on their way: test/cluster/mount-write-back-cache.test.ts.)
import { expect } from 'chai';
import { open, readFile, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs } from '../support';
import { TestCluster } from './harness';
import { MmapClient } from './mmap-client';
import { KiB, MiB, patternBytes, readFully } from './model-checker';

/** The mounts' write-back bound: small, so the bound test fills it many times over. */
const WRITE_BUFFER_MB = 8;

/** A repeatable stream of 32-bit numbers. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
}

/** Random 4 KiB pwrites into [0, region) of `fh`, mirrored into `model`; returns the end of what was written. */
async function randomWrites(
  fh: Awaited<ReturnType<typeof open>>,
  model: Buffer,
  count: number,
  seed: number,
  region = model.length,
): Promise<number> {
  const next = seeded(seed);
  let end = 0;
  for (let i = 0; i < count; i++) {
    const data = patternBytes(seed * 10_000 + i, 4 * KiB);
    const at = (next() % (region / (4 * KiB))) * 4 * KiB;
    await fh.write(data, 0, data.length, at);
    data.copy(model, at);
    end = Math.max(end, at + data.length);
  }
  return end;
}

describe('what programs rely on from a mount with the write-back cache', function () {
  this.timeout(300_000);
  let cluster: TestCluster | undefined;
  let a: string; // client1's mount: where files are written
  let b: string; // client2's mount: another client
  const mmap = new MmapClient();
  let serial = 0;
  const fresh = (what: string): string => `${what}-${serial++}`;

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
    await mmap.stop();
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(async function () {
    await mmap.close().catch(() => undefined);
    if (this.currentTest?.state === 'failed' && cluster) console.error(cluster.logs());
  });

  it('keeps the times a program set after writing (futimens before close, as tar does), on this mount and another', async () => {
    const name = fresh('times');
    const fh = await open(join(a, name), 'w');
    await fh.write(Buffer.alloc(64 * KiB, 1));
    // An explicit mtime (and atime) set while the bytes are still buffered: the later flush must not replace them.
    const then = new Date('2001-09-09T01:46:40Z');
    await fh.utimes(then, then);
    await fh.chmod(0o640);
    await fh.close();
    for (const mount of [a, b]) {
      const st = await stat(join(mount, name));
      expect(st.mtimeMs, `mtime on ${mount}`).to.equal(then.getTime());
      expect(st.size).to.equal(64 * KiB);
    }
  });

  it('another mount reads every byte after close (close-to-open), and after fsync with the file still open', async () => {
    const closed = fresh('closed');
    const model = Buffer.alloc(4 * MiB);
    const fh = await open(join(a, closed), 'w+');
    const end = await randomWrites(fh, model, 600, 1);
    await fh.close();
    const got = await readFile(join(b, closed));
    expect(got.length, 'length after close').to.equal(end);
    expect(got.equals(model.subarray(0, end)), 'bytes after close').to.equal(true);

    const synced = fresh('synced');
    const model2 = Buffer.alloc(4 * MiB);
    const fh2 = await open(join(a, synced), 'w+');
    try {
      const end2 = await randomWrites(fh2, model2, 600, 2);
      await fh2.datasync();
      const got2 = await readFile(join(b, synced));
      expect(got2.length, 'length after fdatasync').to.equal(end2);
      expect(got2.equals(model2.subarray(0, end2)), 'bytes after fdatasync').to.equal(true);
    } finally {
      await fh2.close();
    }
  });

  it('reads on the writing mount see buffered bytes: through another descriptor and through mmap', async () => {
    const name = fresh('read-your-writes');
    const model = Buffer.alloc(2 * MiB);
    const writer = await open(join(a, name), 'w+');
    try {
      const end = await randomWrites(writer, model, 300, 3);
      // Nothing synced or closed: the bytes are in the client's buffer (or on their way).
      const reader = await open(join(a, name), 'r');
      try {
        expect((await reader.stat()).size, 'stat of the other descriptor').to.equal(end);
        const got = await readFully(reader, 0, end);
        expect(got.equals(model.subarray(0, end)), 'pread through another descriptor').to.equal(true);
      } finally {
        await reader.close();
      }
      // More buffered writes after the kernel cached pages of the file: mmap must see the new bytes.
      await randomWrites(writer, model, 100, 4, end);
      await mmap.open(join(a, name));
      const mapped = await mmap.read(0, Math.min(end, 1 * MiB));
      expect(mapped.equals(model.subarray(0, mapped.length)), 'mmap read').to.equal(true);
      await mmap.close();
    } finally {
      await writer.close();
    }
  });

  it('ftruncate, truncate(2) by path and O_TRUNC cut buffered bytes, and bytes written after the cut stay', async () => {
    // ftruncate through the writing descriptor, then writes past and before the cut.
    const name = fresh('ftruncate');
    const model = Buffer.alloc(4 * MiB);
    const fh = await open(join(a, name), 'w+');
    await randomWrites(fh, model, 400, 5);
    await fh.truncate(1 * MiB + 123);
    model.fill(0, 1 * MiB + 123);
    const after = patternBytes(77, 8 * KiB);
    await fh.write(after, 0, after.length, 2 * MiB);
    after.copy(model, 2 * MiB);
    await fh.close();
    let got = await readFile(join(b, name));
    expect(got.length, 'ftruncate: length').to.equal(2 * MiB + after.length);
    expect(got.equals(model.subarray(0, got.length)), 'ftruncate: bytes').to.equal(true);

    // truncate(2) by path while another descriptor holds buffered bytes past the cut.
    const byPath = fresh('truncate-path');
    const model2 = Buffer.alloc(4 * MiB);
    const fh2 = await open(join(a, byPath), 'w+');
    try {
      await randomWrites(fh2, model2, 400, 6);
      await truncate(join(a, byPath), 512 * KiB);
      model2.fill(0, 512 * KiB);
      expect((await stat(join(a, byPath))).size, 'truncate(2): stat on the writing mount').to.equal(512 * KiB);
    } finally {
      await fh2.close();
    }
    got = await readFile(join(b, byPath));
    expect(got.length, 'truncate(2): length on the other mount').to.equal(512 * KiB);
    expect(got.equals(model2.subarray(0, 512 * KiB)), 'truncate(2): bytes').to.equal(true);

    // O_TRUNC of a file another descriptor of this mount holds buffered bytes of: they come before the cut.
    const reopened = fresh('o-trunc');
    const fh3 = await open(join(a, reopened), 'w+');
    try {
      await randomWrites(fh3, Buffer.alloc(4 * MiB), 200, 7);
      await writeFile(join(a, reopened), 'after O_TRUNC');
    } finally {
      await fh3.close();
    }
    expect((await readFile(join(b, reopened))).toString(), 'O_TRUNC: the other mount').to.equal('after O_TRUNC');
  });

  it('an unlinked file with buffered bytes still reads them through its descriptor, closes cleanly, and is gone', async () => {
    const name = fresh('unlinked');
    const model = Buffer.alloc(2 * MiB);
    const fh = await open(join(a, name), 'w+');
    let end: number;
    try {
      end = await randomWrites(fh, model, 300, 8);
      await unlink(join(a, name));
      end = Math.max(end, await randomWrites(fh, model, 50, 9));
      const got = await readFully(fh, 0, end);
      expect(got.equals(model.subarray(0, end)), 'read through the descriptor after unlink').to.equal(true);
    } finally {
      await fh.close();
    }
    for (const mnt of [a, b]) {
      const err = await stat(join(mnt, name)).catch((e: NodeJS.ErrnoException) => e);
      expect((err as NodeJS.ErrnoException).code, `stat on ${mnt}`).to.equal('ENOENT');
    }
  });

  it('holds the write-back bound: buffered and sending bytes never exceed client.writeBufferMb', async () => {
    const client = cluster!.nodes('client')[0]!;
    const peak = async (): Promise<number> => {
      const text = await (await fetch(`http://${client.host}:${client.httpPort}/metrics`)).text();
      const line = text.split('\n').find((l) => /^mooseng_client_write_back_peak_bytes[ {]/.test(l));
      if (!line) throw new Error('no mooseng_client_write_back_peak_bytes on the client /metrics');
      return Number(line.split(' ').pop());
    };
    const name = fresh('bound');
    // 32 MiB of scattered 64 KiB writes: four times the bound, with few merges.
    const fh = await open(join(a, name), 'w+');
    try {
      const next = seeded(10);
      const slots = (64 * MiB) / (64 * KiB);
      const data = patternBytes(10, 64 * KiB);
      for (let i = 0; i < 512; i++) await fh.write(data, 0, data.length, (next() % slots) * 64 * KiB);
      await fh.sync();
    } finally {
      await fh.close();
    }
    const most = await peak();
    expect(most, 'peak bytes held').to.be.above(0);
    expect(most, 'peak bytes held').to.be.at.most(WRITE_BUFFER_MB * MiB);
  });
});

describe('a mount with the write-back cache on a full cluster', function () {
  this.timeout(300_000);
  let cluster: TestCluster | undefined;
  let a: string;
  let b: string;

  before(async () => {
    // Two chunkservers of 24 MiB each, goal 2: a 64 MiB file cannot fit.
    cluster = await TestCluster.start({
      masters: 1,
      chunkservers: 2,
      disks: 1,
      clients: 2,
      goal: 2,
      tmpfsDisks: '24m',
      clientSettings: { writeBack: true, writeBufferMb: 16 },
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

  it('fails fsync or close (ENOSPC or EIO) for buffered bytes that did not fit, never succeeds', async () => {
    const path = join(a, 'too-big');
    const data = patternBytes(11, 1 * MiB);
    let outcome = 'OK';
    const fh = await open(path, 'w+');
    try {
      for (let i = 0; i < 64; i++) {
        try {
          await fh.write(data, 0, data.length, i * MiB);
        } catch (err) {
          // Once a failure is known a write may fail too.
          outcome = `write: ${(err as NodeJS.ErrnoException).code}`;
          break;
        }
      }
      if (outcome === 'OK') await fh.sync().catch((err: NodeJS.ErrnoException) => (outcome = `fsync: ${err.code}`));
    } finally {
      await fh.close().catch((err: NodeJS.ErrnoException) => {
        if (outcome === 'OK') outcome = `close: ${err.code}`;
      });
    }
    expect(outcome, 'how 64 MiB on 2 x 24 MiB at goal 2 failed').to.match(/^(write|fsync|close): (ENOSPC|EIO)$/);
    // Whatever the other mount reads of it is what was written (no bytes of another file, no garbage).
    const got = await readFile(join(b, 'too-big')).catch(() => Buffer.alloc(0));
    for (let at = 0; at + MiB <= got.length; at += MiB) {
      const piece = got.subarray(at, at + MiB);
      if (!piece.equals(data) && !piece.equals(Buffer.alloc(MiB))) throw new Error(`MiB ${at / MiB} holds other bytes`);
    }
  });
});
