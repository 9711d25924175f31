// BlockCodec: a 64 KiB block's stored form: compressed when that is smaller, with the CRC32 of the bytes stored.
import { crc32 } from '@node-rs/crc32';
import { ErrorCodes, MoosengError, type ICompressor } from '@mooseng/core';
import { asBuffer } from './as-buffer';
import type { BlockEntry, ChunkHeader } from './chunk-file-format';

/** A block ready for its slot: the bytes to store and the table entry describing them. */
export interface EncodedBlock {
  stored: Buffer;
  entry: BlockEntry;
}

/**
 * Encodes and checks blocks for one data directory. The CRC covers the stored bytes (compressed or not), so a
 * block is checked before it is decompressed: a damaged block is reported as such, never fed to the decompressor
 * as data. A chunk records one algorithm in its header; blocks are compressed only with that one (or any, while
 * the chunk records none yet), so every compressed block of a chunk decodes with the same compressor.
 */
export class BlockCodec {
  constructor(
    /** The data directory, for error messages. */
    private readonly dir: string,
    private readonly compressor?: ICompressor,
  ) {}

  /**
   * The stored form of a raw block: compressed when that is smaller, raw otherwise. `rawCrc`, when given, is the
   * CRC32 of `raw` as the writer computed it and the data plane checked it: kept for a block stored raw rather than
   * computed again.
   */
  async encode(header: ChunkHeader, raw: Buffer, rawCrc?: number): Promise<EncodedBlock> {
    if (this.canCompress(header)) {
      const packed = asBuffer(await this.compressor!.compress(raw));
      if (packed.length < raw.length) {
        return { stored: packed, entry: { storedLength: packed.length, rawLength: raw.length, compressed: true, crc: crc32(packed) } };
      }
    }
    return { stored: raw, entry: { storedLength: raw.length, rawLength: raw.length, compressed: false, crc: rawCrc ?? crc32(raw) } };
  }

  /**
   * Checks the stored bytes of block `index` against their CRC, then decodes them. A CRC mismatch, a block that does
   * not decompress or decompresses to another length is CHUNK_CORRUPT; a block compressed with an algorithm this
   * directory has no compressor for is IO_ERROR (the data may be fine: the configuration is not).
   */
  async decode(header: ChunkHeader, index: number, entry: BlockEntry, stored: Buffer): Promise<Buffer> {
    const chunkId = header.chunkId;
    if (crc32(stored) !== entry.crc) {
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `chunk ${chunkId} block ${index} in ${this.dir} failed its CRC check`, {
        details: { chunkId, version: header.version, block: index, dir: this.dir },
      });
    }
    if (!entry.compressed) return stored;
    const algorithm = header.algorithm;
    const compressor = this.compressor;
    if (!compressor || compressor.algorithm !== algorithm) {
      throw new MoosengError(
        ErrorCodes.IO_ERROR,
        `chunk ${chunkId} in ${this.dir} holds blocks compressed with "${algorithm}": configure that compressor to read it`,
        { details: { chunkId, algorithm } },
      );
    }
    let raw: Buffer;
    try {
      raw = asBuffer(await compressor.decompress(stored, entry.rawLength));
    } catch (err) {
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `chunk ${chunkId} block ${index} in ${this.dir} does not decompress`, {
        cause: err,
        details: { chunkId, block: index, dir: this.dir },
      });
    }
    if (raw.length !== entry.rawLength) {
      throw new MoosengError(
        ErrorCodes.CHUNK_CORRUPT,
        `chunk ${chunkId} block ${index} decompressed to ${raw.length} bytes, not ${entry.rawLength}`,
        { details: { chunkId, block: index } },
      );
    }
    return raw;
  }

  /**
   * Records this codec's algorithm in a header that names none yet, once `entries` (about to enter its table) hold a
   * compressed block. Call before sealing the header's fields.
   */
  recordAlgorithm(header: ChunkHeader, entries: readonly BlockEntry[]): void {
    if (this.compressor && header.algorithm === '' && entries.some((e) => e.compressed)) header.recordAlgorithm(this.compressor.algorithm);
  }

  private canCompress(header: ChunkHeader): boolean {
    const compressor = this.compressor;
    return compressor !== undefined && (header.algorithm === compressor.algorithm || header.algorithm === '');
  }
}
