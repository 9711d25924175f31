// File locks in the replicated state: flock and POSIX byte ranges per inode, owned by (session, kernel lock owner),
// with POSIX splitting, merging and conversion, and release on unlock, close, last release and session end.
import { expect } from 'chai';
import { LOCK_TO_EOF, LockKind, LockKinds, LockType, OpenFlags } from '@mooseng/core';
import { NamespaceStateMachine, type RangeRecord } from '@mooseng/master';
import { Harness, ROOT, ROOT_INODE } from './harness';

const { FLOCK, POSIX } = LockKind;
const { UNLOCK, READ, WRITE } = LockType;

describe('master namespace: file locks', () => {
  let h: Harness;
  let ino: number;
  /** Sessions 1 and 2 both hold the file `f` open, as two mounts would. */
  beforeEach(() => {
    h = new Harness();
    h.openSession(1);
    ino = h.create(ROOT_INODE, 'f', 0o644, ROOT, true).ino;
    h.openSession(2);
    h.ok({ op: 'open', ino, flags: OpenFlags.READ | OpenFlags.WRITE, cred: ROOT });
  });

  const as = (sessionId: number): Harness => ((h.sessionId = sessionId), h);
  const lock = (sessionId: number, owner: string, kind: number, type: number, start = 0, end = LOCK_TO_EOF, pid = 100): string =>
    as(sessionId).code({ op: 'setLock', ino, kind, type, owner, start, end, pid });
  /** The ranges of one owner, as [type, start, end]. */
  const rangesOf = (sessionId: number, owner: string): Array<[number, number, number]> =>
    (h.sm.locks.inodes.get(ino)?.ranges ?? [])
      .filter((r: RangeRecord) => r.sessionId === sessionId && r.owner === owner)
      .map((r) => [r.type, r.start, r.end]);

  describe('flock', () => {
    it('shares LOCK_SH between owners and refuses LOCK_EX while another owner holds either, on any session', () => {
      expect(lock(1, 'a', FLOCK, READ)).to.equal('OK');
      expect(lock(2, 'b', FLOCK, READ)).to.equal('OK');
      expect(lock(2, 'b', FLOCK, WRITE)).to.equal('EAGAIN'); // a's shared lock is in the way
      expect(lock(1, 'a', FLOCK, UNLOCK)).to.equal('OK');
      expect(lock(2, 'b', FLOCK, WRITE)).to.equal('OK'); // converted in place
      expect(lock(1, 'a', FLOCK, READ)).to.equal('EAGAIN');
      expect(lock(1, 'b', FLOCK, READ)).to.equal('EAGAIN'); // same kernel owner, other mount: another owner
      expect(h.sm.locks.size).to.equal(1);
    });

    it('a refused conversion keeps the lock the owner had', () => {
      expect(lock(1, 'a', FLOCK, READ)).to.equal('OK');
      expect(lock(2, 'b', FLOCK, READ)).to.equal('OK');
      expect(lock(1, 'a', FLOCK, WRITE)).to.equal('EAGAIN');
      expect(h.sm.locks.inodes.get(ino)!.flocks.map((f) => [f.owner, f.type])).to.deep.equal([
        ['a', READ],
        ['b', READ],
      ]);
    });

    it('never conflicts with POSIX locks of the file', () => {
      expect(lock(1, 'a', FLOCK, WRITE)).to.equal('OK');
      expect(lock(2, 'b', POSIX, WRITE)).to.equal('OK');
    });
  });

  describe('POSIX byte ranges', () => {
    it('conflicts on overlapping ranges of other owners only when one of them writes', () => {
      expect(lock(1, 'a', POSIX, WRITE, 0, 99)).to.equal('OK');
      expect(lock(2, 'b', POSIX, WRITE, 100, 199)).to.equal('OK'); // adjacent, not overlapping
      expect(lock(2, 'b', POSIX, READ, 99, 99)).to.equal('EAGAIN');
      expect(lock(1, 'a', POSIX, READ, 150, LOCK_TO_EOF)).to.equal('EAGAIN');
      expect(lock(1, 'a', POSIX, READ, 200, LOCK_TO_EOF)).to.equal('OK');
      expect(lock(2, 'c', POSIX, READ, 300, 400)).to.equal('OK'); // read shares with read
      expect(lock(1, 'a', POSIX, WRITE, 0, 99)).to.equal('OK'); // the owner's own range never conflicts
    });

    it('reports the first conflicting lock with its range and pid (F_GETLK), or none', () => {
      lock(1, 'a', POSIX, WRITE, 10, 19, 4242);
      expect(h.sm.lockConflict(ino, 2, 'b', { kind: POSIX, type: READ, start: 0, end: 10 })).to.deep.equal({
        type: WRITE,
        start: 10,
        end: 19,
        pid: 4242,
        sessionId: 1,
      });
      expect(h.sm.lockConflict(ino, 2, 'b', { kind: POSIX, type: WRITE, start: 20, end: LOCK_TO_EOF })).to.equal(undefined);
      expect(h.sm.lockConflict(ino, 1, 'a', { kind: POSIX, type: WRITE, start: 0, end: LOCK_TO_EOF })).to.equal(undefined);
    });

    it('unlocking a sub-range splits the owner’s lock, and adjacent ranges of one type merge', () => {
      lock(1, 'a', POSIX, WRITE, 0, 99);
      lock(1, 'a', POSIX, UNLOCK, 40, 59);
      expect(rangesOf(1, 'a')).to.deep.equal([
        [WRITE, 0, 39],
        [WRITE, 60, 99],
      ]);
      expect(lock(2, 'b', POSIX, WRITE, 40, 59)).to.equal('OK'); // the hole is free for others
      lock(1, 'a', POSIX, WRITE, 100, 199);
      expect(rangesOf(1, 'a')).to.deep.equal([
        [WRITE, 0, 39],
        [WRITE, 60, 199],
      ]);
      lock(1, 'a', POSIX, UNLOCK, 0, LOCK_TO_EOF);
      expect(rangesOf(1, 'a')).to.deep.equal([]);
      expect(h.sm.locks.size).to.equal(1); // b's
    });

    it('downgrades and upgrades part of a range in place, splitting it by type', () => {
      lock(1, 'a', POSIX, WRITE, 0, 99);
      lock(1, 'a', POSIX, READ, 20, 29);
      expect(rangesOf(1, 'a')).to.deep.equal([
        [WRITE, 0, 19],
        [READ, 20, 29],
        [WRITE, 30, 99],
      ]);
      expect(lock(2, 'b', POSIX, READ, 25, 25)).to.equal('OK'); // the downgraded part now shares
      expect(lock(1, 'a', POSIX, WRITE, 20, 29)).to.equal('EAGAIN'); // upgrade refused: b reads byte 25
      expect(rangesOf(1, 'a')).to.deep.equal([
        [WRITE, 0, 19],
        [READ, 20, 29],
        [WRITE, 30, 99],
      ]);
      lock(2, 'b', POSIX, UNLOCK, 0, LOCK_TO_EOF);
      expect(lock(1, 'a', POSIX, WRITE, 20, 29)).to.equal('OK');
      expect(rangesOf(1, 'a')).to.deep.equal([[WRITE, 0, 99]]);
    });

    it('refuses malformed requests with EINVAL', () => {
      expect(lock(1, 'a', POSIX, WRITE, 10, 9)).to.equal('EINVAL');
      expect(lock(1, 'a', 7, WRITE)).to.equal('EINVAL');
      expect(lock(1, 'a', POSIX, 3)).to.equal('EINVAL');
      expect(lock(1, '', POSIX, WRITE)).to.equal('EINVAL');
      expect(lock(1, 'x'.repeat(65), POSIX, WRITE)).to.equal('EINVAL');
      expect(h.sm.locks.size).to.equal(0);
    });
  });

  describe('release', () => {
    it('a close (releaseLocks POSIX) drops that owner’s ranges only, not its flock or other owners’ locks', () => {
      lock(1, 'a', POSIX, WRITE, 0, 9);
      lock(1, 'a', FLOCK, WRITE);
      lock(1, 'c', POSIX, WRITE, 20, 29);
      expect(as(1).ok({ op: 'releaseLocks', ino, owner: 'a', kinds: LockKinds.POSIX })).to.deep.equal({ kind: 'count', count: 1 });
      expect(rangesOf(1, 'a')).to.deep.equal([]);
      expect(rangesOf(1, 'c')).to.deep.equal([[WRITE, 20, 29]]);
      expect(lock(2, 'b', FLOCK, READ)).to.equal('EAGAIN');
      as(1).ok({ op: 'releaseLocks', ino, owner: 'a', kinds: LockKinds.FLOCK });
      expect(lock(2, 'b', FLOCK, READ)).to.equal('OK');
    });

    it('closing or expiring a session drops every lock it held', () => {
      lock(1, 'a', FLOCK, WRITE);
      lock(1, 'a', POSIX, WRITE, 0, 9);
      lock(2, 'b', POSIX, READ, 100, 109);
      as(1).ok({ op: 'closeSession' });
      expect(h.sm.locks.size).to.equal(1);
      expect(lock(2, 'b', FLOCK, WRITE)).to.equal('OK');
      expect(lock(2, 'b', POSIX, WRITE, 0, 9)).to.equal('OK');
    });

    it('the session’s last release of the file drops its locks on it; an earlier one does not', () => {
      as(1).ok({ op: 'open', ino, flags: OpenFlags.READ, cred: ROOT }); // session 1 holds it twice now
      lock(1, 'a', FLOCK, WRITE);
      as(1).ok({ op: 'release', ino });
      expect(lock(2, 'b', FLOCK, READ)).to.equal('EAGAIN');
      as(1).ok({ op: 'release', ino });
      expect(lock(2, 'b', FLOCK, READ)).to.equal('OK');
    });

    it('locks need the file open in the session (ENOLCK), unlocks do not', () => {
      const g = as(1).create(ROOT_INODE, 'g', 0o644, ROOT, false).ino;
      expect(as(1).code({ op: 'setLock', ino: g, kind: FLOCK, type: WRITE, owner: 'a', start: 0, end: LOCK_TO_EOF, pid: 1 })).to.equal(
        'ENOLCK',
      );
      expect(as(1).code({ op: 'setLock', ino: g, kind: FLOCK, type: UNLOCK, owner: 'a', start: 0, end: LOCK_TO_EOF, pid: 1 })).to.equal(
        'OK',
      );
      const sessionless = h.raw(
        { op: 'setLock', ino, kind: FLOCK, type: WRITE, owner: 'a', start: 0, end: LOCK_TO_EOF, pid: 1 },
        { sessionId: 0 },
      );
      expect(sessionless).to.include({ kind: 'error', code: 'EINVAL' });
    });
  });

  it('a retried setLock returns its first result instead of applying again', () => {
    const take = { op: 'setLock', ino, kind: POSIX, type: WRITE, owner: 'a', start: 0, end: 9, pid: 100 } as const;
    expect(h.raw(take, { sessionId: 1, requestId: 500 })).to.deep.equal({ kind: 'ok' });
    lock(1, 'a', POSIX, UNLOCK, 0, 9);
    expect(lock(2, 'b', POSIX, WRITE, 0, 9)).to.equal('OK');
    // A late retry of a's lock (its answer was lost with a leader): answered from memory, b keeps the range.
    expect(h.raw(take, { sessionId: 1, requestId: 500 })).to.deep.equal({ kind: 'ok' });
    expect(rangesOf(2, 'b')).to.deep.equal([[WRITE, 0, 9]]);
    expect(rangesOf(1, 'a')).to.deep.equal([]);
  });

  it('survives a snapshot and restore, byte for byte', async () => {
    lock(1, 'a', FLOCK, READ);
    lock(2, 'b', FLOCK, READ);
    lock(1, 'a', POSIX, WRITE, 0, 9, 11);
    lock(2, 'b', POSIX, READ, 50, LOCK_TO_EOF, 22);
    const snap = await h.sm.snapshot();
    const copy = new NamespaceStateMachine({ defaultGoal: 2 });
    await copy.restore(snap);
    expect(Buffer.from(await copy.snapshot()).equals(Buffer.from(snap))).to.equal(true);
    expect(copy.lockConflict(ino, 3, 'z', { kind: POSIX, type: READ, start: 5, end: 5 })).to.deep.include({ start: 0, end: 9, pid: 11 });
    expect(copy.lockConflict(ino, 3, 'z', { kind: FLOCK, type: WRITE, start: 0, end: LOCK_TO_EOF })).to.not.equal(undefined);
    expect(copy.locks.size).to.equal(4);
  });
});
