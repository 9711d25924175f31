// RaftConsensus against the IConsensus contract, in one process with real gRPC, real files and fsync.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isMoosengError, type ConsensusMember, type IMetrics, type Labels, type LeadershipEvent } from '@mooseng/core';
import { RaftConsensus } from '@mooseng/plugin-replication-raft';
import { cleanupTempDirs, freePort, makeTempDir, waitFor } from '../support';
import { encodeKvCommand, KvStore } from './support/kv-store';
import { testNodeOptions } from './support/node-options';

interface Running {
  consensus: RaftConsensus;
  kv: KvStore;
  member: ConsensusMember;
  dir: string;
}

/** A test double of IMetrics that keeps what was recorded and runs gauge collectors on demand. */
class RecordingMetrics implements IMetrics {
  readonly counts = new Map<string, number>();
  readonly observations = new Map<string, number>();
  private readonly collectors = new Map<string, (set: (v: number, l?: Labels) => void) => void>();

  counter(o: { name: string }) {
    return {
      inc: (labels?: Labels, v = 1) =>
        this.counts.set(`${o.name}${JSON.stringify(labels ?? {})}`, (this.counts.get(`${o.name}${JSON.stringify(labels ?? {})}`) ?? 0) + v),
    };
  }
  gauge(o: { name: string; collect?: (set: (v: number, l?: Labels) => void) => void }) {
    if (o.collect) this.collectors.set(o.name, o.collect);
    return { set: () => undefined, inc: () => undefined, dec: () => undefined };
  }
  histogram(o: { name: string }) {
    const observe = (): void => void this.observations.set(o.name, (this.observations.get(o.name) ?? 0) + 1);
    return { observe, startTimer: () => observe };
  }
  read(name: string): number | undefined {
    let value: number | undefined;
    this.collectors.get(name)?.((v) => (value = v));
    return value;
  }
  async render() {
    return null;
  }
}

function make(member: ConsensusMember, bootstrap: ConsensusMember[], dir: string, metrics?: IMetrics): RaftConsensus {
  return new RaftConsensus(testNodeOptions(member, bootstrap, dir, { metrics }));
}

async function startNode(member: ConsensusMember, bootstrap: ConsensusMember[], dir: string): Promise<Running> {
  const kv = new KvStore();
  const consensus = make(member, bootstrap, dir);
  await consensus.start(kv);
  return { consensus, kv, member, dir };
}

const put = (key: string, value: string): Uint8Array => encodeKvCommand({ op: 'put', key, value });

describe('RaftConsensus: a cluster of one', function () {
  this.timeout(20_000);
  let node: Running | null = null;
  after(async () => {
    await node?.consensus.stop();
    cleanupTempDirs();
  });

  it('leads at once, applies proposals with their results, and reads behind a barrier', async () => {
    const member = { id: 'solo', address: `127.0.0.1:${await freePort()}` };
    const dir = join(makeTempDir(), 'raft');
    const events: LeadershipEvent[] = [];
    const kv = new KvStore();
    const metrics = new RecordingMetrics();
    const consensus = make(member, [member], dir, metrics);
    consensus.onLeadershipChange((e) => events.push(e));
    await consensus.start(kv);
    node = { consensus, kv, member, dir };
    await waitFor('leadership', () => consensus.status().role === 'leader', 5000);
    expect(events.at(-1)).to.deep.include({ leaderId: 'solo', isSelf: true });
    expect(Buffer.from(await consensus.propose(put('a', '1'))).toString()).to.equal('');
    expect(Buffer.from(await consensus.propose(put('a', '2'))).toString()).to.equal('1');
    await consensus.readBarrier();
    expect(kv.get('a')).to.equal('2');
    const s = consensus.status();
    expect(s.appliedIndex).to.equal(s.commitIndex);
    expect(s.members).to.deep.equal([member]);
    expect(metrics.read('mooseng_raft_is_leader')).to.equal(1);
    expect(metrics.read('mooseng_raft_applied_index')).to.equal(s.appliedIndex);
    expect(metrics.counts.get('mooseng_raft_proposals_total{"result":"applied"}')).to.equal(2);
    expect(metrics.observations.get('mooseng_raft_log_write_seconds')).to.be.greaterThan(0);
  });

  it('restarts from its snapshot and log with the same state', async () => {
    const { consensus, member, dir } = node!;
    await consensus.compact();
    expect(existsSync(join(dir, 'snapshot.bin'))).to.equal(true);
    await consensus.propose(put('b', 'after-snapshot'));
    const applied = consensus.status().appliedIndex;
    await consensus.stop();
    node = await startNode(member, [member], dir);
    await waitFor('leadership', () => node!.consensus.status().role === 'leader', 5000);
    await node.consensus.readBarrier();
    expect(node.kv.get('a')).to.equal('2');
    expect(node.kv.get('b')).to.equal('after-snapshot');
    expect(node.consensus.status().appliedIndex).to.be.at.least(applied);
  });

  it('abandons a start when stopped during it, leaving nothing listening', async () => {
    const member = { id: 'solo2', address: `127.0.0.1:${await freePort()}` };
    const dir = join(makeTempDir(), 'raft');
    const early = make(member, [member], dir);
    const started = early.start(new KvStore()).then(
      () => null,
      (e: unknown) => e,
    );
    await early.stop();
    expect(isMoosengError(await started, 'UNAVAILABLE')).to.equal(true);
    expect(early.status().role).to.equal('stopped');
    // The port and the log are free for the next process.
    const next = make(member, [member], dir);
    await next.start(new KvStore());
    await waitFor('leadership', () => next.status().role === 'leader', 5000);
    await next.stop();
  });

  it('rejects an aborted proposal with ABORTED and a stopped node with UNAVAILABLE', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await node!.consensus.propose(put('c', '1'), { signal: ac.signal }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMoosengError(err, 'ABORTED')).to.equal(true);
    await node!.consensus.stop();
    const err2 = await node!.consensus.propose(put('c', '1')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMoosengError(err2, 'UNAVAILABLE')).to.equal(true);
    node = null;
  });
});

describe('RaftConsensus: three members over gRPC', function () {
  this.timeout(30_000);
  const nodes: Running[] = [];
  let members: ConsensusMember[] = [];
  const leader = (): Running | undefined => nodes.find((n) => n.consensus.status().role === 'leader');

  before(async () => {
    const root = makeTempDir();
    members = [];
    for (const id of ['m1', 'm2', 'm3']) members.push({ id, address: `127.0.0.1:${await freePort()}` });
    for (const m of members) nodes.push(await startNode(m, members, join(root, m.id)));
    await waitFor('a leader', () => leader(), 10_000);
  });

  after(async () => {
    for (const n of nodes) await n.consensus.stop();
    cleanupTempDirs();
  });

  it('refuses proposals and reads on a follower with NOT_LEADER naming the leader', async () => {
    const l = leader()!;
    await l.consensus.propose(put('k', 'v'));
    const follower = nodes.find((n) => n !== l)!;
    await waitFor('the follower to know the leader', () => follower.consensus.status().leaderId === l.member.id, 5000);
    for (const call of [() => follower.consensus.propose(put('k', 'x')), () => follower.consensus.readBarrier()]) {
      const err = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(isMoosengError(err, 'NOT_LEADER')).to.equal(true);
      expect((err as { details: Record<string, unknown> }).details).to.deep.equal({
        leaderId: l.member.id,
        leaderAddress: l.member.address,
      });
    }
  });

  it('replicates every applied command to every member', async () => {
    const l = leader()!;
    await Promise.all(Array.from({ length: 50 }, (_, i) => l.consensus.propose(put(`p${i}`, String(i)))));
    const target = l.consensus.status().commitIndex;
    await waitFor('followers to apply', () => nodes.every((n) => n.consensus.status().appliedIndex >= target), 5000);
    for (const n of nodes) expect(n.kv.get('p49')).to.equal('49');
  });

  it('hands leadership to a chosen member', async () => {
    const l = leader()!;
    const target = nodes.find((n) => n !== l)!;
    const events: LeadershipEvent[] = [];
    const off = target.consensus.onLeadershipChange((e) => events.push(e));
    await l.consensus.transferLeadership(target.member.id);
    await waitFor('the target to lead', () => target.consensus.status().role === 'leader', 5000);
    // status() reads the core at once; the event follows when the Ready that made it leader is persisted.
    await waitFor('the target to announce its leadership', () => events.some((e) => e.isSelf && e.leaderId === target.member.id), 5000);
    off();
    expect(Buffer.from(await target.consensus.propose(put('k', 'after-transfer'))).toString()).to.equal('v');
  });

  it('adds a fourth member online, which catches up, then removes it', async () => {
    const l = leader()!;
    const m4 = { id: 'm4', address: `127.0.0.1:${await freePort()}` };
    // A joining node boots knowing the existing members; it is not a voter until the change commits.
    const fourth = await startNode(m4, members, join(makeTempDir(), 'm4'));
    nodes.push(fourth);
    await l.consensus.addMember(m4);
    expect(l.consensus.status().members.map((m) => m.id)).to.deep.equal(['m1', 'm2', 'm3', 'm4']);
    const target = l.consensus.status().commitIndex;
    await waitFor('m4 to catch up', () => fourth.consensus.status().appliedIndex >= target, 5000);
    expect(fourth.kv.get('k')).to.equal('after-transfer');
    const err = await l.consensus.addMember(m4).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMoosengError(err, 'INVALID_ARGUMENT')).to.equal(true);
    await l.consensus.removeMember('m4');
    expect(l.consensus.status().members.map((m) => m.id)).to.deep.equal(['m1', 'm2', 'm3']);
    await l.consensus.propose(put('k', 'three-again'));
  });
});
