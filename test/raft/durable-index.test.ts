// RaftConsensus in sync: quorum-memory, in one process with real gRPC and files: the leader acknowledges before its
// own fsync and its durable index catches up in the background (within fsyncLagMs); waitDurable resolves once a
// majority's disks hold everything committed before it, and refuses on a follower; the log reopens with the
// deferred batches whole.
import { expect } from 'chai';
import { isMoosengError, type ConsensusMember } from '@mooseng/core';
import { RaftConsensus } from '@mooseng/plugin-replication-raft';
import { cleanupTempDirs, freePort, makeTempDir, waitFor } from '../support';
import { encodeKvCommand, KvStore } from './support/kv-store';
import { testNodeOptions } from './support/node-options';

const put = (key: string, value: string): Uint8Array => encodeKvCommand({ op: 'put', key, value });

describe('RaftConsensus: durable index and waitDurable (sync: quorum-memory)', function () {
  this.timeout(60_000);
  const nodes: RaftConsensus[] = [];
  const members: ConsensusMember[] = [];
  const dirs: string[] = [];
  after(async () => {
    for (const n of nodes) await n.stop();
    cleanupTempDirs();
  });

  it('waitDurable resolves with everything committed on a majority of disks; a follower refuses it with NOT_LEADER', async () => {
    for (const id of ['q1', 'q2', 'q3']) members.push({ id, address: `127.0.0.1:${await freePort()}` });
    for (const m of members) {
      dirs.push(makeTempDir());
      const n = new RaftConsensus(testNodeOptions(m, members, dirs[dirs.length - 1], { sync: 'quorum-memory', fsyncLagMs: 20 }));
      nodes.push(n);
      await n.start(new KvStore());
    }
    const leader = await waitFor('a leader', () => nodes.find((n) => n.status().role === 'leader') ?? null, 10_000);
    for (let i = 0; i < 20; i++) await leader.propose(put(`k${i}`, `v${i}`));
    const committed = leader.status().commitIndex;
    await leader.waitDurable();
    const onDisk = nodes.filter((n) => (n.status().durableIndex ?? 0) >= committed).length;
    expect(onDisk).to.be.at.least(2);
    // Without a waiter, the leader's own disk catches up within the lag.
    await leader.propose(put('last', 'x'));
    const last = leader.status().commitIndex;
    await waitFor("the leader's own fsync", () => leader.localDurableIndex >= last, 5_000);
    const follower = nodes.find((n) => n !== leader)!;
    const refused = await follower.waitDurable().then(
      () => null,
      (err: unknown) => err,
    );
    expect(isMoosengError(refused, 'NOT_LEADER'), String(refused)).to.equal(true);
  });

  it('a leader stopped cleanly clears its deferred-sync mark: it starts again without recovering', async () => {
    const leader = nodes.find((n) => n.status().role === 'leader')!;
    expect(leader.raftNode!.deferredSyncMark).to.equal(leader.status().term);
    const index = nodes.indexOf(leader);
    const member = members[index];
    await leader.stop();
    const again = new RaftConsensus(testNodeOptions(member, members, dirs[index], { sync: 'quorum-memory', fsyncLagMs: 20 }));
    nodes[index] = again;
    await again.start(new KvStore());
    expect(again.raftNode!.recoveringTerm).to.equal(0);
    expect(again.raftNode!.deferredSyncMark).to.equal(0);
  });
});
