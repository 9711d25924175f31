// Failing repros of the defects the model checker found on the mount, one per behaviour; they fail today, so they
// run only with MOOSENG_KNOWN_DEFECTS=1 (docs/testing.md). A fix flips the switch, or moves its test into the suite.
import { expect } from 'chai';
import { open, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs } from '../support';
import { TestCluster } from './harness';
import { MmapClient, type MmapError } from './mmap-client';
import { KERNEL_ATTR_CACHE_MS, KiB, MiB, ModelChecker, patternBytes, readFully, totalsLine, CHUNK_BYTES } from './model-checker';

/** Off unless asked for: these fail until their defects are fixed, and main stays green meanwhile. */
const ENABLED = process.env.MOOSENG_KNOWN_DEFECTS === '1';
/** The master's repair loop runs every second (REPAIR_INTERVAL_MS) and carries out queued cuts and deletions. */
const REPAIR_PASS_WAIT_MS = 2_500;
/** Tries of a race that shows in about every other try; a defect still there is missed with odds (1/2)^8. */
const RACE_TRIES = 8;
/** Tries of the mmap write-back race that loses data (it shows in most tries). */
const MMAP_TRIES = 6;
/** Tries of the write-back race into a new chunk (EIO in one try of three to six): missed with odds below 1/20. */
const NEW_CHUNK_TRIES = 16;
/** The CI slice's seed and length (test/cluster/random-operations.test.ts), here without any workaround. */
const SLICE_SEED = 20_261_201;
const SLICE_OPS = 250;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

(ENABLED ? describe : describe.skip)('known defects of the mount (MOOSENG_KNOWN_DEFECTS=1)', function () {
  this.timeout(300_000);
  let cluster: TestCluster | undefined;
  let a: string; // client1's mount: where files are written
  let b: string; // client2's mount: reads after close
  const mmap = new MmapClient();
  let serial = 0;
  /** A new file name per test and try: no test sees another's file, or a cache of it. */
  const fresh = (what: string): string => `${what}-${serial++}`;
  const missingChunks = async (): Promise<number> =>
    ((await cluster!.http('m1', '/status')).json as { missingChunks: number }).missingChunks;

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

  // Defect 2. FileIo.unsynced (client/src/file-io.ts) remembers (chunk id, version, chain) of every chunk written
  // since the last fsync; truncate/ftruncate/O_TRUNC never drop or update those entries. The master's cut frees a
  // dropped chunk (the repair loop deletes its replicas) or moves a cut chunk to a new version, so the next fsync's
  // FLUSH names a chunk that is gone (CHUNK_NOT_FOUND) or a version that is stale (CHUNK_STALE_VERSION): EIO.
  for (const [what, size] of [
    ['to 0 (the chunk is freed)', 0],
    ['mid-chunk (the chunk moves to a new version)', 512 * KiB],
  ] as const) {
    it(`fsync after an ftruncate ${what} of data written since the last fsync succeeds`, async () => {
      const fh = await open(join(a, fresh('cut-then-fsync')), 'w+');
      try {
        await fh.write(patternBytes(3, MiB), 0, MiB, 0);
        await fh.truncate(size);
        await sleep(REPAIR_PASS_WAIT_MS);
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
  }

  // Defect 2, as msync: a file with holes over 40 MiB whose second chunk was cut away; msync's fsync flushes the
  // dropped chunk's stale entry (the previous review's "EIO from msync").
  it('msync after a truncate dropped a chunk written since the last fsync succeeds', async () => {
    const path = join(a, fresh('cut-then-msync'));
    const fh = await open(path, 'w+');
    try {
      // The first chunk exists and is synced; only the second chunk's data is unsynced when the cut drops it.
      await fh.write(patternBytes(4, 4 * KiB), 0, 4 * KiB, 0);
      await fh.sync();
      await fh.write(patternBytes(4, MiB), 0, MiB, CHUNK_BYTES + 4 * MiB);
      await fh.truncate(40 * MiB);
      await sleep(REPAIR_PASS_WAIT_MS);
      await mmap.open(path);
      await mmap.write(MiB, patternBytes(5, 4 * KiB));
    } finally {
      await fh.close();
    }
  });

  // Defect 3. The kernel sends a large read as several FUSE reads at once. The first sends the handle's buffered
  // write (FileSystemClient.read → flushFile → FileIo.write), whose WriteChunk grant moves the chunk to version v+1
  // (master openChunkForWrite bumps it, ChunkOperations.moveVersion moves the replicas). The others find nothing
  // buffered and read at once: FileIo.locate's ReadChunk answered with version v, and the read reaches the
  // chunkservers after the move, so both replicas answer CHUNK_STALE_VERSION. FileIo.readReplica reports each as a
  // failed replica; the master's ReportReplica (master/src/client-api.ts) removes both from ChunkLocations without
  // asking which version the client read. Heartbeats never add replicas back (only a registration does), so the chunk
  // has no known replica: every read is EIO (after NO_REPLICA_WAIT_MS) until the chunkservers register again.
  it('reads racing the write-back of their own buffered write neither fail nor make the master forget the replicas', async () => {
    const missingBefore = await missingChunks();
    const errors: string[] = [];
    for (let i = 0; i < RACE_TRIES; i++) {
      const path = join(a, fresh('read-races-writeback'));
      await writeFile(path, Buffer.alloc(0));
      let fh = await open(path, 'r+');
      await fh.write(patternBytes(6, 34_874), 0, 34_874, 107_114);
      await fh.close();
      fh = await open(path, 'r+');
      try {
        await readFully(fh, 111_936, 17_200);
        await fh.write(patternBytes(7, 6_290), 0, 6_290, 24_689);
        await readFully(fh, 48_843, 1_015_862);
      } catch (err) {
        errors.push(`try ${i}: ${(err as NodeJS.ErrnoException).code}`);
      } finally {
        await fh.close().catch(() => undefined);
      }
    }
    await sleep(REPAIR_PASS_WAIT_MS);
    expect(errors).to.deep.equal([]);
    expect(await missingChunks(), 'chunks the master knows no replica of').to.equal(missingBefore);
  });

  // Defect 5. msync makes the kernel write back dirty pages as several FUSE writes at once. FileSystemClient.write
  // is not serialised per handle: a write that is not contiguous with the buffer awaits flushFile (which set
  // file.pending = null), a second write arriving meanwhile starts a new buffer, and the first, resuming, replaces
  // it with its own (file.pending = {...}): the second's bytes are acknowledged and never sent. msync returns 0,
  // the writer's page cache still shows the bytes, every other mount reads the old ones.
  it("every page of an msync'd mmap write reaches the other mount", async () => {
    const lost: string[] = [];
    for (let i = 0; i < MMAP_TRIES; i++) {
      const name = fresh('mmap-writeback');
      await writeFile(join(a, name), Buffer.alloc(4 * MiB)); // the chunk exists: no new-chunk race (defect 6)
      const data = patternBytes(10 + i, 2 * MiB);
      await mmap.open(join(a, name));
      try {
        await mmap.write(4 * KiB, data);
      } catch (err) {
        lost.push(`try ${i}: msync ${(err as MmapError).code}`);
      }
      await mmap.close();
      await sleep(KERNEL_ATTR_CACHE_MS);
      const got = (await readFile(join(b, name))).subarray(4 * KiB, 4 * KiB + data.length);
      let differing = 0;
      for (let j = 0; j < data.length; j++) if (got[j] !== data[j]) differing++;
      if (differing > 0) lost.push(`try ${i}: ${differing} of ${data.length} bytes not on the other mount`);
    }
    expect(lost).to.deep.equal([]);
  });

  // Defect 6. The same concurrent write-back into a hole: the first write's WriteChunk allocates the chunk
  // (isNew) and FileIo.grantFor creates it on the chunkservers; a second write of the same chunk arrives before that
  // grant is stored (grantFor keeps no grant in flight), asks again, and the master, seeing the slot taken, bumps the
  // version (openChunkForWrite) and moves replicas that are not created yet ("chunk is not on this chunkserver",
  // then "at version 1, not 2"). The state machine's onChunkGranted hint (master/src/master-role.ts) has already
  // recorded the chain at the new version, so the next grant bumps again from a version no replica has; after the
  // retries msync fails with EIO, the master's version is several ahead of the replicas' (still 1), reads get
  // CHUNK_STALE_VERSION from every replica (defect 3 then forgets them), and the repair loop deletes them as stale
  // once they register again: the chunk's data is gone. Into an existing chunk the same concurrent writes take a
  // grant each, every grant moves the version and voids the others' (CHUNK_STALE_VERSION), and a write that loses
  // CHUNK_WRITE_ATTEMPTS times fails: the msync EIO the previous test sometimes meets.
  it('msync of an mmap write into a hole (a new chunk) succeeds, and the file reads back', async () => {
    const errors: string[] = [];
    for (let i = 0; i < NEW_CHUNK_TRIES; i++) {
      const path = join(a, fresh('mmap-new-chunk'));
      const fh = await open(path, 'w+');
      await fh.truncate(4 * MiB);
      await fh.close();
      await mmap.open(path);
      try {
        await mmap.write(4 * KiB, patternBytes(20 + i, 2 * MiB));
      } catch (err) {
        errors.push(`try ${i}: msync ${(err as MmapError).code}`);
      }
      await mmap.close();
      // Bytes lost to defect 5 are that test's business; here the file must read at all.
      await readFile(path).catch((err: NodeJS.ErrnoException) => errors.push(`try ${i}: read ${err.code}`));
    }
    expect(errors).to.deep.equal([]);
  });

  // All of the above, as the model checker meets them: the CI slice with no workaround.
  it(`the CI slice (seed ${SLICE_SEED}, ${SLICE_OPS} operations) passes without workarounds`, async () => {
    const checker = new ModelChecker({ seed: SLICE_SEED, ops: SLICE_OPS, mounts: [a, b], maxIoBytes: 2 * MiB });
    try {
      console.log(`      ${totalsLine(await checker.run())}`);
    } finally {
      await checker.close();
    }
  });
});
