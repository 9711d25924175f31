// readChecksummed: a store's read with the CRC32 of each block-part, from the store when it can give them.
import { blockPartCrcs, type ChecksummedRead, type ChunkRef, type IChunkStore, type ReadOptions } from '@mooseng/core';

/**
 * Reads `length` bytes at `offset` with the CRC32 of each block-part: the store's own (IChunkStore.readChecksummed,
 * which forwards the CRCs stored with whole blocks) or, for a store without that capability, computed here over
 * the bytes read() returned once it had checked them.
 */
export async function readChecksummed(
  store: IChunkStore,
  ref: ChunkRef,
  offset: number,
  length: number,
  options: ReadOptions = {},
): Promise<ChecksummedRead> {
  if (store.readChecksummed) return store.readChecksummed(ref, offset, length, options);
  const data = await store.read(ref, offset, length, { signal: options.signal });
  return { data, crcs: blockPartCrcs(offset, data) };
}
