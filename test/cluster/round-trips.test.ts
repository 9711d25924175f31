// Round trips a mount spends per operation, counted by the leader's request counters (never timed): closes share
// their release commands, a stat after a create asks the master nothing, and a negative entry cached by one mount
// goes the moment another mount creates the name.
import { expect } from 'chai';
import { chmod, mkdir, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cleanupTempDirs } from '../support';
import { ROOT, TestCluster } from './harness';

/** Longer than any test here takes: what the kernel caches stays cached unless something invalidates it. */
const CACHE_TIMEOUT_MS = 60_000;
/** How long a change notice may take to reach the other mount ("at once": well under a second). */
const NOTICE_WAIT_MS = 2_000;
const POLL_MS = 20;
const run = promisify(execFile);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The leader's ClientToMaster calls served so far, by method. */
async function servedBy(cluster: TestCluster): Promise<Record<string, number>> {
  const m = cluster.nodes('master')[0]!;
  const text = await (await fetch(`http://${m.host}:${m.httpPort}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const hit = /^mooseng_master_requests_total\{[^}]*method="([A-Za-z]+)"[^}]*\} ([0-9.e+]+)$/.exec(line);
    if (hit) out[hit[1]!] = (out[hit[1]!] ?? 0) + Number(hit[2]);
  }
  return out;
}

const delta = (before: Record<string, number>, after: Record<string, number>, method: string): number =>
  (after[method] ?? 0) - (before[method] ?? 0);

/** Waits until `check` holds, for at most NOTICE_WAIT_MS. */
async function within(what: string, check: () => Promise<boolean>): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > NOTICE_WAIT_MS) throw new Error(`${what}: not seen within ${NOTICE_WAIT_MS} ms`);
    await sleep(POLL_MS);
  }
}

describe('round trips per operation through a real mount', function () {
  this.timeout(120_000);
  let cluster: TestCluster | undefined;
  let a: string;
  let b: string;
  const served = (): Promise<Record<string, number>> => servedBy(cluster!);

  before(async () => {
    cluster = await TestCluster.start({
      masters: 1,
      chunkservers: 1,
      clients: 2,
      goal: 1,
      // The pool of new chunks (off by default) is what lets a small file's create take its chunk.
      masterSettings: { newChunkPoolSize: 8 },
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

  it('closes send no release of their own: they share ReleaseFiles commands, and an unlinked file is still freed', async () => {
    const files = 20;
    const before = await served();
    for (let i = 0; i < files; i++) await writeFile(join(a, `closed-${i}`), 'x');
    // An unlinked file the mount holds open lives until its release reaches the master.
    const master = await cluster!.client();
    const inodes = async (): Promise<number> => (await master.call('StatFs', {}, ROOT)).files;
    const fd = await open(join(a, 'orphan'), 'w');
    await unlink(join(a, 'orphan'));
    const held = await inodes();
    await fd.close();
    const start = Date.now();
    while ((await inodes()) !== held - 1) {
      if (Date.now() - start > NOTICE_WAIT_MS) throw new Error(`the unlinked file was not freed within ${NOTICE_WAIT_MS} ms of its close`);
      await sleep(POLL_MS);
    }
    const after = await served();
    expect(delta(before, after, 'Release'), 'Release calls').to.equal(0);
    const batches = delta(before, after, 'ReleaseFiles');
    expect(batches, 'ReleaseFiles commands')
      .to.be.at.least(1)
      .and.below(files + 1);
  });

  it('a small file asks for no write grant (its chunk came with the create), and an empty one keeps no chunk', async () => {
    // A write starts the leader's pool of new chunks for its goal, once the leader's first chunkserver timeout has
    // passed (before it, chunkservers may still be registering).
    const m = cluster!.nodes('master')[0]!;
    const metric = async (pattern: RegExp): Promise<number> => {
      const text = await (await fetch(`http://${m.host}:${m.httpPort}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
      return Number(pattern.exec(text)?.[1] ?? 0);
    };
    const pooled = (): Promise<number> => metric(/^mooseng_master_new_chunk_pool_total\{event="made"[^}]*\} ([0-9.e+]+)$/m);
    for (let i = 0; (await pooled()) < 4; i++) {
      if (i > 300) throw new Error('the pool of new chunks made none within 30 s');
      await writeFile(join(a, `warm-up-${i}`), 'x');
      await sleep(100);
    }
    const files = 10;
    const before = await served();
    for (let i = 0; i < files; i++) await writeFile(join(a, `small-${i}`), Buffer.alloc(4096, i));
    const after = await served();
    expect(delta(before, after, 'Mknod'), 'Mknod calls').to.equal(files);
    // Before, every file's first write asked for a grant (one commit each); a pool empty for a moment may still.
    expect(delta(before, after, 'WriteChunk'), 'WriteChunk calls').to.be.at.most(2);
    for (let i = 0; i < files; i++) expect((await readFile(join(b, `small-${i}`))).equals(Buffer.alloc(4096, i))).to.equal(true);

    // Created for writing and closed empty: the chunk the create took is freed with the release.
    const chunks = (): Promise<number> => metric(/^mooseng_master_chunks\{[^}]*\} ([0-9.e+]+)$/m);
    const held = await chunks();
    for (let i = 0; i < files; i++) await writeFile(join(a, `empty-${i}`), '');
    await within('the empty files’ chunks freed', async () => (await chunks()) === held);
    expect((await stat(join(b, 'empty-0'))).size).to.equal(0);
  });

  it('a stat after a create asks the master nothing (the create answered with the attributes)', async () => {
    await writeFile(join(a, 'made-here'), 'abc');
    const before = await served();
    const st = await stat(join(a, 'made-here'));
    expect(st.size).to.equal(3);
    const after = await served();
    expect(delta(before, after, 'GetAttr'), 'GetAttr calls').to.equal(0);
    expect(delta(before, after, 'Lookup'), 'Lookup calls').to.equal(0);
  });

  it('a missing name cached on mount B (a negative entry) is gone at once when mount A creates it', async () => {
    const name = 'made-elsewhere';
    expect(await exists(join(b, name))).to.equal(false);
    // The kernel answers the second look itself: the negative entry is cached.
    const before = await served();
    expect(await exists(join(b, name))).to.equal(false);
    expect(delta(before, await served(), 'Lookup'), 'Lookup calls for a cached negative entry').to.equal(0);
    await writeFile(join(a, name), 'new');
    const start = Date.now();
    while (!(await exists(join(b, name)))) {
      if (Date.now() - start > NOTICE_WAIT_MS)
        throw new Error(`mount B still says ${name} is missing ${NOTICE_WAIT_MS} ms after mount A made it`);
      await sleep(POLL_MS);
    }
  });
});

describe("the client's own cache of names and attributes, past the kernel's timeouts", function () {
  this.timeout(120_000);
  /** The kernel forgets what it was told almost at once: every look reaches the client. */
  const KERNEL_TIMEOUT_MS = 100;
  let cluster: TestCluster | undefined;
  let a: string;
  let b: string;
  const served = (): Promise<Record<string, number>> => servedBy(cluster!);

  before(async () => {
    cluster = await TestCluster.start({
      masters: 1,
      chunkservers: 1,
      clients: 2,
      goal: 1,
      clientSettings: {
        entryTimeoutMs: KERNEL_TIMEOUT_MS,
        attrTimeoutMs: KERNEL_TIMEOUT_MS,
        negativeTimeoutMs: KERNEL_TIMEOUT_MS,
        metadataCacheMs: CACHE_TIMEOUT_MS,
      },
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

  it('a stat after the kernel forgot the name is answered by the client, and a change on another mount shows at once', async () => {
    await writeFile(join(a, 'kept'), 'abc', { mode: 0o644 });
    await sleep(3 * KERNEL_TIMEOUT_MS);
    // The create changed the directory: its attributes (which the kernel checks search permission with) are asked
    // for once more, and then kept.
    await stat(a);
    await sleep(3 * KERNEL_TIMEOUT_MS);
    const before = await served();
    expect((await stat(join(a, 'kept'))).size).to.equal(3);
    const after = await served();
    expect(delta(before, after, 'Lookup') + delta(before, after, 'GetAttr'), 'Lookup and GetAttr calls').to.equal(0);
    await chmod(join(b, 'kept'), 0o600);
    await within('the mode on mount A', async () => ((await stat(join(a, 'kept'))).mode & 0o777) === 0o600);
    await writeFile(join(b, 'kept'), 'longer');
    await within('the size on mount A', async () => (await stat(join(a, 'kept'))).size === 6);
  });

  it('a missing name is answered by the client until another mount creates it, then seen at once', async () => {
    const name = 'absent-then-made';
    expect(await exists(join(a, name))).to.equal(false);
    await sleep(3 * KERNEL_TIMEOUT_MS);
    const before = await served();
    expect(await exists(join(a, name))).to.equal(false);
    expect(delta(before, await served(), 'Lookup'), 'Lookup calls').to.equal(0);
    await writeFile(join(b, name), 'x');
    await within(`${name} on mount A`, () => exists(join(a, name)));
  });

  it('in a directory made here, a create asks no Lookup first; a name another mount makes there is seen at once', async () => {
    await mkdir(join(a, 'fresh'));
    // Through a descriptor of the directory (openat, fstatat): a path from the mount point would make the kernel
    // look up "fresh" again once its 100 ms entry timeout passed (a loaded machine), and the creates changed the
    // directory's attributes, which the client then asks for (the test above): a Lookup of "fresh", not of a name in it.
    const script = [
      'import os, sys',
      'd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)',
      'for i in range(5):',
      '    f = os.open("new-%d" % i, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=d)',
      '    os.write(f, b"x")',
      '    os.close(f)',
      'try:',
      '    os.stat("never-made", dir_fd=d)',
      '    print("exists")',
      'except FileNotFoundError:',
      '    print("missing")',
    ].join('\n');
    const before = await served();
    const { stdout } = await run('python3', ['-c', script, join(a, 'fresh')]);
    expect(stdout.trim()).to.equal('missing');
    const after = await served();
    expect(delta(before, after, 'Lookup'), 'Lookup calls').to.equal(0);
    expect(delta(before, after, 'Mknod'), 'Mknod calls').to.equal(5);
    await writeFile(join(b, 'fresh', 'from-b'), 'y');
    await within('the name mount B made, on mount A', () => exists(join(a, 'fresh', 'from-b')));
  });

  it("a directory's attributes change with this mount's own creates (they are not kept long)", async () => {
    await mkdir(join(a, 'dir'));
    const first = await stat(join(a, 'dir'));
    await sleep(1_100); // mtime has a resolution of a millisecond; a later one differs for sure
    await writeFile(join(a, 'dir', 'new'), 'x');
    await within('the new mtime of the directory', async () => (await stat(join(a, 'dir'))).mtimeMs > first.mtimeMs);
  });
});
