// Raft core: single-server membership changes and linearizable reads through ReadIndex and leader leases.
import { expect } from 'chai';
import { leaseTicks } from '@mooseng/plugin-replication-raft';
import { MemoryCluster, member } from './support/memory-cluster';

describe('raft core: membership', () => {
  it('adds a fourth member, which catches up and then counts towards the quorum', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3']);
    c.add('n4', ['n1', 'n2', 'n3'].map(member));
    c.elect('n1');
    c.node('n1').proposeConfigChange({ op: 'add', member: member('n4') });
    c.stabilize();
    expect(c.node('n1').members.map((m) => m.id)).to.deep.equal(['n1', 'n2', 'n3', 'n4']);
    expect(c.node('n4').log.lastIndex()).to.equal(2);
    expect(c.node('n4').isMember('n4')).to.equal(true);
    // With four members the quorum is three: n1 and n2 alone no longer commit.
    c.isolate('n3');
    c.isolate('n4');
    c.node('n1').propose(Buffer.from('x'));
    c.stabilize();
    expect(c.node('n1').log.committed).to.equal(2);
  });

  it('refuses a second change while the first is uncommitted', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3']);
    c.elect('n1');
    c.isolate('n1');
    c.node('n1').proposeConfigChange({ op: 'remove', id: 'n3' });
    expect(() => c.node('n1').proposeConfigChange({ op: 'remove', id: 'n2' })).to.throw(/in progress/);
  });

  it('refuses removing the last member and adding an existing one', () => {
    const c = new MemoryCluster(['n1']);
    c.elect('n1');
    expect(() => c.node('n1').proposeConfigChange({ op: 'remove', id: 'n1' })).to.throw(/last member/);
    expect(() => c.node('n1').proposeConfigChange({ op: 'add', member: member('n1') })).to.throw(/already/);
  });

  it('a removed leader steps down once the change commits and another member takes over', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3']);
    c.elect('n1');
    c.node('n1').proposeConfigChange({ op: 'remove', id: 'n1' });
    c.stabilize();
    c.tickAll(30);
    const leaders = c.leaders();
    expect(leaders).to.have.length(1);
    expect(leaders[0]).to.not.equal('n1');
    expect(c.node(leaders[0]).members.map((m) => m.id)).to.deep.equal(['n2', 'n3']);
    // The old leader never campaigns again: it is not a member.
    c.tick('n1', 50);
    expect(c.node('n1').role).to.equal('follower');
  });
});

describe('raft core: ReadIndex', () => {
  it('answers a read only after a quorum confirms the leadership', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3']);
    c.elect('n1');
    c.node('n1').readIndex(7);
    expect(c.readStates.get('n1')).to.deep.equal([]);
    c.stabilize();
    expect(c.readStates.get('n1')).to.deep.equal([{ requestId: 7, index: 1 }]);
  });

  it('never confirms a read on a leader cut off from its quorum', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3']);
    c.elect('n1');
    c.isolate('n1');
    c.node('n1').readIndex(1);
    c.tick('n1', 5);
    expect(c.readStates.get('n1')).to.deep.equal([]);
  });

  it('holds reads until the new leader has committed an entry of its term', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3']);
    c.dropTypes.add('append');
    c.elect('n1');
    expect(c.node('n1').role).to.equal('leader');
    c.node('n1').readIndex(3);
    c.stabilize();
    expect(c.readStates.get('n1')).to.deep.equal([]);
    c.heal();
    c.tick('n1', 2);
    expect(c.readStates.get('n1')).to.deep.equal([{ requestId: 3, index: 1 }]);
  });

  it('refuses reads on a follower', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3']);
    c.elect('n1');
    expect(() => c.node('n2').readIndex(1)).to.throw(/not the leader/);
  });

  it('answers at once in a cluster of one', () => {
    const c = new MemoryCluster(['n1']);
    c.elect('n1');
    c.node('n1').readIndex(9);
    c.stabilize();
    expect(c.readStates.get('n1')).to.deep.equal([{ requestId: 9, index: 1 }]);
  });
});

describe('raft core: lease reads', () => {
  /** A read asked of `id` now; true if it was answered without any message reaching another node. */
  const answeredAlone = (c: MemoryCluster, id: string, requestId: number): boolean => {
    try {
      c.node(id).readIndex(requestId);
    } catch {
      return false; // not the leader any more
    }
    c.stabilize();
    return c.readStates.get(id)!.some((r) => r.requestId === requestId);
  };

  it('answers at once, with no heartbeat round, while a quorum acknowledged a recent heartbeat', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3'], { leaseReads: true });
    c.elect('n1');
    c.tick('n1'); // a heartbeat, acknowledged by both followers
    c.isolate('n1'); // no message gets through from here on: an answer can only come from the lease
    expect(answeredAlone(c, 'n1', 5)).to.equal(true);
    expect(c.readStates.get('n1')).to.deep.equal([{ requestId: 5, index: 1 }]);
  });

  it('without lease reads, the same read waits for a quorum', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3'], { leaseReads: false });
    c.elect('n1');
    c.tick('n1');
    c.isolate('n1');
    expect(answeredAlone(c, 'n1', 5)).to.equal(false);
  });

  it('never answers from the lease once another leader can exist: the lease ends before the followers stop ignoring candidates', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3'], { leaseReads: true });
    c.elect('n1');
    c.tick('n1');
    c.isolate('n1');
    const answered: number[] = [];
    let otherLeaderAt: number | null = null;
    for (let t = 1; t <= 60 && otherLeaderAt === null; t++) {
      c.tickAll();
      if (c.leaders().some((id) => id !== 'n1')) otherLeaderAt = t;
      if (answeredAlone(c, 'n1', 100 + t)) answered.push(t);
    }
    expect(answered.length, 'the lease served some reads').to.be.greaterThan(0);
    expect(otherLeaderAt, 'the others elected a leader').to.not.equal(null);
    expect(Math.max(...answered)).to.be.below(otherLeaderAt!);
    expect(answered.length).to.be.at.most(leaseTicks(10));
  });

  it('stops reading from the lease while it hands leadership over', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3'], { leaseReads: true });
    c.elect('n1');
    c.tick('n1');
    c.dropTypes.add('timeout-now'); // keep the transfer pending
    c.node('n1').transferLeadership('n2');
    c.stabilize();
    c.isolate('n1');
    expect(c.node('n1').role).to.equal('leader');
    expect(answeredAlone(c, 'n1', 9)).to.equal(false);
  });
});
