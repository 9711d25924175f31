// How recovery reads one segment: batch by batch, telling a final write torn by a crash from damage to what came
// before it, which may have been acknowledged.
import { BATCH_HEADER_BYTES, BATCH_TYPE_CODE, decodeRecordAt, RECORD_HEADER_BYTES, type WalRecord } from './wal-records';

/** What is wrong with a segment's bytes after its last whole batch. */
export interface SegmentDamage {
  /** Byte offset of the first bad record (a batch header or a record in a batch). */
  offset: number;
  /** What was found there, for the operator. */
  reason: string;
  /**
   * True when the bad bytes can only be the segment's final batch, cut or garbled by a crash before its fsync
   * completed: nothing after them shows a later write. False when a later batch follows, so the damaged one was
   * fsynced (and perhaps acknowledged) before it, and cutting it would lose what the node promised.
   */
  tornTail: boolean;
}

/** One segment as read: the records of its whole batches, where they end, and what follows if anything. */
export interface SegmentScan {
  records: WalRecord[];
  /** Bytes of whole, valid batches from the start of the segment. */
  validBytes: number;
  damage: SegmentDamage | null;
}

/**
 * Reads `buf` batch by batch. The host appends a batch only once the previous one is fsynced (SegmentWal.append), so
 * a crash can damage only the final batch. Hence damage inside a batch whose header says it ends before the segment
 * does is not a tear, whatever follows it (even zeros: the next batch's write began after this one was durable); and
 * a damaged batch header is a tear only if no valid batch header appears anywhere after it.
 *
 * A batch whose fsync was deferred (sync: quorum-memory, a leader's batch marked in its header) may be followed by
 * more deferred batches before any of it is durable, so a crash can tear it with deferred batches intact after it:
 * damage there is a tear unless a batch that was fsynced follows (its fsync made everything before it durable).
 * Damage to a header itself, whose kind is then unknown, is a tear unless a fsynced batch header follows.
 *
 * A record at a batch boundary that is not a batch header is taken as a batch of its own: logs written before batch
 * headers existed read as they did then.
 */
export function scanSegment(buf: Buffer): SegmentScan {
  const records: WalRecord[] = [];
  let off = 0;
  while (off < buf.length) {
    const head = decodeRecordAt(buf, off);
    if (!head.ok) {
      const zeros = isZero(buf, off);
      const reason = zeros ? `${buf.length - off} zero bytes` : head.reason;
      return { records, validBytes: off, damage: { offset: off, reason, tornTail: zeros || !hasSyncedBatchHeaderAfter(buf, off + 1) } };
    }
    if (head.record.type !== 'batch') {
      records.push(head.record);
      off = head.end;
      continue;
    }
    const end = head.end + head.record.bytes;
    if (end > buf.length) {
      const reason = `a batch of ${head.record.bytes} bytes with ${buf.length - head.end} left`;
      return { records, validBytes: off, damage: { offset: off, reason, tornTail: true } };
    }
    // Bounded to the batch: a record reaching past it is damage, not a read into the next batch.
    const view = buf.subarray(0, end);
    const batch: WalRecord[] = [];
    let p = head.end;
    let bad: { offset: number; reason: string } | null = null;
    for (let i = 0; i < head.record.count && bad === null; i++) {
      const r = decodeRecordAt(view, p);
      if (!r.ok) bad = { offset: p, reason: r.reason };
      else if (r.record.type === 'batch') bad = { offset: p, reason: 'a batch header inside a batch' };
      else {
        batch.push(r.record);
        p = r.end;
      }
    }
    if (bad === null && p !== end) bad = { offset: p, reason: `${end - p} bytes after the batch's ${head.record.count} records` };
    if (bad !== null) {
      const tornTail = end === buf.length || (head.record.deferred && !hasSyncedBatchHeaderAfter(buf, end));
      return { records, validBytes: off, damage: { ...bad, tornTail } };
    }
    for (const r of batch) records.push(r);
    off = end;
  }
  return { records, validBytes: off, damage: null };
}

function isZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Whether a valid header of a fsynced batch starts anywhere at or after `from`: proof that a later write followed
 * once everything before it was durable. (Deferred batch headers prove nothing: they were written before it was.)
 */
function hasSyncedBatchHeaderAfter(buf: Buffer, from: number): boolean {
  const bodyBytes = BATCH_HEADER_BYTES - RECORD_HEADER_BYTES;
  for (let p = from; p + BATCH_HEADER_BYTES <= buf.length; p++) {
    // The length and type bytes first: a cheap filter before the CRC.
    if (buf.readUInt32LE(p) !== bodyBytes || buf[p + RECORD_HEADER_BYTES] !== BATCH_TYPE_CODE) continue;
    const r = decodeRecordAt(buf, p);
    if (r.ok && r.record.type === 'batch' && !r.record.deferred) return true;
  }
  return false;
}
