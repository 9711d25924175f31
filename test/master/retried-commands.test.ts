// Idempotent retries: a (session, request id) applied once returns the same result bytes instead of applying twice.
import { expect } from 'chai';
import { encodeCommand, RECENT_RESULTS_PER_SESSION, decodeResult } from '@mooseng/master';
import { Harness, ROOT, ROOT_INODE } from './harness';

describe('master namespace: retried commands', () => {
  it('returns the first result for a retried create instead of EEXIST, and creates one inode', () => {
    const h = new Harness();
    h.openSession(1);
    const body = { op: 'mkdir', parent: ROOT_INODE, name: 'd', mode: 0o755, cred: ROOT } as const;
    const cmd = encodeCommand({ sessionId: 1, requestId: 500, now: 42, ...body });
    const first = h.sm.apply(cmd, 100);
    const retry = h.sm.apply(cmd, 101);
    expect(Buffer.from(retry).equals(Buffer.from(first))).to.equal(true);
    // The caller owns what apply() returns: scribbling on it does not change what a later retry gets.
    const pristine = Buffer.from(retry);
    first.fill(0);
    retry.fill(0);
    expect(Buffer.from(h.sm.apply(cmd, 102)).equals(pristine)).to.equal(true);
    expect(decodeResult(pristine).kind).to.equal('attr');
    expect(h.sm.statfs().directories).to.equal(2);
    // A new request id for the same operation is a new operation.
    expect(h.code(body)).to.equal('EEXIST');
  });

  it('replays errors too: a retried unlink that failed fails the same way even after the name appeared', () => {
    const h = new Harness();
    h.openSession(1);
    const unlink = encodeCommand({ sessionId: 1, requestId: 7, now: 1, op: 'unlink', parent: ROOT_INODE, name: 'f', cred: ROOT });
    expect(decodeResult(h.sm.apply(unlink, 1))).to.include({ kind: 'error', code: 'ENOENT' });
    h.create(ROOT_INODE, 'f');
    expect(decodeResult(h.sm.apply(unlink, 3))).to.include({ kind: 'error', code: 'ENOENT' });
    expect(h.lookup(ROOT_INODE, 'f').ino).to.be.greaterThan(1);
  });

  it('remembers a bounded number of results per session and refuses requests older than those', () => {
    const h = new Harness();
    h.openSession(1);
    h.requestId = 0;
    for (let i = 0; i < RECENT_RESULTS_PER_SESSION + 5; i++) h.create(ROOT_INODE, `f${i}`);
    expect(h.sm.sessions.get(1)!.recent.size).to.equal(RECENT_RESULTS_PER_SESSION);
    const old = h.raw({ op: 'mkdir', parent: ROOT_INODE, name: 'f0', mode: 0o755, cred: ROOT }, { requestId: 3 });
    expect(old).to.include({ kind: 'error', code: 'INVALID_ARGUMENT' });
    const recent = h.raw(
      { op: 'mkdir', parent: ROOT_INODE, name: 'ignored', mode: 0o755, cred: ROOT },
      { requestId: RECENT_RESULTS_PER_SESSION + 5 },
    );
    expect(recent.kind).to.equal('attr'); // the remembered result of creating the last file
    expect(Harness.queryCode(() => h.lookup(ROOT_INODE, 'ignored'))).to.equal('ENOENT');
  });

  it('does not deduplicate commands outside a session (session 0)', () => {
    const h = new Harness();
    const cmd = encodeCommand({ sessionId: 0, requestId: 1, now: 1, op: 'mkdir', parent: ROOT_INODE, name: 'd', mode: 0o755, cred: ROOT });
    expect(decodeResult(h.sm.apply(cmd, 1)).kind).to.equal('attr');
    expect(decodeResult(h.sm.apply(cmd, 2))).to.include({ kind: 'error', code: 'EEXIST' });
  });

  it('answers a malformed or unknown-version command with a PROTOCOL_ERROR result on every master alike', () => {
    const h = new Harness();
    expect(decodeResult(h.sm.apply(new Uint8Array([9, 1, 0, 0, 0]), 1))).to.include({ kind: 'error', code: 'PROTOCOL_ERROR' });
    expect(decodeResult(h.sm.apply(new Uint8Array([1, 200, 0, 0, 0]), 2))).to.include({ kind: 'error', code: 'PROTOCOL_ERROR' });
    const good = encodeCommand({ sessionId: 0, requestId: 0, now: 1, op: 'mkdir', parent: 1, name: 'd', mode: 0o755, cred: ROOT });
    expect(decodeResult(h.sm.apply(good.subarray(0, good.length - 2), 3))).to.include({ kind: 'error', code: 'PROTOCOL_ERROR' });
    expect(h.sm.statfs().inodes).to.equal(1);
  });
});
