// Waiting for a lock is the client's: it looks by reads until the way is clear and only then proposes again, and an
// interrupt ends the wait with ABORTED (EINTR). Closes send ReleaseLocks only for owners that locked through the mount.
import { expect } from 'chai';
import { ErrorCodes, isMoosengError, LOCK_TO_EOF, LockKind, LockKinds, LockType, MoosengError } from '@mooseng/core';
import { FileLocks, LOCK_RETRY_FIRST_MS, LOCK_RETRY_MAX_MS, type MasterClient } from '@mooseng/client';
import { ManualClock } from '../support';

const CRED = { uid: 0, gids: [0] };
const WHOLE = { kind: LockKind.POSIX, type: LockType.WRITE, start: 0, end: LOCK_TO_EOF };

/** A master where another owner holds the lock while `held` is true; records every call. */
class FakeMaster {
  held = true;
  readonly calls: Array<{ method: string; body: Record<string, unknown> }> = [];
  async call(method: string, body: Record<string, unknown>): Promise<unknown> {
    this.calls.push({ method, body });
    if (method === 'SetLock' && this.held && body.type !== LockType.UNLOCK) throw new MoosengError(ErrorCodes.EAGAIN, 'held');
    if (method === 'GetLock')
      return this.held ? { type: LockType.WRITE, start: 0, end: 9, pid: 7 } : { type: LockType.UNLOCK, start: 0, end: 0, pid: 0 };
    return {};
  }
  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }
}

/** Lets the promise chain run (the fake master answers in microtasks). */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('client: lock waits and releases', () => {
  let master: FakeMaster;
  let clock: ManualClock;
  let locks: FileLocks;
  beforeEach(() => {
    master = new FakeMaster();
    clock = new ManualClock();
    locks = new FileLocks(master as unknown as MasterClient, clock);
  });

  it('F_SETLK fails at once with EAGAIN, with one proposal', async () => {
    const err = await locks.set(5, 1, 'a', WHOLE, 10, { wait: false }, CRED).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMoosengError(err, ErrorCodes.EAGAIN)).to.equal(true);
    expect(master.count('SetLock')).to.equal(1);
  });

  it('F_SETLKW looks by reads while the lock is held, backing off, and proposes again once it is free', async () => {
    let done = false;
    const waiting = locks.set(5, 1, 'a', WHOLE, 10, { wait: true }, CRED).then(() => (done = true));
    await settle();
    // Ten looks: pauses of 10, 20, 40 ... capped at LOCK_RETRY_MAX_MS.
    let elapsed = 0;
    for (let pause = LOCK_RETRY_FIRST_MS, i = 0; i < 10; i++, pause = Math.min(pause * 2, LOCK_RETRY_MAX_MS)) {
      clock.advance(pause);
      elapsed += pause;
      await settle();
    }
    expect(master.count('GetLock')).to.equal(10);
    expect(master.count('SetLock')).to.equal(1); // no log entry per look
    expect(elapsed).to.be.greaterThan(2 * LOCK_RETRY_MAX_MS);
    master.held = false;
    clock.advance(LOCK_RETRY_MAX_MS);
    await settle();
    await waiting;
    expect(done).to.equal(true);
    expect(master.count('SetLock')).to.equal(2);
  });

  it('an interrupt ends the wait with ABORTED and proposes nothing more', async () => {
    const interrupt = new AbortController();
    const waiting = locks.set(5, 1, 'a', WHOLE, 10, { wait: true, signal: interrupt.signal }, CRED).then(
      () => null,
      (e: unknown) => e,
    );
    await settle();
    clock.advance(LOCK_RETRY_FIRST_MS);
    await settle();
    interrupt.abort();
    const err = await waiting;
    expect(isMoosengError(err, ErrorCodes.ABORTED)).to.equal(true);
    master.held = false;
    clock.advance(10 * LOCK_RETRY_MAX_MS);
    await settle();
    expect(master.count('SetLock')).to.equal(1);
  });

  it('a close releases the POSIX locks of owners that locked here, and costs nothing for others', async () => {
    master.held = false;
    await locks.closed(5, 'a', CRED);
    expect(master.calls).to.have.length(0);
    await locks.set(5, 1, 'a', WHOLE, 10, { wait: false }, CRED);
    await locks.closed(5, 'a', CRED);
    expect(master.calls.at(-1)).to.deep.equal({ method: 'ReleaseLocks', body: { ino: 5, owner: 'a', kinds: LockKinds.POSIX } });
    await locks.closed(5, 'a', CRED);
    expect(master.count('ReleaseLocks')).to.equal(1);
  });

  it('the last release of a handle drops its flock and the OFD locks taken through it', async () => {
    master.held = false;
    await locks.set(5, 1, 'file1', { kind: LockKind.FLOCK, type: LockType.WRITE, start: 0, end: LOCK_TO_EOF }, 10, { wait: false }, CRED);
    await locks.set(5, 1, 'ofd1', WHOLE, 10, { wait: false }, CRED);
    await locks.set(5, 2, 'ofd2', WHOLE, 10, { wait: false }, CRED);
    await locks.released(5, 1, 'file1', CRED);
    const released = master.calls.filter((c) => c.method === 'ReleaseLocks').map((c) => [c.body.owner, c.body.kinds]);
    expect(released).to.deep.equal([
      ['file1', LockKinds.FLOCK],
      ['ofd1', LockKinds.POSIX],
    ]);
  });

  it('a flock conversion drops the old lock first, as Linux does, so two upgraders cannot deadlock', async () => {
    master.held = false;
    const flock = (type: number) => ({ kind: LockKind.FLOCK, type, start: 0, end: LOCK_TO_EOF });
    await locks.set(5, 1, 'f', flock(LockType.READ), 10, { wait: false }, CRED);
    await locks.set(5, 1, 'f', flock(LockType.READ), 10, { wait: false }, CRED); // same type: no unlock
    master.held = true; // another owner's shared lock now stands in the way of the upgrade
    const err = await locks.set(5, 1, 'f', flock(LockType.WRITE), 10, { wait: false }, CRED).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMoosengError(err, ErrorCodes.EAGAIN)).to.equal(true);
    expect(master.calls.map((c) => [c.method, c.body.type])).to.deep.equal([
      ['SetLock', LockType.READ],
      ['SetLock', LockType.READ],
      ['SetLock', LockType.UNLOCK],
      ['SetLock', LockType.WRITE],
    ]);
    // The shared lock is gone (as on Linux): a release has nothing left to send.
    await locks.released(5, 1, 'f', CRED);
    expect(master.count('ReleaseLocks')).to.equal(0);
  });
});
