// BlockFile: the positional file I/O a block chunk store needs, so buffered and O_DIRECT stores share one format.

/**
 * One open chunk file. Positions and lengths the store passes are multiples of CHUNK_FILE_ALIGNMENT_BYTES, except
 * that write lengths may end anywhere (an implementation that needs aligned lengths pads with zeros: the store never
 * reads bytes past what it recorded).
 */
export interface BlockFile {
  /** Exactly `length` bytes at `position`; bytes past the end of the file read as zeros. The buffer is the caller's. */
  read(position: number, length: number): Promise<Buffer>;
  /** Writes the buffers back to back at `position`. They are borrowed for the call only. */
  writev(position: number, buffers: readonly Uint8Array[]): Promise<void>;
  truncate(length: number): Promise<void>;
  /** Makes written data and the file size durable (fdatasync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Opens chunk files in one I/O mode (buffered, O_DIRECT). */
export interface BlockFileIo {
  /** "create" fails with EEXIST when the file exists; "open" fails with ENOENT when it does not. */
  open(path: string, mode: 'create' | 'open'): Promise<BlockFile>;
  /**
   * Checks that files in `dir` can be opened in this mode (O_DIRECT is refused by some file systems); throws a
   * DISK_UNUSABLE MoosengError naming the directory when not.
   */
  probe(dir: string): Promise<void>;
}

/** Every position and read length a store passes to a BlockFile is a multiple of this (O_DIRECT's strictest). */
export const CHUNK_FILE_ALIGNMENT_BYTES = 4096;
