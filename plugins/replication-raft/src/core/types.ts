// The Raft core's data: log entries, messages between peers, hard state, snapshots and the Ready batch.

/** A log entry. `normal` carries a state-machine command; `config` a membership change; `empty` is a leader's no-op. */
export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}
/** What an entry carries (see Entry). */
export type EntryType = 'normal' | 'config' | 'empty';

/** A voting member of the cluster; `address` is opaque to the core (the host's transport reads it). */
export interface Member {
  id: string;
  address: string;
}

/** What Raft keeps on stable storage: term and vote must be durable before a message relying on them goes out (see Ready). */
export interface HardState {
  term: number;
  vote: string | null;
  commit: number;
}

/** A state-machine snapshot with the log position and membership it covers. */
export interface Snapshot {
  index: number;
  term: number;
  members: Member[];
  data: Uint8Array;
}

/** The kinds of peer message (raft.proto's MessageType). */
export type MessageType =
  | 'pre-vote'
  | 'pre-vote-resp'
  | 'vote'
  | 'vote-resp'
  | 'append'
  | 'append-resp'
  | 'snapshot'
  | 'heartbeat'
  | 'heartbeat-resp'
  | 'timeout-now';

/**
 * One peer message. Fields unused by a type stay at their zero value so the wire form is flat.
 * - vote / pre-vote: index, logTerm = candidate's last entry; force = leader transfer (ignore leader lease).
 * - append: index, logTerm = the entry before `entries`; commit = leader's commit.
 * - append-resp: index = last index matched (or rejected index when reject), rejectHint = follower's last index.
 * - heartbeat / heartbeat-resp: context = the leader's read sequence being confirmed (ReadIndex).
 */
export interface Message {
  type: MessageType;
  from: string;
  to: string;
  term: number;
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  reject: boolean;
  rejectHint: number;
  snapshot: Snapshot | null;
  context: number;
  force: boolean;
}

/** Where a node stands in the election cycle. */
export type RaftRole = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Volatile state the host reports (leadership events); not persisted. */
export interface SoftState {
  leaderId: string | null;
  role: RaftRole;
  term: number;
}

/** A ReadIndex request confirmed by a quorum: the read may be served once `index` is applied. */
export interface ReadState {
  requestId: number;
  index: number;
}

/**
 * One batch of work for the host, in this order: send `messages` (they may go at once); persist `snapshot`,
 * `entries` (replacing any stored entries from `entries[0].index` on) and `hardState`, and fsync if `mustSync`; then
 * send `messagesAfterSync`; then apply `committed` (after restoring `snapshot` if present); then call
 * `advance(ready)`. The core decides what needs the disk and what may overtake it; the host only obeys.
 */
export interface Ready {
  softState: SoftState | null;
  hardState: HardState | null;
  entries: Entry[];
  snapshot: Snapshot | null;
  /**
   * etcd's Ready.MustSync: the batch changes what Raft requires on stable storage (term or vote, new entries, or a
   * snapshot), so the host must fsync it before sending `messagesAfterSync` or applying. False when only the commit
   * index moved: a commit index lost in a crash is learnt again from the leader.
   */
  mustSync: boolean;
  /**
   * Messages that promise nothing about this node's disk (a leader's appends, heartbeats, snapshots and
   * TimeoutNow; pre-votes; heartbeat answers): the host may send them before persisting, so a leader's fsync
   * overlaps its followers' (thesis 10.2.1). The leader still counts its own entries only once advance() says they
   * are durable.
   */
  messages: Message[];
  /**
   * Messages that promise durable state (votes, vote and pre-vote answers, append answers): sent only once this
   * batch is persisted (and fsynced when `mustSync`), or a crash could make this node break its word.
   */
  messagesAfterSync: Message[];
  committed: Entry[];
  readStates: ReadState[];
  /**
   * quorum-memory only: the host may write this batch to the log without waiting for its fsync, and the core counts
   * the entries as this node's once written (a leader's own entries, as etcd 3.4 does). Only a leader's batch of new
   * entries with no term or vote change, no snapshot and no message that promises durable state; the host fsyncs it
   * in the background within its lag bounds. False in commit mode.
   */
  syncDeferrable: boolean;
  /**
   * A change of the log's deferred-sync mark, written with this batch (which is then fsynced, making all before it
   * durable): a term T means "this node may have counted entries of term T it had not fsynced", so after a crash it
   * recovers before voting (RaftNode.recoveringTerm); 0 clears it. null: unchanged.
   */
  deferredSyncTerm: number | null;
}

/**
 * Whether a message of this type promises state the sender must have on stable storage (etcd: MsgVote's vote for
 * itself counted at once here, MsgVoteResp, MsgPreVoteResp, MsgAppResp). Rejections are included: they are rare,
 * and sending them early has not been shown safe (etcd errs the same way).
 */
export function waitsForSync(type: MessageType): boolean {
  return type === 'vote' || type === 'vote-resp' || type === 'pre-vote-resp' || type === 'append-resp';
}

/**
 * etcd's MustSync: an fsync is needed when the term or vote changed since the last hard state handed out, or
 * when entries or a snapshot are to be written.
 */
export function mustSync(hardState: HardState, previous: HardState, entryCount: number, hasSnapshot: boolean): boolean {
  return hasSnapshot || entryCount > 0 || hardState.term !== previous.term || hardState.vote !== previous.vote;
}

/** Tunables of the core, all in ticks or counts. */
export interface RaftConfig {
  id: string;
  /** Ticks without a leader before an election; the actual timeout is random in [electionTicks, 2*electionTicks). */
  electionTicks: number;
  heartbeatTicks: number;
  /** Upper bound on bytes of entries in one append message. */
  maxMessageBytes: number;
  /** Bound on un-acknowledged append messages to one follower while pipelining. */
  maxInflightMessages: number;
  /** Pre-vote (thesis 9.6): a partitioned node cannot disrupt the cluster with term bumps. */
  preVote: boolean;
  /** Check-quorum: a leader that hears from no quorum for an election timeout steps down. */
  checkQuorum: boolean;
  /**
   * Lease reads (needs checkQuorum): while a quorum acknowledged a heartbeat sent less than leaseTicks() ago, no
   * other leader can have been elected (voters ignore candidates for an election timeout after hearing from the
   * leader), so readIndex answers at once with the commit index instead of a heartbeat round. Safe while the nodes'
   * tick lengths agree within the margin (the host ticks by elapsed monotonic time, so a paused process catches up
   * its ticks before it serves another read).
   */
  leaseReads?: boolean;
  /**
   * sync: quorum-memory. A leader counts its own entries towards a quorum once the host has written them, before
   * their fsync (Ready.syncDeferrable); followers still acknowledge only what they have fsynced. Off: every copy
   * counted is on disk (sync: commit).
   */
  quorumMemory?: boolean;
}

/** How long a leader's read lease lasts after the heartbeat a quorum acknowledged was sent: a fifth (at least two
 * ticks) short of the election timeout, the margin for tick lengths that differ between nodes. */
export function leaseTicks(electionTicks: number): number {
  return electionTicks - Math.max(2, Math.ceil(electionTicks / 5));
}

/** Builds a message with zero values for the fields a type does not use. */
export function message(fields: Partial<Message> & Pick<Message, 'type' | 'from' | 'to' | 'term'>): Message {
  return {
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    snapshot: null,
    context: 0,
    force: false,
    ...fields,
  };
}
