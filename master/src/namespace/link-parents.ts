// Which directories name each non-directory inode: what a subtree export needs to tell whether a file lies beneath
// the session's root (MooseFS's fsnodes_isancestor walks the same links). Derived from the directory entries, never
// replicated or stored: every master keeps it as it applies commands, and rebuilds it after loading a snapshot.
//
// A directory's one parent is Inode.parent, kept by the tree. A non-directory's first name is in Inode.parent too
// (free: every inode has the field), and only hard links beyond the first cost an entry here.
import type { Inode } from './inode';

export class LinkParents {
  /** ino → the directories of its second and later names, one element per name (a directory may appear twice). */
  private readonly more = new Map<number, number[]>();

  /** `inode` (not a directory) got a name in directory `dir`. */
  added(inode: Inode, dir: number): void {
    if (inode.parent === 0) {
      inode.parent = dir;
      return;
    }
    const list = this.more.get(inode.ino);
    if (list === undefined) this.more.set(inode.ino, [dir]);
    else list.push(dir);
  }

  /** `inode` (not a directory) lost a name in directory `dir`. */
  removed(inode: Inode, dir: number): void {
    const list = this.more.get(inode.ino);
    if (list !== undefined) {
      const i = list.lastIndexOf(dir);
      if (i >= 0) list.splice(i, 1);
      else if (inode.parent === dir) inode.parent = list.pop()!;
      if (list.length === 0) this.more.delete(inode.ino);
      return;
    }
    if (inode.parent === dir) inode.parent = 0;
  }

  /** One name of `inode` moved from directory `from` to `to`. */
  moved(inode: Inode, from: number, to: number): void {
    if (from === to) return;
    this.removed(inode, from);
    this.added(inode, to);
  }

  /** The directories naming `inode` (a non-directory), one per name; none once it is unlinked. */
  parentsOf(inode: Inode): readonly number[] {
    const list = this.more.get(inode.ino);
    if (inode.parent === 0) return [];
    return list === undefined ? [inode.parent] : [inode.parent, ...list];
  }

  /** `inode` is freed. */
  forget(ino: number): void {
    this.more.delete(ino);
  }

  clear(): void {
    this.more.clear();
  }
}
