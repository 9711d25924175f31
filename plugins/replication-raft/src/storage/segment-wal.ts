// The durable Raft log: records appended to numbered segment files, one fsync per batch (group commit), torn tails
// cut on recovery, and whole segments deleted once a snapshot covers them. All file access goes through a
// RaftFileSystem, so the simulation runs this very code on a disk that loses unsynced writes.
import { join } from 'node:path';
import { ErrorCodes, MoosengError, toMoosengError } from '@mooseng/core';
import type { HardState } from '../core/types';
import type { RaftFile, RaftFileSystem } from './file-system';
import { decodeRecords, encodeRecord, fitToRecords, type WalRecord } from './wal-records';

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
  /** Bytes cut off the last segment's tail (a torn or corrupt final write). */
  truncatedBytes: number;
}

/** The log as numbered segment files in one directory; see the file comment. */
export class SegmentWal {
  private segments: SegmentInfo[] = [];
  private current: RaftFile | null = null;
  private currentBytes = 0;
  /** The current segment holds bytes appended without an fsync (a batch written with `sync: false`). */
  private currentUnsynced = false;

  constructor(private readonly options: SegmentWalOptions) {}

  /**
   * Reads every segment in order. A bad record at the end of the last segment is a write torn by a crash: the tail is
   * cut off. A bad record anywhere else is corruption, and opening fails rather than silently losing entries.
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
    const records: WalRecord[] = [];
    let truncatedBytes = 0;
    for (let i = 0; i < seqs.length; i++) {
      const path = join(dir, segmentName(seqs[i]));
      const buf = (await fs.read(path)) ?? Buffer.alloc(0);
      const decoded = decodeRecords(buf);
      if (decoded.torn) {
        if (i !== seqs.length - 1) {
          throw new MoosengError(
            ErrorCodes.IO_ERROR,
            `Raft log segment ${path} is corrupt at byte ${decoded.validBytes}; restore this master from a peer (wipe its raft directory) or from backup`,
          );
        }
        truncatedBytes = buf.length - decoded.validBytes;
        await fs.truncate(path, decoded.validBytes);
      }
      let maxIndex = 0;
      for (const r of decoded.records) {
        if (r.type === 'entries' && r.entries.length > 0) maxIndex = Math.max(maxIndex, r.entries[r.entries.length - 1].index);
        records.push(r);
      }
      this.segments.push({ seq: seqs[i], path, maxIndex, bytes: decoded.validBytes });
    }
    const last = this.segments[this.segments.length - 1];
    if (last) {
      this.current = await fs.openAppend(last.path);
      this.currentBytes = await this.current.size();
      // The cut must be durable before anything is appended after it, or a crash could bring the torn bytes back
      // in the middle of the log.
      if (truncatedBytes > 0) await this.current.sync();
      // An earlier process may have left bytes it never synced (they outlive it in the page cache): sync them
      // before this segment is left behind.
      this.currentUnsynced = truncatedBytes === 0;
    } else {
      await this.rotate(null);
    }
    return { records, truncatedBytes };
  }

  /**
   * Appends a batch of records with one write and (when enabled, unless `sync: false`) one fsync. `hardState` is the
   * state after the batch: it heads the next segment when this one is full, so deleting old segments never loses it.
   */
  async append(records: WalRecord[], hardState: HardState, options: { sync?: boolean } = {}): Promise<void> {
    if (records.length === 0) return;
    const cur = this.current;
    if (!cur) throw new MoosengError(ErrorCodes.UNAVAILABLE, 'Raft log is closed');
    // Encoded whole before the write: a batch the format cannot hold fails here, with nothing written.
    const buf = Buffer.concat(fitToRecords(records).map(encodeRecord));
    try {
      await cur.append(buf);
      if (this.options.fsync && options.sync !== false) {
        await cur.sync();
        this.currentUnsynced = false;
      } else {
        this.currentUnsynced = true;
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
    // A segment is left behind only once it is whole on disk: a torn record is forgiven at the end of the last
    // segment, not in the middle of the log, where recovery must refuse it as corruption. (The simulation found
    // this: a commit-only batch written unsynced, then a rotation, then power loss, left a master unable to start.)
    if (this.current && this.currentUnsynced && this.options.fsync) {
      await this.current.sync();
      this.currentUnsynced = false;
    }
    const seq = (this.segments[this.segments.length - 1]?.seq ?? 0) + 1;
    const path = join(this.options.dir, segmentName(seq));
    const next = await this.options.fs.openAppend(path);
    let bytes = 0;
    if (hardState) {
      const head = encodeRecord({ type: 'hard-state', hardState });
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
    this.currentUnsynced = false;
    this.segments.push({ seq, path, maxIndex: 0, bytes });
  }
}
