// ChunkBlocks: the read, write and truncate algorithms over an open chunk's blocks, slots and header.
import { crc32 } from '@node-rs/crc32';
import { BLOCK_SIZE_BYTES, forEachBlockPart, type ChecksummedRead } from '@mooseng/core';
import { asBuffer } from './as-buffer';
import { CHUNK_FILE_ALIGNMENT_BYTES } from './block-file-io';
import type { BlockCodec } from './block-codec';
import { HOLE, slotOffset, type BlockEntry } from './chunk-file-format';
import type { FsyncPolicy } from './fsync-policy';
import type { OpenChunk } from './open-chunk';

/** Most blocks one file read or write covers (1 MiB), which bounds the memory of one I/O. */
export const MAX_IO_BLOCKS = 16;

/** Reads are whole aligned pages (CHUNK_FILE_ALIGNMENT_BYTES) even when fewer bytes are wanted: O_DIRECT asks that. */
function alignUp(n: number): number {
  return Math.ceil(n / CHUNK_FILE_ALIGNMENT_BYTES) * CHUNK_FILE_ALIGNMENT_BYTES;
}

/** Bytes [from, to) of a block's raw form that a write in part changed. */
interface ChangedBytes {
  from: number;
  to: number;
}

export interface ChunkBlocksOptions {
  codec: BlockCodec;
  fsync: FsyncPolicy;
  /**
   * Told each new length of a chunk, synchronously with the header change, so the store's index (what stat, list
   * and usage report) never disagrees with a header that other operations may already be reading.
   */
  onLength(chunkId: number, length: number): void;
}

/**
 * How bytes of a chunk map to blocks, slots and header entries, for one data directory. Callers serialize through
 * the store's range locks and map errors; these methods only do the I/O. A resolved write or truncate is synced per
 * the fsync policy ("always": before resolving) or leaves the chunk marked dirty for the next flush.
 */
export class ChunkBlocks {
  constructor(private readonly options: ChunkBlocksOptions) {}

  /** Reads and decodes one stored block (not a hole): its CRC is checked before any byte is returned. */
  async readBlock(c: OpenChunk, index: number, entry: BlockEntry): Promise<Buffer> {
    const bytes = await c.file.read(slotOffset(index), alignUp(entry.storedLength));
    return this.options.codec.decode(c.header, index, entry, bytes.subarray(0, entry.storedLength));
  }

  /**
   * Writes `input` at `offset` (not empty, inside the chunk). Whole blocks are encoded as given, keeping the CRC in
   * `blockCrcs` (one per block-part of `input`, checked by the caller) for one stored raw; a block written in part
   * is read, merged and re-checksummed. Blocks are encoded in parallel, then contiguous full raw slots go to the
   * file in one call each, with the header alongside. A block stored raw before and after a write in part gets only
   * the pages the write changed (a random 4 KiB write stores one page, not the block's sixteen). The caller holds
   * the blocks' range lock.
   */
  async write(c: OpenChunk, offset: number, input: Uint8Array, blockCrcs?: readonly number[]): Promise<void> {
    const data = asBuffer(input);
    const end = offset + data.length;
    const first = Math.floor(offset / BLOCK_SIZE_BYTES);
    const last = Math.floor((end - 1) / BLOCK_SIZE_BYTES);
    const encoded: Array<{ index: number; stored: Buffer; entry: BlockEntry; changed?: ChangedBytes }> = [];
    const jobs: Array<Promise<void>> = [];
    for (let b = first; b <= last; b++) {
      jobs.push(
        (async () => {
          const blockStart = b * BLOCK_SIZE_BYTES;
          const s = Math.max(offset, blockStart) - blockStart;
          const e = Math.min(end, blockStart + BLOCK_SIZE_BYTES) - blockStart;
          const old = c.header.entry(b);
          const oldRawLength = old.storedLength === 0 ? 0 : old.rawLength;
          const piece = data.subarray(blockStart + s - offset, blockStart + e - offset);
          let raw: Buffer;
          let knownCrc: number | undefined;
          let changed: ChangedBytes | undefined;
          if (s === 0 && e >= oldRawLength) {
            raw = piece;
            knownCrc = blockCrcs?.[b - first];
          } else {
            // Part of a block: merge with what it holds (zeros for a hole) and checksum the whole block again.
            raw = await this.mergeTarget(c, b, old, oldRawLength, Math.max(oldRawLength, e));
            piece.copy(raw, s);
            // The bytes that differ from the slot: the write, and any growth of the block (zeros up to the write).
            if (oldRawLength > 0 && !old.compressed) changed = { from: Math.min(s, oldRawLength), to: e };
          }
          const block = await this.options.codec.encode(c.header, raw, knownCrc);
          // Only a block that stays raw keeps the slot's other bytes as they are on disk.
          encoded.push({ index: b, ...block, ...(changed && !block.entry.compressed ? { changed } : {}) });
        })(),
      );
    }
    await Promise.all(jobs);
    encoded.sort((x, y) => x.index - y.index);
    // Contiguous runs of full raw slots go to the file in one call each.
    const writes: Array<Promise<void>> = [];
    let run: typeof encoded = [];
    const flushRun = (): void => {
      if (run.length === 0) return;
      const buffers = run.map((r) => r.stored);
      writes.push(c.file.writev(slotOffset(run[0]!.index), buffers));
      run = [];
    };
    for (const block of encoded) {
      if (block.changed) {
        // Whole pages around the changed bytes, cut at the block's end (padding past it is never read).
        const from = Math.floor(block.changed.from / CHUNK_FILE_ALIGNMENT_BYTES) * CHUNK_FILE_ALIGNMENT_BYTES;
        const to = Math.min(alignUp(block.changed.to), block.stored.length);
        flushRun();
        writes.push(c.file.writev(slotOffset(block.index) + from, [block.stored.subarray(from, to)]));
        continue;
      }
      const prev = run[run.length - 1];
      if (prev && (prev.index + 1 !== block.index || prev.stored.length !== BLOCK_SIZE_BYTES || run.length >= MAX_IO_BLOCKS)) flushRun();
      run.push(block);
    }
    flushRun();
    this.options.codec.recordAlgorithm(
      c.header,
      encoded.map((b) => b.entry),
    );
    for (const block of encoded) c.header.setEntry(block.index, block.entry);
    // Header and index change together, synchronously: writes to other blocks of this chunk may be in flight, and
    // a length computed before an await could undo the extension one of them made meanwhile.
    c.header.length = Math.max(c.header.length, end);
    c.header.sealFields();
    this.options.onLength(c.chunkId, c.header.length);
    // Data and header go out together: a crash between them leaves blocks whose CRC does not match, which reads
    // report as CHUNK_CORRUPT (never as wrong data), and the policy never promised durability before a sync anyway.
    writes.push(c.headerWriter.persist());
    await Promise.all(writes);
    if (this.options.fsync === 'always') await c.file.sync();
    else c.dirty = true;
  }

  /**
   * A buffer of `length` bytes holding block `index` as stored (its first `oldRawLength` bytes; zeros after), for a
   * write in part to merge into. A block stored raw is read into a buffer that is then the target itself when long
   * enough (the read is rounded up to whole pages): a random 4 KiB write then allocates one 64 KiB buffer, not two,
   * and the collector, which runs on the external memory Buffers take, runs half as often.
   */
  private async mergeTarget(c: OpenChunk, index: number, old: BlockEntry, oldRawLength: number, length: number): Promise<Buffer> {
    if (oldRawLength === 0) return Buffer.alloc(length);
    const bytes = await c.file.read(slotOffset(index), alignUp(old.storedLength));
    const held = await this.options.codec.decode(c.header, index, old, bytes.subarray(0, old.storedLength));
    if (!old.compressed && bytes.length >= length) {
      // Stored raw: the block is the read buffer's start (the caller's to change); past it, zeros.
      const target = bytes.subarray(0, length);
      target.fill(0, oldRawLength);
      return target;
    }
    const target = Buffer.alloc(length);
    held.copy(target);
    return target;
  }

  /**
   * Up to `length` bytes at `offset`, cut at the chunk's length; holes and bytes past a block's raw length read as
   * zeros. Every block touched is checked against its CRC first. The caller holds the range lock from `offset` on.
   */
  async read(c: OpenChunk, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const end = Math.min(offset + length, c.header.length);
    if (end <= offset) return Buffer.alloc(0);
    const direct = await this.readContiguous(c, offset, end, into);
    if (direct) return direct;
    const out = Buffer.alloc(end - offset);
    const first = Math.floor(offset / BLOCK_SIZE_BYTES);
    const last = Math.floor((end - 1) / BLOCK_SIZE_BYTES);
    // Consecutive stored blocks (raw or compressed) are read in one call of up to MAX_IO_BLOCKS slots, the unused
    // tails of compressed slots included: one syscall instead of one per block. Holes end a run and stay zero.
    const runs: Array<{ start: number; entries: BlockEntry[] }> = [];
    for (let b = first; b <= last; b++) {
      const entry = c.header.entry(b);
      if (entry.storedLength === 0) continue;
      const run = runs[runs.length - 1];
      if (run && run.start + run.entries.length === b && run.entries.length < MAX_IO_BLOCKS) run.entries.push(entry);
      else runs.push({ start: b, entries: [entry] });
    }
    await Promise.all(
      runs.map(async (run) => {
        const lastEntry = run.entries[run.entries.length - 1]!;
        const span = (run.entries.length - 1) * BLOCK_SIZE_BYTES + lastEntry.storedLength;
        const bytes = await c.file.read(slotOffset(run.start), alignUp(span));
        // Blocks decode in parallel (decompression runs on the thread pool).
        await Promise.all(
          run.entries.map(async (entry, i) => {
            const b = run.start + i;
            const stored = bytes.subarray(i * BLOCK_SIZE_BYTES, i * BLOCK_SIZE_BYTES + entry.storedLength);
            const raw = await this.options.codec.decode(c.header, b, entry, stored);
            const blockStart = b * BLOCK_SIZE_BYTES;
            const from = Math.max(offset, blockStart);
            const to = Math.min(end, blockStart + raw.length);
            if (to > from) raw.copy(out, from - offset, from - blockStart, to - blockStart);
          }),
        );
      }),
    );
    return out;
  }

  /**
   * read(), with the CRC32 of each block-part of the result (IChunkStore.readChecksummed). A part that is a whole
   * block stored raw carries the CRC stored with it, which read() just checked those very bytes against: the checksum
   * made when the data was written travels on, and a byte changed in memory since is caught by the reader. Other
   * parts (part of a block, a compressed block, zeros of a hole or past a block's end) get a CRC of the bytes
   * returned. The caller holds the range lock from `offset` on, so the block table cannot change meanwhile.
   */
  async readChecksummed(c: OpenChunk, offset: number, length: number, into?: Buffer): Promise<ChecksummedRead> {
    const data = await this.read(c, offset, length, into);
    const crcs: number[] = [];
    forEachBlockPart(offset, data, (part, at) => {
      const b = Math.floor(at / BLOCK_SIZE_BYTES);
      const entry = c.header.entry(b);
      const whole = at === b * BLOCK_SIZE_BYTES && part.length === entry.rawLength;
      crcs.push(whole && entry.storedLength !== 0 && !entry.compressed ? entry.crc : crc32(part));
    });
    return { data, crcs };
  }

  /**
   * The common case without copies: every block of the range stored raw and full (the last one at least up to
   * `end`), so the range is one contiguous stretch of the file, read into `into` when it is long enough. Null when
   * the range is not like that.
   */
  private async readContiguous(c: OpenChunk, offset: number, end: number, into?: Buffer): Promise<Buffer | null> {
    const first = Math.floor(offset / BLOCK_SIZE_BYTES);
    const last = Math.floor((end - 1) / BLOCK_SIZE_BYTES);
    if (last - first + 1 > MAX_IO_BLOCKS) return null;
    const entries: BlockEntry[] = [];
    for (let b = first; b <= last; b++) {
      const e = c.header.entry(b);
      const needed = b === last ? end - b * BLOCK_SIZE_BYTES : BLOCK_SIZE_BYTES;
      if (e.storedLength === 0 || e.compressed || e.rawLength < needed || (b < last && e.storedLength !== BLOCK_SIZE_BYTES)) return null;
      entries.push(e);
    }
    const span = (entries.length - 1) * BLOCK_SIZE_BYTES + entries[entries.length - 1]!.storedLength;
    const size = alignUp(span);
    const bytes = await c.file.read(slotOffset(first), size, into && into.length >= size ? into : undefined);
    for (let i = 0; i < entries.length; i++) {
      await this.options.codec.decode(
        c.header,
        first + i,
        entries[i]!,
        bytes.subarray(i * BLOCK_SIZE_BYTES, i * BLOCK_SIZE_BYTES + entries[i]!.storedLength),
      );
    }
    return bytes.subarray(offset - first * BLOCK_SIZE_BYTES, end - first * BLOCK_SIZE_BYTES);
  }

  /**
   * Sets the chunk's length. Shrinking turns the blocks past it into holes, cuts the block holding the new end down to
   * its head and shortens the file; growing only changes the length (the new part is holes). The caller holds the
   * whole chunk's lock.
   */
  async truncate(c: OpenChunk, length: number): Promise<void> {
    const old = c.header.length;
    if (length < old) {
      const keep = Math.ceil(length / BLOCK_SIZE_BYTES);
      const oldBlocks = Math.ceil(old / BLOCK_SIZE_BYTES);
      for (let b = keep; b < oldBlocks; b++) c.header.setEntry(b, HOLE);
      const tail = length % BLOCK_SIZE_BYTES;
      if (tail !== 0) {
        // The block holding the new end keeps only its head, so growing again later reads zeros there.
        const b = keep - 1;
        const entry = c.header.entry(b);
        if (entry.storedLength !== 0 && entry.rawLength > tail) {
          const raw = await this.readBlock(c, b, entry);
          const { stored, entry: next } = await this.options.codec.encode(c.header, Buffer.from(raw.subarray(0, tail)));
          await c.file.writev(slotOffset(b), [stored]);
          c.header.setEntry(b, next);
        }
      }
      await c.file.truncate(slotOffset(keep));
    }
    c.header.length = length;
    c.header.sealFields();
    await c.headerWriter.persist();
    this.options.onLength(c.chunkId, length);
    if (this.options.fsync === 'always') await c.file.sync();
    else c.dirty = true;
  }
}
