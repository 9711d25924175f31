// The model checker's idea of one file: its length and the extents written into it; everything else is a hole
// that reads as zeros. Pure and in memory, so the bytes a mount returns can be compared with what they must be.

/** One written run of bytes. Extents are kept sorted by `start` and never overlap. */
interface Extent {
  start: number;
  data: Buffer;
}

/** A sparse file: writes, truncates and reads with POSIX semantics (holes and the grown tail read as zeros). */
export class SparseFile {
  /** The file's length in bytes. */
  size = 0;
  private extents: Extent[] = [];

  /** pwrite: stores `data` at `offset`, replacing what was there, and grows the file to cover it. */
  write(offset: number, data: Buffer): void {
    if (data.length === 0) return;
    const end = offset + data.length;
    const kept: Extent[] = [];
    let insertAt = -1;
    for (const e of this.extents) {
      const eEnd = e.start + e.data.length;
      if (eEnd <= offset || e.start >= end) {
        if (e.start >= end && insertAt < 0) insertAt = kept.length;
        kept.push(e);
        continue;
      }
      // Overlapping: keep the parts outside [offset, end). Copied, so a mostly overwritten big buffer is not kept alive.
      if (e.start < offset) kept.push({ start: e.start, data: Buffer.from(e.data.subarray(0, offset - e.start)) });
      if (insertAt < 0) insertAt = kept.length;
      if (eEnd > end) kept.push({ start: end, data: Buffer.from(e.data.subarray(end - e.start)) });
    }
    kept.splice(insertAt < 0 ? kept.length : insertAt, 0, { start: offset, data: Buffer.from(data) });
    this.extents = kept;
    this.size = Math.max(this.size, end);
  }

  /** ftruncate: cuts or extends the file to `size`; bytes past a cut are gone (they read as zeros if it grows again). */
  truncate(size: number): void {
    const kept: Extent[] = [];
    for (const e of this.extents) {
      if (e.start >= size) continue;
      kept.push(e.start + e.data.length > size ? { start: e.start, data: Buffer.from(e.data.subarray(0, size - e.start)) } : e);
    }
    this.extents = kept;
    this.size = size;
  }

  /** pread: the bytes of [offset, offset+length) that exist (short at the end of the file, empty past it). */
  read(offset: number, length: number): Buffer {
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return Buffer.alloc(0);
    const out = Buffer.alloc(end - offset);
    for (const e of this.extents) {
      const eEnd = e.start + e.data.length;
      if (eEnd <= offset) continue;
      if (e.start >= end) break;
      const from = Math.max(e.start, offset);
      const to = Math.min(eEnd, end);
      e.data.copy(out, from - offset, from - e.start, to - e.start);
    }
    return out;
  }

  /** Offsets where written data starts or stops: reads around them are where misplaced bytes show. */
  edges(): number[] {
    const out: number[] = [];
    for (const e of this.extents) out.push(e.start, e.start + e.data.length);
    return out;
  }

  /** Bytes of written data held (a bound on the model's memory). */
  bytesHeld(): number {
    let n = 0;
    for (const e of this.extents) n += e.data.length;
    return n;
  }
}
