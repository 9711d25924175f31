// Rebuilds a node's persisted Raft state from its snapshot and WAL records (shared by the host and the simulation).
import type { Entry, HardState, Snapshot } from '../core/types';
import type { WalRecord } from './wal-records';

/** A node's persisted state as recovered: what RaftNode starts from, plus whether the log needs a reset. */
export interface ReplayedState {
  hardState: HardState;
  snapshot: Snapshot;
  entries: Entry[];
  /**
   * The WAL does not continue from the snapshot (a crash after the snapshot file was renamed into place but before
   * the WAL said so): the host must log a reset at the snapshot before appending, or the next replay sees a gap.
   */
  needsReset: boolean;
  /** The last deferred-sync mark in the log (0: none or cleared): see RaftInitialState. */
  deferredSyncTerm: number;
}

/**
 * Replays records in order over `snapshot` (the newest snapshot file, or the bootstrap membership). A hard state whose
 * term goes down, or whose vote changes within a term, is refused (thrown), never taken. Entry records
 * replace the log from their first index; a reset drops everything. Entries the snapshot covers are dropped, and if
 * the log disagrees with the snapshot at its index (a crash between installing a leader's snapshot and logging the
 * reset) the whole suffix is dropped, since it came from a diverged log.
 */
export function replayWal(snapshot: Snapshot, records: readonly WalRecord[]): ReplayedState {
  let hardState: HardState = { term: 0, vote: null, commit: 0 };
  let log: Entry[] = [];
  let base = 0;
  let deferredSyncTerm = 0;
  for (const r of records) {
    if (r.type === 'deferred-sync') {
      deferredSyncTerm = r.term;
    } else if (r.type === 'hard-state') {
      // Term and vote only move forward: a log that says otherwise must not be believed, or the node could vote
      // twice in a term. (Damaged records never get here: the CRC and the segment scan stop them.)
      const next = r.hardState;
      if (next.term < hardState.term)
        throw new Error(`invariant broken: the log's hard state goes back from term ${hardState.term} to term ${next.term}`);
      if (next.term === hardState.term && hardState.vote !== null && next.vote !== hardState.vote)
        throw new Error(`invariant broken: the log's vote in term ${next.term} changes from ${hardState.vote} to ${next.vote ?? 'none'}`);
      hardState = next;
    } else if (r.type === 'reset') {
      log = [];
      base = r.index;
    } else if (r.entries.length > 0) {
      const first = r.entries[0].index;
      if (log.length === 0) {
        if (first > base + 1 && base !== 0) throw new Error(`invariant broken: WAL gap: entries from ${first} after base ${base}`);
        base = first - 1;
      } else if (first > base + log.length + 1) {
        throw new Error(`invariant broken: WAL gap: entries from ${first} after ${base + log.length}`);
      }
      log.length = Math.max(0, first - base - 1);
      for (const e of r.entries) log.push(e);
    }
  }
  const atSnapshot = log.find((e) => e.index === snapshot.index);
  let entries = log.filter((e) => e.index > snapshot.index);
  let needsReset = base + log.length < snapshot.index;
  if (atSnapshot && atSnapshot.term !== snapshot.term) {
    entries = [];
    needsReset = true;
  }
  if (entries.length > 0 && entries[0].index !== snapshot.index + 1)
    throw new Error(`invariant broken: WAL starts at ${entries[0].index}, after snapshot ${snapshot.index}`);
  hardState = { ...hardState, commit: Math.max(hardState.commit, snapshot.index) };
  if (hardState.term < snapshot.term) hardState = { term: snapshot.term, vote: null, commit: hardState.commit };
  return { hardState, snapshot, entries, needsReset: needsReset && snapshot.index > 0, deferredSyncTerm };
}
