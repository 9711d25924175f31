// What one mount's descriptors, mappings and kernel caches see of writes made through others, on real FUSE mounts
// of a real cluster: the bytes and sizes buffered behind another fd, and the size another mount closed a file with.
import { expect } from 'chai';
import { constants } from 'node:fs';
import { open, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs } from '../support';
import { TestCluster } from './harness';
import { MmapClient } from './mmap-client';
import { KiB, MiB, patternBytes, readFully } from './model-checker';

describe('coherence of what mounts see', function () {
  this.timeout(300_000);
  let cluster: TestCluster | undefined;
  let a: string; // client1's mount: where files are written
  let b: string; // client2's mount: opens them after close
  const mmap = new MmapClient();
  let serial = 0;
  /** A new file name per test: no test sees another's file, or a cache of it. */
  const fresh = (what: string): string => `${what}-${serial++}`;

  before(async () => {
    cluster = await TestCluster.start({ masters: 1, chunkservers: 2, disks: 1, clients: 2, goal: 2 });
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

  // A write is buffered in its handle (FileHandle); a read through any handle of the file sends every handle's
  // buffer first (FileSystemClient.read), else it misses the bytes and reads short at the master's length.
  it('a read through one fd sees the bytes and the length written through another fd of the same mount', async () => {
    const path = join(a, fresh('two-fds'));
    const writer = await open(path, 'w+');
    const reader = await open(path, 'r');
    try {
      const data = patternBytes(1, 100);
      await writer.write(data, 0, data.length, MiB);
      expect((await reader.stat()).size, 'fstat through the other fd').to.equal(MiB + 100);
      const got = await readFully(reader, MiB - 16, 116);
      expect(got.length, 'bytes read through the other fd').to.equal(116);
      expect(got.equals(Buffer.concat([Buffer.alloc(16), data]))).to.equal(true);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  // Found by the model checker (seed 7, operation 1499: a pwrite buffered behind the checker's fd, then an msync'd
  // mapping over part of it through the helper's fd). Each handle buffers its own writes; the later, overlapping
  // write through the second fd reached the chunkservers first (its close sent it), and the first fd's older bytes
  // landed over it when that fd's buffer went. The page cache hid it until something dropped the pages.
  it('a write through one fd over bytes still buffered behind another fd of the same mount lands over them', async () => {
    const name = fresh('overlapping-fds');
    const path = join(a, name);
    const first = await open(path, 'w+');
    const second = await open(path, 'r+');
    const older = patternBytes(11, 64 * KiB);
    const newer = patternBytes(12, 4 * KiB);
    try {
      await first.write(older, 0, older.length, 0);
      await second.write(newer, 0, newer.length, 8 * KiB);
      await second.close();
    } finally {
      await first.close();
    }
    // Through the other mount: nothing this mount's page cache holds can answer for the chunkservers.
    const want = Buffer.from(older);
    newer.copy(want, 8 * KiB);
    const other = await open(join(b, name), 'r');
    try {
      expect((await readFully(other, 0, want.length)).equals(want), 'the bytes the other mount reads').to.equal(true);
    } finally {
      await other.close();
    }
  });

  // The same through a mapping: the kernel knows the size the write gave the file; a short FUSE read inside it makes
  // the kernel shrink the file (fuse_short_read), and touching the mapping there faults with SIGBUS.
  it("an mmap read of a hole below another fd's unsynced write reads zeros, not SIGBUS", async () => {
    const path = join(a, fresh('mmap-hole'));
    const writer = await open(path, 'w+');
    try {
      await writer.write(Buffer.alloc(4 * KiB, 1), 0, 4 * KiB, 0);
      await writer.sync();
      await mmap.open(path);
      await writer.write(patternBytes(2, 64), 0, 64, 8 * MiB);
      const got = await mmap.read(4 * MiB, 4 * KiB);
      expect(got.equals(Buffer.alloc(4 * KiB))).to.equal(true);
      expect((await mmap.read(8 * MiB, 64)).equals(patternBytes(2, 64)), 'the buffered bytes, through the mapping').to.equal(true);
    } finally {
      await writer.close();
    }
  });

  // Close-to-open across mounts: the kernel of the mount that stat'ed the file keeps those attributes for the
  // attribute timeout (1 s), and open(2) does not ask again. The open's fresh attributes from the master show the
  // change, and the mount invalidates the kernel's cache of the inode before answering (notify_inval_inode).
  for (const [what, first, then] of [
    ['grown', 1_000, 2_000],
    ['cut shorter', 2_000, 500],
  ] as const) {
    it(`a mount that looked at a file a moment ago opens it with the size another mount closed it with (${what})`, async () => {
      const name = fresh('close-to-open');
      await writeFile(join(a, name), patternBytes(8, first));
      expect((await stat(join(b, name))).size).to.equal(first);
      const written = patternBytes(9, then);
      await writeFile(join(a, name), written);
      const other = await open(join(b, name), constants.O_RDONLY);
      try {
        expect((await other.stat()).size, 'fstat on the other mount').to.equal(then);
        const got = await readFully(other, 0, 4_000);
        expect(got.length, 'bytes read on the other mount').to.equal(then);
        expect(got.equals(written), 'the bytes the other mount closed the file with').to.equal(true);
      } finally {
        await other.close();
      }
    });
  }

  it('a mount that looked at a file a moment ago opens it with the mode another mount gave it', async () => {
    const name = fresh('close-to-open-mode');
    await writeFile(join(a, name), patternBytes(10, 100), { mode: 0o644 });
    expect((await stat(join(b, name))).mode & 0o777).to.equal(0o644);
    const fh = await open(join(a, name), 'r');
    await fh.chmod(0o600);
    await fh.close();
    const other = await open(join(b, name), constants.O_RDONLY);
    try {
      expect((await other.stat()).mode & 0o777, 'fstat on the other mount').to.equal(0o600);
    } finally {
      await other.close();
    }
  });
});
