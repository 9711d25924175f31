// Raft core: log replication, conflicting logs, the commit rule, snapshots and InstallSnapshot.
import { expect } from 'chai';
import { message } from '@mooseng/plugin-replication-raft';
import { MemoryCluster, entriesWithTerms } from './support/memory-cluster';

describe('raft core: replication', () => {
  // Figure 7 of the Raft paper: followers missing entries, with extra uncommitted entries, or both.
  const followerLogs = [
    { name: 'missing entries', terms: [1, 1, 1, 4, 4, 5, 5, 6, 6] },
    { name: 'missing many entries', terms: [1, 1, 1, 4] },
    { name: 'extra entries of the current term', terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6] },
    { name: 'extra entries of a newer term', terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7] },
    { name: 'extra entries of an old term', terms: [1, 1, 1, 4, 4, 4, 4] },
    { name: 'conflicting entries of older terms', terms: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3] },
  ];
  const leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  for (const f of followerLogs) {
    it(`the leader overwrites a follower log with ${f.name}`, () => {
      const c = new MemoryCluster(['n1', 'n2', 'n3'], {
        initial: {
          n1: { entries: entriesWithTerms(leaderTerms), hardState: { term: 8, vote: null, commit: 0 } },
          n2: { entries: entriesWithTerms(f.terms), hardState: { term: 8, vote: null, commit: 0 } },
          n3: { entries: entriesWithTerms(leaderTerms), hardState: { term: 8, vote: null, commit: 0 } },
        },
      });
      c.elect('n1');
      expect(c.leaders()).to.deep.equal(['n1']);
      expect(c.terms('n2')).to.deep.equal([...leaderTerms, 9]);
      // The commit index reaches n2 with the next heartbeat.
      c.tick('n1', 2);
      expect(c.node('n2').log.committed).to.equal(11);
    });
  }

  it('commits an entry of an earlier term only through an entry of the current term (Figure 8)', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3'], {
      preVote: false,
      initial: { n1: { entries: entriesWithTerms([1, 2]), hardState: { term: 2, vote: null, commit: 1 } } },
    });
    const n1 = c.node('n1');
    n1.campaignNow();
    n1.step(message({ type: 'vote-resp', from: 'n2', to: 'n1', term: 3 }));
    expect(n1.role).to.equal('leader');
    n1.advance(n1.ready());
    // n2 now holds entry 2 (term 2): a majority has it, but it is not of the leader's term.
    n1.step(message({ type: 'append-resp', from: 'n2', to: 'n1', term: 3, index: 2 }));
    expect(n1.log.committed).to.equal(1);
    n1.step(message({ type: 'append-resp', from: 'n2', to: 'n1', term: 3, index: 3 }));
    expect(n1.log.committed).to.equal(3);
  });

  it('does not commit before the leader itself has persisted the entry', () => {
    const c = new MemoryCluster(['n1']);
    const n1 = c.node('n1');
    n1.campaignNow();
    const rd = n1.ready();
    expect(rd.entries).to.have.length(1);
    expect(rd.committed).to.have.length(0);
    n1.advance(rd);
    expect(n1.log.committed).to.equal(1);
    expect(n1.ready().committed.map((e) => e.index)).to.deep.equal([1]);
  });

  it('pipelines appends up to the in-flight window and resumes after acknowledgements', () => {
    const c = new MemoryCluster(['n1', 'n2']);
    c.elect('n1');
    c.dropTypes.add('append-resp');
    for (let i = 0; i < 20; i++) {
      c.node('n1').propose(Buffer.from(`v${i}`));
      c.stabilize();
    }
    const appends = c.sent.filter((m) => m.type === 'append' && m.entries.length > 0 && m.term === 1).length;
    // 1 no-op append, then at most maxInflightMessages (8) more while no acknowledgement comes back.
    expect(appends).to.be.at.most(1 + 8);
    c.heal();
    c.tick('n1', 3);
    expect(c.node('n2').log.lastIndex()).to.equal(21);
    expect(c.node('n1').log.committed).to.equal(21);
  });

  it('brings a follower that fell behind the snapshot up to date with InstallSnapshot', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3']);
    c.elect('n1');
    c.isolate('n3');
    for (let i = 0; i < 10; i++) c.node('n1').propose(Buffer.from(`v${i}`));
    c.stabilize();
    const snap = c.node('n1').compact(8, Buffer.from('state@8'));
    expect(snap.term).to.equal(1);
    expect(c.node('n1').log.firstIndex()).to.equal(9);
    c.heal();
    c.tick('n1', 2);
    const n3 = c.node('n3');
    expect(c.sent.some((m) => m.type === 'snapshot' && m.to === 'n3')).to.equal(true);
    expect(n3.log.snapshot.index).to.equal(8);
    expect(Buffer.from(n3.log.snapshot.data).toString()).to.equal('state@8');
    expect(n3.log.lastIndex()).to.equal(11);
    expect(n3.log.committed).to.equal(11);
    // The no-op before the isolation, then (after the snapshot) entries 9 to 11 applied as entries.
    expect(c.applied.get('n3')!.map((e) => e.index)).to.deep.equal([1, 9, 10, 11]);
  });

  it('carries a new commit index on the next append or heartbeat, never in an empty append of its own', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3']);
    c.elect('n1');
    c.tick('n1', 2);
    const n1 = c.node('n1');
    const sentBefore = c.sent.length;
    n1.propose(Buffer.from('a'));
    c.stabilize();
    expect(n1.log.committed).to.equal(2);
    const sinceProposal = c.sent.slice(sentBefore);
    // One append with the entry to each follower and their answers: nothing else.
    expect(sinceProposal.map((m) => `${m.type}>${m.to}:${m.entries.length}`).sort()).to.deep.equal([
      'append-resp>n1:0',
      'append-resp>n1:0',
      'append>n2:1',
      'append>n3:1',
    ]);
    expect(c.node('n2').log.committed).to.equal(1);
    // The next proposal's append carries commit 2.
    n1.propose(Buffer.from('b'));
    c.stabilize();
    expect(c.node('n2').log.committed).to.be.at.least(2);
    // And when nothing follows, the heartbeat does.
    c.tick('n1', 1);
    expect(c.node('n2').log.committed).to.equal(3);
    expect(c.node('n3').log.committed).to.equal(3);
  });
});
