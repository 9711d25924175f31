// IBlockFileIo: the positional file I/O a block chunk store runs on: the seam where buffered and O_DIRECT stores differ.

/**
 * Every position and read length a store passes to an IBlockFile, and every length it truncates to, is a multiple
 * of this: O_DIRECT's strictest requirement, so one chunk file format serves both I/O modes.
 */
export const CHUNK_FILE_ALIGNMENT_BYTES = 4096;

/** How IBlockFileIo.open treats an existing file: "create" makes a new one, "open" uses an existing one. */
export type BlockFileOpenMode = 'create' | 'open';

/**
 * One open chunk file, as the store uses it.
 *
 * Alignment: positions, read lengths and truncate lengths are multiples of CHUNK_FILE_ALIGNMENT_BYTES. Write lengths
 * may end anywhere; an implementation that needs aligned lengths pads the last piece with zeros up to the next
 * boundary. That padding may overwrite whatever followed the written bytes there: the store never keeps data it
 * needs in those bytes (every block slot and the header start on a boundary) and never reads past what it recorded.
 *
 * Buffers: a buffer passed in is borrowed for the call only: the implementation must not modify it, and must not
 * keep it once the call settles (the store reuses and changes its buffers afterwards). A buffer returned is the
 * caller's: the implementation must not touch it again.
 *
 * Concurrency and ordering: calls on one file may be in flight together (the store writes different blocks, and its
 * header, at the same time, and reads blocks while other blocks are written), so implementations must not share
 * per-file state between calls without guarding it. Between calls in flight together nothing is promised about
 * order; the store starts a call that overlaps another's bytes only once that one has settled, except that when one
 * call of an operation fails, the operation fails at once and its other calls may still be running.
 *
 * Durability: a resolved write or truncate has reached the kernel (buffered I/O) or the device (O_DIRECT) but need
 * not survive a crash; sync() makes it durable. The directory entry of a created or renamed file is not covered:
 * the store syncs directories itself.
 *
 * Errors: calls reject with the Node.js system error as the file system reported it (an Error whose `code` is the
 * errno name: ENOENT, EEXIST, ENOSPC, EDQUOT, EIO, EROFS, EINVAL...), not wrapped, because the store decides from
 * the code what happened to the data directory: ENOSPC and EDQUOT become NO_SPACE, EIO becomes IO_ERROR, EROFS (or
 * ENOENT/ENOTDIR once the directory is gone) becomes DISK_UNUSABLE, and each of those marks the directory unusable;
 * any other errno becomes IO_ERROR. A MoosengError passes through unchanged; any other exception is a bug (INTERNAL).
 */
export interface IBlockFile {
  /**
   * Exactly `length` bytes from `position`. Bytes past the end of the file read as zeros (a short read at the end is
   * not an error). The buffer returned is the caller's: `into` itself (its first `length` bytes) when given, which
   * must then be at least `length` long, else a new one.
   */
  read(position: number, length: number, into?: Buffer): Promise<Buffer>;
  /**
   * Writes the buffers back to back from `position`, all of them: a short write is the implementation's to finish,
   * never the caller's. Resolves once every byte was handed over; rejects if any could not be.
   */
  writev(position: number, buffers: readonly Uint8Array[]): Promise<void>;
  /** Sets the file's size to `length`: bytes past it are gone; if that grows the file, the new part reads as zeros. */
  truncate(length: number): Promise<void>;
  /**
   * Makes every write and truncate that resolved before this call durable, with the file's size (fdatasync, also
   * under O_DIRECT, which says nothing about the disk's write cache or the file's metadata).
   */
  sync(): Promise<void>;
  /** Releases the file without syncing it (the store syncs first when its policy asks) and makes no call on it after. */
  close(): Promise<void>;
}

/**
 * Opens chunk files in one I/O mode (buffered, O_DIRECT); a storage plugin supplies one and the block chunk store
 * does everything else. One instance serves every store and file of its plugin, concurrently.
 */
export interface IBlockFileIo {
  /**
   * Opens the chunk file at `path` for reading and writing. "create" makes a new, empty file and rejects with EEXIST
   * when one exists; "open" rejects with ENOENT when none does. The folder holding `path` exists.
   */
  open(path: string, mode: BlockFileOpenMode): Promise<IBlockFile>;
  /**
   * Checks once, when a store opens on `dir`, that chunk files there can be used in this mode (O_DIRECT is refused
   * by some file systems). Rejects with a DISK_UNUSABLE MoosengError naming the directory and why when not; leaves
   * nothing behind in `dir`.
   */
  probe(dir: string): Promise<void>;
}
export const IBlockFileIo = Symbol.for('mooseng.block-file-io');
