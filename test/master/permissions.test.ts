// Permission checks for the caller's uid/gids: access bits, root bypass, sticky directories, chmod/chown rules.
import { expect } from 'chai';
import { R_OK, S_ISGID, S_ISUID, S_ISVTX, SetattrMask, W_OK, X_OK } from '@mooseng/core';
import { ALICE, BOB, CAROL, Harness, ROOT, ROOT_INODE } from './harness';

describe('master namespace: permissions', () => {
  let h: Harness;
  const setattr = (
    ino: number,
    mask: number,
    cred: typeof ROOT,
    v: Partial<{ mode: number; uid: number; gid: number; size: number; atime: number; mtime: number }> = {},
  ) =>
    h.code({
      op: 'setattr',
      ino,
      mask,
      mode: v.mode ?? 0,
      uid: v.uid ?? 0,
      gid: v.gid ?? 0,
      size: v.size ?? 0,
      atime: v.atime ?? 0,
      mtime: v.mtime ?? 0,
      cred,
    });
  beforeEach(() => {
    h = new Harness();
  });

  it('needs write and search permission on the parent to create or remove', () => {
    const d = h.mkdir(ROOT_INODE, 'd', 0o755, ROOT);
    expect(h.code({ op: 'mknod', parent: d.ino, name: 'x', mode: 0o100644, rdev: 0, open: false, cred: ALICE })).to.equal('EACCES');
    h.create(d.ino, 'y');
    expect(h.code({ op: 'unlink', parent: d.ino, name: 'y', cred: ALICE })).to.equal('EACCES');
    const noSearch = h.mkdir(ROOT_INODE, 'ns', 0o776, ROOT);
    expect(h.code({ op: 'mkdir', parent: noSearch.ino, name: 'x', mode: 0o755, cred: ALICE })).to.equal('EACCES');
    expect(Harness.queryCode(() => h.lookup(noSearch.ino, 'x', ALICE))).to.equal('EACCES');
    // Root bypasses permission bits.
    expect(h.code({ op: 'mkdir', parent: noSearch.ino, name: 'x', mode: 0o755, cred: ROOT })).to.equal('OK');
  });

  it("checks owner, then group (any of the caller's gids), then other bits", () => {
    const f = h.create(ROOT_INODE, 'f', 0o640, ROOT);
    setattr(f.ino, SetattrMask.UID | SetattrMask.GID, ROOT, { uid: ALICE.uid, gid: 50 });
    expect(h.sm.access(f.ino, ALICE, R_OK | W_OK)).to.equal(true);
    expect(h.sm.access(f.ino, BOB, R_OK)).to.equal(true); // member of group 50
    expect(h.sm.access(f.ino, BOB, W_OK)).to.equal(false);
    expect(h.sm.access(f.ino, CAROL, R_OK)).to.equal(false);
    expect(h.sm.access(f.ino, ROOT, X_OK)).to.equal(false); // root needs some x bit to execute
    expect(h.code({ op: 'open', ino: f.ino, flags: 1, cred: CAROL })).to.equal('EINVAL'); // no session yet
    h.openSession();
    expect(h.code({ op: 'open', ino: f.ino, flags: 1, cred: CAROL })).to.equal('EACCES');
    expect(h.code({ op: 'open', ino: f.ino, flags: 2, cred: BOB })).to.equal('EACCES');
    expect(h.code({ op: 'open', ino: f.ino, flags: 1, cred: BOB })).to.equal('OK');
  });

  it('sticky directories let only the entry owner, the directory owner or root remove or rename', () => {
    const tmp = h.mkdir(ROOT_INODE, 'tmp', 0o777 | S_ISVTX, ROOT);
    h.create(tmp.ino, 'alices', 0o644, ALICE);
    h.create(tmp.ino, 'bobs', 0o644, BOB);
    expect(h.code({ op: 'unlink', parent: tmp.ino, name: 'bobs', cred: ALICE })).to.equal('EPERM');
    expect(h.code({ op: 'rename', parent: tmp.ino, name: 'bobs', newParent: tmp.ino, newName: 'mine', flags: 0, cred: ALICE })).to.equal(
      'EPERM',
    );
    // Nor may Alice replace Bob's file by renaming over it.
    expect(h.code({ op: 'rename', parent: tmp.ino, name: 'alices', newParent: tmp.ino, newName: 'bobs', flags: 0, cred: ALICE })).to.equal(
      'EPERM',
    );
    expect(h.code({ op: 'unlink', parent: tmp.ino, name: 'alices', cred: ALICE })).to.equal('OK');
    expect(h.code({ op: 'unlink', parent: tmp.ino, name: 'bobs', cred: ROOT })).to.equal('OK');
  });

  it('chmod is for the owner or root; a non-member loses setgid; chown of the owner is for root', () => {
    const pub = h.mkdir(ROOT_INODE, 'pub', 0o777, ROOT);
    const f = h.create(pub.ino, 'f', 0o644, ALICE);
    expect(setattr(f.ino, SetattrMask.MODE, BOB, { mode: 0o777 })).to.equal('EPERM');
    expect(setattr(f.ino, SetattrMask.MODE, ALICE, { mode: 0o4755 })).to.equal('OK');
    expect(h.sm.getattr(f.ino).mode & 0o7777).to.equal(0o4755);
    setattr(f.ino, SetattrMask.GID, ROOT, { gid: 4242 });
    expect(setattr(f.ino, SetattrMask.MODE, ALICE, { mode: 0o2755 })).to.equal('OK');
    expect(h.sm.getattr(f.ino).mode & 0o7777).to.equal(0o0755); // not in group 4242: S_ISGID dropped
    expect(setattr(f.ino, SetattrMask.UID, ALICE, { uid: BOB.uid })).to.equal('EPERM');
    expect(setattr(f.ino, SetattrMask.GID, ALICE, { gid: 50 })).to.equal('OK'); // owner, to a group of hers
    expect(setattr(f.ino, SetattrMask.GID, ALICE, { gid: 1001 })).to.equal('EPERM');
    expect(setattr(f.ino, SetattrMask.UID, ROOT, { uid: BOB.uid })).to.equal('OK');
    expect(h.sm.getattr(f.ino).uid).to.equal(BOB.uid);
    expect(setattr(f.ino, SetattrMask.UID, ROOT, { uid: 2 ** 32 })).to.equal('EINVAL');
  });

  it('chown clears setuid and group-executable setgid on files', () => {
    const f = h.create(ROOT_INODE, 'f', 0o6755, ROOT);
    expect(h.sm.getattr(f.ino).mode & (S_ISUID | S_ISGID)).to.equal(S_ISUID | S_ISGID);
    expect(setattr(f.ino, SetattrMask.UID, ROOT, { uid: ALICE.uid })).to.equal('OK');
    expect(h.sm.getattr(f.ino).mode & 0o7777).to.equal(0o755);
  });

  it('explicit times need ownership; "now" needs write permission', () => {
    const pub = h.mkdir(ROOT_INODE, 'pub', 0o777, ROOT);
    const f = h.create(pub.ino, 'f', 0o666, ALICE);
    expect(setattr(f.ino, SetattrMask.MTIME, BOB, { mtime: 5 })).to.equal('EPERM');
    expect(setattr(f.ino, SetattrMask.MTIME_NOW | SetattrMask.ATIME_NOW, BOB)).to.equal('OK');
    expect(h.sm.getattr(f.ino).mtime).to.equal(h.now);
    expect(setattr(f.ino, SetattrMask.MTIME | SetattrMask.ATIME, ALICE, { mtime: -86_400_000, atime: 7 })).to.equal('OK');
    const a = h.sm.getattr(f.ino);
    expect(a.mtime).to.equal(-86_400_000);
    expect(a.atime).to.equal(7);
    expect(a.ctime).to.equal(h.now);
    setattr(f.ino, SetattrMask.MODE, ALICE, { mode: 0o644 });
    expect(setattr(f.ino, SetattrMask.MTIME_NOW, BOB)).to.equal('EACCES');
  });

  it("truncate needs write permission unless the caller's session holds the file open", () => {
    const pub = h.mkdir(ROOT_INODE, 'pub', 0o777, ROOT);
    const f = h.create(pub.ino, 'f', 0o644, ALICE);
    h.openSession();
    expect(h.code({ op: 'open', ino: f.ino, flags: 3, cred: ALICE })).to.equal('OK');
    expect(setattr(f.ino, SetattrMask.SIZE, BOB, { size: 10 })).to.equal('OK'); // via the open handle
    h.sessionId = 0;
    expect(setattr(f.ino, SetattrMask.SIZE, BOB, { size: 20 })).to.equal('EACCES');
    expect(h.sm.getattr(f.ino).size).to.equal(10);
  });

  it('a setgid directory hands its group to new children and its setgid bit to new subdirectories', () => {
    const d = h.mkdir(ROOT_INODE, 'd', 0o2777, ROOT);
    setattr(d.ino, SetattrMask.GID, ROOT, { gid: 77 });
    const f = h.create(d.ino, 'f', 0o644, ALICE);
    const sub = h.mkdir(d.ino, 'sub', 0o755, ALICE);
    expect(f.gid).to.equal(77);
    expect(sub.gid).to.equal(77);
    expect(sub.mode & S_ISGID).to.equal(S_ISGID);
  });

  it('moving a directory to another parent needs write permission on it', () => {
    const a = h.mkdir(ROOT_INODE, 'a', 0o777, ROOT);
    const b = h.mkdir(ROOT_INODE, 'b', 0o777, ROOT);
    h.mkdir(a.ino, 'locked', 0o555, ALICE);
    expect(h.code({ op: 'rename', parent: a.ino, name: 'locked', newParent: b.ino, newName: 'x', flags: 0, cred: ALICE })).to.equal(
      'EACCES',
    );
    expect(h.code({ op: 'rename', parent: a.ino, name: 'locked', newParent: a.ino, newName: 'x', flags: 0, cred: ALICE })).to.equal('OK');
  });
});
