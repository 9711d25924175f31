// ICompressor: per-block compression on the chunkserver, transparent to clients.

/**
 * Compresses single blocks (at most BLOCK_SIZE_BYTES). The chunk store calls it per block and keeps the raw block
 * when compression does not pay, so implementations need not decide that. Input buffers are only borrowed for the
 * call; returned buffers belong to the caller. Both methods are safe to call concurrently.
 */
export interface ICompressor {
  /** Short stable name written into chunk files, so a store can refuse blocks it cannot decode. */
  readonly algorithm: string;
  /** The compressed form of `block`. */
  compress(block: Uint8Array): Promise<Uint8Array>;
  /**
   * The original block. `originalLength` is the exact size the block had; a result of any other size, or a decoding
   * failure, must be reported as CHUNK_CORRUPT.
   */
  decompress(data: Uint8Array, originalLength: number): Promise<Uint8Array>;
}
export const ICompressor = Symbol.for('mooseng.compressor');
