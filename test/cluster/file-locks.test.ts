// File locks hold across every mount of the cluster: flock and fcntl byte ranges taken by a process on mount A are
// seen by processes on mount B, go when the holder dies (the kernel closes its descriptors), and when mount A dies
// whole, once the master expires its session. Waits end when the lock is free, or with EINTR on a signal.
import { expect } from 'chai';
import { execFile, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, killTracked, REPO_ROOT, spawnTracked, waitFor } from '../support';
import { TestCluster } from './harness';

const HELPER = join(REPO_ROOT, 'test', 'cluster', 'lock-helper.py');
/** MOOSENG_TEST_MOUNT=mount-fuse-native: the fallback binding, whose locks are the kernel's, per mount (docs/client.md). */
const ON_FALLBACK = process.env.MOOSENG_TEST_MOUNT === 'mount-fuse-native';
const FALLBACK_TEST = 'on mount-fuse-native';
/**
 * How long a release may take to be seen on the other mount. Generous: it is a few RPCs, but the machine may be
 * loaded; what the tests tell apart is "soon" from "never" (or from a session timeout).
 */
const RELEASE_SEEN_MS = 30_000;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a program to its end (or kills it after `timeoutMs`), whatever its exit code. */
function run(command: string, args: string[], timeoutMs = 120_000): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim(), ms: Date.now() - started });
    });
  });
}

const helper = (...args: string[]): Promise<Ran> => run('python3', [HELPER, ...args]);

/** Starts a process that takes a lock and holds it until killed; resolves once it printed "locked". */
async function holder(...args: string[]): Promise<ChildProcess> {
  const child = spawnTracked('python3', [HELPER, ...args]);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(`"${args.join(' ')}" to hold its lock (output: ${out})`, () => out.includes('locked') || child.exitCode !== null, 30_000);
  if (!out.includes('locked')) throw new Error(`lock holder failed: ${out}`);
  return child;
}

/** SIGKILLs a process and waits until it is gone. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

describe('file locks across mounts (processes)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let a: string;
  let b: string;
  let n = 0;
  /** A fresh file, made on mount A: its path on A and on B. */
  const file = (): { onA: string; onB: string } => {
    const name = `locked-${++n}`;
    writeFileSync(join(a, name), 'x'.repeat(4096));
    return { onA: join(a, name), onB: join(b, name) };
  };

  before(async () => {
    // The local topology sets master.sessionTimeoutMs to 15 s.
    cluster = await TestCluster.start({ masters: 1, chunkservers: 2, disks: 1, clients: 2, goal: 1 });
    [a, b] = cluster.nodes('client').map((c) => c.mountPoint) as [string, string];
  });
  after(async () => {
    await killTracked();
    await cluster?.stop();
    cleanupTempDirs();
  });
  beforeEach(function () {
    if (ON_FALLBACK !== this.currentTest!.title.startsWith(FALLBACK_TEST)) this.skip();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
    await killTracked();
  });

  it('flock -n on mount B fails while a process on mount A holds flock, and succeeds once that process is SIGKILLed', async () => {
    const f = file();
    const held = await holder('flock-hold', f.onA);
    const refused = await run('flock', ['-n', f.onB, 'true']);
    expect(refused.code, refused.stderr).to.equal(1);
    // Another process on mount A is refused too: the lock is the master's, not the kernel's of one mount.
    expect((await run('flock', ['-n', f.onA, 'true'])).code).to.equal(1);
    // A shared lock is refused as well while A holds it exclusively.
    expect((await run('flock', ['-n', '-s', f.onB, 'true'])).code).to.equal(1);
    await kill(held);
    // The kernel closes the holder's file: its release drops the lock (asynchronously, hence the wait).
    const granted = await waitFor(
      'flock -n on mount B to succeed',
      async () => ((await run('flock', ['-n', f.onB, 'true'])).code === 0 ? true : null),
      RELEASE_SEEN_MS,
      100,
    );
    expect(granted).to.equal(true);
  });

  it('a blocking flock on mount B waits for A’s holder and gets the lock when it goes; a waiter killed meanwhile exits at once', async () => {
    const f = file();
    const held = await holder('flock-hold', f.onA);
    const waiter = run('flock', [f.onB, '-c', 'echo granted']);
    const doomed = spawnTracked('flock', [f.onB, 'true']);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(doomed.exitCode, 'the second waiter still waits').to.equal(null);
    // SIGKILL of a process waiting in the kernel for our answer: the FUSE INTERRUPT must end its wait, else it hangs.
    const killedAt = Date.now();
    await kill(doomed);
    // Without the interrupt it would wait as long as the lock is held: minutes here, forever in general.
    expect(Date.now() - killedAt).to.be.below(15_000);
    await kill(held);
    const got = await waiter;
    expect(got.code, got.stderr).to.equal(0);
    expect(got.stdout).to.equal('granted');
    expect(got.ms).to.be.at.least(1_500);
  });

  it('two holders of LOCK_SH on two mounts that both ask for LOCK_EX both get it in turn (a conversion drops the old lock first)', async () => {
    const f = file();
    const upgraders = [f.onA, f.onB].map((path) => {
      const child = spawnTracked('python3', [HELPER, 'upgrade', path], { stdio: ['pipe', 'pipe', 'pipe'] });
      const seen = { out: '' };
      child.stdout!.on('data', (d: Buffer) => (seen.out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (seen.out += d.toString()));
      return { child, seen };
    });
    await waitFor('both to hold LOCK_SH', () => upgraders.every((u) => u.seen.out.includes('shared')), RELEASE_SEEN_MS);
    for (const u of upgraders) u.child.stdin!.write('go\n');
    // Each keeps its exclusive lock until it exits, which lets the other have it: with atomic conversions both would
    // keep LOCK_SH and wait for the other for ever.
    await waitFor(
      `both to get LOCK_EX in turn (${upgraders.map((u) => JSON.stringify(u.seen.out)).join(', ')})`,
      () => upgraders.every((u) => u.seen.out.includes('exclusive') && u.child.exitCode === 0),
      RELEASE_SEEN_MS,
      100,
    );
  });

  it('fcntl byte ranges conflict across mounts; F_GETLK reports the range in the way; non-overlapping ranges do not', async () => {
    const f = file();
    const held = await holder('hold', f.onA, 'w', '0', '100'); // bytes 0..99
    expect((await helper('try', f.onB, 'w', '50', '10')).stdout).to.equal('busy');
    expect((await helper('try', f.onB, 'r', '99', '1')).stdout).to.equal('busy');
    expect((await helper('try', f.onB, 'w', '0', '0')).stdout).to.equal('busy'); // to the end of the file
    // F_GETLK on B names A's lock: its type, range and the holder's pid (same host, so the pid is meaningful).
    expect((await helper('test', f.onB, 'w', '10', '5')).stdout).to.equal(`w 0 100 ${held.pid}`);
    expect((await helper('test', f.onB, 'w', '100', '50')).stdout).to.equal('unlocked');
    // Ranges that do not overlap do not conflict; the trying process's lock goes when it exits (its close).
    expect((await helper('try', f.onB, 'w', '100', '100')).stdout).to.equal('ok');
    expect((await helper('try', f.onB, 'w', '100', '100')).stdout).to.equal('ok');
    const second = await holder('hold', f.onB, 'r', '200', '0'); // 200.. to the end, on B
    expect((await helper('try', f.onA, 'w', '300', '1')).stdout).to.equal('busy');
    expect((await helper('try', f.onA, 'r', '300', '1')).stdout).to.equal('ok'); // readers share
    expect((await helper('test', f.onA, 'w', '150', '100')).stdout).to.equal(`r 200 0 ${second.pid}`);
    await kill(held);
    await waitFor(
      'A’s range to be released',
      async () => ((await helper('try', f.onB, 'w', '50', '10')).stdout === 'ok' ? true : null),
      RELEASE_SEEN_MS,
      100,
    );
  });

  it('F_SETLKW on mount B waits for A’s range: a signal ends the wait with EINTR, and a wait gets the range once A lets go', async () => {
    const f = file();
    const held = await holder('hold', f.onA, 'w', '0', '10');
    const interrupted = await helper('wait', f.onB, 'w', '5', '1', '2');
    expect(interrupted.stdout, interrupted.stderr).to.equal('interrupted');
    expect(interrupted.code).to.equal(3);
    expect(interrupted.ms).to.be.within(1_500, 30_000);
    const waiting = helper('wait', f.onB, 'w', '5', '1', '30');
    await new Promise((r) => setTimeout(r, 1_000));
    await kill(held);
    const got = await waiting;
    expect(got.stdout, got.stderr).to.equal('locked');
  });

  it('any close by the process drops its POSIX locks; an OFD lock stays until its own descriptor closes', async () => {
    for (const kind of ['posix', 'ofd']) {
      const f = file();
      const child = spawnTracked('python3', [HELPER, 'steps', f.onA, kind], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const step = async (line: string | null, count: number): Promise<void> => {
        if (line !== null) child.stdin!.write(`${line}\n`);
        await waitFor(
          `${kind} helper step ${line ?? 'lock'} (output: ${out})`,
          () => out.split('\n').filter((l) => l === 'done' || l === 'locked').length >= count,
          RELEASE_SEEN_MS,
        );
      };
      const tryOnB = async (): Promise<string> => (await helper('try', f.onB, 'w', '50', '1')).stdout;
      await step(null, 1);
      expect(await tryOnB(), kind).to.equal('busy');
      await step('close-other', 2);
      if (kind === 'posix') {
        // POSIX: the close of another descriptor of the file by the same process drops the lock (the process lives on).
        await waitFor(
          'the POSIX lock to go with the other close',
          async () => ((await tryOnB()) === 'ok' ? true : null),
          RELEASE_SEEN_MS,
          100,
        );
      } else {
        expect(await tryOnB(), 'an OFD lock survives the close of another descriptor').to.equal('busy');
        await step('close-own', 3);
        await waitFor(
          'the OFD lock to go with its descriptor',
          async () => ((await tryOnB()) === 'ok' ? true : null),
          RELEASE_SEEN_MS,
          100,
        );
      }
      expect(child.exitCode, `${kind}: the holder still lives`).to.equal(null);
      await kill(child);
    }
  });

  it(`${FALLBACK_TEST}, locks are the kernel's: they hold among one mount's processes and not across mounts`, async () => {
    const f = file();
    await holder('flock-hold', f.onA);
    expect((await run('flock', ['-n', f.onA, 'true'])).code, 'on the same mount').to.equal(1);
    expect((await run('flock', ['-n', f.onB, 'true'])).code, 'on the other mount').to.equal(0);
    const g = file();
    await holder('hold', g.onA, 'w', '0', '100');
    expect((await helper('try', g.onA, 'w', '50', '1')).stdout, 'on the same mount').to.equal('busy');
    expect((await helper('try', g.onB, 'w', '50', '1')).stdout, 'on the other mount').to.equal('ok');
  });

  // Last: it kills mount A for good.
  it('when mount A dies whole, its flock holds until the master expires its session, then mount B gets it', async () => {
    const f = file();
    await holder('flock-hold', f.onA);
    expect((await run('flock', ['-n', f.onB, 'true'])).code).to.equal(1);
    const locks = async (): Promise<number> => ((await cluster.http('m1', '/status')).json as { locks: number }).locks;
    expect(await locks(), 'locks on /status').to.equal(1);
    const killedAt = Date.now();
    await cluster.stopNode('client1', 'kill'); // no release, no CloseSession: the master only stops hearing from it
    // Its holder process lives on with a descriptor of a dead mount: nothing tells the master. The lock stays...
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await run('flock', ['-n', f.onB, 'true'])).code, 'right after the mount died').to.equal(1);
    // ...until the session expires (15 s without a word from it).
    await waitFor(
      'the dead mount’s session to expire and flock -n on B to succeed',
      async () => ((await run('flock', ['-n', f.onB, 'true'])).code === 0 ? true : null),
      60_000,
      500,
    );
    expect(Date.now() - killedAt).to.be.at.least(10_000);
    // B's own flock of the probe above goes with its release, which the kernel sends after flock(1) exits.
    await waitFor('/status to count no lock', async () => (await locks()) === 0, RELEASE_SEEN_MS, 100);
  });
});

describe('file locks through a leader change (processes)', function () {
  this.timeout(240_000);
  let cluster: TestCluster;

  before(async function () {
    if (ON_FALLBACK) this.skip();
    cluster = await TestCluster.start({ masters: 3, chunkservers: 2, disks: 1, clients: 2, goal: 1 });
  });
  after(async () => {
    await killTracked();
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  it('locks taken before the leader is killed hold on the new leader, and their release reaches it', async () => {
    const [a, b] = cluster.nodes('client').map((c) => c.mountPoint) as [string, string];
    writeFileSync(join(a, 'failover'), 'x'.repeat(4096));
    const [onA, onB] = [join(a, 'failover'), join(b, 'failover')];
    const flocked = await holder('flock-hold', onA);
    const ranged = await holder('hold', onA, 'w', '0', '100');
    const old = await cluster.leader();
    await cluster.stopNode(old, 'kill');
    const now = await waitFor(
      'another leader',
      async () => {
        const leader = await cluster.leader();
        return leader !== old ? leader : null;
      },
      60_000,
      200,
    );
    expect(now).to.not.equal(old);
    // The locks are in the replicated state: the new leader refuses B as the old one did.
    expect((await run('flock', ['-n', onB, 'true'])).code).to.equal(1);
    expect((await helper('try', onB, 'w', '50', '1')).stdout).to.equal('busy');
    await kill(flocked);
    await kill(ranged);
    await waitFor(
      'the flock to be released on the new leader',
      async () => ((await run('flock', ['-n', onB, 'true'])).code === 0 ? true : null),
      RELEASE_SEEN_MS,
      100,
    );
    await waitFor(
      'the range to be released on the new leader',
      async () => ((await helper('try', onB, 'w', '50', '1')).stdout === 'ok' ? true : null),
      RELEASE_SEEN_MS,
      100,
    );
  });
});
