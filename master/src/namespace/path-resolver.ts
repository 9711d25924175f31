// Resolves a path string to an inode (for the HTTP API and by-path tools), following symlinks with an ELOOP bound.
import { ErrorCodes, MAX_PATH_BYTES, MoosengError, ROOT_INODE, X_OK } from '@mooseng/core';
import type { Credentials } from './commands';
import { MAX_SYMLINK_FOLLOWS } from './constants';
import type { Inode } from './inode';
import { checkAccess } from './permissions';
import type { NamespaceTree } from './namespace-tree';

export interface ResolveOptions {
  /** Follow a symlink in the last component (stat vs lstat). Default false. */
  followFinal?: boolean;
  /**
   * The directory "/" names (a subtree export's, for its sessions): ".." never leaves it and absolute symlinks
   * start from it, as for a process chroot'ed there. Default the file system's root.
   */
  root?: number;
}

/** Where a path ends: the inode, and the directory holding its last name (for create-by-path). */
export interface ResolvedPath {
  inode: Inode;
  /** The parent directory of the final component (the root for "/"). */
  parent: Inode;
  /** The final component's name ("" for "/"). */
  name: string;
}

/**
 * Resolves an absolute path. "." and empty components are skipped, ".." goes up (never above the root), each
 * directory passed through needs search permission, intermediate symlinks are followed (relative to the directory
 * holding them, or from the root when absolute), at most MAX_SYMLINK_FOLLOWS in all, then ELOOP.
 */
export function resolvePath(tree: NamespaceTree, path: string, cred: Credentials, options: ResolveOptions = {}): ResolvedPath {
  if (!path.startsWith('/')) throw new MoosengError(ErrorCodes.EINVAL, `path must be absolute: ${JSON.stringify(path)}`);
  if (Buffer.byteLength(path, 'utf8') >= MAX_PATH_BYTES) throw new MoosengError(ErrorCodes.ENAMETOOLONG, 'path too long');
  if (path.includes('\0')) throw new MoosengError(ErrorCodes.EINVAL, 'NUL in path');
  const root = tree.getDir(options.root ?? ROOT_INODE);
  let pending = splitPath(path);
  let dir: Inode;
  let current: Inode = root;
  let parent: Inode = root;
  let name = '';
  let follows = 0;
  while (pending.length > 0) {
    const component = pending.shift()!;
    if (!current.isDir()) throw new MoosengError(ErrorCodes.ENOTDIR, `${JSON.stringify(name)} is not a directory`, { details: { path } });
    dir = current;
    checkAccess(dir, cred, X_OK);
    parent = dir;
    name = component;
    if (component === '..') {
      current = dir.ino === root.ino ? root : tree.get(dir.parent);
      continue;
    }
    current = tree.lookup(dir.ino, component, cred);
    const isLast = pending.length === 0;
    if (current.isSymlink() && (!isLast || options.followFinal === true)) {
      if (++follows > MAX_SYMLINK_FOLLOWS)
        throw new MoosengError(ErrorCodes.ELOOP, `too many symlinks in ${JSON.stringify(path)}`, { details: { path } });
      const target = current.payload as string;
      pending = [...splitPath(target), ...pending];
      current = target.startsWith('/') ? root : dir;
      name = '';
    }
  }
  return { inode: current, parent, name };
}

/**
 * The directory a new entry at `path` would go in, and its name (for create-by-path). The directory part is
 * resolved following symlinks; the final name must be an ordinary name (not "/", "." or "..").
 */
export function resolveParentPath(tree: NamespaceTree, path: string, cred: Credentials): { parent: Inode; name: string } {
  if (!path.startsWith('/')) throw new MoosengError(ErrorCodes.EINVAL, `path must be absolute: ${JSON.stringify(path)}`);
  const parts = splitPath(path);
  const name = parts.pop();
  if (name === undefined || name === '..')
    throw new MoosengError(ErrorCodes.EINVAL, `no final name in ${JSON.stringify(path)}`, { details: { path } });
  const dir = resolvePath(tree, '/' + parts.join('/'), cred, { followFinal: true }).inode;
  if (!dir.isDir())
    throw new MoosengError(ErrorCodes.ENOTDIR, `parent of ${JSON.stringify(path)} is not a directory`, { details: { path } });
  return { parent: dir, name };
}

function splitPath(path: string): string[] {
  return path.split('/').filter((c) => c.length > 0 && c !== '.');
}
