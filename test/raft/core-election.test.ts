// Raft core: leader election, pre-vote, check-quorum and leader transfer, on an in-memory cluster.
import { expect } from 'chai';
import { MemoryCluster, entriesWithTerms } from './support/memory-cluster';

describe('raft core: election', () => {
  for (const size of [1, 3, 5]) {
    it(`elects the campaigning node in a cluster of ${size}`, () => {
      const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
      const c = new MemoryCluster(ids);
      c.elect('n1');
      expect(c.leaders()).to.deep.equal(['n1']);
      for (const id of ids) expect(c.node(id).term).to.equal(1);
      // The leader's no-op commits on the leader at once, and on the followers with the next heartbeat (a commit
      // sends no message of its own).
      expect(c.node('n1').log.committed).to.equal(1);
      c.tick('n1', 2);
      for (const id of ids) expect(c.node(id).log.committed).to.equal(1);
    });
  }

  it('elects someone by timeout alone, and only one leader per term', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3']);
    c.tickAll(40);
    expect(c.leaders()).to.have.length(1);
  });

  const upToDate = [
    { name: 'a longer log of the same term', candidate: [1, 1, 1], voter: [1, 1], granted: true },
    { name: 'a shorter log of the same term', candidate: [1], voter: [1, 1], granted: false },
    { name: 'a shorter log with a higher last term', candidate: [1, 2], voter: [1, 1, 1], granted: true },
    { name: 'a longer log with a lower last term', candidate: [1, 1, 1], voter: [1, 2], granted: false },
  ];
  for (const t of upToDate) {
    it(`a voter ${t.granted ? 'grants' : 'refuses'} its vote to ${t.name}`, () => {
      const c = new MemoryCluster(['n1', 'n2'], {
        initial: {
          n1: { entries: entriesWithTerms(t.candidate), hardState: { term: 2, vote: null, commit: 0 } },
          n2: { entries: entriesWithTerms(t.voter), hardState: { term: 2, vote: null, commit: 0 } },
        },
      });
      c.elect('n1');
      expect(c.node('n1').role === 'leader').to.equal(t.granted);
    });
  }

  for (const preVote of [true, false]) {
    it(`an isolated node ${preVote ? 'does not disrupt' : 'disrupts'} the cluster when it rejoins (pre-vote ${preVote ? 'on' : 'off'})`, () => {
      const c = new MemoryCluster(['n1', 'n2', 'n3'], { preVote, checkQuorum: false });
      c.elect('n1');
      c.isolate('n3');
      // The others move on, so the isolated node's log falls behind (pre-vote then cannot win).
      c.node('n1').propose(Buffer.from('x'));
      c.stabilize();
      c.tick('n3', 60);
      c.heal();
      c.tick('n3', 30);
      if (preVote) {
        expect(c.node('n3').term).to.equal(1);
        expect(c.node('n1').role).to.equal('leader');
        expect(c.node('n1').term).to.equal(1);
      } else {
        expect(c.node('n3').term).to.be.greaterThan(1);
        expect(c.node('n1').term).to.be.greaterThan(1);
      }
    });
  }

  for (const checkQuorum of [true, false]) {
    it(`a leader cut off from its quorum ${checkQuorum ? 'steps down' : 'stays leader'} (check-quorum ${checkQuorum ? 'on' : 'off'})`, () => {
      const c = new MemoryCluster(['n1', 'n2', 'n3'], { checkQuorum });
      c.elect('n1');
      c.isolate('n1');
      c.tick('n1', 25);
      expect(c.node('n1').role).to.equal(checkQuorum ? 'follower' : 'leader');
    });
  }

  it('followers in a leader lease ignore a candidate that did not hear the leader (check-quorum)', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3'], { preVote: false });
    c.elect('n1');
    c.cutLink('n1', 'n3');
    c.tick('n3', 25);
    // n3 campaigned at a higher term, but n1 and n2 are still in their lease and ignored it.
    expect(c.node('n1').role).to.equal('leader');
    expect(c.node('n2').term).to.equal(1);
  });

  it('transfers leadership to an up-to-date follower with TimeoutNow', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3']);
    c.elect('n1');
    c.node('n1').transferLeadership('n3');
    c.stabilize();
    expect(c.leaders()).to.deep.equal(['n3']);
    expect(c.node('n3').term).to.equal(2);
    expect(c.sent.some((m) => m.type === 'timeout-now' && m.to === 'n3')).to.equal(true);
  });

  it('catches a lagging transfer target up before handing over, and refuses proposals meanwhile', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3']);
    c.elect('n1');
    c.isolate('n3');
    for (let i = 0; i < 5; i++) c.node('n1').propose(Buffer.from(`v${i}`));
    c.stabilize();
    c.node('n1').transferLeadership('n3');
    c.stabilize();
    expect(c.node('n1').role).to.equal('leader');
    expect(() => c.node('n1').propose(Buffer.from('x'))).to.throw(/transferred/);
    c.heal();
    c.tick('n1', 1);
    expect(c.leaders()).to.deep.equal(['n3']);
    expect(c.node('n3').log.lastIndex()).to.be.at.least(6);
  });
});
