// The chunk file: a 16 KiB header (fields + a table of 1024 block entries) followed by one 64 KiB slot per block.
import { crc32 } from '@node-rs/crc32';
import { BLOCKS_PER_CHUNK, BLOCK_SIZE_BYTES, ErrorCodes, MoosengError, type ChunkRef } from '@mooseng/core';

/** "MNGK" */
export const CHUNK_FILE_MAGIC = 0x4d4e474b;
export const CHUNK_FILE_FORMAT_VERSION = 1;
/** The header's field page; the block table follows it. */
export const CHUNK_FIELDS_BYTES = 4096;
/** Per block: stored length (u32, 0 = hole), raw length (u32, top bit = compressed), CRC32 of the stored bytes. */
export const BLOCK_ENTRY_BYTES = 12;
export const CHUNK_HEADER_BYTES = CHUNK_FIELDS_BYTES + BLOCKS_PER_CHUNK * BLOCK_ENTRY_BYTES;
/** Longest compression algorithm name the header holds. */
export const MAX_ALGORITHM_NAME_BYTES = 16;
const COMPRESSED_FLAG = 0x8000_0000;
/** Bytes of the field page covered by its CRC (magic .. algorithm). */
const FIELDS_CRC_SPAN = 44;

/** A block's table entry. */
export interface BlockEntry {
  /** Bytes of the block in its slot; 0 = a hole (reads as zeros). */
  storedLength: number;
  /** Bytes of data the block holds once decoded; past that it reads as zeros. */
  rawLength: number;
  compressed: boolean;
  crc: number;
}

/** Offset of block `index`'s slot in the chunk file (always aligned). */
export function slotOffset(index: number): number {
  return CHUNK_HEADER_BYTES + index * BLOCK_SIZE_BYTES;
}

/** A chunk file's header held in memory; the store writes back the pages it changes. */
export class ChunkHeader {
  private constructor(readonly bytes: Buffer) {}

  static fresh(ref: ChunkRef, algorithm: string): ChunkHeader {
    const h = new ChunkHeader(Buffer.alloc(CHUNK_HEADER_BYTES));
    h.bytes.writeUInt32BE(CHUNK_FILE_MAGIC, 0);
    h.bytes.writeUInt16BE(CHUNK_FILE_FORMAT_VERSION, 4);
    h.setChunkId(ref.chunkId);
    h.version = ref.version;
    h.length = 0;
    const name = Buffer.from(algorithm, 'ascii');
    if (name.length > MAX_ALGORITHM_NAME_BYTES)
      throw new MoosengError(
        ErrorCodes.INVALID_ARGUMENT,
        `compression algorithm name "${algorithm}" is longer than ${MAX_ALGORITHM_NAME_BYTES} bytes`,
      );
    name.copy(h.bytes, 28);
    h.sealFields();
    return h;
  }

  /** Parses a header read from disk; a bad magic or field CRC is CHUNK_CORRUPT naming `path`. */
  static parse(bytes: Buffer, path: string): ChunkHeader {
    if (bytes.length < CHUNK_FIELDS_BYTES || bytes.readUInt32BE(0) !== CHUNK_FILE_MAGIC) {
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `${path}: not a chunk file (bad magic)`, { details: { path } });
    }
    if (bytes.readUInt16BE(4) !== CHUNK_FILE_FORMAT_VERSION) {
      throw new MoosengError(
        ErrorCodes.CHUNK_CORRUPT,
        `${path}: chunk file format ${bytes.readUInt16BE(4)} is not ${CHUNK_FILE_FORMAT_VERSION}`,
        { details: { path } },
      );
    }
    if (crc32(bytes.subarray(0, FIELDS_CRC_SPAN)) !== bytes.readUInt32BE(FIELDS_CRC_SPAN)) {
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `${path}: header checksum mismatch`, { details: { path } });
    }
    const full = Buffer.alloc(CHUNK_HEADER_BYTES);
    bytes.copy(full, 0, 0, Math.min(bytes.length, CHUNK_HEADER_BYTES));
    return new ChunkHeader(full);
  }

  get chunkId(): number {
    return this.bytes.readUInt32BE(8) * 2 ** 32 + this.bytes.readUInt32BE(12);
  }

  private setChunkId(v: number): void {
    this.bytes.writeUInt32BE(Math.floor(v / 2 ** 32), 8);
    this.bytes.writeUInt32BE(v >>> 0, 12);
  }

  get version(): number {
    return this.bytes.readUInt32BE(16) * 2 ** 32 + this.bytes.readUInt32BE(20);
  }

  set version(v: number) {
    this.bytes.writeUInt32BE(Math.floor(v / 2 ** 32), 16);
    this.bytes.writeUInt32BE(v >>> 0, 20);
  }

  get length(): number {
    return this.bytes.readUInt32BE(24);
  }

  set length(v: number) {
    this.bytes.writeUInt32BE(v, 24);
  }

  /** The compression algorithm blocks were written with ("" when none). */
  get algorithm(): string {
    const raw = this.bytes.subarray(28, 28 + MAX_ALGORITHM_NAME_BYTES);
    const end = raw.indexOf(0);
    return raw.toString('ascii', 0, end < 0 ? raw.length : end);
  }

  /**
   * Records the algorithm compressed blocks are written with; call sealFields() after. Unlike fresh(), this does not
   * check the name against MAX_ALGORITHM_NAME_BYTES: a longer name would be read back cut short.
   */
  recordAlgorithm(name: string): void {
    this.bytes.write(name, 28, 'ascii');
  }

  /** Recomputes the field CRC; call after changing version, length or algorithm. */
  sealFields(): void {
    this.bytes.writeUInt32BE(crc32(this.bytes.subarray(0, FIELDS_CRC_SPAN)), FIELDS_CRC_SPAN);
  }

  entry(index: number): BlockEntry {
    const at = CHUNK_FIELDS_BYTES + index * BLOCK_ENTRY_BYTES;
    const raw = this.bytes.readUInt32BE(at + 4);
    return {
      storedLength: this.bytes.readUInt32BE(at),
      rawLength: raw & ~COMPRESSED_FLAG,
      compressed: (raw & COMPRESSED_FLAG) !== 0,
      crc: this.bytes.readUInt32BE(at + 8),
    };
  }

  setEntry(index: number, e: BlockEntry): void {
    const at = CHUNK_FIELDS_BYTES + index * BLOCK_ENTRY_BYTES;
    this.bytes.writeUInt32BE(e.storedLength, at);
    this.bytes.writeUInt32BE((e.rawLength | (e.compressed ? COMPRESSED_FLAG : 0)) >>> 0, at + 4);
    this.bytes.writeUInt32BE(e.crc >>> 0, at + 8);
  }
}

/** A block entry that reads as zeros. */
export const HOLE: BlockEntry = { storedLength: 0, rawLength: 0, compressed: false, crc: 0 };
