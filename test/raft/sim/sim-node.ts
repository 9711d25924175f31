// A simulated Raft host: the real RaftNode and WAL codec over a simulated disk, following the Ready cycle exactly
// as the plugin's host does (persist, fsync, send, apply, advance), with crash and recovery.
import type { IRandom } from '@mooseng/core';
import {
  RaftNode,
  RaftRefusal,
  decodeRecords,
  encodeRecord,
  replayWal,
  type ConfigChange,
  type Member,
  type Message,
  type RaftConfig,
  type Ready,
  type Snapshot,
} from '@mooseng/plugin-replication-raft';
import { KvStore, type KvCommand } from '../support/kv-store';
import { SimDisk } from './sim-disk';

/** What the host reports to the world for its checkers. */
export interface SimHooks {
  now(): number;
  send(m: Message): void;
  /** Schedules `fn` after the simulated fsync latency. */
  afterFsync(fn: () => void): void;
  onApply(node: SimNode, index: number, digest: string): void;
  onRestore(node: SimNode, index: number, digest: string): void;
  violation(what: string): void;
  /** A deliberate bug, to prove the checkers catch it: acknowledge without ever syncing the disk. */
  skipFsync?: boolean;
}

export type ClientReply = { ok: true; value: string } | { ok: false; code: 'NOT_LEADER' | 'DROPPED'; leaderId: string | null };

/** Entries applied past the last snapshot before the host compacts (small, so InstallSnapshot gets exercised). */
export const SIM_SNAPSHOT_THRESHOLD_ENTRIES = 40;

export class SimNode {
  readonly disk = new SimDisk();
  raft: RaftNode | null = null;
  kv = new KvStore();
  up = false;
  /** Bumped on every crash so callbacks of an earlier life are ignored. */
  incarnation = 0;
  /** Bumped whenever the log changes, so the log-matching checker compares only what moved. */
  logVersion = 0;
  private persisting = false;
  private inbox: (() => void)[] = [];
  private pendingProposals = new Map<number, { term: number; reply: (r: ClientReply) => void }>();
  private pendingReads = new Map<number, { key: string; reply: (r: ClientReply) => void }>();
  private readsAwaitingApply: { index: number; key: string; reply: (r: ClientReply) => void }[] = [];
  private nextRequestId = 1;
  private wasLeader = false;
  /** Term and vote as last synced to the disk. */
  private syncedTerm = -1;
  private syncedVote: string | null = null;

  constructor(
    readonly id: string,
    private readonly bootstrap: Member[],
    private readonly config: RaftConfig,
    private readonly random: IRandom,
    private readonly hooks: SimHooks,
  ) {}

  /** Boots from the disk: newest snapshot, WAL replay with the torn tail cut off. */
  start(): void {
    const decoded = decodeRecords(this.disk.readWal());
    if (decoded.torn) this.disk.truncate(decoded.validBytes);
    const snapshot: Snapshot = this.disk.snapshot ?? { index: 0, term: 0, members: this.bootstrap, data: new Uint8Array(0) };
    const state = replayWal(snapshot, decoded.records);
    if (state.needsReset) {
      this.disk.append(encodeRecord({ type: 'reset', index: snapshot.index, term: snapshot.term }));
      this.disk.append(encodeRecord({ type: 'hard-state', hardState: state.hardState }));
      this.disk.sync();
    }
    this.kv = new KvStore();
    this.kv.restoreSync(snapshot.data);
    this.kv.appliedIndex = snapshot.index;
    if (snapshot.index > 0) this.hooks.onRestore(this, snapshot.index, this.kv.digest());
    this.raft = new RaftNode(this.config, this.random, state);
    this.syncedTerm = state.hardState.term;
    this.syncedVote = state.hardState.vote;
    this.up = true;
    this.persisting = false;
    this.inbox = [];
    this.wasLeader = false;
    this.logVersion++;
    this.drive();
  }

  crash(random: IRandom): void {
    this.up = false;
    this.incarnation++;
    this.raft = null;
    this.inbox = [];
    this.pendingProposals.clear();
    this.pendingReads.clear();
    this.readsAwaitingApply = [];
    this.disk.crash(random);
    this.logVersion++;
  }

  deliver(m: Message): void {
    this.run(() => this.raft!.step(m));
  }

  tick(): void {
    this.run(() => this.raft!.tick());
  }

  /** A client's put or get, answered through `reply` (never, if this node crashes first). */
  request(command: KvCommand, reply: (r: ClientReply) => void): void {
    this.run(() => {
      const raft = this.raft!;
      try {
        if (command.op === 'put') {
          const { index, term } = raft.propose(Buffer.from(JSON.stringify(command), 'utf8'));
          this.pendingProposals.set(index, { term, reply });
        } else {
          const id = this.nextRequestId++;
          this.pendingReads.set(id, { key: command.key, reply });
          raft.readIndex(id);
        }
      } catch (err) {
        if (!(err instanceof RaftRefusal)) throw err;
        reply({ ok: false, code: 'NOT_LEADER', leaderId: raft.leaderId });
      }
    });
  }

  /** An operator's membership change or leader transfer; refusals are simply ignored. */
  admin(action: { change: ConfigChange } | { transferTo: string }): void {
    this.run(() => {
      try {
        if ('change' in action) this.raft!.proposeConfigChange(action.change);
        else this.raft!.transferLeadership(action.transferTo);
      } catch (err) {
        if (!(err instanceof RaftRefusal)) throw err;
      }
    });
  }

  /** Runs an input now, or after the Ready being persisted (the core is never stepped between ready and advance). */
  private run(fn: () => void): void {
    if (!this.up) return;
    if (this.persisting) {
      this.inbox.push(fn);
      return;
    }
    fn();
    this.drive();
  }

  private drive(): void {
    const raft = this.raft;
    if (!this.up || this.persisting || !raft || !raft.hasReady()) return;
    const rd = raft.ready();
    // Persist: snapshot file first (atomic, durable), then the WAL records, which stay volatile until the fsync.
    if (rd.snapshot) this.disk.snapshot = rd.snapshot;
    if (rd.snapshot) this.disk.append(encodeRecord({ type: 'reset', index: rd.snapshot.index, term: rd.snapshot.term }));
    if (rd.entries.length > 0) this.disk.append(encodeRecord({ type: 'entries', entries: rd.entries }));
    if (rd.hardState) this.disk.append(encodeRecord({ type: 'hard-state', hardState: rd.hardState }));
    if (rd.snapshot || rd.entries.length > 0) this.logVersion++;
    // As RaftConsensus does: a Ready that only moves the commit index is not fsynced (a crash may lose it), and a
    // leader whose term and vote are already durable sends before its own fsync.
    const hs = rd.hardState;
    const needsSync = rd.snapshot !== null || rd.entries.length > 0 || (hs !== null && (hs.term !== this.syncedTerm || hs.vote !== this.syncedVote));
    const sendEarly = raft.role === 'leader' && rd.snapshot === null && (hs === null || (hs.term === this.syncedTerm && hs.vote === this.syncedVote));
    if (sendEarly) for (const m of rd.messages) this.hooks.send(m);
    if (!needsSync) {
      this.complete(rd, sendEarly);
      return;
    }
    this.persisting = true;
    const life = this.incarnation;
    this.hooks.afterFsync(() => {
      if (this.incarnation !== life) return;
      if (!this.hooks.skipFsync) this.disk.sync();
      if (hs) {
        this.syncedTerm = hs.term;
        this.syncedVote = hs.vote;
      }
      this.complete(rd, sendEarly);
    });
  }

  private complete(rd: Ready, sent: boolean): void {
    const raft = this.raft!;
    if (!sent) for (const m of rd.messages) this.hooks.send(m);
    if (rd.snapshot) {
      this.kv.restoreSync(rd.snapshot.data);
      this.kv.appliedIndex = rd.snapshot.index;
      this.hooks.onRestore(this, rd.snapshot.index, this.kv.digest());
      this.failPendingUpTo(rd.snapshot.index);
    }
    for (const e of rd.committed) {
      if (e.index !== this.kv.appliedIndex + 1) this.hooks.violation(`${this.id} applied ${e.index} after ${this.kv.appliedIndex}`);
      let result = '';
      if (e.type === 'normal') result = Buffer.from(this.kv.apply(e.data, e.index)).toString('utf8');
      else this.kv.appliedIndex = e.index;
      this.hooks.onApply(this, e.index, this.kv.digest());
      const pending = this.pendingProposals.get(e.index);
      if (pending) {
        this.pendingProposals.delete(e.index);
        pending.reply(pending.term === e.term ? { ok: true, value: result } : { ok: false, code: 'DROPPED', leaderId: raft.leaderId });
      }
    }
    for (const rs of rd.readStates) {
      const pending = this.pendingReads.get(rs.requestId);
      if (!pending) continue;
      this.pendingReads.delete(rs.requestId);
      this.readsAwaitingApply.push({ index: rs.index, key: pending.key, reply: pending.reply });
    }
    this.readsAwaitingApply = this.readsAwaitingApply.filter((r) => {
      if (this.kv.appliedIndex < r.index) return true;
      r.reply({ ok: true, value: this.kv.get(r.key) });
      return false;
    });
    raft.advance(rd);
    this.persisting = false;
    this.noteLeadership();
    this.maybeCompact();
    const inbox = this.inbox;
    this.inbox = [];
    for (const fn of inbox) {
      if (!this.up) return;
      fn();
    }
    this.drive();
  }

  /** On losing leadership, pending proposals may or may not commit: answer DROPPED; reads NOT_LEADER. */
  private noteLeadership(): void {
    const raft = this.raft!;
    const isLeader = raft.role === 'leader';
    if (this.wasLeader && !isLeader) {
      for (const p of this.pendingProposals.values()) p.reply({ ok: false, code: 'DROPPED', leaderId: raft.leaderId });
      this.pendingProposals.clear();
      for (const r of this.pendingReads.values()) r.reply({ ok: false, code: 'NOT_LEADER', leaderId: raft.leaderId });
      this.pendingReads.clear();
    }
    this.wasLeader = isLeader;
  }

  private failPendingUpTo(index: number): void {
    for (const [i, p] of this.pendingProposals) {
      if (i > index) continue;
      this.pendingProposals.delete(i);
      p.reply({ ok: false, code: 'DROPPED', leaderId: this.raft!.leaderId });
    }
  }

  /** Snapshot file first, then the WAL rewritten behind it; both durable, as the real host does. */
  private maybeCompact(): void {
    const raft = this.raft!;
    if (this.kv.appliedIndex - raft.log.snapshot.index < SIM_SNAPSHOT_THRESHOLD_ENTRIES) return;
    const snap = raft.compact(this.kv.appliedIndex, this.kv.snapshotSync());
    this.disk.snapshot = snap;
    const stable = raft.log.entries.filter((e) => e.index <= raft.log.stableIndex);
    const parts = [encodeRecord({ type: 'reset', index: snap.index, term: snap.term })];
    if (stable.length > 0) parts.push(encodeRecord({ type: 'entries', entries: stable }));
    parts.push(encodeRecord({ type: 'hard-state', hardState: raft.hardState() }));
    this.disk.replaceWal(Buffer.concat(parts));
  }
}
