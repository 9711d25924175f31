// asBuffer: a Buffer view of any Uint8Array, without copying.

/**
 * `data` as a Buffer over the same memory. Contracts hand out plain Uint8Arrays (ICompressor results, IChunkStore
 * write data), while the store needs Buffer's copy and CRC-friendly methods; a view costs nothing, a copy would
 * cost a memory pass per block.
 */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
