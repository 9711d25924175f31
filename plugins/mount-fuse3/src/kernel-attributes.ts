// KernelAttributes: the attributes this mount last gave the kernel for each inode, so it can tell when a fresher
// answer (an open's, from the master) shows the kernel's cached attributes and pages are out of date.
import type { FsAttr } from '@mooseng/core';

/** What the kernel holds that a change makes stale: `data` (attributes and cached pages) or `attributes` only. */
export type KernelStaleness = 'data' | 'attributes' | null;

/** The fields of FsAttr the kernel caches that another client can change (atime is not compared: reads move it). */
type Told = Pick<FsAttr, 'mode' | 'nlink' | 'uid' | 'gid' | 'size' | 'mtimeMs' | 'ctimeMs'>;

/** Per inode, the attributes in the last reply the kernel got; kept while the kernel holds the inode. */
export class KernelAttributes {
  private readonly told = new Map<number, Told>();

  /** The kernel got `attr` (an entry, attribute, create or readdirplus reply that went out). */
  gave(attr: FsAttr): void {
    if (attr.ino === 0) return;
    const { mode, nlink, uid, gid, size, mtimeMs, ctimeMs } = attr;
    this.told.set(attr.ino, { mode, nlink, uid, gid, size, mtimeMs, ctimeMs });
  }

  /**
   * How stale the kernel's cache of `fresh.ino` is: `data` when the size or mtime moved (its pages may hold old
   * bytes), `attributes` when only other fields did, null when it matches or the kernel was told nothing.
   */
  staleness(fresh: FsAttr): KernelStaleness {
    const t = this.told.get(fresh.ino);
    if (!t) return null;
    if (t.size !== fresh.size || t.mtimeMs !== fresh.mtimeMs) return 'data';
    if (t.mode !== fresh.mode || t.nlink !== fresh.nlink || t.uid !== fresh.uid || t.gid !== fresh.gid || t.ctimeMs !== fresh.ctimeMs)
      return 'attributes';
    return null;
  }

  /** The kernel dropped what it cached of `ino` (invalidated, or forgotten): nothing to compare with until told again. */
  forget(ino: number): void {
    this.told.delete(ino);
  }

  /** Whether the kernel was told attributes of `ino` (and has dropped none of them since). */
  knows(ino: number): boolean {
    return this.told.has(ino);
  }

  /** The inodes remembered (those the kernel was told about and still holds). */
  inodes(): number[] {
    return [...this.told.keys()];
  }

  /** Inodes remembered. */
  get size(): number {
    return this.told.size;
  }
}
