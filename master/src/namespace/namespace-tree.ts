// The namespace: inodes, directory entries, links, rename, attributes, xattrs, goals and each file's chunk slots.
import {
  assert,
  ErrorCodes,
  MAX_GOAL,
  MAX_NAME_BYTES,
  MAX_PATH_BYTES,
  MAX_READDIR_PAGE_ENTRIES,
  MAX_XATTR_NAME_BYTES,
  MAX_XATTR_TOTAL_BYTES,
  MAX_XATTR_VALUE_BYTES,
  MIN_GOAL,
  MoosengError,
  R_OK,
  RenameFlags,
  ROOT_INODE,
  S_IALLUGO,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
  S_ISGID,
  S_ISUID,
  S_IXGRP,
  SetattrMask,
  W_OK,
  X_OK,
  XattrFlags,
} from '@mooseng/core';
import { ChunkTable } from '../chunks/chunk-table';
import type { Credentials } from './commands';
import { CHUNK_SIZE_BYTES, MAX_FILE_SIZE_BYTES, MAX_LINK_COUNT, SORTED_DIR_CACHE_DIRECTORIES } from './constants';
import { Inode, type DirEntries } from './inode';
import { LinkParents } from './link-parents';
import { checkAccess, checkSticky, inGroup, isOwnerOrRoot, isRoot, mayAccess } from './permissions';
import {
  ACL_ACCESS_XATTR,
  ACL_DEFAULT_XATTR,
  decodeAcl,
  encodeAcl,
  inheritedAccess,
  isMinimal,
  modeBitsOf,
  storedAcl,
  withModeBits,
} from './posix-acl';
import type { ChunkWriteGrant, InodeAttr } from './results';

/** One entry of a readdir page. */
export interface DirEntryInfo {
  name: string;
  ino: number;
  /** The entry's type bits (S_IFMT part of its mode). */
  type: number;
}

/** A readdir page: entries in byte-wise name order, and the cursor to pass for the next page (null at the end). */
export interface ReaddirPage {
  entries: DirEntryInfo[];
  next: string | null;
}

/** Namespace-wide figures for statfs and /status. */
export interface NamespaceStats {
  inodes: number;
  files: number;
  directories: number;
  symlinks: number;
  /** Unlinked inodes kept because a session holds them open. */
  orphans: number;
  /** Sum of regular file lengths (logical bytes, before replication). */
  fileBytes: number;
  chunks: number;
  pendingDeletions: number;
  pendingTruncations: number;
  nextInode: number;
  nextChunkId: number;
}

function fail(code: keyof typeof ErrorCodes, message: string, details?: Record<string, unknown>): never {
  throw new MoosengError(ErrorCodes[code], message, details === undefined ? undefined : { details });
}

/** Validates one path component: ENOENT when empty, EINVAL with '/' or NUL, ENAMETOOLONG beyond 255 bytes. */
export function checkName(name: string): void {
  if (name.length === 0) fail('ENOENT', 'empty name');
  if (name.includes('/') || name.includes('\0')) fail('EINVAL', `invalid character in name ${JSON.stringify(name)}`);
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) fail('ENAMETOOLONG', `name longer than ${MAX_NAME_BYTES} bytes`);
}

/** Largest uid or gid (32-bit, (uid_t)-1 excluded as it means "unchanged" to chown). */
const MAX_ID = 0xffff_fffe;

function isDotName(name: string): boolean {
  return name === '.' || name === '..';
}

/** Chunk slots a file of `size` bytes spans. */
function slotsFor(size: number): number {
  return Math.ceil(size / CHUNK_SIZE_BYTES);
}

/**
 * The namespace tree and its files' chunk slots. Every mutating method validates everything first and only then
 * changes state, so a failed command leaves no trace; all inputs that vary between masters (time, credentials,
 * chosen chunkservers) are arguments.
 */
/** lseek(2) whence values for data and holes (Linux). */
const SEEK_DATA = 3;
const SEEK_HOLE = 4;

export class NamespaceTree {
  readonly inodes = new Map<number, Inode>();
  /** Inode → opens over all sessions (only inodes open at least once are present). */
  readonly openCounts = new Map<number, number>();
  readonly chunkTable = new ChunkTable();
  nextInode = ROOT_INODE + 1;
  private fileBytes = 0;
  /** Inodes per type (S_IFMT value → count), kept as inodes come and go so statfs costs O(1). */
  private readonly typeCounts = new Map<number, number>();
  /** Non-replicated cache of sorted entry names for paged readdir, least recently used first. */
  private readonly sortedNames = new Map<number, string[]>();
  /** Non-replicated: the directories naming each non-directory (for subtree exports, isWithin). */
  private readonly linkParents = new LinkParents();

  constructor(private readonly rootGoal: number) {
    this.reset();
  }

  /** Back to a fresh file system holding only the root directory (time 0, mode 0755, owned by root). */
  reset(): void {
    this.inodes.clear();
    this.openCounts.clear();
    this.chunkTable.clear();
    this.sortedNames.clear();
    this.linkParents.clear();
    this.nextInode = ROOT_INODE + 1;
    this.fileBytes = 0;
    this.typeCounts.clear();
    this.addInode(new Inode(ROOT_INODE, S_IFDIR | 0o755, 0, 0, 2, 0, 0, 0, 0, this.rootGoal, ROOT_INODE, 0, new Map(), null));
  }

  private addInode(inode: Inode): void {
    this.inodes.set(inode.ino, inode);
    this.typeCounts.set(inode.type, (this.typeCounts.get(inode.type) ?? 0) + 1);
    if (inode.isFile()) this.fileBytes += inode.size;
  }

  // ---------------------------------------------------------------- lookups

  get(ino: number): Inode {
    const inode = this.inodes.get(ino);
    if (inode === undefined) fail('ENOENT', `no inode ${ino}`, { ino });
    return inode;
  }

  getDir(ino: number): Inode {
    const inode = this.get(ino);
    if (!inode.isDir()) fail('ENOTDIR', `inode ${ino} is not a directory`, { ino });
    return inode;
  }

  getattr(ino: number): InodeAttr {
    return this.get(ino).attr();
  }

  /**
   * lseek(2) SEEK_DATA / SEEK_HOLE on a file, at chunk granularity: bytes in a chunk that exists are data, those
   * of a missing chunk (a hole slot, or past the last slot) a hole, and the end of the file is a hole too. ENXIO
   * at or past the end, and for SEEK_DATA when only holes follow.
   */
  seek(ino: number, offset: number, whence: number): number {
    const inode = this.get(ino);
    if (!inode.isFile()) fail('EINVAL', `inode ${ino} is not a regular file`);
    if (whence !== SEEK_DATA && whence !== SEEK_HOLE) fail('EINVAL', `whence ${whence} is neither SEEK_DATA nor SEEK_HOLE`);
    if (offset < 0) fail('EINVAL', `negative offset ${offset}`);
    if (offset >= inode.size) fail('ENXIO', `offset ${offset} is at or past the end of the file (${inode.size} bytes)`);
    const slots = inode.chunks;
    const lastIndex = Math.floor((inode.size - 1) / CHUNK_SIZE_BYTES);
    for (let i = Math.floor(offset / CHUNK_SIZE_BYTES); i <= lastIndex; i++) {
      const data = i < slots.length && slots[i] !== 0;
      if (data === (whence === SEEK_DATA)) return Math.max(offset, i * CHUNK_SIZE_BYTES);
    }
    if (whence === SEEK_DATA) fail('ENXIO', `no data at or after offset ${offset}`);
    return inode.size;
  }

  /** The inode named `name` in directory `parent` ('.' and '..' included); needs search (x) permission. */
  lookup(parent: number, name: string, cred: Credentials): Inode {
    const dir = this.getDir(parent);
    checkAccess(dir, cred, X_OK);
    if (name === '.') return dir;
    if (name === '..') return this.get(dir.parent);
    checkName(name);
    const ino = dir.entries.get(name);
    if (ino === undefined) fail('ENOENT', `no entry ${JSON.stringify(name)} in directory ${parent}`, { parent, name });
    return this.get(ino);
  }

  readlink(ino: number): string {
    const inode = this.get(ino);
    if (!inode.isSymlink()) fail('EINVAL', `inode ${ino} is not a symlink`);
    return inode.payload as string;
  }

  /**
   * One page of a directory, in byte-wise name order: entries after `after` (exclusive; null = from the start).
   * Order does not depend on history, so a cursor stays valid while the directory changes (entries added or
   * removed meanwhile may or may not appear, as POSIX allows; the others appear exactly once).
   */
  readdir(ino: number, cred: Credentials, after: string | null, limit: number): ReaddirPage {
    const dir = this.getDir(ino);
    checkAccess(dir, cred, R_OK);
    const max = Math.max(1, Math.min(limit, MAX_READDIR_PAGE_ENTRIES));
    const names = this.sortedNamesOf(dir);
    let lo = 0;
    if (after !== null) {
      let hi = names.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (names[mid] <= after) lo = mid + 1;
        else hi = mid;
      }
    }
    const entries: DirEntryInfo[] = [];
    for (let i = lo; i < names.length && entries.length < max; i++) {
      const child = dir.entries.get(names[i])!;
      entries.push({ name: names[i], ino: child, type: this.get(child).type });
    }
    const last = lo + entries.length;
    return { entries, next: last < names.length ? names[last - 1] : null };
  }

  private sortedNamesOf(dir: Inode): string[] {
    let names = this.sortedNames.get(dir.ino);
    if (names !== undefined) {
      this.sortedNames.delete(dir.ino); // re-insert: most recently used last
    } else {
      names = [...dir.entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (this.sortedNames.size >= SORTED_DIR_CACHE_DIRECTORIES) this.sortedNames.delete(this.sortedNames.keys().next().value as number);
    }
    this.sortedNames.set(dir.ino, names);
    return names;
  }

  private dirChanged(dir: Inode, now: number): void {
    this.sortedNames.delete(dir.ino);
    dir.mtime = now;
    dir.ctime = now;
  }

  /**
   * True when `ino` is the directory `root` or lies beneath it; a non-directory when one of its names does. What a
   * session under a subtree export may name (MooseFS's fsnodes_isancestor_or_equal). An unlinked inode lies nowhere.
   */
  isWithin(ino: number, root: number): boolean {
    if (root === ROOT_INODE) return this.inodes.has(ino);
    const inode = this.inodes.get(ino);
    if (inode === undefined) return false;
    if (inode.isDir()) return inode.nlink > 0 && this.dirWithin(inode, root);
    for (const dir of this.linkParents.parentsOf(inode)) {
      const parent = this.inodes.get(dir);
      if (parent !== undefined && this.dirWithin(parent, root)) return true;
    }
    return false;
  }

  /** The directories naming a non-directory, one per name (its ".." for a directory). */
  directoriesNaming(ino: number): readonly number[] {
    const inode = this.get(ino);
    return inode.isDir() ? [inode.parent] : this.linkParents.parentsOf(inode);
  }

  /** Walks a live directory's ".." chain up to `root` (true) or the file system's root (false). */
  private dirWithin(dir: Inode, root: number): boolean {
    let cur = dir;
    for (;;) {
      if (cur.ino === root) return true;
      if (cur.ino === ROOT_INODE) return false;
      const up = this.inodes.get(cur.parent);
      if (up === undefined) return false;
      cur = up;
    }
  }

  /** True when `cred` may access `ino` with `want` (access(2)). */
  access(ino: number, cred: Credentials, want: number): boolean {
    return mayAccess(this.get(ino), cred, want);
  }

  stats(): NamespaceStats {
    const files = this.typeCounts.get(S_IFREG) ?? 0;
    const directories = this.typeCounts.get(S_IFDIR) ?? 0;
    const symlinks = this.typeCounts.get(S_IFLNK) ?? 0;
    // Orphans are inodes held open without a name: bounded by the open files, not by the namespace.
    let orphans = 0;
    for (const ino of this.openCounts.keys()) if (this.inodes.get(ino)?.nlink === 0) orphans++;
    return {
      inodes: this.inodes.size,
      files,
      directories,
      symlinks,
      orphans,
      fileBytes: this.fileBytes,
      chunks: this.chunkTable.size,
      pendingDeletions: this.chunkTable.deletions.size,
      pendingTruncations: this.chunkTable.truncations.size,
      nextInode: this.nextInode,
      nextChunkId: this.chunkTable.nextChunkId,
    };
  }

  // ---------------------------------------------------------------- creation

  /** Checks that `name` may be created in `dir` by `cred` and returns the directory. */
  private prepareCreate(parent: number, name: string, cred: Credentials): Inode {
    const dir = this.getDir(parent);
    if (isDotName(name)) fail('EEXIST', `${name} always exists`);
    checkName(name);
    checkAccess(dir, cred, W_OK | X_OK);
    if (dir.nlink === 0) fail('ENOENT', `directory ${parent} was removed`);
    if (dir.entries.has(name)) fail('EEXIST', `${JSON.stringify(name)} exists in directory ${parent}`, { parent, name });
    return dir;
  }

  /**
   * A new inode under `dir`, owned by the caller, group from a setgid parent, goal inherited from the parent. Its
   * permission bits are `mode` less the creator's `umask`, or, when `dir` has a default ACL, what that ACL allows
   * of `mode` (the umask does not apply then; the new inode gets the ACL, and a directory the default ACL too).
   */
  private addChild(
    dir: Inode,
    name: string,
    mode: number,
    umask: number,
    cred: Credentials,
    now: number,
    rdev: number,
    payload: Inode['payload'],
    size: number,
  ): Inode {
    const setgidParent = (dir.mode & S_ISGID) !== 0;
    const gid = setgidParent ? dir.gid : (cred.gids[0] ?? 0);
    const type = mode & S_IFMT;
    let perms = mode & S_IALLUGO;
    let xattrs: Inode['xattrs'] = null;
    const defaultAcl = type === S_IFLNK ? undefined : dir.xattrs?.get(ACL_DEFAULT_XATTR);
    if (defaultAcl === undefined) {
      perms &= ~(umask & 0o777);
    } else {
      const { acl, modeBits } = inheritedAccess(storedAcl(defaultAcl), perms);
      perms = (perms & ~0o777) | modeBits;
      xattrs = new Map();
      if (!isMinimal(acl)) xattrs.set(ACL_ACCESS_XATTR, encodeAcl(acl));
      if (type === S_IFDIR) xattrs.set(ACL_DEFAULT_XATTR, defaultAcl);
      if (xattrs.size === 0) xattrs = null;
    }
    if (type === S_IFDIR && setgidParent) perms |= S_ISGID;
    // A non-member creating a setgid file would gain the group: drop the bit (as Linux's inode_init_owner).
    if (type !== S_IFDIR && (perms & S_ISGID) !== 0 && !isRoot(cred) && !inGroup(cred, gid)) perms &= ~S_ISGID;
    const ino = this.nextInode++;
    const nlink = type === S_IFDIR ? 2 : 1;
    const inode = new Inode(
      ino,
      type | perms,
      cred.uid,
      gid,
      nlink,
      size,
      now,
      now,
      now,
      dir.goal,
      dir.ino, // a directory's "..", or a non-directory's first name (link-parents.ts)
      rdev,
      payload,
      xattrs,
    );
    this.addInode(inode);
    dir.entries.set(name, ino);
    if (type === S_IFDIR) dir.nlink++;
    this.dirChanged(dir, now);
    return inode;
  }

  /** mknod/create: a regular file, FIFO, socket or device. Devices need root (CAP_MKNOD). */
  mknod(parent: number, name: string, mode: number, rdev: number, umask: number, cred: Credentials, now: number): Inode {
    let type = mode & S_IFMT;
    if (type === 0) type = S_IFREG;
    if (type !== S_IFREG && type !== S_IFIFO && type !== S_IFSOCK && type !== S_IFCHR && type !== S_IFBLK) {
      fail('EINVAL', `mknod cannot create type 0${type.toString(8)} (use mkdir or symlink)`);
    }
    const dir = this.prepareCreate(parent, name, cred);
    if ((type === S_IFCHR || type === S_IFBLK) && !isRoot(cred)) fail('EPERM', 'only root may create device nodes');
    const isDevice = type === S_IFCHR || type === S_IFBLK;
    return this.addChild(dir, name, type | (mode & S_IALLUGO), umask, cred, now, isDevice ? rdev : 0, null, 0);
  }

  mkdir(parent: number, name: string, mode: number, umask: number, cred: Credentials, now: number): Inode {
    const dir = this.prepareCreate(parent, name, cred);
    if (dir.nlink >= MAX_LINK_COUNT) fail('EMLINK', `directory ${parent} has too many subdirectories`);
    return this.addChild(dir, name, S_IFDIR | (mode & S_IALLUGO), umask, cred, now, 0, new Map() as DirEntries, 0);
  }

  symlink(parent: number, name: string, target: string, cred: Credentials, now: number): Inode {
    if (target.length === 0) fail('ENOENT', 'empty symlink target');
    if (target.includes('\0')) fail('EINVAL', 'NUL in symlink target');
    const bytes = Buffer.byteLength(target, 'utf8');
    if (bytes >= MAX_PATH_BYTES) fail('ENAMETOOLONG', `symlink target longer than ${MAX_PATH_BYTES - 1} bytes`);
    const dir = this.prepareCreate(parent, name, cred);
    return this.addChild(dir, name, S_IFLNK | 0o777, 0, cred, now, 0, target, bytes);
  }

  /** A hard link: another name for a non-directory. */
  link(ino: number, parent: number, name: string, cred: Credentials, now: number): Inode {
    const inode = this.get(ino);
    if (inode.isDir()) fail('EPERM', 'hard links to directories are not allowed');
    const dir = this.prepareCreate(parent, name, cred);
    if (inode.nlink === 0) fail('ENOENT', `inode ${ino} was unlinked`);
    if (inode.nlink >= MAX_LINK_COUNT) fail('EMLINK', `inode ${ino} has ${inode.nlink} links already`);
    inode.nlink++;
    inode.ctime = now;
    dir.entries.set(name, ino);
    this.linkParents.added(inode, dir.ino);
    this.dirChanged(dir, now);
    return inode;
  }

  // ---------------------------------------------------------------- removal

  /** Checks that `cred` may remove entry `name` from `dir`; returns the victim. */
  private prepareRemove(dir: Inode, name: string, cred: Credentials): Inode {
    checkName(name);
    checkAccess(dir, cred, W_OK | X_OK);
    const ino = dir.entries.get(name);
    if (ino === undefined) fail('ENOENT', `no entry ${JSON.stringify(name)} in directory ${dir.ino}`, { parent: dir.ino, name });
    const victim = this.get(ino);
    checkSticky(dir, victim, cred);
    return victim;
  }

  unlink(parent: number, name: string, cred: Credentials, now: number): void {
    const dir = this.getDir(parent);
    if (isDotName(name)) fail('EISDIR', `cannot unlink ${name}`);
    const victim = this.prepareRemove(dir, name, cred);
    if (victim.isDir()) fail('EISDIR', `${JSON.stringify(name)} is a directory (use rmdir)`);
    dir.entries.delete(name);
    this.linkParents.removed(victim, dir.ino);
    this.dirChanged(dir, now);
    this.dropLink(victim, now);
  }

  rmdir(parent: number, name: string, cred: Credentials, now: number): void {
    const dir = this.getDir(parent);
    if (name === '.') fail('EINVAL', 'cannot remove "."');
    if (name === '..') fail('ENOTEMPTY', 'cannot remove ".."');
    const victim = this.prepareRemove(dir, name, cred);
    if (!victim.isDir()) fail('ENOTDIR', `${JSON.stringify(name)} is not a directory`);
    if (victim.entries.size > 0) fail('ENOTEMPTY', `directory ${JSON.stringify(name)} is not empty`);
    dir.entries.delete(name);
    dir.nlink--;
    this.dirChanged(dir, now);
    this.dropLink(victim, now);
  }

  /** One name of `inode` is gone: fix its link count and free it when nothing holds it. */
  private dropLink(inode: Inode, now: number): void {
    inode.nlink = inode.isDir() ? 0 : inode.nlink - 1;
    inode.ctime = now;
    this.freeIfUnused(inode);
  }

  /** Frees an inode that has no name and no open handle; its chunks lose a reference. */
  private freeIfUnused(inode: Inode): void {
    if (inode.nlink > 0 || this.openCounts.has(inode.ino)) return;
    if (inode.isFile()) {
      for (const chunkId of inode.chunks) if (chunkId !== 0) this.chunkTable.release(chunkId);
      this.fileBytes -= inode.size;
    }
    this.sortedNames.delete(inode.ino);
    this.linkParents.forget(inode.ino);
    this.inodes.delete(inode.ino);
    this.typeCounts.set(inode.type, this.typeCounts.get(inode.type)! - 1);
  }

  // ---------------------------------------------------------------- rename

  /** Throws EINVAL when `dir` is `ancestor` or lies beneath it (a directory cannot move into its own subtree). */
  private checkNotWithin(dir: Inode, ancestor: Inode): void {
    let cur = dir;
    for (;;) {
      if (cur.ino === ancestor.ino) fail('EINVAL', `cannot move directory ${ancestor.ino} into its own subtree`);
      if (cur.ino === ROOT_INODE) return;
      cur = this.get(cur.parent);
    }
  }

  /** Atomic rename (renameat2): over an existing target with POSIX rules, or with NOREPLACE / EXCHANGE. */
  rename(parent: number, name: string, newParent: number, newName: string, flags: number, cred: Credentials, now: number): void {
    if ((flags & ~(RenameFlags.NOREPLACE | RenameFlags.EXCHANGE)) !== 0) fail('EINVAL', `unknown rename flags ${flags}`);
    if ((flags & RenameFlags.NOREPLACE) !== 0 && (flags & RenameFlags.EXCHANGE) !== 0) fail('EINVAL', 'NOREPLACE and EXCHANGE together');
    const srcDir = this.getDir(parent);
    const dstDir = this.getDir(newParent);
    if (isDotName(name) || isDotName(newName)) fail('EINVAL', 'cannot rename "." or ".."');
    checkName(newName);
    const src = this.prepareRemove(srcDir, name, cred);
    checkAccess(dstDir, cred, W_OK | X_OK);
    if (dstDir.nlink === 0) fail('ENOENT', `directory ${newParent} was removed`);
    const dstIno = dstDir.entries.get(newName);
    const dst = dstIno === undefined ? undefined : this.get(dstIno);
    const exchange = (flags & RenameFlags.EXCHANGE) !== 0;
    if (exchange && dst === undefined) fail('ENOENT', `no entry ${JSON.stringify(newName)} to exchange with`);
    if ((flags & RenameFlags.NOREPLACE) !== 0 && dst !== undefined) fail('EEXIST', `${JSON.stringify(newName)} exists`);
    if (dst !== undefined) checkSticky(dstDir, dst, cred);
    const moves = srcDir.ino !== dstDir.ino;
    if (src.isDir()) {
      this.checkNotWithin(dstDir, src);
      // Moving a directory rewrites its "..": that needs write permission on it (as Linux).
      if (moves) checkAccess(src, cred, W_OK);
    }
    if (dst !== undefined && dst.ino === src.ino) return; // two names of one inode: POSIX says do nothing

    if (exchange) {
      const other = dst!;
      if (other.isDir()) {
        this.checkNotWithin(srcDir, other);
        if (moves) checkAccess(other, cred, W_OK);
      }
      if (moves && src.isDir() !== other.isDir()) {
        const gaining = src.isDir() ? dstDir : srcDir;
        if (gaining.nlink >= MAX_LINK_COUNT) fail('EMLINK', `directory ${gaining.ino} has too many subdirectories`);
      }
      srcDir.entries.set(name, other.ino);
      dstDir.entries.set(newName, src.ino);
      if (moves) {
        if (src.isDir()) {
          src.parent = dstDir.ino;
          dstDir.nlink++;
          srcDir.nlink--;
        }
        if (other.isDir()) {
          other.parent = srcDir.ino;
          srcDir.nlink++;
          dstDir.nlink--;
        }
        if (!src.isDir()) this.linkParents.moved(src, srcDir.ino, dstDir.ino);
        if (!other.isDir()) this.linkParents.moved(other, dstDir.ino, srcDir.ino);
      }
      src.ctime = now;
      other.ctime = now;
      this.dirChanged(srcDir, now);
      this.dirChanged(dstDir, now);
      return;
    }

    if (dst !== undefined) {
      if (src.isDir() && !dst.isDir()) fail('ENOTDIR', `cannot replace non-directory ${JSON.stringify(newName)} with a directory`);
      if (!src.isDir() && dst.isDir()) fail('EISDIR', `cannot replace directory ${JSON.stringify(newName)} with a non-directory`);
      if (dst.isDir() && dst.entries.size > 0) fail('ENOTEMPTY', `directory ${JSON.stringify(newName)} is not empty`);
    } else if (src.isDir() && moves && dstDir.nlink >= MAX_LINK_COUNT) {
      fail('EMLINK', `directory ${dstDir.ino} has too many subdirectories`);
    }

    srcDir.entries.delete(name);
    dstDir.entries.set(newName, src.ino);
    if (dst !== undefined && dst.isDir()) dstDir.nlink--;
    if (src.isDir()) {
      src.parent = dstDir.ino;
      if (moves) {
        srcDir.nlink--;
        dstDir.nlink++;
      }
    } else {
      this.linkParents.moved(src, srcDir.ino, dstDir.ino);
    }
    if (dst !== undefined && !dst.isDir()) this.linkParents.removed(dst, dstDir.ino);
    src.ctime = now;
    this.dirChanged(srcDir, now);
    this.dirChanged(dstDir, now);
    if (dst !== undefined) this.dropLink(dst, now);
  }

  // ---------------------------------------------------------------- attributes

  /**
   * setattr: chmod, chown, utimes and truncate with POSIX rules. `openForWrite` says the caller's session holds the
   * file open (ftruncate works then without write permission, as on an fd opened for writing).
   */
  setattr(
    ino: number,
    a: { mask: number; mode: number; uid: number; gid: number; size: number; atime: number; mtime: number },
    cred: Credentials,
    now: number,
    openForWrite: boolean,
  ): Inode {
    const inode = this.get(ino);
    const m = a.mask;
    const root = isRoot(cred);
    const owner = isOwnerOrRoot(inode, cred);
    if ((m & SetattrMask.MODE) !== 0 && !owner) fail('EPERM', `only the owner may change the mode of inode ${ino}`);
    if ((m & SetattrMask.UID) !== 0 && a.uid !== inode.uid && !root) fail('EPERM', 'only root may change the owner');
    if ((m & SetattrMask.GID) !== 0 && a.gid !== inode.gid && !(root || (cred.uid === inode.uid && inGroup(cred, a.gid)))) {
      fail('EPERM', `only root or the owner (to a group of theirs) may change the group of inode ${ino}`);
    }
    if ((m & (SetattrMask.ATIME | SetattrMask.MTIME)) !== 0 && !owner)
      fail('EPERM', `only the owner may set explicit times on inode ${ino}`);
    if ((m & (SetattrMask.ATIME_NOW | SetattrMask.MTIME_NOW)) !== 0 && !owner && !mayAccess(inode, cred, W_OK)) {
      fail('EACCES', `no write permission to touch inode ${ino}`);
    }
    if (((m & SetattrMask.UID) !== 0 && a.uid > MAX_ID) || ((m & SetattrMask.GID) !== 0 && a.gid > MAX_ID)) {
      fail('EINVAL', `uid and gid must be below 2^32`);
    }
    const truncating = (m & SetattrMask.SIZE) !== 0;
    if (truncating) {
      if (inode.isDir()) fail('EISDIR', `inode ${ino} is a directory`);
      if (!inode.isFile()) fail('EINVAL', `inode ${ino} is not a regular file`);
      if (a.size > MAX_FILE_SIZE_BYTES) fail('EFBIG', `size ${a.size} beyond the ${MAX_FILE_SIZE_BYTES}-byte limit`);
      if (!openForWrite) checkAccess(inode, cred, W_OK);
    }

    if ((m & SetattrMask.MODE) !== 0) {
      let perms = a.mode & S_IALLUGO;
      const newGid = (m & SetattrMask.GID) !== 0 ? a.gid : inode.gid;
      if (!root && !inode.isDir() && !inGroup(cred, newGid)) perms &= ~S_ISGID;
      inode.mode = (inode.mode & S_IFMT) | perms;
      // The mode's owner, group and other bits are the ACL's owner, mask (or owning group) and other entries.
      const acl = inode.xattrs?.get(ACL_ACCESS_XATTR);
      if (acl !== undefined) inode.xattrs!.set(ACL_ACCESS_XATTR, encodeAcl(withModeBits(storedAcl(acl), perms)));
    }
    if ((m & (SetattrMask.UID | SetattrMask.GID)) !== 0) {
      if ((m & SetattrMask.UID) !== 0) inode.uid = a.uid;
      if ((m & SetattrMask.GID) !== 0) inode.gid = a.gid;
      // A chown must not hand set-id powers to the new owner or group.
      if (!inode.isDir()) this.clearSetIdBits(inode);
    }
    if (truncating && a.size !== inode.size) {
      this.truncate(inode, a.size);
      inode.mtime = now;
      if (!root) this.clearSetIdBits(inode);
    }
    if ((m & SetattrMask.ATIME) !== 0) inode.atime = a.atime;
    if ((m & SetattrMask.MTIME) !== 0) inode.mtime = a.mtime;
    if ((m & SetattrMask.ATIME_NOW) !== 0) inode.atime = now;
    if ((m & SetattrMask.MTIME_NOW) !== 0) inode.mtime = now;
    inode.ctime = now;
    return inode;
  }

  private clearSetIdBits(inode: Inode): void {
    inode.mode &= ~S_ISUID;
    if ((inode.mode & S_IXGRP) !== 0) inode.mode &= ~S_ISGID;
  }

  /** Sets a file's length: shrinking drops whole chunks past the end and queues a cut of the boundary chunk. */
  private truncate(inode: Inode, size: number): void {
    const slots = inode.chunks;
    if (size < inode.size) {
      const keep = slotsFor(size);
      for (let i = keep; i < slots.length; i++) if (slots[i] !== 0) this.chunkTable.release(slots[i]);
      if (slots.length > keep) {
        if (keep === 0) inode.payload = null;
        else (inode.payload as number[]).length = keep;
      }
      const inChunk = size % CHUNK_SIZE_BYTES;
      if (inChunk !== 0 && keep - 1 < slots.length && slots[keep - 1] !== 0) this.chunkTable.markTruncation(slots[keep - 1], inChunk);
    }
    this.fileBytes += size - inode.size;
    inode.size = size;
  }

  /** open(2) checks: access for the flags, EISDIR when writing a directory; truncates with `truncate`. */
  checkOpen(ino: number, read: boolean, write: boolean, cred: Credentials): Inode {
    const inode = this.get(ino);
    if (inode.isSymlink()) fail('ELOOP', `inode ${ino} is a symlink`);
    if (inode.isDir() && write) fail('EISDIR', `inode ${ino} is a directory`);
    checkAccess(inode, cred, (read ? R_OK : 0) | (write ? W_OK : 0));
    return inode;
  }

  /** O_TRUNC at open: the permission was checked by checkOpen. */
  truncateAtOpen(inode: Inode, cred: Credentials, now: number): void {
    if (!inode.isFile() || inode.size === 0) return;
    this.truncate(inode, 0);
    inode.mtime = now;
    inode.ctime = now;
    if (!isRoot(cred)) this.clearSetIdBits(inode);
  }

  addOpen(ino: number): void {
    this.openCounts.set(ino, (this.openCounts.get(ino) ?? 0) + 1);
  }

  /** Drops `count` opens of `ino`; the last one frees an inode that was unlinked meanwhile. */
  removeOpen(ino: number, count: number): void {
    const left = (this.openCounts.get(ino) ?? 0) - count;
    assert(left >= 0, `open count of inode ${ino} below zero`);
    if (left > 0) {
      this.openCounts.set(ino, left);
      return;
    }
    this.openCounts.delete(ino);
    const inode = this.inodes.get(ino);
    if (inode !== undefined) this.freeIfUnused(inode);
  }

  // ---------------------------------------------------------------- xattrs

  /** Checks the namespace rules of an xattr name; `write` for set/remove. */
  private checkXattr(inode: Inode, name: string, cred: Credentials, write: boolean): void {
    if (name.length === 0) fail('EINVAL', 'empty xattr name');
    if (Buffer.byteLength(name, 'utf8') > MAX_XATTR_NAME_BYTES)
      fail('ENAMETOOLONG', `xattr name longer than ${MAX_XATTR_NAME_BYTES} bytes`);
    if (name.startsWith('user.')) {
      // user.* lives on files and directories only, and follows the data permissions (as Linux).
      if (!inode.isFile() && !inode.isDir()) fail('EPERM', 'user.* xattrs exist only on regular files and directories');
      checkAccess(inode, cred, write ? W_OK : R_OK);
    } else if (name.startsWith('trusted.')) {
      if (!isRoot(cred)) fail('EPERM', 'trusted.* xattrs are for root only');
    } else if (name.startsWith('security.')) {
      if (write && !isRoot(cred)) fail('EPERM', 'only root may set security.* xattrs');
    } else if (name === ACL_ACCESS_XATTR || name === ACL_DEFAULT_XATTR) {
      // Anyone may read an ACL; only the owner or root may change it (as chmod). Symlinks have none (as Linux).
      if (write && inode.isSymlink()) fail('EOPNOTSUPP', `symlink ${inode.ino} cannot carry a POSIX ACL`);
      if (write && !isOwnerOrRoot(inode, cred)) fail('EPERM', `only the owner may change the ACL of inode ${inode.ino}`);
    } else if (name.startsWith('system.')) {
      // Other system.* attributes do not exist here: reads find none, so cp, ls and tar carry on; setting is refused.
      if (write) fail('EOPNOTSUPP', `${JSON.stringify(name)} is not supported (of system.*, only POSIX ACLs are)`);
      fail('ENODATA', `no ${JSON.stringify(name)} attribute`);
    } else {
      fail('EINVAL', `unsupported xattr namespace in ${JSON.stringify(name)} (user., trusted., security.)`);
    }
  }

  setxattr(ino: number, name: string, value: Uint8Array, flags: number, cred: Credentials, now: number): void {
    const inode = this.get(ino);
    if ((flags & ~(XattrFlags.CREATE | XattrFlags.REPLACE)) !== 0 || flags === (XattrFlags.CREATE | XattrFlags.REPLACE)) {
      fail('EINVAL', `bad setxattr flags ${flags}`);
    }
    this.checkXattr(inode, name, cred, true);
    if (value.length > MAX_XATTR_VALUE_BYTES) fail('EINVAL', `xattr value larger than ${MAX_XATTR_VALUE_BYTES} bytes`);
    const existing = inode.xattrs?.get(name);
    if ((flags & XattrFlags.CREATE) !== 0 && existing !== undefined) fail('EEXIST', `xattr ${name} exists`);
    if ((flags & XattrFlags.REPLACE) !== 0 && existing === undefined) fail('ENODATA', `no xattr ${name}`);
    // Every check comes before any change: a command that fails must leave the state as it was.
    const acl = name === ACL_ACCESS_XATTR || name === ACL_DEFAULT_XATTR ? this.aclToStore(inode, name, value, cred) : null;
    const stored = acl !== null ? acl.bytes : value;
    let total = Buffer.byteLength(name, 'utf8') + (stored?.length ?? 0);
    for (const [k, v] of inode.xattrs ?? []) if (k !== name) total += Buffer.byteLength(k, 'utf8') + v.length;
    if (total > MAX_XATTR_TOTAL_BYTES) fail('NO_SPACE', `xattrs of inode ${ino} would exceed ${MAX_XATTR_TOTAL_BYTES} bytes`);
    if (acl !== null) inode.mode = acl.mode;
    if (stored === null) {
      // An access ACL the mode bits say all of: kept as the mode alone (as Linux's posix_acl_update_mode).
      if (inode.xattrs?.delete(name) && inode.xattrs.size === 0) inode.xattrs = null;
    } else {
      if (inode.xattrs === null) inode.xattrs = new Map();
      inode.xattrs.set(name, stored);
    }
    inode.ctime = now;
  }

  /**
   * Validates an ACL being set: the bytes to store (canonical order; null for a minimal access ACL) and the inode's
   * mode after it. An access ACL sets the mode's permission bits; a non-member of the file's group loses the setgid
   * bit, as on chmod. A default ACL leaves the mode alone.
   */
  private aclToStore(inode: Inode, name: string, value: Uint8Array, cred: Credentials): { bytes: Uint8Array | null; mode: number } {
    const acl = decodeAcl(value);
    if (name === ACL_DEFAULT_XATTR) {
      if (!inode.isDir()) fail('EACCES', `inode ${inode.ino} is not a directory: only directories have a default ACL`);
      return { bytes: encodeAcl(acl), mode: inode.mode };
    }
    let mode = (inode.mode & ~0o777) | modeBitsOf(acl);
    if (!isRoot(cred) && !inode.isDir() && !inGroup(cred, inode.gid)) mode &= ~S_ISGID;
    return { bytes: isMinimal(acl) ? null : encodeAcl(acl), mode };
  }

  getxattr(ino: number, name: string, cred: Credentials): Uint8Array {
    const inode = this.get(ino);
    this.checkXattr(inode, name, cred, false);
    const value = inode.xattrs?.get(name);
    if (value === undefined) fail('ENODATA', `no xattr ${name}`);
    return value;
  }

  /** Names of the xattrs the caller may see (trusted.* only for root), in the order they were created. */
  listxattr(ino: number, cred: Credentials): string[] {
    const inode = this.get(ino);
    const names: string[] = [];
    for (const name of inode.xattrs?.keys() ?? []) if (!name.startsWith('trusted.') || isRoot(cred)) names.push(name);
    return names;
  }

  removexattr(ino: number, name: string, cred: Credentials, now: number): void {
    const inode = this.get(ino);
    this.checkXattr(inode, name, cred, true);
    const acl = name === ACL_ACCESS_XATTR || name === ACL_DEFAULT_XATTR;
    // Removing an ACL that is not there succeeds (setfacl -b, -k; the kernel removes an ACL the mode says all of).
    if (acl && inode.xattrs?.has(name) !== true) return;
    if (inode.xattrs === null || !inode.xattrs.delete(name)) fail('ENODATA', `no xattr ${name}`);
    if (inode.xattrs.size === 0) inode.xattrs = null;
    inode.ctime = now;
  }

  // ---------------------------------------------------------------- goals

  /** Sets the goal of an inode (and, recursively, of a directory's subtree); returns how many inodes changed. */
  setGoal(ino: number, goal: number, recursive: boolean, cred: Credentials, now: number): number {
    if (!Number.isInteger(goal) || goal < MIN_GOAL || goal > MAX_GOAL) fail('EINVAL', `goal ${goal} outside ${MIN_GOAL}..${MAX_GOAL}`);
    const start = this.get(ino);
    if (!isOwnerOrRoot(start, cred)) fail('EPERM', `only the owner may change the goal of inode ${ino}`);
    let changed = 0;
    const stack: Inode[] = [start];
    while (stack.length > 0) {
      const inode = stack.pop()!;
      // Within a subtree, only what the caller owns changes (as mfssetgoal -r for a non-root user).
      if (inode !== start && !isOwnerOrRoot(inode, cred)) continue;
      if (inode.goal !== goal) {
        inode.goal = goal;
        inode.ctime = now;
        changed++;
        if (inode.isFile()) for (const chunkId of inode.chunks) if (chunkId !== 0) this.chunkTable.setGoal(chunkId, goal);
      }
      if (recursive && inode.isDir()) for (const child of inode.entries.values()) stack.push(this.get(child));
    }
    return changed;
  }

  // ---------------------------------------------------------------- files → chunks

  private getFile(ino: number): Inode {
    const inode = this.get(ino);
    if (inode.isDir()) fail('EISDIR', `inode ${ino} is a directory`);
    if (!inode.isFile()) fail('EINVAL', `inode ${ino} is not a regular file`);
    return inode;
  }

  /** What every write grant checks first: the file, the caller's right to write it, the index, the chain. */
  private checkGrant(ino: number, chunkIndex: number, servers: readonly string[], cred: Credentials, openForWrite: boolean): Inode {
    const inode = this.getFile(ino);
    if (!openForWrite) checkAccess(inode, cred, W_OK);
    if (chunkIndex >= MAX_FILE_SIZE_BYTES / CHUNK_SIZE_BYTES) fail('EFBIG', `chunk index ${chunkIndex} beyond the file size limit`);
    if (servers.length === 0) fail('NO_CHUNKSERVERS', `no chunkservers to write chunk ${chunkIndex} of inode ${ino}`);
    if (new Set(servers).size !== servers.length) fail('EINVAL', `the chain for chunk ${chunkIndex} of inode ${ino} names a server twice`);
    return inode;
  }

  /** Puts `chunkId` (just recorded) in slot `chunkIndex`; holes before it are filled with 0. */
  /**
   * A file just created and opened (mknod with a chunk) takes a new chunk as its chunk 0, as grantChunkWrite records
   * a new chunk for an empty slot: `chunkId` reserved and created on the replicas at `version`. Checked before
   * anything changes (mknod's apply calls checkNewChunk first, so the create and the chunk commit together or not
   * at all).
   */
  attachNewChunk(ino: number, chunkId: number, version: number): void {
    const inode = this.getFile(ino);
    if ((inode.chunks[0] ?? 0) !== 0) fail('EEXIST', `inode ${ino} already has chunk 0`);
    this.chunkTable.recordNew(chunkId, inode.goal, version);
    this.fillSlot(inode, 0, chunkId);
  }

  /** Throws, changing nothing, unless `chunkId` is a reserved id no chunk has and `version` can be a new chunk's. */
  checkNewChunk(chunkId: number, version: number): void {
    if (!Number.isSafeInteger(version) || version < 1) fail('EINVAL', `a new chunk's version is at least 1, not ${version}`);
    if (!this.chunkTable.isReservedUnused(chunkId)) fail('CHUNK_STALE_VERSION', `chunk id ${chunkId} is not a reserved, unused id`);
  }

  /**
   * The chunk a file's creator was granted with the create (attachNewChunk) and never wrote, freed once nothing can
   * mean it: the file is empty (so nothing acknowledged is in it: every writer commits before it releases), nobody
   * holds it open, and it has that chunk alone. Anything else leaves the file as it is. True when freed.
   */
  dropUnwrittenChunk(ino: number): boolean {
    const inode = this.inodes.get(ino);
    if (inode === undefined || !inode.isFile() || inode.size !== 0 || this.openCounts.has(ino)) return false;
    const slots = inode.chunks;
    if (slots.length !== 1 || slots[0] === 0) return false;
    this.chunkTable.release(slots[0]);
    inode.payload = null;
    return true;
  }

  private fillSlot(inode: Inode, chunkIndex: number, chunkId: number): void {
    const slots = inode.writableChunks();
    while (slots.length <= chunkIndex) slots.push(0);
    slots[chunkIndex] = chunkId;
  }

  /**
   * The legacy grant (op 16): allocates a chunk id when the slot is empty, else bumps the chunk's version in the
   * catalog before any replica has it, and hands a pending cut to the chain. Kept to replay logs written with it.
   */
  openChunkForWrite(ino: number, chunkIndex: number, servers: string[], cred: Credentials, openForWrite: boolean): ChunkWriteGrant {
    const inode = this.checkGrant(ino, chunkIndex, servers, cred, openForWrite);
    const existing = inode.chunks[chunkIndex] ?? 0;
    if (existing === 0) {
      const chunkId = this.chunkTable.allocate(inode.goal);
      this.fillSlot(inode, chunkIndex, chunkId);
      return { chunkId, version: 1, isNew: true, servers: [...servers], fileSize: inode.size, truncateTo: -1 };
    }
    const truncateTo = this.chunkTable.takeTruncation(existing);
    const version = this.chunkTable.bumpVersion(existing);
    return { chunkId: existing, version, isNew: false, servers: [...servers], fileSize: inode.size, truncateTo };
  }

  /**
   * Grants a write to chunk `chunkIndex` of a file; the replicas (`servers`) already hold `version`, so the grant
   * says isNew false. An empty slot takes a new chunk: `chunkId` is an id the leader reserved and created on `servers`
   * (at version 1, moved on when some create went unconfirmed). Otherwise the slot must hold `chunkId`, with no cut pending, and `version` must be the reserved
   * number its replicas were moved to: only then does the catalog take it. CHUNK_STALE_VERSION when the slot or the
   * chunk changed since the leader looked (it starts over).
   */
  grantChunkWrite(
    ino: number,
    chunkIndex: number,
    chunkId: number,
    version: number,
    servers: string[],
    cred: Credentials,
    openForWrite: boolean,
  ): ChunkWriteGrant {
    const inode = this.checkGrant(ino, chunkIndex, servers, cred, openForWrite);
    const existing = inode.chunks[chunkIndex] ?? 0;
    if (existing === 0) {
      if (!Number.isSafeInteger(version) || version < 1) fail('EINVAL', `a new chunk's version is at least 1, not ${version}`);
      this.chunkTable.recordNew(chunkId, inode.goal, version);
      this.fillSlot(inode, chunkIndex, chunkId);
      return { chunkId, version, isNew: false, servers: [...servers], fileSize: inode.size, truncateTo: -1 };
    }
    if (existing !== chunkId) fail('CHUNK_STALE_VERSION', `slot ${chunkIndex} of inode ${ino} holds chunk ${existing}, not ${chunkId}`);
    if (this.chunkTable.truncations.has(chunkId))
      fail('CHUNK_STALE_VERSION', `chunk ${chunkId} has a cut pending: it is carried out before a write`);
    const rec = this.chunkTable.get(chunkId)!;
    this.chunkTable.recordChange(chunkId, 'grant', rec.version, version);
    return { chunkId, version, isNew: false, servers: [...servers], fileSize: inode.size, truncateTo: -1 };
  }

  /** The legacy commit (op 17): checks the chunk id only. */
  commitWrite(ino: number, chunkIndex: number, chunkId: number, length: number, cred: Credentials, now: number): Inode {
    const inode = this.getFile(ino);
    if (inode.chunks[chunkIndex] !== chunkId) {
      fail('CHUNK_STALE_VERSION', `chunk ${chunkId} is no longer slot ${chunkIndex} of inode ${ino} (truncated meanwhile?)`);
    }
    return this.grow(inode, chunkIndex, length, cred, now);
  }

  /**
   * Records a finished write made under `version`: the file grows to `length` if longer; mtime/ctime move; set-id
   * bits drop for non-root. Refused (CHUNK_STALE_VERSION: the write is not acknowledged) when the slot holds another
   * chunk, when a cut is pending on the chunk (a truncate came after the write's grant: the cut will remove what it
   * wrote past the cut), or when the chunk lost bytes since `version` (a cut or promotion: `base` is newer) or never
   * had it.
   */
  commitChunkWrite(
    ino: number,
    chunkIndex: number,
    chunkId: number,
    version: number,
    length: number,
    cred: Credentials,
    now: number,
  ): Inode {
    const inode = this.getFile(ino);
    if (inode.chunks[chunkIndex] !== chunkId) {
      fail('CHUNK_STALE_VERSION', `chunk ${chunkId} is no longer slot ${chunkIndex} of inode ${ino} (truncated meanwhile?)`);
    }
    if (this.chunkTable.truncations.has(chunkId))
      fail('CHUNK_STALE_VERSION', `chunk ${chunkId} was truncated after the write's grant: the write is not kept`);
    const rec = this.chunkTable.get(chunkId)!;
    if (version < rec.base || version > rec.version) {
      fail(
        'CHUNK_STALE_VERSION',
        `chunk ${chunkId} no longer holds writes made under version ${version} (now ${rec.version}, cut or promoted at ${rec.base})`,
      );
    }
    return this.grow(inode, chunkIndex, length, cred, now);
  }

  private grow(inode: Inode, chunkIndex: number, length: number, cred: Credentials, now: number): Inode {
    if (length > (chunkIndex + 1) * CHUNK_SIZE_BYTES) fail('EINVAL', `length ${length} is beyond chunk ${chunkIndex}`);
    if (length > inode.size) {
      this.fileBytes += length - inode.size;
      inode.size = length;
    }
    inode.mtime = now;
    inode.ctime = now;
    if (!isRoot(cred)) this.clearSetIdBits(inode);
    return inode;
  }

  /** The chunk slots of a file: [chunk index, chunk id, version] for each non-hole slot from `first`, at most `count`. */
  fileChunks(ino: number, first: number, count: number): Array<{ index: number; chunkId: number; version: number }> {
    const inode = this.getFile(ino);
    const out: Array<{ index: number; chunkId: number; version: number }> = [];
    const slots = inode.chunks;
    for (let i = first; i < slots.length && out.length < count; i++) {
      if (slots[i] === 0) continue;
      out.push({ index: i, chunkId: slots[i], version: this.chunkTable.get(slots[i])!.version });
    }
    return out;
  }

  // ---------------------------------------------------------------- restore support

  /** Adds an inode read from a snapshot (the caller restores entries, counters and the chunk table). */
  restoreInode(inode: Inode): void {
    this.addInode(inode);
  }

  /**
   * After a snapshot's inodes are in: the directories naming each non-directory, from the entries (snapshots do
   * not store them: they are derived, and a master that replayed the log may list a file's names in another order).
   */
  restoreLinkParents(): void {
    this.linkParents.clear();
    for (const inode of this.inodes.values()) if (!inode.isDir()) inode.parent = 0;
    for (const dir of this.inodes.values()) {
      if (!dir.isDir()) continue;
      for (const ino of dir.entries.values()) {
        const child = this.inodes.get(ino);
        if (child !== undefined && !child.isDir()) this.linkParents.added(child, dir.ino);
      }
    }
  }

  /** Clears everything, root included, before a restore fills the state. */
  clearForRestore(): void {
    this.reset();
    this.inodes.clear();
    this.typeCounts.clear();
  }
}
