// Raft core in sync: quorum-memory: which of a leader's batches may be written without waiting for their fsync, the
// deferred-sync mark that precedes them, the durable quorum index behind a client's fsync, and what a node that
// may have lost entries it counted unsynced does after a restart (recovering: its vote is not its own until it has
// learnt a commit of a later term); and a log that diverges from the committed log stops the node.
import { expect } from 'chai';
import { SeededRandom } from '@mooseng/core';
import {
  LogDivergence,
  RaftNode,
  message,
  type Entry,
  type HardState,
  type RaftConfig,
  type Ready,
} from '@mooseng/plugin-replication-raft';
import { MemoryCluster, entriesWithTerms, member } from './support/memory-cluster';

const IDS = ['n1', 'n2', 'n3'];

function node(
  id: string,
  opts: { entries?: Entry[]; hardState?: HardState; members?: string[]; deferredSyncTerm?: number; quorumMemory?: boolean } = {},
): RaftNode {
  const config: RaftConfig = {
    id,
    electionTicks: 10,
    heartbeatTicks: 2,
    maxMessageBytes: 1024 * 1024,
    maxInflightMessages: 8,
    preVote: false,
    checkQuorum: true,
    quorumMemory: opts.quorumMemory ?? true,
  };
  const n = new RaftNode(config, new SeededRandom(7), {
    hardState: opts.hardState ?? { term: 1, vote: null, commit: 0 },
    snapshot: { index: 0, term: 0, members: (opts.members ?? IDS).map(member), data: new Uint8Array(0) },
    entries: opts.entries ?? [],
    deferredSyncTerm: opts.deferredSyncTerm ?? 0,
  });
  settle(n);
  return n;
}

/** Hands every Ready back as if persisted, sent and applied; returns them. */
function settle(n: RaftNode): Ready[] {
  const out: Ready[] = [];
  while (n.hasReady()) {
    const rd = n.ready();
    out.push(rd);
    n.advance(rd);
  }
  return out;
}

/** n1 as leader of term 2 over n2 and n3 (its no-op batch handed out and advanced). */
function leader(quorumMemory = true): { n: RaftNode; first: Ready[] } {
  const n = node('n1', { quorumMemory });
  n.campaignNow();
  settle(n);
  n.step(message({ type: 'vote-resp', from: 'n2', to: 'n1', term: 2 }));
  const first = settle(n);
  expect(n.role).to.equal('leader');
  return { n, first };
}

const withEntries = (rds: Ready[]): Ready[] => rds.filter((rd) => rd.entries.length > 0);

describe('raft core: sync quorum-memory', () => {
  it("a leader's first batch of a term carries the deferred-sync mark and is fsynced; later ones may defer their fsync", () => {
    const { n, first } = leader();
    const noop = withEntries(first);
    expect(noop).to.have.length(1);
    expect(noop[0].deferredSyncTerm).to.equal(2);
    expect(noop[0].syncDeferrable).to.equal(false);
    expect(noop[0].mustSync).to.equal(true);
    n.propose(Buffer.from('a'));
    const [rd] = settle(n);
    expect(rd.entries).to.have.length(1);
    expect(rd.syncDeferrable).to.equal(true);
    expect(rd.deferredSyncTerm).to.equal(null);
  });

  it("counts the leader's written copy: one follower's acknowledgement commits, as etcd does", () => {
    const { n } = leader();
    n.step(message({ type: 'append-resp', from: 'n2', to: 'n1', term: 2, index: 1 }));
    settle(n);
    const { index } = n.propose(Buffer.from('a'));
    settle(n); // written (deferred), not fsynced: the host has not said it is durable, and the core need not know
    n.step(message({ type: 'append-resp', from: 'n3', to: 'n1', term: 2, index }));
    settle(n);
    expect(n.log.committed).to.equal(index);
    // On disk: n3's copy only, until the leader's own fsync (or n2's acknowledgement) makes a majority.
    expect(n.durableQuorumIndex(1)).to.equal(1);
    expect(n.durableQuorumIndex(index)).to.equal(index);
  });

  it('in commit mode no batch is ever deferred and no mark is written', () => {
    const { n, first } = leader(false);
    n.propose(Buffer.from('a'));
    for (const rd of [...first, ...settle(n)]) {
      expect(rd.syncDeferrable).to.equal(false);
      expect(rd.deferredSyncTerm).to.equal(null);
    }
  });

  it("never defers a follower's batch, nor a leader's batch that changes the term or vote or promises durable state", () => {
    const f = node('n2');
    f.step(message({ type: 'append', from: 'n1', to: 'n2', term: 1, index: 0, logTerm: 0, entries: entriesWithTerms([1]) }));
    const [rd] = settle(f);
    expect(rd.mustSync).to.equal(true);
    expect(rd.syncDeferrable).to.equal(false);
    const n = node('n1');
    n.campaignNow();
    const [campaign] = settle(n); // the vote for itself: term and vote change
    expect(campaign.syncDeferrable).to.equal(false);
  });

  it('clears the mark in the first fsynced batch once it no longer leads that term', () => {
    const { n } = leader();
    n.propose(Buffer.from('a'));
    settle(n);
    // A newer leader's append: n1 steps down and writes the entry durably, taking everything before with it.
    n.step(
      message({
        type: 'append',
        from: 'n2',
        to: 'n1',
        term: 3,
        index: 2,
        logTerm: 2,
        entries: [{ term: 3, index: 3, type: 'empty', data: new Uint8Array(0) }],
      }),
    );
    const rds = withEntries(settle(n));
    expect(rds).to.have.length(1);
    expect(rds[0].syncDeferrable).to.equal(false);
    expect(rds[0].deferredSyncTerm).to.equal(0);
  });

  describe('after a restart with the mark (recovering)', () => {
    const log = entriesWithTerms([1, 2, 2]);

    it('grants no vote to a candidate whose log ends in the marked term or before, however up to date', () => {
      const r = node('n1', { entries: log, hardState: { term: 2, vote: 'n1', commit: 2 }, deferredSyncTerm: 2 });
      expect(r.recoveringTerm).to.equal(2);
      r.step(message({ type: 'vote', from: 'n2', to: 'n1', term: 3, index: 9, logTerm: 2 }));
      const answers = settle(r).flatMap((rd) => rd.messagesAfterSync);
      expect(answers.map((m) => [m.type, m.reject])).to.deep.equal([['vote-resp', true]]);
      r.step(message({ type: 'vote', from: 'n3', to: 'n1', term: 4, index: 4, logTerm: 3 }));
      const granted = settle(r).flatMap((rd) => rd.messagesAfterSync);
      expect(granted.map((m) => [m.type, m.reject])).to.deep.equal([['vote-resp', false]]);
    });

    it('as a candidate needs a quorum of the other members: its own vote does not count', () => {
      const r = node('n1', { entries: log, hardState: { term: 2, vote: 'n1', commit: 2 }, deferredSyncTerm: 2 });
      r.campaignNow();
      settle(r);
      expect(r.role).to.equal('candidate');
      r.step(message({ type: 'vote-resp', from: 'n2', to: 'n1', term: 3 }));
      settle(r);
      expect(r.role).to.equal('candidate');
      r.step(message({ type: 'vote-resp', from: 'n3', to: 'n1', term: 3 }));
      settle(r);
      expect(r.role).to.equal('leader');
    });

    it('recovers once it learns a commit whose entry is of a later term', () => {
      const r = node('n1', { entries: log, hardState: { term: 2, vote: 'n1', commit: 2 }, deferredSyncTerm: 2 });
      const entry4 = { term: 3, index: 4, type: 'empty' as const, data: new Uint8Array(0) };
      // The entry alone does not end recovery: it is not known committed.
      r.step(message({ type: 'append', from: 'n2', to: 'n1', term: 3, index: 3, logTerm: 2, entries: [entry4], commit: 3 }));
      settle(r);
      expect(r.recoveringTerm).to.equal(2);
      r.step(message({ type: 'heartbeat', from: 'n2', to: 'n1', term: 3, commit: 4 }));
      settle(r);
      expect(r.recoveringTerm).to.equal(0);
    });

    it('votes as usual with an even number of members, and alone leads at once', () => {
      const even = node('n1', {
        entries: log,
        hardState: { term: 2, vote: 'n1', commit: 2 },
        deferredSyncTerm: 2,
        members: ['n1', 'n2', 'n3', 'n4'],
      });
      even.step(message({ type: 'vote', from: 'n2', to: 'n1', term: 3, index: 3, logTerm: 2 }));
      expect(
        settle(even)
          .flatMap((rd) => rd.messagesAfterSync)
          .map((m) => m.reject),
      ).to.deep.equal([false]);
      const alone = node('n1', { entries: log, hardState: { term: 2, vote: 'n1', commit: 2 }, deferredSyncTerm: 2, members: ['n1'] });
      expect(alone.recoveringTerm).to.equal(0);
    });

    it('in a cluster, the restarted leader that lost its tail cannot be elected by the member that lacks the entry', () => {
      // n1 led term 2 and counted entry 3 with n2's fsynced copy; n1 lost it (power cut), n2 is down, n3 never got it.
      const c = new MemoryCluster(IDS, {
        quorumMemory: true,
        preVote: false,
        initial: {
          n1: { entries: entriesWithTerms([1, 2]), hardState: { term: 2, vote: 'n1', commit: 2 }, deferredSyncTerm: 2 },
          n2: { entries: entriesWithTerms([1, 2, 2]), hardState: { term: 2, vote: 'n1', commit: 3 } },
          n3: { entries: entriesWithTerms([1, 2]), hardState: { term: 2, vote: 'n1', commit: 2 } },
        },
      });
      c.isolate('n2');
      c.elect('n1');
      c.elect('n3');
      expect(c.leaders()).to.deep.equal([]);
      // With n2 back, a log holding entry 3 wins: n2's (its first campaigns only catch up with the others' terms).
      c.heal();
      for (let i = 0; i < 3 && c.leaders().length === 0; i++) c.elect('n2');
      expect(c.leaders()).to.deep.equal(['n2']);
      c.tickAll(3);
      expect(c.node('n1').log.lastIndex()).to.equal(4);
      expect(c.node('n1').log.entry(3)!.term).to.equal(2);
      expect(c.node('n1').recoveringTerm).to.equal(0);
    });
  });

  it('a follower whose committed log diverges from the leader stops with an error naming the index and what to do', () => {
    const f = node('n2', { entries: entriesWithTerms([1, 1]), hardState: { term: 1, vote: null, commit: 2 }, quorumMemory: false });
    const conflicting = { term: 2, index: 3, type: 'normal' as const, data: Buffer.from('x') };
    let error: unknown = null;
    try {
      // The leader's entry 2 is of term 2; ours, which we hold committed, of term 1.
      f.step(message({ type: 'append', from: 'n1', to: 'n2', term: 2, index: 2, logTerm: 2, entries: [conflicting], commit: 3 }));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(LogDivergence);
    expect((error as Error).message).to.match(/diverges from the committed log at index 2 \(term 1 here, term 2 from the leader\)/);
    expect((error as Error).message).to.match(/Recover it as a member with an empty log/);
  });
});
