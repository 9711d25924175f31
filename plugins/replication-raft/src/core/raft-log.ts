// The in-memory view of the replicated log: entries after the last snapshot, commit and applied marks, and which
// entries the host has made durable.
import type { Entry, Snapshot } from './types';

function entryBytes(e: Entry): number {
  return e.data.byteLength + 24;
}

/**
 * A leader's entries conflict with one this node holds as committed: its log is not the committed log (a disk that
 * lost or changed acknowledged entries, or a bug). The node must stop rather than serve a different history.
 */
export class LogDivergence extends Error {
  constructor(
    readonly index: number,
    readonly localTerm: number | undefined,
    readonly leaderTerm: number,
    readonly committed: number,
  ) {
    super(
      `this master's Raft log diverges from the committed log at index ${index} (term ${localTerm ?? 'none'} here, term ${leaderTerm} ` +
        `from the leader) at or below its commit index ${committed}: its disk lost or changed entries it had acknowledged, so it ` +
        'stops rather than serve a different history. Recover it as a member with an empty log (docs/operations.md, ' +
        '"Recovering a master whose Raft log is damaged")',
    );
  }
}

/**
 * Entries `snapshot.index + 1 ..= lastIndex()`. `stableIndex` is the last index the host has persisted; entries above
 * `unstableFrom - 1` have not yet been handed to the host. Commit never decreases and never passes the log's end.
 */
export class RaftLog {
  snapshot: Snapshot;
  entries: Entry[] = [];
  committed: number;
  applied: number;
  /** Last index known durable on this node. */
  stableIndex: number;
  /** First index not yet handed out in a Ready for persistence. */
  unstableFrom: number;
  /** A snapshot received from the leader, not yet handed to the host. */
  pendingSnapshot: Snapshot | null = null;

  constructor(snapshot: Snapshot, entries: Entry[], committed: number) {
    this.snapshot = snapshot;
    this.entries = entries.filter((e) => e.index > snapshot.index);
    for (let i = 0; i < this.entries.length; i++) {
      if (this.entries[i].index !== snapshot.index + 1 + i) throw new Error(`invariant broken: log gap at ${snapshot.index + 1 + i}`);
    }
    this.committed = Math.max(committed, snapshot.index);
    this.applied = snapshot.index;
    this.stableIndex = this.lastIndex();
    this.unstableFrom = this.lastIndex() + 1;
  }

  firstIndex(): number {
    return this.snapshot.index + 1;
  }

  lastIndex(): number {
    return this.snapshot.index + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex())!;
  }

  /** The term of entry `index`, or undefined when it is compacted away or past the end. */
  term(index: number): number | undefined {
    if (index === this.snapshot.index) return this.snapshot.term;
    if (index < this.snapshot.index || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapshot.index - 1].term;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.snapshot.index || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapshot.index - 1];
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Section 5.4.1: a candidate's log is at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Entries [lo, hi] limited to `maxBytes` (at least one entry). */
  slice(lo: number, hi: number, maxBytes = Infinity): Entry[] {
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i <= hi; i++) {
      const e = this.entry(i);
      if (!e) break;
      bytes += entryBytes(e);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(e);
    }
    return out;
  }

  /** Appends entries, truncating any conflicting suffix first. Never truncates committed entries. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0].index;
    if (first <= this.committed) throw new LogDivergence(first, this.term(first), entries[0].term, this.committed);
    if (first > this.lastIndex() + 1) throw new Error(`invariant broken: append leaves a gap at ${first}`);
    this.entries.length = first - this.snapshot.index - 1;
    for (const e of entries) this.entries.push(e);
    this.unstableFrom = Math.min(this.unstableFrom, first);
    this.stableIndex = Math.min(this.stableIndex, first - 1);
  }

  /**
   * The follower side of AppendEntries: if entry `prevIndex` has `prevTerm`, appends the entries that are new or
   * conflict and returns the index of the last entry the leader sent; otherwise null.
   */
  maybeAppend(prevIndex: number, prevTerm: number, commit: number, entries: Entry[]): number | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null;
    const lastNew = prevIndex + entries.length;
    let conflict = -1;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.index <= this.snapshot.index) continue;
      if (!this.matchTerm(e.index, e.term)) {
        conflict = i;
        break;
      }
    }
    if (conflict >= 0) this.append(entries.slice(conflict));
    this.commitTo(Math.min(commit, lastNew));
    return lastNew;
  }

  commitTo(index: number): void {
    if (index > this.committed) {
      if (index > this.lastIndex()) throw new Error(`invariant broken: commit ${index} beyond last index ${this.lastIndex()}`);
      this.committed = index;
    }
  }

  /** Replaces the whole log with a snapshot (InstallSnapshot on a follower). */
  restore(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.entries = [];
    this.committed = snapshot.index;
    this.pendingSnapshot = snapshot;
    this.unstableFrom = snapshot.index + 1;
    this.stableIndex = snapshot.index;
  }

  /** Entries handed to the host for persistence by the next Ready. */
  unstableEntries(): Entry[] {
    return this.entries.slice(this.unstableFrom - this.snapshot.index - 1);
  }

  /** Committed entries not yet applied, up to `maxBytes`. */
  nextCommitted(maxBytes: number): Entry[] {
    if (this.pendingSnapshot) return [];
    return this.slice(this.applied + 1, this.committed, maxBytes);
  }

  /** Drops entries up to `snapshot.index`, which the host has persisted as a snapshot. */
  compact(snapshot: Snapshot): void {
    if (snapshot.index <= this.snapshot.index) return;
    if (snapshot.index > this.applied) throw new Error(`invariant broken: compacting ${snapshot.index} past applied ${this.applied}`);
    this.entries = this.entries.slice(snapshot.index - this.snapshot.index);
    this.snapshot = snapshot;
  }
}
