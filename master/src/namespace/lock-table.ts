// The replicated table of file locks: flock(2) locks and POSIX byte ranges (fcntl, OFD) per inode, each held by an
// owner, which is a client session and the lock owner that client's kernel named.
import { ErrorCodes, LOCK_TO_EOF, LockKind, LockKinds, LockType, MAX_LOCK_OWNER_BYTES, MoosengError } from '@mooseng/core';

/** A held flock(2) lock: whole file, shared (READ) or exclusive (WRITE). */
export interface FlockRecord {
  sessionId: number;
  owner: string;
  type: number;
}

/** A held POSIX byte-range lock: READ or WRITE over start..end, inclusive (`end` LOCK_TO_EOF: to the end of the file). */
export interface RangeRecord {
  sessionId: number;
  owner: string;
  type: number;
  start: number;
  end: number;
  /** The process that set it, as its kernel numbered it (F_GETLK reports it; meaningful on that host only). */
  pid: number;
}

/** The locks of one inode. Ranges are kept sorted by (session, owner, start): one canonical order for every master. */
export class InodeLocks {
  readonly flocks: FlockRecord[] = [];
  ranges: RangeRecord[] = [];

  get empty(): boolean {
    return this.flocks.length === 0 && this.ranges.length === 0;
  }
}

/** What a lock request names. */
export interface LockRequest {
  kind: number;
  type: number;
  start: number;
  end: number;
}

/** A lock that stands in the way of a request (F_GETLK's answer), or the owner's own view of nothing in the way. */
export interface LockConflict {
  type: number;
  start: number;
  end: number;
  pid: number;
  sessionId: number;
}

const sameOwner = (a: { sessionId: number; owner: string }, sessionId: number, owner: string): boolean =>
  a.sessionId === sessionId && a.owner === owner;

/** Read and read share; anything with a write excludes. */
const excludes = (a: number, b: number): boolean => a === LockType.WRITE || b === LockType.WRITE;

function byOwnerThenStart(a: RangeRecord, b: RangeRecord): number {
  if (a.sessionId !== b.sessionId) return a.sessionId - b.sessionId;
  if (a.owner !== b.owner) return a.owner < b.owner ? -1 : 1;
  return a.start - b.start;
}

/**
 * Every lock of the file system, by inode. POSIX semantics: locks conflict only between different owners; setting a
 * range replaces whatever the owner held there (splitting its ranges, upgrading or downgrading in place), adjacent
 * ranges of one owner and type merge, and unlocking a sub-range splits. flock locks are whole-file, one per owner,
 * converted in place (atomically: a conversion refused leaves the old lock; Linux may drop it first).
 * All methods validate before they change anything, and are deterministic: they run inside apply().
 */
export class LockTable {
  /** ino → its locks; an inode without locks has no entry. Insertion order is command order. */
  readonly inodes = new Map<number, InodeLocks>();

  /** Refuses a malformed request (EINVAL) before anything is looked at. */
  static validate(owner: string, req: LockRequest): void {
    if (req.kind !== LockKind.FLOCK && req.kind !== LockKind.POSIX)
      throw new MoosengError(ErrorCodes.EINVAL, `unknown lock kind ${req.kind}`);
    if (req.type !== LockType.UNLOCK && req.type !== LockType.READ && req.type !== LockType.WRITE)
      throw new MoosengError(ErrorCodes.EINVAL, `unknown lock type ${req.type}`);
    LockTable.validateOwner(owner);
    if (!Number.isSafeInteger(req.start) || !Number.isSafeInteger(req.end) || req.start < 0 || req.end < req.start || req.end > LOCK_TO_EOF)
      throw new MoosengError(ErrorCodes.EINVAL, `lock range ${req.start}..${req.end} is not a range of offsets`);
  }

  static validateOwner(owner: string): void {
    const bytes = Buffer.byteLength(owner, 'utf8');
    if (bytes === 0 || bytes > MAX_LOCK_OWNER_BYTES)
      throw new MoosengError(ErrorCodes.EINVAL, `a lock owner is 1..${MAX_LOCK_OWNER_BYTES} bytes, not ${bytes}`);
  }

  /** The first lock of another owner in the way of `req` (a READ or WRITE), or undefined: F_GETLK and the pre-check. */
  conflict(ino: number, sessionId: number, owner: string, req: LockRequest): LockConflict | undefined {
    const locks = this.inodes.get(ino);
    if (locks === undefined || req.type === LockType.UNLOCK) return undefined;
    if (req.kind === LockKind.FLOCK) {
      const f = locks.flocks.find((l) => !sameOwner(l, sessionId, owner) && excludes(l.type, req.type));
      return f && { type: f.type, start: 0, end: LOCK_TO_EOF, pid: 0, sessionId: f.sessionId };
    }
    const r = locks.ranges.find(
      (l) => !sameOwner(l, sessionId, owner) && excludes(l.type, req.type) && l.start <= req.end && req.start <= l.end,
    );
    return r && { type: r.type, start: r.start, end: r.end, pid: r.pid, sessionId: r.sessionId };
  }

  /** Sets or clears a lock of the owner; EAGAIN (changing nothing) when another owner's lock is in the way. */
  set(ino: number, sessionId: number, owner: string, req: LockRequest, pid: number): void {
    const blocking = this.conflict(ino, sessionId, owner, req);
    if (blocking !== undefined) {
      throw new MoosengError(
        ErrorCodes.EAGAIN,
        `inode ${ino}: ${req.kind === LockKind.FLOCK ? 'flock' : `bytes ${blocking.start}..${blocking.end}`} locked by another owner (session ${blocking.sessionId})`,
      );
    }
    let locks = this.inodes.get(ino);
    if (locks === undefined) {
      if (req.type === LockType.UNLOCK) return;
      this.inodes.set(ino, (locks = new InodeLocks()));
    }
    if (req.kind === LockKind.FLOCK) this.setFlock(locks, sessionId, owner, req.type);
    else this.setRange(locks, sessionId, owner, req, pid);
    if (locks.empty) this.inodes.delete(ino);
  }

  private setFlock(locks: InodeLocks, sessionId: number, owner: string, type: number): void {
    const at = locks.flocks.findIndex((l) => sameOwner(l, sessionId, owner));
    if (type === LockType.UNLOCK) {
      if (at >= 0) locks.flocks.splice(at, 1);
    } else if (at >= 0) {
      locks.flocks[at]!.type = type;
    } else {
      locks.flocks.push({ sessionId, owner, type });
    }
  }

  private setRange(locks: InodeLocks, sessionId: number, owner: string, req: LockRequest, pid: number): void {
    const { start, end } = req;
    const others: RangeRecord[] = [];
    const mine: RangeRecord[] = [];
    for (const l of locks.ranges) {
      if (!sameOwner(l, sessionId, owner)) others.push(l);
      else if (l.end < start || l.start > end) mine.push(l);
      else {
        // The new request replaces the owner's lock where they overlap: keep the parts outside it.
        if (l.start < start) mine.push({ ...l, end: start - 1 });
        if (l.end > end) mine.push({ ...l, start: end + 1 });
      }
    }
    const added: RangeRecord = { sessionId, owner, type: req.type, start, end, pid };
    if (req.type !== LockType.UNLOCK) mine.push(added);
    mine.sort(byOwnerThenStart);
    const merged: RangeRecord[] = [];
    for (const l of mine) {
      const prev = merged[merged.length - 1];
      if (prev !== undefined && prev.type === l.type && prev.end + 1 >= l.start) {
        prev.end = Math.max(prev.end, l.end);
        if (l === added) prev.pid = pid; // the latest setter is who F_GETLK names
      } else {
        merged.push({ ...l });
      }
    }
    locks.ranges = [...others, ...merged].sort(byOwnerThenStart);
  }

  /** Drops the owner's locks of `kinds` (LockKinds bits) on the inode: close (POSIX), release (flock, OFD). */
  release(ino: number, sessionId: number, owner: string, kinds: number): number {
    const locks = this.inodes.get(ino);
    if (locks === undefined) return 0;
    let n = 0;
    if ((kinds & LockKinds.FLOCK) !== 0) n += this.drop(locks.flocks, (l) => sameOwner(l, sessionId, owner));
    if ((kinds & LockKinds.POSIX) !== 0) n += this.drop(locks.ranges, (l) => sameOwner(l, sessionId, owner));
    if (locks.empty) this.inodes.delete(ino);
    return n;
  }

  /** Drops every lock the session holds on the inode (its last open of it was released). */
  releaseSessionInode(ino: number, sessionId: number): number {
    const locks = this.inodes.get(ino);
    if (locks === undefined) return 0;
    const n = this.drop(locks.flocks, (l) => l.sessionId === sessionId) + this.drop(locks.ranges, (l) => l.sessionId === sessionId);
    if (locks.empty) this.inodes.delete(ino);
    return n;
  }

  /** Drops every lock of a session (closed or expired). */
  releaseSession(sessionId: number): number {
    let n = 0;
    for (const ino of [...this.inodes.keys()]) n += this.releaseSessionInode(ino, sessionId);
    return n;
  }

  /** Locks held in all, for operators and tests. */
  get size(): number {
    let n = 0;
    for (const l of this.inodes.values()) n += l.flocks.length + l.ranges.length;
    return n;
  }

  clear(): void {
    this.inodes.clear();
  }

  /** Removes, in place, the records `match` picks; returns how many. */
  private drop<T>(list: T[], match: (l: T) => boolean): number {
    let kept = 0;
    for (const l of list) if (!match(l)) list[kept++] = l;
    const n = list.length - kept;
    list.length = kept;
    return n;
  }
}
