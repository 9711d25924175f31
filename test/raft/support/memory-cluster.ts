// An in-memory cluster of RaftNodes for unit tests (as in etcd-io/raft's network): instant durable storage, FIFO
// delivery, links that can be cut and nodes that can be isolated. Each node's applied entries are recorded.
import { SeededRandom } from '@mooseng/core';
import {
  RaftNode,
  type Entry,
  type HardState,
  type Member,
  type Message,
  type MessageType,
  type RaftConfig,
  type ReadState,
  type Ready,
} from '@mooseng/plugin-replication-raft';

/** How a MemoryCluster's nodes are configured and what they start from. */
export interface ClusterOptions {
  preVote?: boolean;
  checkQuorum?: boolean;
  leaseReads?: boolean;
  electionTicks?: number;
  /** sync: quorum-memory (leaders count their own entries before the fsync). */
  quorumMemory?: boolean;
  /** Per-node persisted log, hard state and deferred-sync mark to start from. */
  initial?: Record<string, { entries?: Entry[]; hardState?: HardState; deferredSyncTerm?: number }>;
  /** Nodes that start with these members instead of all ids (a node about to join). */
  bootstrap?: string[];
}

/** The member with this id and a made-up address. */
export function member(id: string): Member {
  return { id, address: `${id}:9422` };
}

/** Builds entries with the given terms at indexes 1.. (data is "i"). */
export function entriesWithTerms(terms: number[]): Entry[] {
  return terms.map((term, i) => ({ term, index: i + 1, type: 'normal' as const, data: Buffer.from(String(i + 1)) }));
}

/** See the file comment. */
export class MemoryCluster {
  readonly nodes = new Map<string, RaftNode>();
  readonly applied = new Map<string, Entry[]>();
  readonly readStates = new Map<string, ReadState[]>();
  private readonly cut = new Set<string>();
  /** Message types silently dropped everywhere (to hold a follower back). */
  readonly dropTypes = new Set<MessageType>();
  readonly sent: Message[] = [];
  /** Called with every Ready before it is advanced (tests that check what the core asks of its host). */
  onReady: ((id: string, rd: Ready) => void) | null = null;

  constructor(
    ids: string[],
    private readonly options: ClusterOptions = {},
  ) {
    for (const id of ids) this.add(id, (options.bootstrap ?? ids).map(member));
  }

  add(id: string, bootstrap: Member[]): RaftNode {
    const config: RaftConfig = {
      id,
      electionTicks: this.options.electionTicks ?? 10,
      heartbeatTicks: 1,
      maxMessageBytes: 1024 * 1024,
      maxInflightMessages: 8,
      preVote: this.options.preVote ?? true,
      checkQuorum: this.options.checkQuorum ?? true,
      leaseReads: this.options.leaseReads ?? false,
      quorumMemory: this.options.quorumMemory ?? false,
    };
    const init = this.options.initial?.[id];
    const node = new RaftNode(config, new SeededRandom(id.charCodeAt(id.length - 1)), {
      hardState: init?.hardState ?? { term: 0, vote: null, commit: 0 },
      snapshot: { index: 0, term: 0, members: bootstrap, data: new Uint8Array(0) },
      entries: init?.entries ?? [],
      deferredSyncTerm: init?.deferredSyncTerm ?? 0,
    });
    this.nodes.set(id, node);
    this.applied.set(id, []);
    this.readStates.set(id, []);
    return node;
  }

  node(id: string): RaftNode {
    return this.nodes.get(id)!;
  }

  isolate(id: string): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}>${other}`);
      this.cut.add(`${other}>${id}`);
    }
  }

  cutLink(from: string, to: string): void {
    this.cut.add(`${from}>${to}`);
  }

  heal(): void {
    this.cut.clear();
    this.dropTypes.clear();
  }

  /** Drains every node's Ready and delivers messages until the cluster is quiet. */
  stabilize(maxRounds = 1000): void {
    for (let round = 0; round < maxRounds; round++) {
      const inFlight: Message[] = [];
      for (const [id, node] of this.nodes) {
        while (node.hasReady()) {
          const rd = node.ready();
          this.onReady?.(id, rd);
          // Storage here is instant and durable, so both sides of the fsync go out together.
          inFlight.push(...rd.messages, ...rd.messagesAfterSync);
          this.applied.get(id)!.push(...rd.committed);
          this.readStates.get(id)!.push(...rd.readStates);
          node.advance(rd);
        }
      }
      if (inFlight.length === 0) return;
      for (const m of inFlight) {
        this.sent.push(m);
        if (this.cut.has(`${m.from}>${m.to}`) || this.dropTypes.has(m.type)) continue;
        this.nodes.get(m.to)?.step(m);
      }
    }
    throw new Error('cluster did not quiesce');
  }

  tick(id: string, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.node(id).tick();
      this.stabilize();
    }
  }

  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const node of this.nodes.values()) node.tick();
      this.stabilize();
    }
  }

  elect(id: string): void {
    this.node(id).campaignNow();
    this.stabilize();
  }

  leaders(): string[] {
    return [...this.nodes].filter(([, n]) => n.role === 'leader').map(([id]) => id);
  }

  /** Terms of a node's log entries, index 1 on (snapshot entries excluded). */
  terms(id: string): number[] {
    return this.node(id).log.entries.map((e) => e.term);
  }
}
