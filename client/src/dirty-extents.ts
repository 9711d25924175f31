// DirtyExtents: the bytes one handle has written and not yet sent, as sorted, disjoint ranges of the file; a write
// that touches or overlaps a range merges into it (the newer bytes win), so random writes that fill a region in
// go out as a few large writes instead of one per call.

import { BLOCK_SIZE_BYTES } from '@mooseng/core';

/**
 * One buffered range: `bytes` bytes at `offset`, kept as the parts written (joined only when sent or overwritten).
 * A range a sequential writer grows past APPEND_SLAB_FROM_BYTES is kept in slabs instead: `slabs[i]` holds
 * `parts[i]` from its start, each slab but the first starts on a block boundary of the file, and the range is sent
 * as one write per slab, without joining.
 */
interface Extent {
  offset: number;
  bytes: number;
  parts: Buffer[];
  slabs?: Buffer[];
}

/**
 * A range taken to be sent: `data` at file offset `offset`. `release`, when there is one, gives its memory back for
 * later writes: call it only once nothing refers to `data` any more (the chunkservers acknowledged the write: a
 * socket still queueing it must not see it change), and not at all when unsure.
 */
export interface DirtyRange {
  offset: number;
  data: Buffer;
  release?: () => void;
}

/** A sequential writer's range moves into a slab once it reaches this much (a few large writes). */
export const APPEND_SLAB_FROM_BYTES = 1024 * 1024;
/** A slab's size: the write-back cache's send batch (WRITE_BACK_BATCH_BYTES), so a batch is sent from about one slab. */
export const APPEND_SLAB_BYTES = 8 * 1024 * 1024;
/** Free slabs kept for the next sequential writers (32 MiB). */
export const APPEND_SLABS_KEPT = 4;

/**
 * Slabs for sequential writers, used again once their range was sent and acknowledged. Without them a sequential
 * write allocated every byte twice (a copy of each write, then the parts joined to be sent), and that churn of
 * external memory set off a major collection every few tens of MiB. Shared by the process's mounts.
 */
const freeSlabs: Buffer[] = [];

function takeSlab(): Buffer {
  return freeSlabs.pop() ?? Buffer.allocUnsafeSlow(APPEND_SLAB_BYTES);
}

function giveSlab(slab: Buffer): void {
  if (freeSlabs.length < APPEND_SLABS_KEPT) freeSlabs.push(slab);
}

/**
 * Written, unsent ranges of a file. Holds its own copies of what it is given (FUSE reuses its request buffers).
 * Appending where a range ends (sequential writes) costs one copy of the new bytes; a write into or across ranges
 * joins the ranges it touches once.
 */
export class DirtyExtents {
  /** Sorted by offset, disjoint and not touching (touching ranges are merged). */
  private extents: Extent[] = [];
  private total = 0;

  /** Bytes held. */
  get bytes(): number {
    return this.total;
  }

  /** Ranges held (each one data-plane write at least when sent). */
  get rangeCount(): number {
    return this.extents.length;
  }

  /** Where the last range ends (0 with nothing held). */
  get end(): number {
    const last = this.extents[this.extents.length - 1];
    return last ? last.offset + last.bytes : 0;
  }

  /** True when a held range and [offset, end) share a byte. */
  overlaps(offset: number, end: number): boolean {
    const i = this.firstEndingAfter(offset);
    const e = this.extents[i];
    return e !== undefined && e.offset < end;
  }

  /** True when nothing is held or `position` is where the one held range ends (the write continues it). */
  continues(position: number): boolean {
    return this.extents.length === 0 || (this.extents.length === 1 && this.end === position);
  }

  /** Keeps a copy of `data` at `position`, over whatever was held there; returns how many bytes were added. */
  insert(position: number, data: Buffer): number {
    if (data.length === 0) return 0;
    const end = position + data.length;
    // Ranges that overlap or touch [position, end): from the first ending at or after `position`.
    const first = this.firstEndingAfter(position - 1);
    let last = first;
    while (last < this.extents.length && this.extents[last]!.offset <= end) last++;
    const touched = this.extents.slice(first, last);
    if (touched.length === 0) {
      this.extents.splice(first, 0, { offset: position, bytes: data.length, parts: [Buffer.from(data)] });
      this.total += data.length;
      return data.length;
    }
    const only = touched[0]!;
    if (touched.length === 1 && only.offset + only.bytes === position) {
      // Sequential: continues the range, in slabs once it is large enough.
      const grown = only.bytes + data.length;
      if (!only.slabs && grown >= APPEND_SLAB_FROM_BYTES) {
        const joined = joinParts(only);
        only.parts = [];
        only.slabs = [];
        appendToSlabs(only, joined);
      }
      if (only.slabs) appendToSlabs(only, data);
      else only.parts.push(Buffer.from(data));
      only.bytes = grown;
      this.total += data.length;
      return data.length;
    }
    const from = Math.min(position, only.offset);
    const lastTouched = touched[touched.length - 1]!;
    const to = Math.max(end, lastTouched.offset + lastTouched.bytes);
    const joined = Buffer.alloc(to - from);
    let before = 0;
    for (const e of touched) {
      joinParts(e).copy(joined, e.offset - from);
      before += e.bytes;
      // Copied out: nothing refers to its slabs any more (ranges taken to be sent are not held here).
      for (const slab of e.slabs ?? []) giveSlab(slab);
    }
    data.copy(joined, position - from);
    this.extents.splice(first, touched.length, { offset: from, bytes: joined.length, parts: [joined] });
    const added = joined.length - before;
    this.total += added;
    return added;
  }

  /** Takes every range held, in offset order, to send them; nothing is held afterwards. */
  take(): DirtyRange[] {
    const ranges = this.extents.flatMap((e): DirtyRange[] => {
      if (!e.slabs) return [{ offset: e.offset, data: joinParts(e) }];
      // One write per slab, each giving its slab back once sent (slabs after the first start on a block boundary).
      let at = e.offset;
      return e.parts.map((data, i) => {
        const slab = e.slabs![i]!;
        let released = false;
        const range: DirtyRange = {
          offset: at,
          data,
          release: () => {
            if (released) return;
            released = true;
            giveSlab(slab);
          },
        };
        at += data.length;
        return range;
      });
    });
    this.extents = [];
    this.total = 0;
    return ranges;
  }

  /** The index of the first range ending after `offset` (its last byte at or past offset + 1), by binary search. */
  private firstEndingAfter(offset: number): number {
    let lo = 0;
    let hi = this.extents.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.extents[mid]!;
      if (e.offset + e.bytes <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Appends `data` to a slab range: into the last slab while it has room (the first holds only up to the next block
 * boundary past APPEND_SLAB_BYTES from the range's start, so the next starts on one), then into new slabs. The
 * caller keeps `e.bytes`.
 */
function appendToSlabs(e: Extent, data: Buffer): void {
  const slabs = e.slabs!;
  let from = 0;
  while (from < data.length) {
    const last = slabs.length - 1;
    const limit = last === 0 ? APPEND_SLAB_BYTES - (e.offset % BLOCK_SIZE_BYTES) : APPEND_SLAB_BYTES;
    const used = last < 0 ? limit : e.parts[last]!.length;
    if (used === limit) {
      slabs.push(takeSlab());
      e.parts.push(Buffer.alloc(0));
      continue;
    }
    const n = Math.min(limit - used, data.length - from);
    data.copy(slabs[last]!, used, from, from + n);
    e.parts[last] = slabs[last]!.subarray(0, used + n);
    from += n;
  }
}

/** The range's bytes as one buffer (joined once and kept so). */
function joinParts(e: Extent): Buffer {
  if (e.parts.length !== 1) e.parts = [Buffer.concat(e.parts, e.bytes)];
  return e.parts[0]!;
}
