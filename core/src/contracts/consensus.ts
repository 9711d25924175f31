// IConsensus: replicates the master's state machine so every master applies the same commands in the same order.

/**
 * The replicated state machine, owned by the role (the master's namespace). `apply` must be deterministic: the same
 * commands in the same order give the same state and results on every node. It is called once per committed entry,
 * in log order, never concurrently.
 */
export interface IStateMachine {
  /** Applies one committed command; the result goes back to the proposer (on the leader that proposed it). */
  apply(command: Uint8Array, index: number): Uint8Array;
  /** The whole state as bytes, consistent as of the last applied index. */
  snapshot(): Promise<Uint8Array>;
  /** Replaces the whole state with a snapshot taken by `snapshot()` (possibly on another node). */
  restore(snapshot: Uint8Array): Promise<void>;
}

export type ConsensusRole = 'leader' | 'follower' | 'candidate' | 'pre-candidate' | 'stopped';

export interface ConsensusMember {
  id: string;
  /** host:port of its consensus (peer) endpoint. */
  address: string;
}

export interface ConsensusStatus {
  nodeId: string;
  role: ConsensusRole;
  term: number;
  /** The leader this node believes in, or null during an election. */
  leaderId: string | null;
  commitIndex: number;
  appliedIndex: number;
  /** Highest log index this node knows is on its own disk (behind commitIndex on a leader that defers its fsync). */
  durableIndex?: number;
  /** Index of the last entry in the local log. */
  lastIndex: number;
  members: ConsensusMember[];
  /** On the leader: how far each other member's log matches, and whether it answered lately. Absent elsewhere. */
  followers?: FollowerProgress[];
}

export interface FollowerProgress {
  id: string;
  /** Highest log index known to be on that member. */
  matchIndex: number;
  /** It answered the leader within the last election timeout or so. */
  reachable: boolean;
}

export interface LeadershipEvent {
  term: number;
  leaderId: string | null;
  /** True on the node that just became leader. */
  isSelf: boolean;
}

export interface ProposeOptions {
  signal?: AbortSignal;
}

/**
 * Consensus for the master. Errors: NOT_LEADER (details.leaderId / details.leaderAddress hint where known; the
 * caller should retry there), PROPOSAL_DROPPED (leadership was lost before the entry committed: the command may or
 * may not have been applied, so commands must be idempotent or carry a request id), QUORUM_LOST, TIMEOUT, ABORTED.
 */
export interface IConsensus {
  readonly nodeId: string;
  /** Loads persisted state (snapshot + log), restores the state machine, joins the cluster. */
  start(stateMachine: IStateMachine, options?: { signal?: AbortSignal }): Promise<void>;
  /** Leaves cleanly: stops accepting proposals, fails pending ones with PROPOSAL_DROPPED, closes storage. */
  stop(): Promise<void>;
  /** Resolves with the state machine's result once the command is committed and applied on this (leader) node. */
  propose(command: Uint8Array, options?: ProposeOptions): Promise<Uint8Array>;
  /**
   * Linearizable read barrier: resolves once this node is confirmed leader and has applied everything committed
   * before the call, so a read of local state afterwards sees every acknowledged write. NOT_LEADER elsewhere.
   */
  readBarrier(options?: ProposeOptions): Promise<void>;
  /**
   * Durability barrier: resolves once a majority of the members has on disk every entry committed before the call
   * (on the leader; NOT_LEADER elsewhere). Where commands are acknowledged before the leader's own fsync (Raft's
   * sync: quorum-memory), a client's fsync waits for this; where they are acknowledged only once a majority has
   * fsynced them, it resolves as soon as the read barrier it starts with does.
   */
  waitDurable(options?: ProposeOptions): Promise<void>;
  /**
   * True when propose() resolves only once a majority has the command on disk (Raft's sync: commit), so that
   * waitDurable adds nothing a client needs: the master tells its clients, which then skip the Sync call on fsync.
   * Absent or false: clients call Sync.
   */
  readonly durableWhenAcknowledged?: boolean;
  status(): ConsensusStatus;
  /** Called on every change of leader or term; returns an unsubscribe function. */
  onLeadershipChange(listener: (event: LeadershipEvent) => void): () => void;
  /** Adds a member online (joint-safe: one change at a time); resolves once the change is committed. */
  addMember(member: ConsensusMember, options?: ProposeOptions): Promise<void>;
  removeMember(id: string, options?: ProposeOptions): Promise<void>;
  /** Hands leadership to `targetId` (or the most up-to-date follower) and resolves when it has taken over. */
  transferLeadership(targetId?: string, options?: ProposeOptions): Promise<void>;
  /** Takes a snapshot now and compacts the log behind it. */
  compact(options?: ProposeOptions): Promise<void>;
}
export const IConsensus = Symbol.for('mooseng.consensus');
