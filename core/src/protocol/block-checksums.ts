// Checksums of chunk bytes on the wire: the CRC32 of each block-part (the bytes of one 64 KiB block a range covers).
import { crc32 } from '@node-rs/crc32';
import { BLOCK_SIZE_BYTES } from '../contracts/chunk-store';
import { ErrorCodes, MoosengError } from '../errors';

/**
 * How many block-parts the chunk range [offset, offset + length) has: it is cut at every multiple of
 * BLOCK_SIZE_BYTES, so each part lies inside one block. An empty range has none.
 */
export function blockPartCount(offset: number, length: number): number {
  if (length === 0) return 0;
  return Math.floor((offset + length - 1) / BLOCK_SIZE_BYTES) - Math.floor(offset / BLOCK_SIZE_BYTES) + 1;
}

/** Calls `fn` with each block-part of `data` (at chunk offset `offset`): a view, never a copy. */
export function forEachBlockPart<T extends Uint8Array>(
  offset: number,
  data: T,
  fn: (part: T, partOffset: number, index: number) => void,
): void {
  let pos = 0;
  let index = 0;
  while (pos < data.length) {
    const at = offset + pos;
    const n = Math.min(data.length - pos, BLOCK_SIZE_BYTES - (at % BLOCK_SIZE_BYTES));
    fn(data.subarray(pos, pos + n) as T, at, index++);
    pos += n;
  }
}

/**
 * The CRC32 of each block-part of `data` at chunk offset `offset`: the same function the chunk files use
 * (@node-rs/crc32's crc32), so a stored block's CRC is the CRC of a whole block sent on the wire.
 */
export function blockPartCrcs(offset: number, data: Uint8Array): number[] {
  const crcs: number[] = [];
  forEachBlockPart(offset, data, (part) => crcs.push(crc32(part)));
  return crcs;
}

/**
 * Checks `data` (at chunk offset `offset`) against the CRC of each of its block-parts, as they came with it; a
 * mismatch is CHUNK_CRC_MISMATCH naming the part and `from` (who sent the bytes). `crcs` must have one CRC per part.
 */
export function verifyBlockPartCrcs(chunkId: number, offset: number, data: Uint8Array, crcs: readonly number[], from: string): void {
  forEachBlockPart(offset, data, (part, at, index) => {
    const got = crc32(part);
    if (got !== crcs[index]) throw crcMismatch(`chunk ${chunkId}`, at, part.length, crcs[index]!, got, from);
  });
}

/** The error for chunk bytes (`what`: "chunk 7") that do not match the CRC sent with them by `from`. */
export function crcMismatch(what: string, offset: number, length: number, sent: number, got: number, from: string): MoosengError {
  return new MoosengError(
    ErrorCodes.CHUNK_CRC_MISMATCH,
    `${what} bytes ${offset}+${length} from ${from} were corrupted in transit: CRC sent 0x${hex(sent)}, bytes have 0x${hex(got)}`,
    { details: { offset, length, from } },
  );
}

function hex(crc: number): string {
  return (crc >>> 0).toString(16).padStart(8, '0');
}
