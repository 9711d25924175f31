// IChunkStore: a chunkserver's storage on one data directory. One store per directory; the chunkserver spreads
// chunks over its stores and treats a failed store as one unusable disk, not a failed server.
import type { ICompressor } from './compressor';

/** Largest chunk: a file is cut into chunks of this size. */
export const CHUNK_SIZE_BYTES = 64 * 1024 * 1024;
/** Unit of checksumming (CRC32) and compression inside a chunk. */
export const BLOCK_SIZE_BYTES = 64 * 1024;
export const BLOCKS_PER_CHUNK = CHUNK_SIZE_BYTES / BLOCK_SIZE_BYTES;

/**
 * One version of one chunk. Chunk ids are unsigned integers below 2^53 (safe JS numbers), allocated by the master;
 * versions start at 1 and grow each time the master lets replicas diverge (see docs/architecture.md, "Protocols").
 */
export interface ChunkRef {
  chunkId: number;
  version: number;
}

export interface StoredChunk extends ChunkRef {
  /** Bytes of data in the chunk (its logical length; holes count). */
  length: number;
}

export interface DirectoryUsage {
  dir: string;
  /** Size of the file system holding the directory. */
  totalBytes: number;
  /** Bytes still free on that file system. */
  freeBytes: number;
  /** Bytes taken by this store's chunk files. */
  usedBytes: number;
  chunks: number;
  /**
   * `full` after ENOSPC (or EDQUOT) until space comes back: it serves reads and writes into what its chunks already
   * hold, but takes no new chunk, and its chunks are not lost. `unusable` after an I/O error, a read-only file
   * system or the directory vanishing: nothing is served from it and its chunks are re-created elsewhere. `error`
   * says why in both cases.
   */
  state: 'ok' | 'full' | 'unusable';
  error?: string;
}

export interface IoOptions {
  signal?: AbortSignal;
}

/** Options of a read. */
export interface ReadOptions extends IoOptions {
  /**
   * Memory the store may read into instead of allocating (the chunkserver's reused read buffers): the result is then
   * a view of it. Only as a hint: a store may ignore it (and must, where it is too short), and returns a buffer of
   * its own then. The caller does not use `into` for anything else while it still uses the result.
   */
  into?: Buffer;
}

/** Bytes read with the CRC32 of each of their block-parts (core's blockPartCrcs: the range cut at block boundaries). */
export interface ChecksummedRead {
  data: Uint8Array;
  /** One CRC32 per block-part of `data`, in order: exactly what `data` holds of each block. */
  crcs: number[];
}

/** Options of a write (IChunkStore.write). */
export interface WriteOptions extends IoOptions {
  /**
   * The CRC32 of each block-part of `data` (core's blockPartCrcs), already checked against these bytes by the
   * caller: the data plane's, as its writer computed them. A store may keep them for whole blocks it stores as is
   * instead of computing them again, so the checksum made where the data entered the system is the one on disk.
   * A store that ignores them computes its own.
   */
  blockCrcs?: readonly number[];
}

/** Options of a version change (IChunkStore.setVersion). */
export interface SetVersionOptions extends IoOptions {
  /**
   * Cut the chunk to this many bytes as part of the change (the master's truncation of a boundary chunk). The cut is
   * durable before the new version is, so a replica found at the new version, after any crash, is always a cut one;
   * a crash in between leaves the old version with the cut made, which is as good as uncut for every byte the file
   * still has.
   */
  truncateTo?: number;
}

/**
 * Chunk storage on one directory.
 *
 * Buffers: a `data` argument is borrowed for the duration of the call (the store copies what it keeps); a returned
 * buffer belongs to the caller.
 * Ordering: operations on one chunk complete in the order they were called; different chunks proceed in parallel.
 * Durability: a resolved write has reached the disk only as the store's fsync policy says ("always": before
 * resolving; "on-close": by the time flush() resolves; "never": when the kernel decides). Stores must honour the
 * policy truthfully.
 * Errors (MoosengError codes): CHUNK_NOT_FOUND (no chunk of that id), CHUNK_STALE_VERSION (the id exists with
 * another version), CHUNK_EXISTS (create of an existing id), CHUNK_OUT_OF_RANGE (offset + length beyond
 * CHUNK_SIZE_BYTES), CHUNK_CORRUPT (a block failed its CRC: never return its bytes), NO_SPACE, IO_ERROR,
 * DISK_UNUSABLE (the store was marked unusable earlier), ABORTED.
 */
export interface IChunkStore {
  /** The data directory, as configured. */
  readonly dir: string;
  /** Creates an empty chunk (length 0). */
  create(ref: ChunkRef, options?: IoOptions): Promise<void>;
  /** Writes `data` at `offset`; partial blocks are read, merged and re-checksummed. Extends the length if needed. */
  write(ref: ChunkRef, offset: number, data: Uint8Array, options?: WriteOptions): Promise<void>;
  /**
   * Reads up to `length` bytes at `offset`, verifying the CRC of every block touched. Holes read as zeros; the result
   * is shorter than `length` only where the chunk ends.
   */
  read(ref: ChunkRef, offset: number, length: number, options?: IoOptions): Promise<Uint8Array>;
  /**
   * Optional capability: read() with the CRC32 of each block-part of the result, so the checksum computed when the
   * bytes were stored reaches the reader. A block-part that is a whole block stored as is carries the stored CRC,
   * not a recomputed one; a part of a block (or a compressed or zero-filled one) a CRC computed over exactly the
   * bytes returned, after the stored CRC was checked. Without it, the chunkserver computes them over read()'s result.
   */
  readChecksummed?(ref: ChunkRef, offset: number, length: number, options?: ReadOptions): Promise<ChecksummedRead>;
  /** Sets the length; growing leaves a hole, shrinking discards data past `length`. */
  truncate(ref: ChunkRef, length: number, options?: IoOptions): Promise<void>;
  /**
   * Moves the chunk to `newVersion` (cut to `options.truncateTo` bytes first, when given); fails with
   * CHUNK_STALE_VERSION if `ref` is not current. Unless the policy is "never", the change is durable (file and
   * directory synced) when this resolves: the master records the new version only after every replica it counts on
   * confirmed it, and a confirmation a power cut could undo would leave the catalog naming a version nobody has.
   */
  setVersion(ref: ChunkRef, newVersion: number, options?: SetVersionOptions): Promise<void>;
  /** Removes the chunk. */
  delete(ref: ChunkRef, options?: IoOptions): Promise<void>;
  /** Makes all writes to the chunk durable (fsync) unless the policy is "never". */
  flush(ref: ChunkRef, options?: IoOptions): Promise<void>;
  /** The stored version and length of a chunk id, or null when absent. */
  stat(chunkId: number, options?: IoOptions): Promise<StoredChunk | null>;
  /** Every chunk in the directory, for registration with the masters. */
  list(options?: IoOptions): Promise<StoredChunk[]>;
  usage(options?: IoOptions): Promise<DirectoryUsage>;
  /** Re-reads the whole chunk and returns the indexes of blocks whose CRC does not match (empty when sound). */
  verify(ref: ChunkRef, options?: IoOptions): Promise<number[]>;
  /** Waits for in-flight operations and releases file handles. */
  close(): Promise<void>;
}

export interface ChunkStoreOpenOptions extends IoOptions {
  /** Per-block compressor, when the chunkserver config selects one. */
  compressor?: ICompressor;
}

/** What a chunk-store plugin contributes: opens one store per data directory. */
export interface IChunkStoreFactory {
  open(dir: string, options?: ChunkStoreOpenOptions): Promise<IChunkStore>;
}
export const IChunkStoreFactory = Symbol.for('mooseng.chunk-store-factory');
