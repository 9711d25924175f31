// FileLocks: flock and POSIX byte-range locks on the master, for every mount alike. Waits (F_SETLKW, flock without
// LOCK_NB) are the client's: it retries with backoff, looking by reads whether the way is clear, until granted or
// interrupted. Also remembers which owners hold locks through this mount, so a close costs no RPC when none do.
import { ErrorCodes, type IClock, isMoosengError, LockKind, LockKinds, LockType, MoosengError } from '@mooseng/core';
import type { CallerCredentials, MasterClient } from './master-client';

/** First pause of a waiting lock request before it looks again, in ms. */
export const LOCK_RETRY_FIRST_MS = 10;
/** Longest pause between looks (the wait doubles up to it): how late, at most, a waiter notices a release. */
export const LOCK_RETRY_MAX_MS = 500;

/** One lock request: kind LockKind, type LockType, inclusive range. */
export interface LockAsk {
  kind: number;
  type: number;
  start: number;
  end: number;
}

/** The lock in the way of a request (what F_GETLK answers). */
export interface LockHeld {
  type: number;
  start: number;
  end: number;
  pid: number;
}

export class FileLocks {
  /** ino → owners that set POSIX locks on it through this mount (a superset: unlocks do not shrink it). */
  private readonly posixOwners = new Map<number, Set<string>>();
  /** fh → POSIX owners that locked through it: OFD locks go with the open file, at release. */
  private readonly ownersByHandle = new Map<number, { ino: number; owners: Set<string> }>();
  /** ino → flock owners that locked it through this mount → the type they were granted. */
  private readonly flockOwners = new Map<number, Map<string, number>>();

  constructor(
    private readonly master: MasterClient,
    private readonly clock: IClock,
  ) {}

  /** F_GETLK: the first lock of another owner in the way, or null. */
  async test(ino: number, owner: string, ask: LockAsk, cred: CallerCredentials): Promise<LockHeld | null> {
    const r = await this.master.call('GetLock', { ino, owner, ...ask }, cred);
    return r.type === LockType.UNLOCK ? null : { type: r.type, start: r.start, end: r.end, pid: r.pid };
  }

  /**
   * Sets, changes or clears a lock. Without `wait` a conflict fails at once with EAGAIN. With it, the request is
   * tried again whenever a look (a read on the master, no log entry) finds the way clear, pausing
   * LOCK_RETRY_FIRST_MS doubling to LOCK_RETRY_MAX_MS between looks, until it is granted or `signal` fires
   * (ABORTED, which the mount answers EINTR). The signal is looked at between attempts only: an attempt in flight
   * completes, so a lock is never granted to a waiter that was told it was interrupted.
   */
  async set(
    ino: number,
    fh: number,
    owner: string,
    ask: LockAsk,
    pid: number,
    options: { wait: boolean; signal?: AbortSignal },
    cred: CallerCredentials,
  ): Promise<void> {
    const held = ask.kind === LockKind.FLOCK ? this.flockOwners.get(ino)?.get(owner) : undefined;
    if (held !== undefined && ask.type !== LockType.UNLOCK && ask.type !== held) {
      // A flock conversion drops the old lock first, as Linux does: two holders of LOCK_SH that both ask for LOCK_EX
      // would otherwise wait for each other for ever (the master converts atomically, keeping the old lock while
      // the new one is refused).
      await this.master.call('SetLock', { ino, owner, pid, ...ask, type: LockType.UNLOCK }, cred);
      this.forgetFlock(ino, owner);
    }
    let pause = LOCK_RETRY_FIRST_MS;
    for (;;) {
      try {
        await this.master.call('SetLock', { ino, owner, pid, ...ask }, cred);
        if (ask.type !== LockType.UNLOCK) this.remember(ino, fh, owner, ask);
        else if (ask.kind === LockKind.FLOCK) this.forgetFlock(ino, owner);
        return;
      } catch (err) {
        if (!options.wait || !isMoosengError(err, ErrorCodes.EAGAIN)) throw err;
      }
      do {
        await this.pause(pause, options.signal);
        pause = Math.min(pause * 2, LOCK_RETRY_MAX_MS);
      } while ((await this.test(ino, owner, ask, cred)) !== null);
    }
  }

  /** A close by the process `owner`: POSIX drops every byte-range lock it has on the file. */
  async closed(ino: number, owner: string, cred: CallerCredentials): Promise<void> {
    const owners = this.posixOwners.get(ino);
    if (!owners?.delete(owner)) return;
    if (owners.size === 0) this.posixOwners.delete(ino);
    await this.master.call('ReleaseLocks', { ino, owner, kinds: LockKinds.POSIX }, cred);
  }

  /** The last close of open file `fh`: its flock lock (the kernel names its owner) and OFD locks taken through it go. */
  async released(ino: number, fh: number, flockOwner: string | undefined, cred: CallerCredentials): Promise<void> {
    if (flockOwner !== undefined && this.forgetFlock(ino, flockOwner))
      await this.master.call('ReleaseLocks', { ino, owner: flockOwner, kinds: LockKinds.FLOCK }, cred);
    const taken = this.ownersByHandle.get(fh);
    this.ownersByHandle.delete(fh);
    // POSIX owners that used this handle dropped their locks at their close (FLUSH); what is left is OFD locks.
    for (const owner of taken?.owners ?? []) if (this.posixOwners.get(ino)?.has(owner)) await this.closed(ino, owner, cred);
  }

  private remember(ino: number, fh: number, owner: string, ask: LockAsk): void {
    if (ask.kind === LockKind.FLOCK) {
      let flocks = this.flockOwners.get(ino);
      if (!flocks) this.flockOwners.set(ino, (flocks = new Map()));
      flocks.set(owner, ask.type);
      return;
    }
    let owners = this.posixOwners.get(ino);
    if (!owners) this.posixOwners.set(ino, (owners = new Set()));
    owners.add(owner);
    let taken = this.ownersByHandle.get(fh);
    if (!taken) this.ownersByHandle.set(fh, (taken = { ino, owners: new Set() }));
    taken.owners.add(owner);
  }

  /** Forgets that `owner` holds a flock on `ino`; whether it was known to. */
  private forgetFlock(ino: number, owner: string): boolean {
    const flocks = this.flockOwners.get(ino);
    if (!flocks?.delete(owner)) return false;
    if (flocks.size === 0) this.flockOwners.delete(ino);
    return true;
  }

  private async pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw new MoosengError(ErrorCodes.ABORTED, 'the wait for a lock was interrupted');
    try {
      await this.clock.sleep(ms, { signal });
    } catch (err) {
      if (signal?.aborted) throw new MoosengError(ErrorCodes.ABORTED, 'the wait for a lock was interrupted', { cause: err });
      throw err;
    }
  }
}
