// Subtree exports in the master's state (namespace-tree.ts isWithin, link-parents.ts, session-roots.ts): a file lies
// beneath every directory one of its names is in, through hard links, renames, exchanges and unlinks, and a
// restored master knows the same; a session keeps its root through a snapshot; a request of a session rooted in a
// subdirectory names that directory as inode 1 and nothing outside it, and its replies and change notices say 1
// for the root and nothing of what lies outside.
import { expect } from 'chai';
import { ErrorCodes, RenameFlags, type RequestOf } from '@mooseng/core';
import { NamespaceStateMachine, noticeFor, rootedReply, rootedRequest, sessionRootOf } from '@mooseng/master';
import { errorCodeOfCall } from '../support';
import { Harness, ROOT, ROOT_INODE } from './harness';
import { checkInvariants } from './invariants';

const header = { sessionId: 0, requestId: 0, cred: { uid: 0, gids: [0] } } as unknown as RequestOf<'GetAttr'>['h'];

describe('master: subtree exports', () => {
  let h: Harness;
  let a: number; // /a, the exported directory
  let inner: number; // /a/inner
  let b: number; // /b, outside
  let file: number; // /a/inner/f
  let secret: number; // /b/secret
  beforeEach(() => {
    h = new Harness();
    h.openSession(5);
    a = h.mkdir(ROOT_INODE, 'a').ino;
    inner = h.mkdir(a, 'inner').ino;
    b = h.mkdir(ROOT_INODE, 'b').ino;
    file = h.create(inner, 'f').ino;
    secret = h.create(b, 'secret').ino;
  });

  it('a file lies beneath each directory one of its names is in, through links, renames, exchanges and unlinks', () => {
    const sm = h.sm;
    expect(sm.isWithin(file, a)).to.equal(true);
    expect(sm.isWithin(inner, a)).to.equal(true);
    expect(sm.isWithin(a, a)).to.equal(true);
    expect(sm.isWithin(secret, a)).to.equal(false);
    expect(sm.isWithin(b, a)).to.equal(false);
    // A second name inside the subtree brings the secret in; removing it takes it out again.
    h.ok({ op: 'link', ino: secret, parent: inner, name: 'shared', cred: ROOT });
    expect(sm.isWithin(secret, a)).to.equal(true);
    h.ok({ op: 'unlink', parent: inner, name: 'shared', cred: ROOT });
    expect(sm.isWithin(secret, a)).to.equal(false);
    // Its first name going leaves the second one counting.
    h.ok({ op: 'link', ino: secret, parent: a, name: 'kept', cred: ROOT });
    h.ok({ op: 'unlink', parent: b, name: 'secret', cred: ROOT });
    expect(sm.isWithin(secret, a)).to.equal(true);
    expect(sm.isWithin(secret, b)).to.equal(false);
    // Renamed out, it is outside; exchanged back in, inside, and what it was exchanged with is outside.
    h.ok({ op: 'rename', parent: inner, name: 'f', newParent: b, newName: 'moved', flags: 0, cred: ROOT });
    expect(sm.isWithin(file, a)).to.equal(false);
    expect(sm.isWithin(file, b)).to.equal(true);
    h.ok({ op: 'rename', parent: a, name: 'kept', newParent: b, newName: 'moved', flags: RenameFlags.EXCHANGE, cred: ROOT });
    expect(sm.isWithin(file, a), 'exchanged into /a').to.equal(true);
    expect(sm.isWithin(secret, a), 'exchanged out of /a').to.equal(false);
    // Replaced by a rename over it, a name is gone.
    h.ok({ op: 'link', ino: secret, parent: inner, name: 'twice', cred: ROOT });
    h.create(b, 'other');
    h.ok({ op: 'rename', parent: b, name: 'other', newParent: inner, newName: 'twice', flags: 0, cred: ROOT });
    expect(sm.isWithin(secret, a)).to.equal(false);
    // A directory moved out takes what is beneath it.
    h.ok({ op: 'rename', parent: a, name: 'inner', newParent: b, newName: 'inner', flags: 0, cred: ROOT });
    expect(sm.isWithin(inner, a)).to.equal(false);
    expect(sm.isWithin(inner, b)).to.equal(true);
    checkInvariants(sm);
  });

  it('a restored master knows the same names, and each session keeps its root', async () => {
    h.ok({ op: 'link', ino: secret, parent: a, name: 'one', cred: ROOT });
    h.ok({ op: 'link', ino: secret, parent: a, name: 'two', cred: ROOT });
    h.sessionId = 9;
    expect(h.raw({ op: 'openSession', info: 'subtree', root: a }).kind).to.equal('session');
    const restored = new NamespaceStateMachine({ defaultGoal: 2 });
    await restored.restore(await h.sm.snapshot());
    expect(Buffer.from(await restored.snapshot()).equals(Buffer.from(await h.sm.snapshot()))).to.equal(true);
    for (const ino of [a, inner, b, file, secret])
      for (const dir of [ROOT_INODE, a, inner, b])
        expect(restored.isWithin(ino, dir), `${ino} in ${dir}`).to.equal(h.sm.isWithin(ino, dir));
    expect(sessionRootOf(restored, 9)).to.equal(a);
    expect(sessionRootOf(restored, 5)).to.equal(ROOT_INODE);
    checkInvariants(restored);
  });

  it('opens no session rooted in a directory that is gone', () => {
    const gone = h.mkdir(ROOT_INODE, 'gone').ino;
    h.ok({ op: 'rmdir', parent: ROOT_INODE, name: 'gone', cred: ROOT });
    h.sessionId = 10;
    expect(h.code({ op: 'openSession', info: 'x', root: gone })).to.equal(ErrorCodes.ENOENT);
    h.sessionId = 11;
    const r = h.raw({ op: 'openSession', info: 'x', root: file });
    expect(r.kind === 'error' ? r.code : 'OK').to.equal(ErrorCodes.ENOTDIR);
  });

  it("translates a rooted session's requests, refuses inodes outside, and keeps what it holds open", () => {
    h.sessionId = 9;
    h.raw({ op: 'openSession', info: 'subtree', root: a });
    const sm = h.sm;
    const getattr = (ino: number) => rootedRequest(sm, 'GetAttr', { h: header, ino }, 9, a);
    expect(getattr(ROOT_INODE).ino, 'inode 1 is the root').to.equal(a);
    expect(getattr(file).ino).to.equal(file);
    expect(errorCodeOfCall(() => getattr(secret))).to.equal(ErrorCodes.EPERM);
    expect(errorCodeOfCall(() => getattr(b))).to.equal(ErrorCodes.EPERM);
    const rename = { h: header, parent: ROOT_INODE, name: 'inner', newParent: b, newName: 'x', flags: 0 };
    expect(
      errorCodeOfCall(() => rootedRequest(sm, 'Rename', rename, 9, a)),
      'a rename out of the subtree',
    ).to.equal(ErrorCodes.EPERM);
    const release = { h: header, inos: [ROOT_INODE, secret], unwritten: [] };
    expect(errorCodeOfCall(() => rootedRequest(sm, 'ReleaseFiles', release, 9, a))).to.equal(ErrorCodes.EPERM);
    expect(rootedRequest(sm, 'Lookup', { h: header, parent: ROOT_INODE, name: '..' }, 9, a)).to.include({ parent: a, name: '.' });
    // A file of the subtree it holds open stays its own after it is unlinked.
    h.ok({ op: 'open', ino: file, flags: 0, cred: ROOT });
    h.ok({ op: 'unlink', parent: inner, name: 'f', cred: ROOT });
    expect(sm.isWithin(file, a)).to.equal(false);
    expect(getattr(file).ino).to.equal(file);
    // Replies say 1 for the root.
    const attr = { ...sm.getattr(a), atimeMs: 0, mtimeMs: 0, ctimeMs: 0, storedBytes: 0 };
    const reply = rootedReply<'Lookup'>({ attr: attr as never }, a);
    expect(reply.attr?.ino).to.equal(ROOT_INODE);
  });

  it('tells a rooted session only of changes beneath its root, the root as inode 1', () => {
    h.sessionId = 9;
    h.raw({ op: 'openSession', info: 'subtree', root: a });
    const sm = h.sm;
    const inside = { inodes: [a, file], entries: [{ parent: a, name: 'n' }], resync: false };
    expect(noticeFor(sm, 9, inside)).to.deep.equal({
      inodes: [ROOT_INODE, file],
      entries: [{ parent: ROOT_INODE, name: 'n' }],
      resync: false,
    });
    expect(noticeFor(sm, 9, { inodes: [secret], entries: [{ parent: b, name: 'secret' }], resync: false })).to.equal(null);
    expect(noticeFor(sm, 5, inside), 'a session at the root hears everything').to.deep.equal(inside);
    expect(noticeFor(sm, 12345, inside), 'an unknown session hears nothing').to.equal(null);
  });
});
