// The write-ahead log's record format: [length u32][crc32 u32][type u8][payload], little-endian, CRC over type+payload;
// each append is a batch: a header record, then its records.
import { crc32 } from '@node-rs/crc32';
import { ErrorCodes, MoosengError } from '@mooseng/core';
import type { Entry, EntryType, HardState } from '../core/types';

/** Bytes before a record's type byte: payload length and CRC. */
export const RECORD_HEADER_BYTES = 8;
/**
 * A record longer than this is corruption, not data (bounds memory when reading a damaged file). The encoder refuses
 * to write what the decoder would refuse, with this very constant: it is a property of the file format, not a
 * setting, since a reader must accept whatever an earlier run wrote.
 */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;
/** Bytes an entries record spends besides its entries: type and count. */
const ENTRIES_RECORD_OVERHEAD_BYTES = 1 + 4;
/** Bytes each entry spends besides its data: index, term, type, length. */
const ENTRY_HEADER_BYTES = 21;
/** The vote is stored with a u16 length. */
const MAX_VOTE_BYTES = 0xffff;
/** The largest entry (its data) one record can hold; a proposal beyond it is refused before anything is written. */
export const MAX_ENTRY_BYTES = MAX_RECORD_BYTES - ENTRIES_RECORD_OVERHEAD_BYTES - ENTRY_HEADER_BYTES;

/**
 * entries: log entries from entries[0].index on, replacing any logged at or after that index.
 * hard-state: term, vote, commit. reset: the log was replaced by a snapshot at (index, term); earlier entries go.
 * deferred-sync: the node's deferred-sync mark (RaftNode's recoveringTerm): from here on it may have counted, as
 * leader of `term`, entries it had not fsynced; 0 clears it.
 */
export type WalRecord =
  | { type: 'entries'; entries: Entry[] }
  | { type: 'hard-state'; hardState: HardState }
  | { type: 'reset'; index: number; term: number }
  | { type: 'deferred-sync'; term: number };

/**
 * Heads each batch (one append, one fsync) in a segment: the bytes and number of the records that follow. It lets
 * recovery tell the final batch, the only one a crash can tear, from the ones before it (see segment-scan.ts).
 */
export interface BatchHeader {
  type: 'batch';
  bytes: number;
  count: number;
  /**
   * Written without waiting for its fsync (sync: quorum-memory), so later batches may follow it before it is
   * durable, and a crash may tear it with deferred batches intact after it. False: fsynced, with everything before
   * it, before the next batch was written.
   */
  deferred: boolean;
}

const TYPE_CODES = { entries: 1, 'hard-state': 2, reset: 3, batch: 4, 'deferred-sync': 5, 'deferred-batch': 6 } as const;
/** The type byte of a batch header fsynced before the next (a deferred one's is DEFERRED_BATCH_TYPE_CODE). */
export const BATCH_TYPE_CODE = TYPE_CODES.batch;
export const DEFERRED_BATCH_TYPE_CODE = TYPE_CODES['deferred-batch'];
/** The whole record a batch header takes: length, CRC, type, bytes f64, count u32. */
export const BATCH_HEADER_BYTES = RECORD_HEADER_BYTES + 1 + 12;
const ENTRY_TYPE_CODES: Record<EntryType, number> = { normal: 0, config: 1, empty: 2 };
const ENTRY_TYPES: EntryType[] = ['normal', 'config', 'empty'];

function payloadOf(record: WalRecord | BatchHeader): Buffer {
  switch (record.type) {
    case 'batch': {
      const buf = Buffer.allocUnsafe(12);
      buf.writeDoubleLE(record.bytes, 0);
      buf.writeUInt32LE(record.count, 8);
      return buf;
    }
    case 'entries': {
      let size = ENTRIES_RECORD_OVERHEAD_BYTES - 1;
      for (const e of record.entries) size += ENTRY_HEADER_BYTES + e.data.byteLength;
      const buf = Buffer.allocUnsafe(size);
      let off = buf.writeUInt32LE(record.entries.length, 0);
      for (const e of record.entries) {
        off = buf.writeDoubleLE(e.index, off);
        off = buf.writeDoubleLE(e.term, off);
        off = buf.writeUInt8(ENTRY_TYPE_CODES[e.type], off);
        off = buf.writeUInt32LE(e.data.byteLength, off);
        buf.set(e.data, off);
        off += e.data.byteLength;
      }
      return buf;
    }
    case 'hard-state': {
      const vote = Buffer.from(record.hardState.vote ?? '', 'utf8');
      if (vote.length > MAX_VOTE_BYTES) throw new Error(`invariant broken: a member id of ${vote.length} bytes cannot be logged as a vote`);
      const buf = Buffer.allocUnsafe(16 + 1 + 2 + vote.length);
      let off = buf.writeDoubleLE(record.hardState.term, 0);
      off = buf.writeDoubleLE(record.hardState.commit, off);
      off = buf.writeUInt8(record.hardState.vote === null ? 0 : 1, off);
      off = buf.writeUInt16LE(vote.length, off);
      vote.copy(buf, off);
      return buf;
    }
    case 'reset': {
      const buf = Buffer.allocUnsafe(16);
      buf.writeDoubleLE(record.index, 0);
      buf.writeDoubleLE(record.term, 8);
      return buf;
    }
    case 'deferred-sync': {
      const buf = Buffer.allocUnsafe(8);
      buf.writeDoubleLE(record.term, 0);
      return buf;
    }
  }
}

/**
 * Splits entries records so that each fits in one record (`MAX_RECORD_BYTES`): one Ready may carry more entries than
 * that. Fails with INVALID_ARGUMENT, before anything is encoded, for an entry no record can hold.
 */
export function fitToRecords(records: readonly WalRecord[]): WalRecord[] {
  const out: WalRecord[] = [];
  for (const r of records) {
    if (r.type !== 'entries') {
      out.push(r);
      continue;
    }
    let run: Entry[] = [];
    let runBytes = ENTRIES_RECORD_OVERHEAD_BYTES;
    for (const e of r.entries) {
      if (e.data.byteLength > MAX_ENTRY_BYTES) throw entryTooLarge(e.data.byteLength);
      const bytes = ENTRY_HEADER_BYTES + e.data.byteLength;
      if (run.length > 0 && runBytes + bytes > MAX_RECORD_BYTES) {
        out.push({ type: 'entries', entries: run });
        run = [];
        runBytes = ENTRIES_RECORD_OVERHEAD_BYTES;
      }
      run.push(e);
      runBytes += bytes;
    }
    out.push({ type: 'entries', entries: run });
  }
  return out;
}

/** The error for an entry (a command) larger than the log can hold: its size and the limit. */
export function entryTooLarge(bytes: number): MoosengError {
  return new MoosengError(
    ErrorCodes.INVALID_ARGUMENT,
    `a command of ${bytes} bytes is larger than the Raft log holds in one entry (${MAX_ENTRY_BYTES} bytes); nothing was written`,
    { details: { bytes, maxBytes: MAX_ENTRY_BYTES } },
  );
}

/** One record as bytes, ready to append. A record over `MAX_RECORD_BYTES` is a bug in the caller (see fitToRecords). */
export function encodeRecord(record: WalRecord | BatchHeader): Buffer {
  const payload = payloadOf(record);
  if (payload.length + 1 > MAX_RECORD_BYTES)
    throw new Error(`invariant broken: a ${record.type} record of ${payload.length + 1} bytes exceeds ${MAX_RECORD_BYTES}`);
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + 1 + payload.length);
  out.writeUInt32LE(payload.length + 1, 0);
  const code = record.type === 'batch' && record.deferred ? TYPE_CODES['deferred-batch'] : TYPE_CODES[record.type];
  out.writeUInt8(code, RECORD_HEADER_BYTES);
  payload.copy(out, RECORD_HEADER_BYTES + 1);
  out.writeUInt32LE(crc32(out.subarray(RECORD_HEADER_BYTES)), 4);
  return out;
}

/** A batch as written: its header (marked when its fsync is deferred), then its records (already fitted to the record cap). */
export function encodeBatch(records: readonly WalRecord[], deferred = false): Buffer {
  const body = records.map(encodeRecord);
  const bytes = body.reduce((n, b) => n + b.length, 0);
  return Buffer.concat([encodeRecord({ type: 'batch', bytes, count: body.length, deferred }), ...body]);
}

function decodePayload(type: number, p: Buffer): WalRecord | BatchHeader {
  if (type === 1) {
    const count = p.readUInt32LE(0);
    let off = 4;
    const entries: Entry[] = [];
    for (let i = 0; i < count; i++) {
      const index = p.readDoubleLE(off);
      const term = p.readDoubleLE(off + 8);
      const et = ENTRY_TYPES[p.readUInt8(off + 16)];
      const len = p.readUInt32LE(off + 17);
      off += 21;
      if (et === undefined || off + len > p.length) throw new Error('bad entry');
      entries.push({ index, term, type: et, data: Uint8Array.prototype.slice.call(p, off, off + len) });
      off += len;
    }
    if (off !== p.length) throw new Error('bytes after the last entry');
    return { type: 'entries', entries };
  }
  if (type === 2) {
    const term = p.readDoubleLE(0);
    const commit = p.readDoubleLE(8);
    const hasVote = p.readUInt8(16) === 1;
    const len = p.readUInt16LE(17);
    if (p.length !== 19 + len) throw new Error('a hard state of the wrong length');
    const vote = hasVote ? p.subarray(19, 19 + len).toString('utf8') : null;
    return { type: 'hard-state', hardState: { term, vote, commit } };
  }
  if (type === 5) {
    if (p.length !== 8) throw new Error('a record of the wrong length');
    return { type: 'deferred-sync', term: p.readDoubleLE(0) };
  }
  if (type !== 3 && type !== 4 && type !== 6) throw new Error(`unknown record type ${type}`);
  if (p.length !== (type === 3 ? 16 : 12)) throw new Error('a record of the wrong length');
  if (type === 3) return { type: 'reset', index: p.readDoubleLE(0), term: p.readDoubleLE(8) };
  return { type: 'batch', bytes: p.readDoubleLE(0), count: p.readUInt32LE(8), deferred: type === 6 };
}

/** One record read at an offset: the record and where the next begins, or why the bytes there are not a record. */
export type RecordAt = { ok: true; record: WalRecord | BatchHeader; end: number } | { ok: false; reason: string };

/** Reads the record at `off` in `buf` (bytes past `buf`'s end count as missing, so pass a bounded view). */
export function decodeRecordAt(buf: Buffer, off: number): RecordAt {
  const left = buf.length - off;
  if (left < RECORD_HEADER_BYTES + 1) return { ok: false, reason: `${left} bytes, too few for a record` };
  const len = buf.readUInt32LE(off);
  if (len < 1 || len > MAX_RECORD_BYTES) return { ok: false, reason: `a record length of ${len}` };
  if (RECORD_HEADER_BYTES + len > left) return { ok: false, reason: `a record of ${len} bytes with ${left - RECORD_HEADER_BYTES} left` };
  const body = buf.subarray(off + RECORD_HEADER_BYTES, off + RECORD_HEADER_BYTES + len);
  if (crc32(body) !== buf.readUInt32LE(off + 4)) return { ok: false, reason: 'a CRC mismatch' };
  try {
    return { ok: true, record: decodePayload(body[0], body.subarray(1)), end: off + RECORD_HEADER_BYTES + len };
  } catch (err) {
    return { ok: false, reason: `an undecodable record (${(err as Error).message})` };
  }
}
