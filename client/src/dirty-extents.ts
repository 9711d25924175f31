// DirtyExtents: the bytes one handle has written and not yet sent, as sorted, disjoint ranges of the file; a write
// that touches or overlaps a range merges into it (the newer bytes win), so random writes that fill a region in
// go out as a few large writes instead of one per call.

/** One buffered range: `bytes` bytes at `offset`, kept as the parts written (joined only when sent or overwritten). */
interface Extent {
  offset: number;
  bytes: number;
  parts: Buffer[];
}

/** A range taken to be sent: `data` at file offset `offset`. */
export interface DirtyRange {
  offset: number;
  data: Buffer;
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
    const copy = Buffer.from(data);
    if (touched.length === 0) {
      this.extents.splice(first, 0, { offset: position, bytes: data.length, parts: [copy] });
      this.total += data.length;
      return data.length;
    }
    const only = touched[0]!;
    if (touched.length === 1 && only.offset + only.bytes === position) {
      // Sequential: continues the range.
      only.parts.push(copy);
      only.bytes += data.length;
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
    }
    copy.copy(joined, position - from);
    this.extents.splice(first, touched.length, { offset: from, bytes: joined.length, parts: [joined] });
    const added = joined.length - before;
    this.total += added;
    return added;
  }

  /** Takes every range held, in offset order, to send them; nothing is held afterwards. */
  take(): DirtyRange[] {
    const ranges = this.extents.map((e) => ({ offset: e.offset, data: joinParts(e) }));
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

/** The range's bytes as one buffer (joined once and kept so). */
function joinParts(e: Extent): Buffer {
  if (e.parts.length !== 1) e.parts = [Buffer.concat(e.parts, e.bytes)];
  return e.parts[0]!;
}
