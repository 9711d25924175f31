// The durable Raft log: batches of records appended to numbered segment files, one fsync per batch (group commit),
// a torn final batch cut on recovery and damage anywhere else refused, and whole segments deleted once a snapshot
// covers them. All file access goes through a RaftFileSystem, so the simulation runs this very code on a disk that
// loses unsynced writes.
import { join } from 'node:path';
import { ErrorCodes, MoosengError, toMoosengError } from '@mooseng/core';
import type { HardState } from '../core/types';
import type { RaftFile, RaftFileSystem } from './file-system';
import { scanSegment, type SegmentDamage } from './segment-scan';
import { encodeBatch, fitToRecords, type WalRecord } from './wal-records';

const SEGMENT_PATTERN = /^wal-(\d{16})\.log$/;

function segmentName(seq: number): string {
  return `wal-${String(seq).padStart(16, '0')}.log`;
}

interface SegmentInfo {
  seq: number;
  path: string;
  /** Highest entry index written in it (0 when none). */
  maxIndex: number;
  /** Its size; the current segment's grows with each append. */
  bytes: number;
}

/** Where and how a SegmentWal keeps its segments. */
export interface SegmentWalOptions {
  /** The file system holding the segments (NodeFileSystem outside simulations). */
  fs: RaftFileSystem;
  dir: string;
  /** Start a new segment once the current one exceeds this size. */
  segmentBytes: number;
  /** fsync after each batch; off only for throwaway test clusters. */
  fsync: boolean;
}

/** What `open` recovered. */
export interface WalRecovery {
  records: WalRecord[];
  /** Bytes cut off the last segment's tail (a final write torn by a crash). */
  truncatedBytes: number;
  /** Where the cut was made and what was there, when something was cut. */
  cut: (SegmentDamage & { path: string }) | null;
}

/** The log as numbered segment files in one directory; see the file comment. */
export class SegmentWal {
  private segments: SegmentInfo[] = [];
  private current: RaftFile | null = null;
  private currentBytes = 0;
  /** Deferred appends made, and how many of them a completed fsync covers: the log is durable when they are equal. */
  private deferredWrites = 0;
  private syncedWrites = 0;
  /** The fsync in flight (one at a time: each promises what was written before it was called). */
  private syncing: Promise<void> | null = null;

  constructor(private readonly options: SegmentWalOptions) {}

  /**
   * Reads every segment in order. Damage to the final batch of the last segment is a write torn by a crash (that
   * batch's fsync never completed, so nothing in it was acknowledged): it is cut off. Damage anywhere else is
   * corruption of what may have been acknowledged, and opening fails with IO_ERROR naming the file and the byte
   * offset, cutting nothing (see segment-scan.ts for how the two are told apart).
   */
  async open(): Promise<WalRecovery> {
    const { dir, fs } = this.options;
    await fs.mkdirp(dir);
    // An earlier process may have died after creating a segment (or renaming a snapshot into place) but before
    // fsyncing the directory: its entries are still only in the page cache, and nothing would sync them later.
    // Make them durable before acting on them (the host reads the snapshot from this directory after open).
    if (this.options.fsync) await fs.syncDir(dir);
    const seqs = (await fs.list(dir))
      .map((f) => SEGMENT_PATTERN.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    // Compaction deletes the oldest segments only: a hole means a lost file, and with it entries or a vote.
    for (let i = 1; i < seqs.length; i++) {
      if (seqs[i] !== seqs[i - 1] + 1) {
        throw new MoosengError(
          ErrorCodes.IO_ERROR,
          `Raft log segment ${join(dir, segmentName(seqs[i - 1] + 1))} is missing (the log has ${segmentName(seqs[i - 1])} and ` +
            `${segmentName(seqs[i])}), so this master will not start. ${recoveryAdvice(dir)}`,
        );
      }
    }
    const records: WalRecord[] = [];
    let truncatedBytes = 0;
    let cut: WalRecovery['cut'] = null;
    for (let i = 0; i < seqs.length; i++) {
      const path = join(dir, segmentName(seqs[i]));
      const buf = (await fs.read(path)) ?? Buffer.alloc(0);
      const scan = scanSegment(buf);
      if (scan.damage) {
        const last = i === seqs.length - 1;
        // Without fsync nothing was promised durable, so the last segment's damage is cut whatever follows it.
        if (!last || (!scan.damage.tornTail && this.options.fsync)) throw corruptSegment(path, dir, scan.damage, last);
        truncatedBytes = buf.length - scan.validBytes;
        cut = { ...scan.damage, path };
        await fs.truncate(path, scan.validBytes);
      }
      let maxIndex = 0;
      for (const r of scan.records) {
        if (r.type === 'entries' && r.entries.length > 0) maxIndex = Math.max(maxIndex, r.entries[r.entries.length - 1].index);
        records.push(r);
      }
      this.segments.push({ seq: seqs[i], path, maxIndex, bytes: scan.validBytes });
    }
    const last = this.segments[this.segments.length - 1];
    if (last) {
      this.current = await fs.openAppend(last.path);
      this.currentBytes = await this.current.size();
      // Before anything is appended after what was read: the cut must be durable, or a crash could bring the torn
      // bytes back in the middle of the log; and an earlier process's last batch may still be only in the page
      // cache (it was killed during its fsync), where a crash could tear it with a later batch intact after it.
      if (this.options.fsync) await this.current.sync();
      // A crash while rotating can leave the new segment without the hard state it begins with, and compaction
      // would then delete the only copies of the term and vote: write it again.
      const hardState = records.findLast((r) => r.type === 'hard-state');
      if (this.currentBytes === 0 && this.segments.length > 1 && hardState) await this.append([hardState], hardState.hardState);
    } else {
      await this.rotate(null);
    }
    return { records, truncatedBytes, cut };
  }

  /**
   * Appends a batch of records with one write and (when enabled) one fsync, and resolves once it is durable. Every
   * batch is fsynced before the next is written: recovery relies on it, since only the final batch can then be torn.
   * `hardState` is the state after the batch: it heads the next segment when this one is full, so deleting old
   * segments never loses it.
   */
  async append(records: WalRecord[], hardState: HardState, options: { deferFsync?: boolean } = {}): Promise<void> {
    if (records.length === 0) return;
    const cur = this.current;
    if (!cur) throw new MoosengError(ErrorCodes.UNAVAILABLE, 'Raft log is closed');
    const deferred = options.deferFsync === true && this.options.fsync;
    // Encoded whole before the write: a batch the format cannot hold fails here, with nothing written.
    const buf = encodeBatch(fitToRecords(records), deferred);
    try {
      if (!this.options.fsync) await cur.append(buf);
      else if (deferred) {
        this.deferredWrites++;
        await cur.append(buf);
      } else {
        // A fsynced batch must follow only durable ones (recovery takes damage before a fsynced batch for
        // corruption): let an fsync under way finish first; appendSynced then syncs whatever it did not cover.
        await this.syncing?.catch(() => undefined);
        const covered = this.deferredWrites;
        await cur.appendSynced(buf);
        this.syncedWrites = Math.max(this.syncedWrites, covered);
      }
    } catch (err) {
      throw toMoosengError(err, 'writing the Raft log');
    }
    this.currentBytes += buf.length;
    const seg = this.segments[this.segments.length - 1];
    seg.bytes += buf.length;
    for (const r of records) {
      if (r.type === 'entries' && r.entries.length > 0) seg.maxIndex = Math.max(seg.maxIndex, r.entries[r.entries.length - 1].index);
    }
    if (this.currentBytes >= this.options.segmentBytes) await this.rotate(hardState);
  }

  /**
   * Makes every batch appended before the call durable (one fsync at a time, queued behind one under way). The
   * host runs it in the background for the deferred batches of sync: quorum-memory.
   */
  sync(): Promise<void> {
    if (!this.options.fsync || this.syncedWrites === this.deferredWrites) return this.syncing ?? Promise.resolve();
    const upTo = this.deferredWrites;
    const before = this.syncing;
    const run = (async (): Promise<void> => {
      await before?.catch(() => undefined);
      if (this.syncedWrites >= upTo) return;
      const cur = this.current;
      if (!cur) throw new MoosengError(ErrorCodes.UNAVAILABLE, 'Raft log is closed');
      try {
        await cur.sync();
      } catch (err) {
        throw toMoosengError(err, 'syncing the Raft log');
      }
      this.syncedWrites = Math.max(this.syncedWrites, upTo);
    })();
    this.syncing = run;
    void run.then(
      () => this.syncing === run && (this.syncing = null),
      () => this.syncing === run && (this.syncing = null),
    );
    return run;
  }

  /** Whether a deferred batch is not yet known durable. */
  hasUnsyncedBatches(): boolean {
    return this.syncedWrites < this.deferredWrites;
  }

  /** Deletes the oldest segments whose entries all lie at or below `snapshotIndex` (never the current one). */
  async compact(snapshotIndex: number): Promise<number> {
    let removed = 0;
    while (this.segments.length > 1 && this.segments[0].maxIndex <= snapshotIndex) {
      const seg = this.segments.shift()!;
      await this.options.fs.remove(seg.path);
      removed++;
    }
    if (removed > 0 && this.options.fsync) await this.options.fs.syncDir(this.options.dir);
    return removed;
  }

  async close(): Promise<void> {
    await this.syncing?.catch(() => undefined);
    const cur = this.current;
    this.current = null;
    await cur?.close();
  }

  segmentCount(): number {
    return this.segments.length;
  }

  /** Bytes of log on disk, every segment together. */
  sizeBytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  private async rotate(hardState: HardState | null): Promise<void> {
    // (The segment left behind is whole on disk: every batch in it was fsynced by append or by the sync below, and
    // open synced what an earlier process left. A torn batch is forgiven only at the end of the last segment.)
    if (this.options.fsync && this.current && this.hasUnsyncedBatches()) {
      await this.syncing?.catch(() => undefined);
      const covered = this.deferredWrites;
      await this.current.sync();
      this.syncedWrites = Math.max(this.syncedWrites, covered);
    }
    const seq = (this.segments[this.segments.length - 1]?.seq ?? 0) + 1;
    const path = join(this.options.dir, segmentName(seq));
    const next = await this.options.fs.openAppend(path);
    let bytes = 0;
    if (hardState) {
      const head = encodeBatch([{ type: 'hard-state', hardState }]);
      await next.append(head);
      bytes = head.length;
    }
    if (this.options.fsync) {
      await next.sync();
      await this.options.fs.syncDir(this.options.dir);
    }
    await this.current?.close();
    this.current = next;
    this.currentBytes = bytes;
    this.segments.push({ seq, path, maxIndex: 0, bytes });
  }
}

/** What an operator does about a log that cannot be trusted (docs/operations.md has the procedure). */
function recoveryAdvice(dir: string): string {
  return (
    `Recover it as a member with an empty log: stop it, move ${dir} aside, and start it while the other masters have a ` +
    'leader (docs/operations.md, "Recovering a master whose Raft log is damaged")'
  );
}

/** The error that stops a node whose log is damaged where no crash could have torn it, saying what to do. */
function corruptSegment(path: string, dir: string, damage: SegmentDamage, last: boolean): MoosengError {
  const where = last ? 'before the final write of the last segment' : 'in a segment the log had moved on from';
  return new MoosengError(
    ErrorCodes.IO_ERROR,
    `Raft log segment ${path} is damaged at byte ${damage.offset} (${damage.reason}), ${where}: this is not a write ` +
      `torn by a crash, and cutting it could lose acknowledged entries or a vote, so this master will not start. ${recoveryAdvice(dir)}`,
    { details: { path, offset: damage.offset, reason: damage.reason } },
  );
}
