// The kernel's lock ranges (start, length; length 0 = to the end of the file) in the file system's terms (inclusive
// end, LOCK_TO_EOF), offsets past 2^53 clamped rather than rounded into another range.
import { expect } from 'chai';
import { LOCK_TO_EOF, LockType } from '@mooseng/core';
import { lockOf } from '@mooseng/plugin-mount-fuse3';

describe('mount-fuse3 lock ranges', () => {
  it('turns start and length into an inclusive range', () => {
    expect(lockOf(LockType.WRITE, 0, 100, 7)).to.deep.equal({ type: LockType.WRITE, start: 0, end: 99, pid: 7 });
    expect(lockOf(LockType.READ, 5, 1, 0)).to.deep.equal({ type: LockType.READ, start: 5, end: 5, pid: 0 });
  });

  it('reads length 0 as "to the end of the file"', () => {
    expect(lockOf(LockType.WRITE, 200, 0, 1).end).to.equal(LOCK_TO_EOF);
  });

  it('clamps offsets JS numbers cannot hold exactly to the end', () => {
    expect(lockOf(LockType.WRITE, 2 ** 62, 0, 1)).to.include({ start: LOCK_TO_EOF, end: LOCK_TO_EOF });
    expect(lockOf(LockType.WRITE, 10, 2 ** 62, 1)).to.include({ start: 10, end: LOCK_TO_EOF });
  });
});
