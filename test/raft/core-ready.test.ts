// Raft core: what each Ready asks of the host: whether it must be fsynced (etcd's MustSync) and which of its
// messages may be sent before the fsync and which must wait for it.
import { expect } from 'chai';
import { SeededRandom } from '@mooseng/core';
import {
  RaftNode,
  message,
  waitsForSync,
  type Entry,
  type HardState,
  type MessageType,
  type RaftConfig,
  type Ready,
} from '@mooseng/plugin-replication-raft';
import { MemoryCluster, entriesWithTerms, member } from './support/memory-cluster';

const IDS = ['n1', 'n2', 'n3'];

/** A node with the given log and hard state, its Ready (if any) already handled, as after a restart. */
function node(id: string, opts: { entries?: Entry[]; hardState?: HardState; preVote?: boolean; members?: string[] } = {}): RaftNode {
  const config: RaftConfig = {
    id,
    electionTicks: 10,
    heartbeatTicks: 2,
    maxMessageBytes: 1024 * 1024,
    maxInflightMessages: 8,
    preVote: opts.preVote ?? true,
    checkQuorum: true,
  };
  const n = new RaftNode(config, new SeededRandom(7), {
    hardState: opts.hardState ?? { term: 1, vote: null, commit: 0 },
    snapshot: { index: 0, term: 0, members: (opts.members ?? IDS).map(member), data: new Uint8Array(0) },
    entries: opts.entries ?? [],
  });
  settle(n);
  return n;
}

/** Hands every Ready back as if persisted, sent and applied. */
function settle(n: RaftNode): void {
  while (n.hasReady()) n.advance(n.ready());
}

/** n1 as leader of term 2 over n2 and n3, with its no-op acknowledged by both and committed. */
function leader(): RaftNode {
  const n = node('n1', { preVote: false });
  n.campaignNow();
  settle(n);
  n.step(message({ type: 'vote-resp', from: 'n2', to: 'n1', term: 2 }));
  settle(n);
  for (const from of ['n2', 'n3']) n.step(message({ type: 'append-resp', from, to: 'n1', term: 2, index: 1 }));
  settle(n);
  expect(n.role).to.equal('leader');
  expect(n.log.committed).to.equal(1);
  return n;
}

const types = (ms: { type: MessageType }[]): MessageType[] => [...new Set(ms.map((m) => m.type))].sort();

interface Case {
  name: string;
  /** The node before the input, its earlier Readies handled. */
  setup: () => RaftNode;
  /** The input whose Ready is examined. */
  act: (n: RaftNode) => void;
  mustSync: boolean;
  /** Message types the host may send before persisting. */
  early: MessageType[];
  /** Message types that must wait for the persist (and fsync). */
  afterSync: MessageType[];
}

const cases: Case[] = [
  {
    name: 'a follower that learns only a higher commit index from a heartbeat',
    setup: () => node('n2', { entries: entriesWithTerms([1, 1]) }),
    act: (n) => n.step(message({ type: 'heartbeat', from: 'n1', to: 'n2', term: 1, commit: 2 })),
    mustSync: false,
    early: ['heartbeat-resp'],
    afterSync: [],
  },
  {
    name: 'a follower adopting a higher term from a heartbeat',
    setup: () => node('n2'),
    act: (n) => n.step(message({ type: 'heartbeat', from: 'n1', to: 'n2', term: 2 })),
    mustSync: true,
    early: ['heartbeat-resp'],
    afterSync: [],
  },
  {
    name: 'a follower appending entries',
    setup: () => node('n2'),
    act: (n) => n.step(message({ type: 'append', from: 'n1', to: 'n2', term: 1, entries: entriesWithTerms([1, 1]), commit: 1 })),
    mustSync: true,
    early: [],
    afterSync: ['append-resp'],
  },
  {
    name: 'a follower acknowledging entries it already holds, with a new commit index',
    setup: () => node('n2', { entries: entriesWithTerms([1, 1]) }),
    act: (n) => n.step(message({ type: 'append', from: 'n1', to: 'n2', term: 1, index: 2, logTerm: 1, commit: 2 })),
    mustSync: false,
    early: [],
    afterSync: ['append-resp'],
  },
  {
    name: 'a follower rejecting an append that does not match its log',
    setup: () => node('n2'),
    act: (n) => n.step(message({ type: 'append', from: 'n1', to: 'n2', term: 1, index: 5, logTerm: 1 })),
    mustSync: false,
    early: [],
    afterSync: ['append-resp'],
  },
  {
    name: 'a follower installing a snapshot',
    setup: () => node('n2'),
    act: (n) =>
      n.step(
        message({
          type: 'snapshot',
          from: 'n1',
          to: 'n2',
          term: 1,
          snapshot: { index: 5, term: 1, members: IDS.map(member), data: Buffer.from('s') },
        }),
      ),
    mustSync: true,
    early: [],
    afterSync: ['append-resp'],
  },
  {
    name: 'a follower granting its vote',
    setup: () => node('n2'),
    act: (n) => n.step(message({ type: 'vote', from: 'n1', to: 'n2', term: 2 })),
    mustSync: true,
    early: [],
    afterSync: ['vote-resp'],
  },
  {
    name: 'a follower refusing its vote to a shorter log, in the term it adopts',
    setup: () => node('n2', { entries: entriesWithTerms([1, 1]) }),
    act: (n) => n.step(message({ type: 'vote', from: 'n1', to: 'n2', term: 2 })),
    mustSync: true,
    early: [],
    afterSync: ['vote-resp'],
  },
  {
    name: 'a follower answering a pre-vote (its term does not change)',
    setup: () => node('n2'),
    act: (n) => n.step(message({ type: 'pre-vote', from: 'n1', to: 'n2', term: 2 })),
    mustSync: false,
    early: [],
    afterSync: ['pre-vote-resp'],
  },
  {
    name: 'a node answering a stale leader with its newer term',
    setup: () => node('n2', { hardState: { term: 3, vote: null, commit: 0 } }),
    act: (n) => n.step(message({ type: 'heartbeat', from: 'n1', to: 'n2', term: 2 })),
    mustSync: false,
    early: [],
    afterSync: ['append-resp'],
  },
  {
    name: 'a pre-candidate asking for pre-votes',
    setup: () => node('n1'),
    act: (n) => n.campaignNow(),
    mustSync: false,
    early: ['pre-vote'],
    afterSync: [],
  },
  {
    name: 'a candidate raising its term and voting for itself',
    setup: () => node('n1', { preVote: false }),
    act: (n) => n.campaignNow(),
    mustSync: true,
    early: [],
    afterSync: ['vote'],
  },
  {
    name: 'a cluster of one electing itself (term, vote and no-op together)',
    setup: () => node('n1', { members: ['n1'] }),
    act: (n) => n.campaignNow(),
    mustSync: true,
    early: [],
    afterSync: [],
  },
  {
    name: 'a candidate becoming leader (its no-op and first appends)',
    setup: () => {
      const n = node('n1', { preVote: false });
      n.campaignNow();
      settle(n);
      return n;
    },
    act: (n) => n.step(message({ type: 'vote-resp', from: 'n2', to: 'n1', term: 2 })),
    mustSync: true,
    early: ['append'],
    afterSync: [],
  },
  {
    name: 'a leader appending a proposal',
    setup: leader,
    act: (n) => n.propose(Buffer.from('x')),
    mustSync: true,
    early: ['append'],
    afterSync: [],
  },
  {
    name: 'a leader whose commit index advances on an acknowledgement',
    setup: () => {
      const n = leader();
      n.propose(Buffer.from('x'));
      settle(n);
      return n;
    },
    act: (n) => n.step(message({ type: 'append-resp', from: 'n2', to: 'n1', term: 2, index: 2 })),
    mustSync: false,
    // The new commit index waits for the next append or heartbeat: no empty append of its own.
    early: [],
    afterSync: [],
  },
  {
    name: 'a leader sending heartbeats',
    setup: leader,
    act: (n) => {
      n.tick();
      n.tick();
    },
    mustSync: false,
    early: ['heartbeat'],
    afterSync: [],
  },
  {
    name: 'a leader handing leadership to an up-to-date follower',
    setup: leader,
    act: (n) => n.transferLeadership('n2'),
    mustSync: false,
    early: ['timeout-now'],
    afterSync: [],
  },
  {
    name: 'a leader deposed by a forced vote in the batch that holds its appends',
    setup: leader,
    act: (n) => {
      n.propose(Buffer.from('x'));
      n.step(message({ type: 'vote', from: 'n2', to: 'n1', term: 3, index: 2, logTerm: 2, force: true }));
    },
    mustSync: true,
    early: ['append'],
    afterSync: ['vote-resp'],
  },
];

describe('raft core: what a Ready asks of the host', () => {
  for (const c of cases) {
    it(c.name, () => {
      const n = c.setup();
      c.act(n);
      expect(n.hasReady()).to.equal(true);
      const rd = n.ready();
      expect(rd.mustSync, 'mustSync').to.equal(c.mustSync);
      expect(types(rd.messages), 'sent before the fsync').to.deep.equal([...c.early].sort());
      expect(types(rd.messagesAfterSync), 'sent after the fsync').to.deep.equal([...c.afterSync].sort());
      n.advance(rd);
    });
  }

  it('a Ready that needs no fsync still carries the commit index for the host to write', () => {
    const n = node('n2', { entries: entriesWithTerms([1, 1]) });
    n.step(message({ type: 'heartbeat', from: 'n1', to: 'n2', term: 1, commit: 2 }));
    const rd = n.ready();
    expect(rd.mustSync).to.equal(false);
    expect(rd.hardState).to.deep.equal({ term: 1, vote: null, commit: 2 });
  });

  it('every message type is on one side of the fsync, as etcd sorts them', () => {
    const after: MessageType[] = ['vote', 'vote-resp', 'pre-vote-resp', 'append-resp'];
    const before: MessageType[] = ['pre-vote', 'append', 'snapshot', 'heartbeat', 'heartbeat-resp', 'timeout-now'];
    for (const t of after) expect(waitsForSync(t), t).to.equal(true);
    for (const t of before) expect(waitsForSync(t), t).to.equal(false);
  });

  it('over elections, replication, partitions and InstallSnapshot, every Ready follows the rules', () => {
    const c = new MemoryCluster(['n1', 'n2', 'n3', 'n4', 'n5']);
    // The hard state each node last handed to its host: what its disk holds once the host obeyed.
    const durable = new Map<string, HardState>([...c.nodes.keys()].map((id) => [id, { term: 0, vote: null, commit: 0 }]));
    let readies = 0;
    let synced = 0;
    let unsynced = 0;
    c.onReady = (id: string, rd: Ready) => {
      readies++;
      const prev = durable.get(id)!;
      const hs = rd.hardState ?? prev;
      const expected = rd.entries.length > 0 || rd.snapshot !== null || hs.term !== prev.term || hs.vote !== prev.vote;
      expect(rd.mustSync, `${id} mustSync (ready ${readies})`).to.equal(expected);
      if (rd.mustSync) synced++;
      else unsynced++;
      for (const m of rd.messages) expect(waitsForSync(m.type), `${m.type} sent early`).to.equal(false);
      for (const m of rd.messagesAfterSync) expect(waitsForSync(m.type), `${m.type} held back`).to.equal(true);
      durable.set(id, hs);
    };
    const rng = new SeededRandom(11);
    c.tickAll(30);
    for (let round = 0; round < 40; round++) {
      const leaderId = c.leaders()[0];
      if (leaderId) for (let i = 0; i < 3; i++) c.node(leaderId).propose(Buffer.from(`r${round}-${i}`));
      if (round % 10 === 3) c.isolate(['n1', 'n2', 'n3', 'n4', 'n5'][rng.int(5)]);
      if (round % 10 === 7) {
        // Compact the leader's log so a node that was cut off needs a snapshot.
        const l = c.leaders()[0];
        if (l) c.node(l).compact(c.node(l).log.applied, Buffer.from(`state-${round}`));
        c.heal();
      }
      c.tickAll(3);
    }
    c.heal();
    c.tickAll(30);
    expect(c.leaders()).to.have.length(1);
    expect(c.sent.some((m) => m.type === 'snapshot')).to.equal(true);
    expect(synced).to.be.greaterThan(10);
    expect(unsynced).to.be.greaterThan(10);
  });
});
