// Three masters in replication-raft sync: quorum-memory, where a change is acknowledged before the leader's own
// fsync: a client's fsync still returns only once its metadata is on a majority's disks (the masters' Sync
// barrier), and what was fsynced survives SIGKILL of the leader right after. One follower is stopped (SIGSTOP)
// while the file is written, so the only second disk the barrier can count is the leader's own, whose background
// fsync would otherwise wait out the lag (1 s, and 100000 entries).
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs } from '../support';
import { TestCluster } from './harness';

interface MasterStatus {
  role: string;
  leader: string | null;
  commitIndex: number;
  durableIndex: number | null;
}

describe('durability barrier (three masters, sync: quorum-memory)', function () {
  this.timeout(240_000);
  let cluster: TestCluster | undefined;
  /** A follower stopped by a test, continued by the after-hook if the test failed first. */
  let stalledPid: number | null = null;

  before(async () => {
    cluster = await TestCluster.start({
      masters: 3,
      chunkservers: 2,
      clients: 1,
      goal: 2,
      raftSettings: { sync: 'quorum-memory', fsyncLagMs: 1000, fsyncLagEntries: 100_000 },
    });
  });
  after(async () => {
    if (stalledPid !== null) process.kill(stalledPid, 'SIGCONT');
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) console.error(cluster.logs());
  });

  async function status(id: string): Promise<MasterStatus> {
    return (await cluster!.http(id, '/status')).json as MasterStatus;
  }

  /** Stops (SIGSTOP) one follower of `leader`; returns it. */
  function stallFollower(leader: string): string {
    const follower = cluster!.nodes('master').find((m) => m.id !== leader && m.pid !== null)!;
    process.kill(follower.pid!, 'SIGSTOP');
    stalledPid = follower.pid!;
    return follower.id;
  }

  function resumeFollower(): void {
    if (stalledPid !== null) process.kill(stalledPid, 'SIGCONT');
    stalledPid = null;
  }

  /** Writes `data` to a new file through the mount, then fsyncs it; returns the leader's commit index before the fsync. */
  async function writeAndFsync(path: string, data: Buffer, leader: string): Promise<number> {
    await writeFile(path, data);
    const committed = (await status(leader)).commitIndex;
    const fh = await open(path, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    return committed;
  }

  it("tells clients that an fsync needs the Sync barrier (a change is acknowledged before it is on a majority's disks)", async () => {
    const client = await cluster!.client();
    expect(client.durableWhenAcknowledged).to.equal(false);
  });

  it("fsync returns only once the file's metadata is on a majority's disks, the leader's included", async () => {
    const c = cluster!;
    const mnt = c.nodes('client')[0]!.mountPoint!;
    const leader = await c.leader();
    stallFollower(leader);
    try {
      const committed = await writeAndFsync(join(mnt, 'barrier'), randomBytes(100_000), leader);
      // With one follower stopped, the leader's disk is the second copy: the barrier made it sync at once.
      const after = await status(leader);
      expect(after.role).to.equal('leader');
      expect(after.durableIndex).to.be.at.least(committed);
    } finally {
      resumeFollower();
    }
  });

  it('keeps what was fsynced when the leader is killed (SIGKILL) right after, and the old leader recovers', async () => {
    const c = cluster!;
    const mnt = c.nodes('client')[0]!.mountPoint!;
    const leader = await c.leader();
    const stalled = stallFollower(leader);
    const data = randomBytes(300_000);
    const path = join(mnt, 'killed-after-fsync');
    try {
      await writeAndFsync(path, data, leader);
      await c.stopNode(leader, 'kill');
    } finally {
      resumeFollower();
    }
    const next = await c.leader();
    expect(next).to.not.equal(leader);
    expect((await stat(path)).size).to.equal(data.length);
    expect((await readFile(path)).equals(data)).to.equal(true);
    // The old leader comes back recovering (its log was written without fsync) and catches up with the new one.
    await c.restartNode(leader);
    const target = (await status(next)).commitIndex;
    for (let i = 0; i < 300 && (await status(leader)).commitIndex < target; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await status(leader)).commitIndex).to.be.at.least(target);
    expect(stalled).to.not.equal(leader);
  });
});
