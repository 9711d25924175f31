// One inode of the namespace: a small fixed-shape object (one hidden class for all kinds, to keep 1 M of them cheap).
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '@mooseng/core';
import { CHUNK_SIZE_BYTES } from './constants';
import type { InodeAttr } from './results';

/** The chunk slots of a file that has none: shared, never written (a file gets its own array on its first chunk). */
const NO_SLOTS: readonly number[] = Object.freeze([]);

/** Directory entries: name → inode number, in insertion order (deterministic on every master). */
export type DirEntries = Map<string, number>;

/**
 * An inode. `payload` depends on the type: a directory's entries, a symlink's target, a regular file's chunk ids
 * per chunk index (0 = hole; null while the file has no chunk, which saves an array per empty file), or null for
 * FIFOs, sockets and devices. Every field is always set so that all inodes
 * share one V8 shape.
 */
export class Inode {
  constructor(
    public readonly ino: number,
    /** S_IFMT type bits | permission bits. */
    public mode: number,
    public uid: number,
    public gid: number,
    public nlink: number,
    /** Regular files: length in bytes; symlinks: target bytes; others 0 (directories report their entry count). */
    public size: number,
    public atime: number,
    public mtime: number,
    public ctime: number,
    public goal: number,
    /** Directories: the parent's inode number (the root is its own parent); others: 0 (hard links have many). */
    public parent: number,
    public rdev: number,
    public payload: DirEntries | string | number[] | null,
    public xattrs: Map<string, Uint8Array> | null,
  ) {}

  get type(): number {
    return this.mode & S_IFMT;
  }

  isDir(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }

  isFile(): boolean {
    return (this.mode & S_IFMT) === S_IFREG;
  }

  isSymlink(): boolean {
    return (this.mode & S_IFMT) === S_IFLNK;
  }

  /** Directory entries (call only on a directory). */
  get entries(): DirEntries {
    return this.payload as DirEntries;
  }

  /** Chunk ids per chunk index (call only on a regular file); read-only view when the file has none. */
  get chunks(): readonly number[] {
    return (this.payload as number[] | null) ?? NO_SLOTS;
  }

  /** The file's own, writable chunk slot array (created on first use). */
  writableChunks(): number[] {
    if (this.payload === null) this.payload = [];
    return this.payload as number[];
  }

  attr(): InodeAttr {
    return {
      ino: this.ino,
      mode: this.mode,
      uid: this.uid,
      gid: this.gid,
      nlink: this.nlink,
      size: this.isDir() ? this.entries.size : this.size,
      atime: this.atime,
      mtime: this.mtime,
      ctime: this.ctime,
      rdev: this.rdev,
      goal: this.goal,
      hasXattrs: this.xattrs !== null && this.xattrs.size > 0,
      storedBytes: this.isFile() ? this.storedBytes() : this.isDir() ? this.entries.size : this.size,
    };
  }

  /** A file's bytes in chunks: each chunk slot that is not a hole counts its part of the length. */
  private storedBytes(): number {
    const slots = this.chunks;
    let bytes = 0;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] !== 0) bytes += Math.max(0, Math.min(CHUNK_SIZE_BYTES, this.size - i * CHUNK_SIZE_BYTES));
    }
    return bytes;
  }
}
