// The file-system contract the Raft host's storage (segment log, snapshot file) is written against: only the
// operations it needs, each with what a crash may undo, so a simulation can supply a disk that loses what was
// never synced and replay the real storage code against it.

/** A file open for writing at its end. Nothing written is durable until `sync` resolves. */
export interface RaftFile {
  /** Appends all of `data` at the end of the file. */
  append(data: Uint8Array): Promise<void>;
  /** Makes the file's contents and size durable (fdatasync). Its directory entry needs `syncDir` as well. */
  sync(): Promise<void>;
  /**
   * Appends all of `data` and makes the file's contents and size durable, as `append` then `sync` would, but in one
   * step where the file system can (one write through a descriptor opened O_DSYNC): the log's every batch waits on
   * it, and on a busy machine each trip to the I/O threads and back costs a wait for the CPU.
   */
  appendSynced(data: Uint8Array): Promise<void>;
  /** The file's current size in bytes, unsynced writes included. */
  size(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The few file operations the Raft storage uses, on POSIX terms: data is durable after the file's `sync`; a
 * creation, rename or removal is durable after `syncDir` of its directory. Paths are joined with node:path.
 */
export interface RaftFileSystem {
  /** Creates `dir` and any missing parents. */
  mkdirp(dir: string): Promise<void>;
  /** The names (not paths) of the entries in `dir`. */
  list(dir: string): Promise<string[]>;
  /** The whole file, or null when there is no such file. */
  read(path: string): Promise<Buffer | null>;
  /** Opens `path` for appending, creating it empty when missing. */
  openAppend(path: string): Promise<RaftFile>;
  /** Opens `path` empty for writing, truncating it if it exists. */
  create(path: string): Promise<RaftFile>;
  /** Cuts the file to `length` bytes (durable after its next `sync`). */
  truncate(path: string, length: number): Promise<void>;
  /** Renames `from` over `to` atomically: `to` is the old file or the new one, never neither. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes the file; no error when it is already gone. */
  remove(path: string): Promise<void>;
  /** Makes the creations, renames and removals in `dir` durable (fsync of the directory). */
  syncDir(dir: string): Promise<void>;
}
