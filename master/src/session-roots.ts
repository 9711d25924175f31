// Sessions under a subtree export (exports.ts, `directory`): the session sees that directory as inode 1, the root
// of its mount, and may name nothing outside it, as a MooseFS session of an export of "/some/dir" does. The master
// translates at its door, so clients need not know: inode 1 in a request is the session's root, the root in a reply
// is inode 1; every other inode a request names must lie beneath the root (or be held open by the session: a file
// unlinked while open lies nowhere but is still the session's); ".." of the root is the root.
import {
  type ChangeNotice,
  type ClientMethodName,
  ErrorCodes,
  MoosengError,
  type ReplyOf,
  type RequestOf,
  ROOT_INODE,
} from '@mooseng/core';
import type { NamespaceStateMachine } from './namespace/namespace-state-machine';

/** The request fields that name inodes (client.proto: the same names in every message). */
const INODE_FIELDS = ['ino', 'parent', 'newParent'] as const;

/** The directory a session sees as its root (the file system's root for an unknown session). */
export function sessionRootOf(state: NamespaceStateMachine, sessionId: number): number {
  return state.sessions.get(sessionId)?.root ?? ROOT_INODE;
}

/**
 * `request` as the master serves it for a session rooted at `root`: inode 1 replaced by the root, every inode
 * checked to lie beneath it (EPERM otherwise, as MooseFS answers). Checked against this master's state without a
 * read barrier (as CommitWrite's permission check): a subtree only changes by renames the session itself cannot
 * make across its root's boundary, and a lagging master cannot serve the read anyway.
 */
export function rootedRequest<M extends ClientMethodName>(
  state: NamespaceStateMachine,
  method: M,
  request: RequestOf<M>,
  sessionId: number,
  root: number,
): RequestOf<M> {
  const inside = (ino: number): number => {
    const real = ino === ROOT_INODE ? root : ino;
    if (!state.isWithin(real, root) && state.sessions.get(sessionId)?.opens.has(real) !== true)
      throw new MoosengError(ErrorCodes.EPERM, `${method}: inode ${ino} is outside the directory this session's export gives it`);
    return real;
  };
  const out = { ...request } as Record<string, unknown>;
  for (const field of INODE_FIELDS) {
    const value = out[field];
    if (typeof value === 'number' && value !== 0) out[field] = inside(value);
  }
  if (Array.isArray(out.inos)) out.inos = (out.inos as number[]).map(inside);
  // The root's ".." is the root itself (as "/.." is "/").
  if (method === 'Lookup' && out.parent === root && out.name === '..') out.name = '.';
  return out as unknown as RequestOf<M>;
}

/** `reply` as a session rooted at `root` sees it: the root's attributes under inode 1. */
export function rootedReply<M extends ClientMethodName>(reply: ReplyOf<M>, root: number): ReplyOf<M> {
  const r = reply as { attr?: { ino: number } | null; entries?: Array<{ attr?: { ino: number } | null }> };
  const rename = <T extends { attr?: { ino: number } | null }>(holder: T): T =>
    holder.attr?.ino === root ? { ...holder, attr: { ...holder.attr, ino: ROOT_INODE } } : holder;
  let out = rename(r);
  if (Array.isArray(r.entries)) out = { ...out, entries: r.entries.map(rename) };
  return out as ReplyOf<M>;
}

/** What a session rooted at `root` is told of a change: only what lies beneath its root, the root as inode 1. */
export function rootedNotice(state: NamespaceStateMachine, notice: ChangeNotice, root: number): ChangeNotice | null {
  if (notice.resync) return notice;
  const seen = (ino: number): number => (ino === root ? ROOT_INODE : ino);
  const inodes = notice.inodes.filter((ino) => state.isWithin(ino, root)).map(seen);
  const entries = notice.entries.filter((e) => state.isWithin(e.parent, root)).map((e) => ({ ...e, parent: seen(e.parent) }));
  return inodes.length === 0 && entries.length === 0 ? null : { inodes, entries, resync: false };
}

/**
 * What the change feed tells session `sessionId` of `notice` (null: nothing): all of it at the file system's root,
 * the part beneath its root otherwise, nothing to a session this master does not know (it could be a subtree's).
 */
export function noticeFor(state: NamespaceStateMachine, sessionId: number, notice: ChangeNotice): ChangeNotice | null {
  const session = state.sessions.get(sessionId);
  if (session === undefined) return null;
  return session.root === ROOT_INODE ? notice : rootedNotice(state, notice, session.root);
}
