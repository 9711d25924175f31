// POSIX ACLs in the master: the xattr form validated, the access check by ACL, the mode and the ACL kept in step
// (setting an ACL, chmod), default ACLs inherited at create in place of the umask.
import { expect } from 'chai';
import { OpenFlags, R_OK, S_IFDIR, SetattrMask, W_OK, X_OK } from '@mooseng/core';
import { ACL_ACCESS_XATTR, ACL_DEFAULT_XATTR, AclTag, decodeAcl, encodeAcl, type AclEntry } from '@mooseng/master';
import { ALICE, BOB, CAROL, Harness, ROOT, ROOT_INODE } from './harness';

const NOBODY = 0xffffffff;
const owner = (perm: number): AclEntry => ({ tag: AclTag.USER_OBJ, perm, id: NOBODY });
const user = (id: number, perm: number): AclEntry => ({ tag: AclTag.USER, perm, id });
const owningGroup = (perm: number): AclEntry => ({ tag: AclTag.GROUP_OBJ, perm, id: NOBODY });
const group = (id: number, perm: number): AclEntry => ({ tag: AclTag.GROUP, perm, id });
const mask = (perm: number): AclEntry => ({ tag: AclTag.MASK, perm, id: NOBODY });
const other = (perm: number): AclEntry => ({ tag: AclTag.OTHER, perm, id: NOBODY });

describe('master namespace: POSIX ACLs', () => {
  let h: Harness;
  let pub: number; // a directory anyone may create in
  beforeEach(() => {
    h = new Harness();
    pub = h.mkdir(ROOT_INODE, 'pub', 0o777).ino;
  });

  const setAcl = (ino: number, name: string, entries: AclEntry[], cred = ROOT) =>
    h.code({ op: 'setxattr', ino, name, value: encodeAcl(entries), flags: 0, cred });
  const aclOf = (ino: number, name = ACL_ACCESS_XATTR) => decodeAcl(h.sm.getxattr(ino, name, ROOT));
  const mode = (ino: number) => h.sm.getattr(ino).mode & 0o7777;

  it('decodes what it encodes, in canonical order, and refuses malformed ACLs', () => {
    const acl = [other(4), user(7, 6), owner(7), mask(6), owningGroup(5)];
    expect(decodeAcl(encodeAcl(acl))).to.deep.equal([owner(7), user(7, 6), owningGroup(5), mask(6), other(4)]);
    const bad: Array<[string, AclEntry[]]> = [
      ['no owner entry', [owningGroup(5), other(4)]],
      ['two owner entries', [owner(7), owner(6), owningGroup(5), other(4)]],
      ['named entries without a mask', [owner(7), user(7, 6), owningGroup(5), other(4)]],
      ['a duplicate named user', [owner(7), user(7, 6), user(7, 4), owningGroup(5), mask(7), other(4)]],
      ['a permission above rwx', [owner(8), owningGroup(5), other(4)]],
      ['an unknown tag', [owner(7), { tag: 0x40, perm: 1, id: NOBODY }, owningGroup(5), other(4)]],
    ];
    for (const [what, entries] of bad) expect(() => decodeAcl(encodeAcl(entries)), what).to.throw(/invalid POSIX ACL/);
    expect(() => decodeAcl(new Uint8Array([1, 0, 0, 0])), 'version 1').to.throw(/version 1/);
    expect(() => decodeAcl(new Uint8Array([2, 0, 0, 0, 1])), 'a partial entry').to.throw(/invalid POSIX ACL/);
  });

  it('grants by owner, named user, groups and other entries, each limited by the mask but the owner and other', () => {
    const f = h.create(pub, 'f', 0o600, ALICE);
    // BOB (named, rw but mask r) reads only; group 50 (ALICE's and BOB's) is named too; CAROL is other.
    expect(setAcl(f.ino, ACL_ACCESS_XATTR, [owner(6), user(BOB.uid, 6), owningGroup(0), group(50, 7), mask(4), other(0)], ALICE)).to.equal(
      'OK',
    );
    expect(mode(f.ino), 'the group bits show the mask').to.equal(0o640);
    expect(h.sm.access(f.ino, ALICE, R_OK | W_OK)).to.equal(true);
    expect(h.sm.access(f.ino, BOB, R_OK)).to.equal(true);
    expect(h.sm.access(f.ino, BOB, W_OK), 'the mask limits a named user').to.equal(false);
    expect(h.sm.access(f.ino, { uid: 3000, gids: [50] }, R_OK), 'a named group').to.equal(true);
    expect(h.sm.access(f.ino, { uid: 3000, gids: [50] }, X_OK), 'the mask limits a named group').to.equal(false);
    expect(h.sm.access(f.ino, CAROL, R_OK)).to.equal(false);
    // A matching group entry that does not grant denies, rather than falling through to other.
    expect(setAcl(f.ino, ACL_ACCESS_XATTR, [owner(6), owningGroup(0), group(50, 0), mask(7), other(4)], ALICE)).to.equal('OK');
    expect(h.sm.access(f.ino, { uid: 3000, gids: [50] }, R_OK)).to.equal(false);
    expect(h.sm.access(f.ino, CAROL, R_OK)).to.equal(true);
    // The master enforces it on operations, not only on access(2).
    h.openSession();
    expect(h.code({ op: 'open', ino: f.ino, flags: OpenFlags.READ, cred: { uid: 3000, gids: [50] } })).to.equal('EACCES');
    expect(h.code({ op: 'open', ino: f.ino, flags: OpenFlags.READ, cred: CAROL })).to.equal('OK');
  });

  it('lets only the owner or root set or remove an ACL; anyone may read it; symlinks take none', () => {
    const f = h.create(pub, 'f', 0o644, ALICE);
    const acl = [owner(6), user(BOB.uid, 4), owningGroup(4), mask(4), other(4)];
    expect(setAcl(f.ino, ACL_ACCESS_XATTR, acl, BOB)).to.equal('EPERM');
    expect(setAcl(f.ino, ACL_ACCESS_XATTR, acl, ALICE)).to.equal('OK');
    expect(decodeAcl(h.sm.getxattr(f.ino, ACL_ACCESS_XATTR, CAROL))).to.deep.equal(acl);
    expect(h.code({ op: 'removexattr', ino: f.ino, name: ACL_ACCESS_XATTR, cred: BOB })).to.equal('EPERM');
    expect(h.code({ op: 'removexattr', ino: f.ino, name: ACL_ACCESS_XATTR, cred: ALICE })).to.equal('OK');
    expect(h.code({ op: 'removexattr', ino: f.ino, name: ACL_ACCESS_XATTR, cred: ALICE }), 'removing none succeeds').to.equal('OK');
    const l = h.attr({ op: 'symlink', parent: pub, name: 'l', target: 'f', cred: ROOT });
    expect(setAcl(l.ino, ACL_ACCESS_XATTR, acl)).to.equal('EOPNOTSUPP');
    expect(setAcl(f.ino, ACL_DEFAULT_XATTR, acl, ALICE), 'a default ACL on a file').to.equal('EACCES');
  });

  it('keeps a minimal ACL as the mode alone, and a failed set changes nothing', () => {
    const f = h.create(pub, 'f', 0o644, ALICE);
    expect(setAcl(f.ino, ACL_ACCESS_XATTR, [owner(7), owningGroup(5), other(0)], ALICE)).to.equal('OK');
    expect(mode(f.ino)).to.equal(0o750);
    expect(h.sm.getattr(f.ino).hasXattrs).to.equal(false);
    expect(
      h.code({
        op: 'setxattr',
        ino: f.ino,
        name: ACL_ACCESS_XATTR,
        value: encodeAcl([owner(6), owningGroup(6), other(6)]),
        flags: 2,
        cred: ALICE,
      }),
    ).to.equal('ENODATA');
    expect(mode(f.ino), 'REPLACE of a missing ACL left the mode alone').to.equal(0o750);
  });

  it('chmod rewrites the owner, mask and other entries and keeps the named ones', () => {
    const f = h.create(pub, 'f', 0o644, ALICE);
    expect(setAcl(f.ino, ACL_ACCESS_XATTR, [owner(6), user(BOB.uid, 7), owningGroup(4), mask(7), other(4)], ALICE)).to.equal('OK');
    h.ok({ op: 'setattr', ino: f.ino, mask: SetattrMask.MODE, mode: 0o600, uid: 0, gid: 0, size: 0, atime: 0, mtime: 0, cred: ALICE });
    expect(aclOf(f.ino)).to.deep.equal([owner(6), user(BOB.uid, 7), owningGroup(4), mask(0), other(0)]);
    expect(h.sm.access(f.ino, BOB, R_OK), 'chmod g-rwx masks the named user out').to.equal(false);
  });

  it('a default ACL replaces the umask for new inodes, limited by the mode asked for; directories inherit it too', () => {
    const d = h.mkdir(ROOT_INODE, 'd', 0o755, ROOT);
    const dflt = [owner(7), user(BOB.uid, 7), owningGroup(5), mask(7), other(0)];
    expect(setAcl(d.ino, ACL_DEFAULT_XATTR, dflt)).to.equal('OK');
    expect(mode(d.ino), 'a default ACL leaves the mode alone').to.equal(0o755);
    const f = h.attr({ op: 'mknod', parent: d.ino, name: 'f', mode: 0o100666, rdev: 0, open: false, umask: 0o077, cred: ROOT });
    expect(f.mode & 0o7777, 'the umask does not apply').to.equal(0o660);
    expect(aclOf(f.ino)).to.deep.equal([owner(6), user(BOB.uid, 7), owningGroup(5), mask(6), other(0)]);
    expect(
      Harness.queryCode(() => h.sm.getxattr(f.ino, ACL_DEFAULT_XATTR, ROOT)),
      'files get no default ACL',
    ).to.equal('ENODATA');
    const sub = h.attr({ op: 'mkdir', parent: d.ino, name: 'sub', mode: S_IFDIR | 0o777, umask: 0o022, cred: ROOT });
    expect(sub.mode & 0o7777).to.equal(0o770);
    expect(aclOf(sub.ino, ACL_DEFAULT_XATTR)).to.deep.equal(dflt);
    expect(aclOf(sub.ino)).to.deep.equal([owner(7), user(BOB.uid, 7), owningGroup(5), mask(7), other(0)]);
    // Without a default ACL the master applies the umask the client sent.
    const g = h.attr({ op: 'mknod', parent: ROOT_INODE, name: 'g', mode: 0o100666, rdev: 0, open: false, umask: 0o027, cred: ROOT });
    expect(g.mode & 0o7777).to.equal(0o640);
  });
});
