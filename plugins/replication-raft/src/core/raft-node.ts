// RaftNode: the Raft algorithm as a pure state machine. No I/O, no clock, no Math.random: the host feeds it ticks,
// messages and proposals and drains one Ready batch at a time (see types.ts for the persist → send → apply order).
import type { IRandom } from '@mooseng/core';
import { applyConfigChange, decodeConfigChange, encodeConfigChange, type ConfigChange } from './membership';
import { Progress } from './progress';
import { majorityValue, quorumSize } from './quorum';
import { LogDivergence, RaftLog } from './raft-log';
import {
  leaseTicks,
  message,
  mustSync,
  waitsForSync,
  type Entry,
  type EntryType,
  type HardState,
  type Member,
  type Message,
  type RaftConfig,
  type RaftRole,
  type ReadState,
  type Ready,
  type Snapshot,
  type SoftState,
} from './types';

/** Bound on bytes of committed entries handed to the host in one Ready, so one apply batch stays short. */
export const MAX_APPLY_BYTES_PER_READY = 4 * 1024 * 1024;

/** Why a proposal, read or admin request was refused. */
export type RefusalReason = 'not-leader' | 'transferring' | 'config-pending' | 'invalid';

/** Thrown by an input the core refuses (not the leader, a transfer or membership change under way, bad argument). */
export class RaftRefusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

/** What a node starts from: its persisted state, or a fresh cluster's bootstrap membership. */
export interface RaftInitialState {
  hardState: HardState;
  snapshot: Snapshot;
  entries: Entry[];
  /** The log's deferred-sync mark (Ready.deferredSyncTerm): non-zero, the node starts recovering. */
  deferredSyncTerm?: number;
}

interface PendingRead {
  requestId: number;
  index: number;
  seq: number;
}

/** One Raft peer as a pure state machine (see the file comment): inputs in, Ready batches out. */
export class RaftNode {
  readonly id: string;
  term: number;
  vote: string | null;
  leaderId: string | null = null;
  role: RaftRole = 'follower';
  readonly log: RaftLog;
  /** The membership in effect: the latest config entry in the log (appended, not necessarily committed). */
  members: Member[] = [];

  private readonly progress = new Map<string, Progress>();
  /** Followers heard from in the previous check-quorum round (status only). */
  private activeLastRound = new Set<string>();
  /** Ticks counted while leader (lease arithmetic); the tick each heartbeat sequence went out; the lease's end. */
  private leaderTicks = 0;
  private readonly heartbeatSentAt = new Map<number, number>();
  private leaseUntilTick = 0;
  private readonly votes = new Map<string, boolean>();
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  /** Index of the latest config entry; a new change waits until it is committed. */
  private pendingConfigIndex = 0;
  private lastConfigIndex = 0;
  /** The follower leadership is being handed to, and ticks since the transfer began. */
  leadTransferee: string | null = null;
  private transferElapsed = 0;
  private readSeq = 0;
  private pendingReads: PendingRead[] = [];
  /** Reads that arrived before this leader committed an entry of its term: their index would not be safe yet. */
  private waitingReads: number[] = [];
  private readStates: ReadState[] = [];
  /** Messages for the next Ready that may be sent before it is persisted, and those that must wait for it. */
  private msgs: Message[] = [];
  private msgsAfterSync: Message[] = [];
  private prevHard: HardState;
  private prevSoft: SoftState;
  private readonly snapshotElapsed = new Map<string, number>();
  /** The deferred-sync mark as last handed to the host in an advanced Ready (0: none). */
  private deferredSyncTerm: number;
  /**
   * Non-zero after a restart whose log carried a deferred-sync mark of this term: this node may have counted, as a
   * leader, entries it had not fsynced and has now lost, so its log may be shorter than what it helped commit. Until
   * it has learnt a commit index whose entry is of a later term (its log then holds every entry committed up to and
   * in that term), its vote is not its own: it grants votes only to candidates whose last entry is of a later term
   * (whose logs hold every entry committed in it), and as a candidate it needs a quorum of the other members,
   * who grant only if its log holds what they have. See docs/raft.md, "Unsynced tails after a crash".
   */
  recoveringTerm: number;

  constructor(
    private readonly config: RaftConfig,
    private readonly random: IRandom,
    initial: RaftInitialState,
  ) {
    this.id = config.id;
    this.term = initial.hardState.term;
    this.vote = initial.hardState.vote;
    this.log = new RaftLog(
      initial.snapshot,
      initial.entries,
      Math.min(initial.hardState.commit, initial.snapshot.index + initial.entries.length),
    );
    this.deferredSyncTerm = initial.deferredSyncTerm ?? 0;
    this.recoveringTerm = this.deferredSyncTerm;
    this.recomputeMembers();
    this.maybeEndRecovery();
    this.prevHard = this.hardState();
    this.prevSoft = this.softState();
    this.resetElectionTimeout();
  }

  // ----- inputs -----

  /** One logical clock tick. */
  tick(): void {
    if (this.role === 'leader') {
      this.tickLeader();
      return;
    }
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.campaign(this.config.preVote ? 'pre-vote' : 'vote', false);
    }
  }

  /** Starts an election now (tests, and a cluster of one at start). */
  campaignNow(): void {
    if (this.role !== 'leader' && this.promotable()) this.campaign(this.config.preVote ? 'pre-vote' : 'vote', false);
  }

  /** Appends a command on the leader; returns the index and term it will commit at if it commits. */
  propose(data: Uint8Array): { index: number; term: number } {
    return this.proposeEntry('normal', data);
  }

  /** Proposes a single-server membership change. One at a time: refused while the previous one is uncommitted. */
  proposeConfigChange(change: ConfigChange): { index: number; term: number } {
    this.requireLeader();
    if (this.pendingConfigIndex > this.log.committed) {
      throw new RaftRefusal('config-pending', 'a membership change is still in progress; retry when it has committed');
    }
    if (change.op === 'add' && this.members.some((m) => m.id === change.member.id)) {
      throw new RaftRefusal('invalid', `${change.member.id} is already a member`);
    }
    if (change.op === 'remove') {
      if (!this.members.some((m) => m.id === change.id)) throw new RaftRefusal('invalid', `${change.id} is not a member`);
      if (this.members.length === 1) throw new RaftRefusal('invalid', 'cannot remove the last member');
    }
    return this.proposeEntry('config', encodeConfigChange(change));
  }

  /**
   * Asks for a linearizable read point. The answer comes back as a ReadState with `requestId` once a quorum has
   * confirmed this node is still leader (thesis 6.4); the host serves the read after applying up to its index.
   */
  readIndex(requestId: number): void {
    this.requireLeader();
    if (!this.committedInTerm()) {
      this.waitingReads.push(requestId);
      return;
    }
    if (this.holdsLease()) {
      this.readStates.push({ requestId, index: this.log.committed });
      return;
    }
    this.startRead(requestId);
  }

  /** Lease reads are on, no transfer is under way (it makes voters ignore our lease), and the lease has not run out. */
  private holdsLease(): boolean {
    return (
      this.config.leaseReads === true && this.config.checkQuorum && this.leadTransferee === null && this.leaderTicks < this.leaseUntilTick
    );
  }

  /** Hands leadership to `target` (sends TimeoutNow once its log is current). */
  transferLeadership(target: string): void {
    this.requireLeader();
    if (target === this.id) return;
    if (!this.members.some((m) => m.id === target)) throw new RaftRefusal('invalid', `${target} is not a member`);
    if (this.leadTransferee === target) return;
    this.leadTransferee = target;
    this.transferElapsed = 0;
    const pr = this.progress.get(target)!;
    if (pr.match === this.log.lastIndex()) this.send(message({ type: 'timeout-now', from: this.id, to: target, term: this.term }));
    else this.sendAppend(target);
  }

  /** The most up-to-date follower, for a transfer without a named target. */
  bestTransferTarget(): string | null {
    let best: string | null = null;
    let bestMatch = -1;
    for (const [id, pr] of this.progress) {
      if (pr.match > bestMatch) {
        best = id;
        bestMatch = pr.match;
      }
    }
    return best;
  }

  /** Records that the host persisted a snapshot of the state machine at `index` (<= applied); drops older entries. */
  compact(index: number, data: Uint8Array): Snapshot {
    if (index <= this.log.snapshot.index) return this.log.snapshot;
    if (index > this.log.applied) throw new Error(`invariant broken: snapshot at ${index} past applied ${this.log.applied}`);
    const snapshot: Snapshot = { index, term: this.log.term(index)!, members: this.membersAt(index), data };
    this.log.compact(snapshot);
    return snapshot;
  }

  /** Feeds one message from a peer. */
  step(m: Message): void {
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'pre-vote') {
        // Leader lease (check-quorum): while we hear from a live leader, ignore disruptive candidates.
        const inLease = this.config.checkQuorum && this.leaderId !== null && this.electionElapsed < this.config.electionTicks;
        if (!m.force && inLease) return;
      }
      if (m.type === 'pre-vote') {
        // A pre-vote never changes our term.
      } else if (m.type === 'pre-vote-resp' && !m.reject) {
        // A granted pre-vote carries the future term; it is counted below, not adopted.
      } else {
        const fromLeader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
        this.becomeFollower(m.term, fromLeader ? m.from : null);
      }
    } else if (m.term < this.term) {
      if ((this.config.checkQuorum || this.config.preVote) && (m.type === 'append' || m.type === 'heartbeat')) {
        // A stale leader learns the newer term from this reply and steps down.
        this.send(message({ type: 'append-resp', from: this.id, to: m.from, term: this.term }));
      } else if (m.type === 'pre-vote') {
        this.send(message({ type: 'pre-vote-resp', from: this.id, to: m.from, term: this.term, reject: true }));
      }
      return;
    }

    if (m.type === 'vote' || m.type === 'pre-vote') {
      this.handleVoteRequest(m);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'candidate':
      case 'pre-candidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
    this.maybeEndRecovery();
  }

  /**
   * Recovery ends once this node's commit index reaches an entry of a term after the one it may have lost entries
   * of: such an entry was committed by a later leader, whose log held every entry committed in earlier terms, and
   * this node's log now matches that leader's up to it. A node alone in its cluster has nobody to learn from: what
   * it lost is lost, and it must lead again.
   */
  /**
   * Whether recovering limits this node's votes: with an odd number of members, its vote can be the one that makes
   * a quorum, and the quorum without it need not hold the entries it lost; with an even number, every quorum it is
   * in also has a member of the commit quorum besides it (see recoveringTerm and docs/raft.md).
   */
  private recoveryLimitsVotes(): boolean {
    return this.recoveringTerm !== 0 && this.members.length % 2 === 1;
  }

  private maybeEndRecovery(): void {
    if (this.recoveringTerm === 0) return;
    const alone = this.members.length === 1 && this.isMember(this.id);
    if (alone || (this.log.term(this.log.committed) ?? 0) > this.recoveringTerm) this.recoveringTerm = 0;
  }

  // ----- output -----

  hasReady(): boolean {
    return (
      !sameSoft(this.softState(), this.prevSoft) ||
      !sameHard(this.hardState(), this.prevHard) ||
      this.log.unstableFrom <= this.log.lastIndex() ||
      this.log.pendingSnapshot !== null ||
      this.msgs.length > 0 ||
      this.msgsAfterSync.length > 0 ||
      this.readStates.length > 0 ||
      (this.log.pendingSnapshot === null && this.log.applied < this.log.committed)
    );
  }

  /** The next batch of work. Call `advance` with it once done, before asking for another. */
  ready(): Ready {
    const soft = this.softState();
    const hard = this.hardState();
    const entries = this.log.unstableEntries();
    const snapshot = this.log.pendingSnapshot;
    const sync = mustSync(hard, this.prevHard, entries.length, snapshot !== null);
    let syncDeferrable =
      this.config.quorumMemory === true &&
      this.role === 'leader' &&
      entries.length > 0 &&
      snapshot === null &&
      hard.term === this.prevHard.term &&
      hard.vote === this.prevHard.vote &&
      this.msgsAfterSync.length === 0;
    let deferredSyncTerm: number | null = null;
    if (syncDeferrable && this.deferredSyncTerm !== this.term) {
      // The first deferred write of a term is preceded by the mark, durably: a crash from here on may take entries
      // this node counted, and after it the node must know to recover before voting.
      deferredSyncTerm = this.term;
      syncDeferrable = false;
    } else if (
      sync &&
      !syncDeferrable &&
      this.deferredSyncTerm !== 0 &&
      this.recoveringTerm === 0 &&
      !this.leadsTerm(this.deferredSyncTerm)
    ) {
      // This batch is fsynced, and with it everything written before (the host's rule): no counted entry is left
      // unsynced, so the mark can go.
      deferredSyncTerm = 0;
    }
    const rd: Ready = {
      softState: sameSoft(soft, this.prevSoft) ? null : soft,
      hardState: sameHard(hard, this.prevHard) ? null : hard,
      entries,
      snapshot,
      // prevHard is the hard state of the last Ready advanced, which the host synced whenever its term or vote changed.
      mustSync: sync,
      messages: this.msgs,
      messagesAfterSync: this.msgsAfterSync,
      committed: this.log.nextCommitted(MAX_APPLY_BYTES_PER_READY),
      readStates: this.readStates,
      syncDeferrable,
      deferredSyncTerm,
    };
    this.msgs = [];
    this.msgsAfterSync = [];
    this.readStates = [];
    return rd;
  }

  /** The host has persisted, sent and applied `rd`. */
  advance(rd: Ready): void {
    if (rd.softState) this.prevSoft = rd.softState;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.deferredSyncTerm !== null) this.deferredSyncTerm = rd.deferredSyncTerm;
    if (rd.snapshot) {
      if (this.log.pendingSnapshot === rd.snapshot) this.log.pendingSnapshot = null;
      this.log.applied = Math.max(this.log.applied, rd.snapshot.index);
      this.log.stableIndex = Math.max(this.log.stableIndex, rd.snapshot.index);
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1];
      // The host does not step the node between ready() and advance(), so these entries are still in the log.
      if (this.log.term(last.index) !== last.term) throw new Error('invariant broken: log changed between ready and advance');
      this.log.stableIndex = last.index;
      this.log.unstableFrom = last.index + 1;
    }
    if (rd.committed.length > 0) this.log.applied = rd.committed[rd.committed.length - 1].index;
    if (this.role === 'leader') this.maybeCommitAndPropagate();
  }

  /**
   * The highest index a majority holds on disk, given this leader's own durable index (the host knows it: in
   * quorum-memory mode the leader's log runs ahead of its fsyncs). Followers acknowledge only what they have
   * fsynced, so their match indexes are durable. 0 on a non-leader.
   */
  durableQuorumIndex(ownDurableIndex: number): number {
    if (this.role !== 'leader') return 0;
    return majorityValue(this.members.map((m) => (m.id === this.id ? ownDurableIndex : (this.progress.get(m.id)?.match ?? 0))));
  }

  /** The deferred-sync mark as the log holds it (0: none; see Ready.deferredSyncTerm). */
  get deferredSyncMark(): number {
    return this.deferredSyncTerm;
  }

  /** Whether the leader has committed an entry of its own term (its commit index covers everything acknowledged before it). */
  hasCommittedInTerm(): boolean {
    return this.role === 'leader' && this.committedInTerm();
  }

  private leadsTerm(term: number): boolean {
    return this.role === 'leader' && this.term === term;
  }

  softState(): SoftState {
    return { leaderId: this.leaderId, role: this.role, term: this.term };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  isMember(id: string): boolean {
    return this.members.some((m) => m.id === id);
  }

  /** Progress of each follower, for status and tests. */
  followerMatch(): Map<string, number> {
    return new Map([...this.progress].map(([id, pr]) => [id, pr.match]));
  }

  /**
   * Each follower's match index and whether the leader heard from it in the current or the last check-quorum round
   * (recentActive is reset every round, so one round's flag alone would blink).
   */
  followerProgress(): Array<{ id: string; matchIndex: number; reachable: boolean }> {
    return [...this.progress].map(([id, pr]) => ({ id, matchIndex: pr.match, reachable: pr.recentActive || this.activeLastRound.has(id) }));
  }

  // ----- roles -----

  private tickLeader(): void {
    this.leaderTicks++;
    this.heartbeatElapsed++;
    this.electionElapsed++;
    for (const [id, pr] of this.progress) {
      if (pr.state !== 'snapshot') continue;
      // A snapshot that got no reply within an election timeout is presumed lost: probe again (and resend).
      const elapsed = (this.snapshotElapsed.get(id) ?? 0) + 1;
      this.snapshotElapsed.set(id, elapsed);
      if (elapsed >= this.config.electionTicks) {
        this.snapshotElapsed.delete(id);
        pr.becomeProbe();
      }
    }
    if (this.leadTransferee !== null && ++this.transferElapsed >= this.config.electionTicks) {
      this.leadTransferee = null;
    }
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.term, null);
        return;
      }
      this.activeLastRound = new Set([...this.progress].filter(([, pr]) => pr.recentActive).map(([id]) => id));
      for (const pr of this.progress.values()) pr.recentActive = false;
    }
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      // With lease reads each heartbeat carries a new sequence, so its acknowledgements renew the lease.
      if (this.config.leaseReads) this.readSeq++;
      this.broadcastHeartbeat();
    }
  }

  private campaign(kind: 'pre-vote' | 'vote', force: boolean): void {
    if (kind === 'pre-vote') {
      this.role = 'pre-candidate';
      this.leaderId = null;
      this.votes.clear();
      this.resetElectionTimeout();
    } else {
      this.resetTerm(this.term + 1);
      this.vote = this.id;
      this.role = 'candidate';
      this.votes.clear();
    }
    const term = kind === 'pre-vote' ? this.term + 1 : this.term;
    if (this.poll(this.id, true) === 'won') {
      if (kind === 'pre-vote') this.campaign('vote', force);
      else this.becomeLeader();
      return;
    }
    for (const member of this.members) {
      if (member.id === this.id) continue;
      this.send(
        message({ type: kind, from: this.id, to: member.id, term, index: this.log.lastIndex(), logTerm: this.log.lastTerm(), force }),
      );
    }
  }

  private poll(from: string, granted: boolean): 'won' | 'lost' | 'pending' {
    if (!this.votes.has(from)) this.votes.set(from, granted);
    let yes = 0;
    let no = 0;
    // Recovering, our log may lack entries we helped commit: only a quorum of the others can vouch for it.
    const selfCounts = !this.recoveryLimitsVotes();
    for (const member of this.members) {
      if (member.id === this.id && !selfCounts) continue;
      const v = this.votes.get(member.id);
      if (v === true) yes++;
      else if (v === false) no++;
    }
    const q = quorumSize(this.members.length);
    return yes >= q ? 'won' : no >= q ? 'lost' : 'pending';
  }

  private becomeFollower(term: number, leader: string | null): void {
    if (term !== this.term) this.resetTerm(term);
    this.role = 'follower';
    this.leaderId = leader;
    this.electionElapsed = 0;
    this.resetElectionTimeout();
    this.progress.clear();
    this.leadTransferee = null;
    this.pendingReads = [];
    this.waitingReads = [];
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.id;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.progress.clear();
    this.activeLastRound.clear();
    this.heartbeatSentAt.clear();
    this.leaseUntilTick = 0;
    this.syncProgress();
    for (const pr of this.progress.values()) pr.recentActive = true;
    // Entries of earlier terms commit only through an entry of ours (5.4.2); the no-op also makes ReadIndex safe.
    this.appendLocal('empty', new Uint8Array(0));
    // No membership change until everything up to and including the no-op commits (the single-server change bug).
    this.pendingConfigIndex = this.log.lastIndex();
    this.broadcastAppend();
    this.maybeCommitAndPropagate();
  }

  private resetTerm(term: number): void {
    this.term = term;
    this.vote = null;
  }

  private resetElectionTimeout(): void {
    this.randomizedElectionTimeout = this.config.electionTicks + this.random.int(this.config.electionTicks);
  }

  private promotable(): boolean {
    return this.isMember(this.id) && this.log.pendingSnapshot === null;
  }

  private requireLeader(): void {
    if (this.role !== 'leader') throw new RaftRefusal('not-leader', 'not the leader');
  }

  // ----- message handling -----

  private handleVoteRequest(m: Message): void {
    const respType = m.type === 'vote' ? 'vote-resp' : 'pre-vote-resp';
    const canVote = this.vote === m.from || (this.vote === null && this.leaderId === null) || (m.type === 'pre-vote' && m.term > this.term);
    // Recovering, our log may lack entries we helped commit in recoveringTerm: only a log that goes on past that term
    // is sure to hold them (see recoveringTerm).
    const recoveryAllows = !this.recoveryLimitsVotes() || m.logTerm > this.recoveringTerm;
    if (canVote && recoveryAllows && this.log.isUpToDate(m.index, m.logTerm)) {
      // A pre-vote answer carries the candidate's future term, so it is not mistaken for a stale reply.
      this.send(message({ type: respType, from: this.id, to: m.from, term: m.term }));
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send(message({ type: respType, from: this.id, to: m.from, term: this.term, reject: true }));
    }
  }

  private stepLeader(m: Message): void {
    const pr = this.progress.get(m.from);
    if (!pr) return;
    pr.recentActive = true;
    if (m.type === 'append-resp') this.handleAppendResponse(m, pr);
    else if (m.type === 'heartbeat-resp') this.handleHeartbeatResponse(m, pr);
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'append':
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        break;
      case 'snapshot':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        break;
      case 'pre-vote-resp':
      case 'vote-resp': {
        if ((m.type === 'pre-vote-resp') !== (this.role === 'pre-candidate')) return;
        const result = this.poll(m.from, !m.reject);
        if (result === 'won') {
          if (this.role === 'pre-candidate') this.campaign('vote', false);
          else this.becomeLeader();
        } else if (result === 'lost') {
          this.becomeFollower(this.term, null);
        }
        break;
      }
      default:
        break;
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
        this.electionElapsed = 0;
        this.leaderId = m.from;
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.leaderId = m.from;
        this.handleHeartbeat(m);
        break;
      case 'snapshot':
        this.electionElapsed = 0;
        this.leaderId = m.from;
        this.handleSnapshot(m);
        break;
      case 'timeout-now':
        // Leader transfer: campaign at once, skipping pre-vote, and tell voters to ignore their leader lease.
        if (this.promotable()) this.campaign('vote', true);
        break;
      default:
        break;
    }
  }

  private handleAppend(m: Message): void {
    this.checkAgreesWithCommitted(m);
    if (m.index < this.log.committed) {
      this.send(message({ type: 'append-resp', from: this.id, to: m.from, term: this.term, index: this.log.committed }));
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew === null) {
      this.send(
        message({
          type: 'append-resp',
          from: this.id,
          to: m.from,
          term: this.term,
          index: m.index,
          reject: true,
          rejectHint: this.log.lastIndex(),
        }),
      );
      return;
    }
    // A config entry arrived, or one above the match point may have been truncated away.
    if (m.entries.some((e) => e.type === 'config') || this.lastConfigIndex > m.index) {
      this.recomputeMembers();
    }
    this.send(message({ type: 'append-resp', from: this.id, to: m.from, term: this.term, index: lastNew }));
  }

  /**
   * The leader's log holds every committed entry, so its append must agree with ours at and below our commit index;
   * if not, our log is not the committed log and this node stops (LogDivergence) instead of serving it, or
   * answering the leader's probes with a commit index that matches nothing.
   */
  private checkAgreesWithCommitted(m: Message): void {
    const committed = this.log.committed;
    if (m.index <= committed) {
      const local = this.log.term(m.index);
      if (local !== undefined && local !== m.logTerm) throw new LogDivergence(m.index, local, m.logTerm, committed);
    }
    for (const e of m.entries) {
      if (e.index > committed) break;
      const local = this.log.term(e.index);
      if (local !== undefined && local !== e.term) throw new LogDivergence(e.index, local, e.term, committed);
    }
  }

  private handleHeartbeat(m: Message): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send(message({ type: 'heartbeat-resp', from: this.id, to: m.from, term: this.term, context: m.context }));
  }

  private handleSnapshot(m: Message): void {
    const snap = m.snapshot!;
    if (snap.index <= this.log.committed) {
      this.send(message({ type: 'append-resp', from: this.id, to: m.from, term: this.term, index: this.log.committed }));
      return;
    }
    if (this.log.matchTerm(snap.index, snap.term)) {
      // We already hold the snapshot's last entry: just fast-forward the commit. Acknowledge only up to it: entries
      // after it may still differ from the leader's.
      this.log.commitTo(snap.index);
      this.send(message({ type: 'append-resp', from: this.id, to: m.from, term: this.term, index: this.log.committed }));
      return;
    }
    this.log.restore(snap);
    this.recomputeMembers();
    this.send(message({ type: 'append-resp', from: this.id, to: m.from, term: this.term, index: snap.index }));
  }

  private handleAppendResponse(m: Message, pr: Progress): void {
    if (m.reject) {
      if (pr.maybeDecrease(m.index, m.rejectHint)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) {
      if (wasPaused && !pr.isPaused()) this.sendAppends(m.from);
      return;
    }
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      this.snapshotElapsed.delete(m.from);
      pr.becomeReplicate();
    }
    if (!this.maybeCommitAndPropagate()) {
      // A follower that was paused may not know the commit index yet: an empty append carries it.
      if (wasPaused) this.sendAppend(m.from, true);
      this.sendAppends(m.from);
    }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
      this.send(message({ type: 'timeout-now', from: this.id, to: m.from, term: this.term }));
    }
  }

  private handleHeartbeatResponse(m: Message, pr: Progress): void {
    pr.probeSent = false;
    // A full window after a heartbeat round trip means appends were lost: free a slot so replication resumes.
    if (pr.state === 'replicate' && pr.inflights.length > 0 && pr.isPaused()) pr.inflights.shift();
    // A follower behind the log gets an append even if `next` ran ahead (lost appends): its rejection reveals the gap.
    if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, true);
    if (m.context > pr.readAck) {
      pr.readAck = m.context;
      this.releaseReads();
    }
  }

  // ----- replication -----

  private proposeEntry(type: EntryType, data: Uint8Array): { index: number; term: number } {
    this.requireLeader();
    if (this.leadTransferee !== null) throw new RaftRefusal('transferring', 'leadership is being transferred');
    const entry = this.appendLocal(type, data);
    if (type === 'config') this.pendingConfigIndex = entry.index;
    this.broadcastAppend();
    return { index: entry.index, term: entry.term };
  }

  private appendLocal(type: EntryType, data: Uint8Array): Entry {
    const entry: Entry = { term: this.term, index: this.log.lastIndex() + 1, type, data };
    this.log.append([entry]);
    if (type === 'config') {
      this.recomputeMembers();
      this.syncProgress();
    }
    return entry;
  }

  private broadcastAppend(): void {
    for (const id of this.progress.keys()) this.sendAppends(id);
  }

  /** Sends as many appends as the follower's window allows (pipelining in replicate state). */
  private sendAppends(to: string): void {
    const pr = this.progress.get(to);
    if (!pr) return;
    do {
      if (!this.sendAppend(to)) return;
    } while (pr.state === 'replicate' && pr.next <= this.log.lastIndex() && !pr.isPaused());
  }

  /**
   * Sends one append (or the snapshot when the entries it needs are compacted); false when nothing was sent. An empty
   * append only goes out when `sendIfEmpty` (to carry a new commit index).
   */
  private sendAppend(to: string, sendIfEmpty = false): boolean {
    const pr = this.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === undefined) {
      const snap = this.log.snapshot;
      pr.becomeSnapshot(snap.index);
      this.snapshotElapsed.set(to, 0);
      this.send(message({ type: 'snapshot', from: this.id, to, term: this.term, snapshot: snap }));
      return true;
    }
    const entries = this.log.slice(pr.next, this.log.lastIndex(), this.config.maxMessageBytes);
    if (entries.length === 0 && pr.state === 'replicate' && !sendIfEmpty) return false;
    this.send(
      message({
        type: 'append',
        from: this.id,
        to,
        term: this.term,
        index: prevIndex,
        logTerm: prevTerm,
        entries,
        commit: this.log.committed,
      }),
    );
    pr.sentAppend(prevIndex + entries.length, entries.length);
    return true;
  }

  private broadcastHeartbeat(): void {
    if (!this.heartbeatSentAt.has(this.readSeq)) this.heartbeatSentAt.set(this.readSeq, this.leaderTicks);
    for (const [id, pr] of this.progress) {
      this.send(
        message({
          type: 'heartbeat',
          from: this.id,
          to: id,
          term: this.term,
          commit: Math.min(pr.match, this.log.committed),
          context: this.readSeq,
        }),
      );
    }
  }

  /** Advances the commit index by the quorum rule; on change, tells followers and answers waiting reads. */
  private maybeCommitAndPropagate(): boolean {
    const matches = this.members.map((m) => (m.id === this.id ? this.log.stableIndex : (this.progress.get(m.id)?.match ?? 0)));
    const candidate = majorityValue(matches);
    if (candidate <= this.log.committed || this.log.term(candidate) !== this.term) return false;
    const hadCommittedInTerm = this.committedInTerm();
    this.log.commitTo(candidate);
    if (!hadCommittedInTerm) {
      const waiting = this.waitingReads;
      this.waitingReads = [];
      for (const requestId of waiting) this.startRead(requestId);
    }
    if (!this.isMember(this.id) && this.log.committed >= this.lastConfigIndex) {
      // Our own removal has committed: hand over at once instead of leaving the cluster to time out.
      const target = this.bestTransferTarget();
      if (target !== null) this.send(message({ type: 'timeout-now', from: this.id, to: target, term: this.term }));
      this.becomeFollower(this.term, null);
      return true;
    }
    // No empty append just to carry the new commit index: followers learn it from the next append or heartbeat.
    // Under load that is the next batch's append anyway; a lone commit's extra message and its answer would cost
    // each follower and the leader a turn of work (and CPU the next proposal waits for) to apply sooner a state
    // nobody reads there. Appends the window held back go now.
    for (const id of this.progress.keys()) this.sendAppends(id);
    return true;
  }

  private committedInTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  private quorumActive(): boolean {
    let active = 0;
    for (const m of this.members) if (m.id === this.id || this.progress.get(m.id)?.recentActive) active++;
    return active >= quorumSize(this.members.length);
  }

  // ----- reads -----

  private startRead(requestId: number): void {
    const index = this.log.committed;
    if (this.members.length === 1 && this.isMember(this.id)) {
      this.readStates.push({ requestId, index });
      return;
    }
    this.readSeq++;
    this.pendingReads.push({ requestId, index, seq: this.readSeq });
    this.broadcastHeartbeat();
  }

  private releaseReads(): void {
    const acked = majorityValue(
      this.members.map((m) => (m.id === this.id ? Number.MAX_SAFE_INTEGER : (this.progress.get(m.id)?.readAck ?? 0))),
    );
    // A quorum has seen heartbeat `acked`: nobody else can lead until an election timeout after it went out.
    const sentAt = acked > 0 ? this.heartbeatSentAt.get(acked) : undefined;
    if (sentAt !== undefined) this.leaseUntilTick = Math.max(this.leaseUntilTick, sentAt + leaseTicks(this.config.electionTicks));
    for (const seq of this.heartbeatSentAt.keys()) if (seq <= acked) this.heartbeatSentAt.delete(seq);
    if (this.pendingReads.length === 0) return;
    while (this.pendingReads.length > 0 && this.pendingReads[0].seq <= acked) {
      const r = this.pendingReads.shift()!;
      this.readStates.push({ requestId: r.requestId, index: r.index });
    }
  }

  // ----- membership -----

  /** Members in effect at `index`: the snapshot's, then every config entry up to `index`. */
  private membersAt(index: number): Member[] {
    let members = this.log.snapshot.members;
    for (let i = this.log.firstIndex(); i <= Math.min(index, this.log.lastIndex()); i++) {
      const e = this.log.entry(i)!;
      if (e.type === 'config') members = applyConfigChange(members, decodeConfigChange(e.data));
    }
    return members;
  }

  private recomputeMembers(): void {
    let members = this.log.snapshot.members;
    this.lastConfigIndex = 0;
    for (const e of this.log.entries) {
      if (e.type !== 'config') continue;
      members = applyConfigChange(members, decodeConfigChange(e.data));
      this.lastConfigIndex = e.index;
    }
    this.members = members;
    if (this.role === 'leader') this.syncProgress();
  }

  /** Keeps one Progress per member other than us. */
  private syncProgress(): void {
    const ids = new Set(this.members.map((m) => m.id));
    for (const id of [...this.progress.keys()]) if (!ids.has(id)) this.progress.delete(id);
    for (const id of ids) {
      if (id === this.id || this.progress.has(id)) continue;
      const pr = new Progress(this.log.lastIndex() + 1, this.config.maxInflightMessages);
      pr.recentActive = true;
      this.progress.set(id, pr);
    }
    if (this.leadTransferee !== null && !ids.has(this.leadTransferee)) this.leadTransferee = null;
  }

  /** Queues a message for the next Ready, on the side of the fsync its type requires (see waitsForSync). */
  private send(m: Message): void {
    if (waitsForSync(m.type)) this.msgsAfterSync.push(m);
    else this.msgs.push(m);
  }
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.leaderId === b.leaderId && a.role === b.role && a.term === b.term;
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
