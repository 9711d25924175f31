// POSIX permission rules the master enforces for the caller's uid/gids: access bits (or the file's POSIX ACL),
// ownership, sticky directories.
import { ErrorCodes, MoosengError, S_ISVTX, X_OK } from '@mooseng/core';
import type { Credentials } from './commands';
import type { Inode } from './inode';
import { ACL_ACCESS_XATTR, aclPermits, storedAcl } from './posix-acl';

/** Root: bypasses permission bits (but not the rules that bind even root, such as exec needing some x bit). */
export const ROOT_UID = 0;

export function isRoot(cred: Credentials): boolean {
  return cred.uid === ROOT_UID;
}

export function inGroup(cred: Credentials, gid: number): boolean {
  return cred.gids.includes(gid);
}

/**
 * True when `cred` may access `inode` with `want` (R_OK|W_OK|X_OK bits): by its access ACL when it has one, else by
 * owner, then group, then other bits.
 */
export function mayAccess(inode: Inode, cred: Credentials, want: number): boolean {
  if (want === 0) return true;
  if (isRoot(cred)) {
    // Root may read and write anything; executing needs an x bit somewhere unless it is a directory (as Linux).
    if ((want & X_OK) === 0 || inode.isDir()) return true;
    return (inode.mode & 0o111) !== 0;
  }
  const acl = inode.xattrs?.get(ACL_ACCESS_XATTR);
  if (acl !== undefined) return aclPermits(storedAcl(acl), inode, cred, want);
  let bits: number;
  if (cred.uid === inode.uid) bits = (inode.mode >> 6) & 7;
  else if (inGroup(cred, inode.gid)) bits = (inode.mode >> 3) & 7;
  else bits = inode.mode & 7;
  return (bits & want) === want;
}

/** Throws EACCES unless `cred` may access `inode` with `want`. */
export function checkAccess(inode: Inode, cred: Credentials, want: number): void {
  if (!mayAccess(inode, cred, want)) {
    throw new MoosengError(ErrorCodes.EACCES, `permission denied on inode ${inode.ino}`, { details: { ino: inode.ino, want } });
  }
}

/** True when the caller owns the inode or is root (chmod, utimes to explicit times, setGoal). */
export function isOwnerOrRoot(inode: Inode, cred: Credentials): boolean {
  return isRoot(cred) || cred.uid === inode.uid;
}

/**
 * The sticky-directory rule for removing or renaming `victim` out of `dir`: in a directory with S_ISVTX only the
 * owner of the entry, the owner of the directory or root may do it.
 */
export function checkSticky(dir: Inode, victim: Inode, cred: Credentials): void {
  if ((dir.mode & S_ISVTX) === 0 || isRoot(cred) || cred.uid === victim.uid || cred.uid === dir.uid) return;
  throw new MoosengError(ErrorCodes.EPERM, `sticky directory ${dir.ino}: only the owner may remove or rename entry ${victim.ino}`);
}
