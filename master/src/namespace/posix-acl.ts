// POSIX ACLs (POSIX.1e draft 17, as Linux implements them): the xattr form the kernel and setfacl exchange
// (system.posix_acl_access / system.posix_acl_default), the access check, and how an ACL and the mode bits follow
// each other (chmod, setting an ACL, inheriting a directory's default ACL at create). The ACL lives in the inode's
// xattrs in exactly the kernel's byte form, so snapshots and the log carry it like any xattr.
import { ErrorCodes, MoosengError } from '@mooseng/core';
import type { Credentials } from './commands';

export const ACL_ACCESS_XATTR = 'system.posix_acl_access';
export const ACL_DEFAULT_XATTR = 'system.posix_acl_default';

/** Entry tags (linux/posix_acl.h). Their numeric order is the order entries are kept in. */
export const AclTag = {
  USER_OBJ: 0x01,
  USER: 0x02,
  GROUP_OBJ: 0x04,
  GROUP: 0x08,
  MASK: 0x10,
  OTHER: 0x20,
} as const;

/** The xattr format version (linux/posix_acl_xattr.h POSIX_ACL_XATTR_VERSION). */
const XATTR_VERSION = 2;
const HEADER_BYTES = 4;
const ENTRY_BYTES = 8;
/** e_id of entries that name nobody (USER_OBJ, GROUP_OBJ, MASK, OTHER). */
const UNDEFINED_ID = 0xffffffff;
/** More entries than any real ACL has; bounds the work of a check (ext4 allows about 500 in a 4 KiB block). */
export const MAX_ACL_ENTRIES = 1024;

export interface AclEntry {
  tag: number;
  /** rwx bits, 0..7. */
  perm: number;
  /** uid or gid for USER and GROUP entries; UNDEFINED_ID otherwise. */
  id: number;
}

/** A valid ACL: entries sorted by tag then id, exactly one of each owner/group/other entry, a mask if any named. */
export type Acl = readonly AclEntry[];

function invalid(why: string): never {
  throw new MoosengError(ErrorCodes.EINVAL, `invalid POSIX ACL: ${why}`);
}

/** Parses and validates the xattr form; entries come back in canonical order (setfacl sends them so already). */
export function decodeAcl(bytes: Uint8Array): Acl {
  if (bytes.length < HEADER_BYTES || (bytes.length - HEADER_BYTES) % ENTRY_BYTES !== 0) invalid(`${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(0, true);
  if (version !== XATTR_VERSION) invalid(`version ${version}, expected ${XATTR_VERSION}`);
  const n = (bytes.length - HEADER_BYTES) / ENTRY_BYTES;
  if (n > MAX_ACL_ENTRIES) invalid(`${n} entries (at most ${MAX_ACL_ENTRIES})`);
  const entries: AclEntry[] = [];
  for (let i = 0; i < n; i++) {
    const at = HEADER_BYTES + i * ENTRY_BYTES;
    const tag = view.getUint16(at, true);
    const perm = view.getUint16(at + 2, true);
    const named = tag === AclTag.USER || tag === AclTag.GROUP;
    entries.push({ tag, perm, id: named ? view.getUint32(at + 4, true) : UNDEFINED_ID });
  }
  entries.sort((a, b) => a.tag - b.tag || a.id - b.id);
  validate(entries);
  return entries;
}

function validate(entries: readonly AclEntry[]): void {
  const count = new Map<number, number>();
  let previous: AclEntry | null = null;
  for (const e of entries) {
    if (!Object.values(AclTag).includes(e.tag as never)) invalid(`unknown tag 0x${e.tag.toString(16)}`);
    if (e.perm > 7) invalid(`permission ${e.perm} of tag 0x${e.tag.toString(16)} (rwx is 0..7)`);
    if (previous && previous.tag === e.tag && previous.id === e.id) invalid(`two entries for the same ${tagName(e.tag)} ${e.id}`);
    count.set(e.tag, (count.get(e.tag) ?? 0) + 1);
    previous = e;
  }
  for (const tag of [AclTag.USER_OBJ, AclTag.GROUP_OBJ, AclTag.OTHER]) {
    if (count.get(tag) !== 1) invalid(`needs exactly one ${tagName(tag)} entry`);
  }
  if ((count.get(AclTag.MASK) ?? 0) > 1) invalid('more than one mask entry');
  const named = (count.get(AclTag.USER) ?? 0) + (count.get(AclTag.GROUP) ?? 0);
  if (named > 0 && !count.has(AclTag.MASK)) invalid('named user or group entries need a mask entry');
}

function tagName(tag: number): string {
  return ({ 1: 'owner', 2: 'user', 4: 'owning group', 8: 'group', 16: 'mask', 32: 'other' } as Record<number, string>)[tag] ?? `tag ${tag}`;
}

export function encodeAcl(acl: Acl): Uint8Array {
  const out = Buffer.alloc(HEADER_BYTES + acl.length * ENTRY_BYTES);
  out.writeUInt32LE(XATTR_VERSION, 0);
  acl.forEach((e, i) => {
    const at = HEADER_BYTES + i * ENTRY_BYTES;
    out.writeUInt16LE(e.tag, at);
    out.writeUInt16LE(e.perm, at + 2);
    out.writeUInt32LE(e.id, at + 4);
  });
  return out;
}

const find = (acl: Acl, tag: number): AclEntry | undefined => acl.find((e) => e.tag === tag);

/** True when the ACL says no more than the mode bits do (owner, owning group, other): it need not be stored. */
export function isMinimal(acl: Acl): boolean {
  return acl.length === 3;
}

/** The permission bits (0o777 part) an access ACL stands for: the group bits are the mask when there is one. */
export function modeBitsOf(acl: Acl): number {
  const group = find(acl, AclTag.MASK) ?? find(acl, AclTag.GROUP_OBJ)!;
  return (find(acl, AclTag.USER_OBJ)!.perm << 6) | (group.perm << 3) | find(acl, AclTag.OTHER)!.perm;
}

/** chmod on a file with an access ACL: the owner, other and mask (or owning-group) entries take the new bits. */
export function withModeBits(acl: Acl, mode: number): Acl {
  return mapModeEntries(acl, (_old, bits) => bits, mode);
}

/** Rewrites the three entries the mode bits stand for, each from its old perm and its 3 bits of `mode`. */
function mapModeEntries(acl: Acl, combine: (old: number, bits: number) => number, mode: number): Acl {
  const groupTag = find(acl, AclTag.MASK) ? AclTag.MASK : AclTag.GROUP_OBJ;
  return acl.map((e) => {
    if (e.tag === AclTag.USER_OBJ) return { ...e, perm: combine(e.perm, (mode >> 6) & 7) };
    if (e.tag === groupTag) return { ...e, perm: combine(e.perm, (mode >> 3) & 7) };
    if (e.tag === AclTag.OTHER) return { ...e, perm: combine(e.perm, mode & 7) };
    return e;
  });
}

/**
 * A new inode in a directory with a default ACL (Linux's posix_acl_create): its access ACL is the default ACL
 * limited by the mode the creator asked for, and its mode bits follow that ACL; the umask does not apply.
 */
export function inheritedAccess(defaultAcl: Acl, mode: number): { acl: Acl; modeBits: number } {
  const acl = mapModeEntries(defaultAcl, (old, bits) => old & bits, mode);
  return { acl, modeBits: modeBitsOf(acl) };
}

/**
 * The POSIX.1e access check for a caller who is not root: the owner entry for the owner; else a named user entry
 * (limited by the mask); else every group entry matching one of the caller's groups, owning group included
 * (limited by the mask): granted if one of them grants all of `want`, denied if some matched and none did; else
 * the other entry.
 */
export function aclPermits(acl: Acl, owner: { uid: number; gid: number }, cred: Credentials, want: number): boolean {
  if (cred.uid === owner.uid) return (find(acl, AclTag.USER_OBJ)!.perm & want) === want;
  const mask = find(acl, AclTag.MASK)?.perm ?? 7;
  const user = acl.find((e) => e.tag === AclTag.USER && e.id === cred.uid);
  if (user) return (user.perm & mask & want) === want;
  let matched = false;
  for (const e of acl) {
    const member = (e.tag === AclTag.GROUP_OBJ && cred.gids.includes(owner.gid)) || (e.tag === AclTag.GROUP && cred.gids.includes(e.id));
    if (!member) continue;
    if ((e.perm & mask & want) === want) return true;
    matched = true;
  }
  if (matched) return false;
  return (find(acl, AclTag.OTHER)!.perm & want) === want;
}

/** Decoded ACLs by their stored bytes: checks run on every access, the bytes change only with the ACL. */
const decoded = new WeakMap<Uint8Array, Acl>();

/** The decoded form of stored ACL bytes (they were validated when set). */
export function storedAcl(bytes: Uint8Array): Acl {
  let acl = decoded.get(bytes);
  if (acl === undefined) decoded.set(bytes, (acl = decodeAcl(bytes)));
  return acl;
}
