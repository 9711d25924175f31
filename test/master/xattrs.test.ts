// Extended attributes: set with CREATE/REPLACE, get, list, remove, ENODATA, namespaces and their permissions.
import { expect } from 'chai';
import { XattrFlags } from '@mooseng/core';
import { ALICE, BOB, Harness, ROOT, ROOT_INODE } from './harness';

describe('master namespace: xattrs', () => {
  let h: Harness;
  const v = (s: string) => new Uint8Array(Buffer.from(s));
  const set = (ino: number, name: string, value: string, flags = 0, cred = ROOT) =>
    h.code({ op: 'setxattr', ino, name, value: v(value), flags, cred });
  beforeEach(() => {
    h = new Harness();
  });

  it('sets, gets, lists in creation order and removes', () => {
    const f = h.create(ROOT_INODE, 'f');
    expect(set(f.ino, 'user.b', 'two')).to.equal('OK');
    expect(set(f.ino, 'user.a', 'one')).to.equal('OK');
    expect(Buffer.from(h.sm.getxattr(f.ino, 'user.a', ROOT)).toString()).to.equal('one');
    expect(h.sm.listxattr(f.ino, ROOT)).to.deep.equal(['user.b', 'user.a']);
    expect(h.code({ op: 'removexattr', ino: f.ino, name: 'user.b', cred: ROOT })).to.equal('OK');
    expect(h.sm.listxattr(f.ino, ROOT)).to.deep.equal(['user.a']);
    expect(Harness.queryCode(() => h.sm.getxattr(f.ino, 'user.b', ROOT))).to.equal('ENODATA');
    expect(h.code({ op: 'removexattr', ino: f.ino, name: 'user.b', cred: ROOT })).to.equal('ENODATA');
  });

  it('honours CREATE (EEXIST) and REPLACE (ENODATA)', () => {
    const f = h.create(ROOT_INODE, 'f');
    expect(set(f.ino, 'user.k', 'x', XattrFlags.REPLACE)).to.equal('ENODATA');
    expect(set(f.ino, 'user.k', 'x', XattrFlags.CREATE)).to.equal('OK');
    expect(set(f.ino, 'user.k', 'y', XattrFlags.CREATE)).to.equal('EEXIST');
    expect(set(f.ino, 'user.k', 'z', XattrFlags.REPLACE)).to.equal('OK');
    expect(Buffer.from(h.sm.getxattr(f.ino, 'user.k', ROOT)).toString()).to.equal('z');
    expect(set(f.ino, 'user.k', 'z', XattrFlags.REPLACE | XattrFlags.CREATE)).to.equal('EINVAL');
  });

  it('keeps binary values exactly, including empty ones', () => {
    const f = h.create(ROOT_INODE, 'f');
    const value = new Uint8Array([0, 255, 1, 0, 128]);
    h.ok({ op: 'setxattr', ino: f.ino, name: 'user.bin', value, flags: 0, cred: ROOT });
    h.ok({ op: 'setxattr', ino: f.ino, name: 'user.empty', value: new Uint8Array(0), flags: 0, cred: ROOT });
    expect([...h.sm.getxattr(f.ino, 'user.bin', ROOT)]).to.deep.equal([...value]);
    expect(h.sm.getxattr(f.ino, 'user.empty', ROOT).length).to.equal(0);
  });

  it('applies namespace rules: user.* follows file permissions, trusted.* is root-only, others are refused', () => {
    const pub = h.mkdir(ROOT_INODE, 'pub', 0o777);
    const f = h.create(pub.ino, 'f', 0o644, ALICE);
    expect(set(f.ino, 'user.x', '1', 0, ALICE)).to.equal('OK');
    expect(set(f.ino, 'user.x', '2', 0, BOB)).to.equal('EACCES');
    expect(Buffer.from(h.sm.getxattr(f.ino, 'user.x', BOB)).toString()).to.equal('1');
    expect(set(f.ino, 'trusted.t', '1', 0, ALICE)).to.equal('EPERM');
    expect(set(f.ino, 'trusted.t', '1', 0, ROOT)).to.equal('OK');
    expect(h.sm.listxattr(f.ino, ALICE)).to.deep.equal(['user.x']);
    expect(h.sm.listxattr(f.ino, ROOT)).to.deep.equal(['user.x', 'trusted.t']);
    expect(set(f.ino, 'security.s', '1', 0, ALICE)).to.equal('EPERM');
    expect(set(f.ino, 'bogus.n', '1')).to.equal('EINVAL');
    const l = h.attr({ op: 'symlink', parent: pub.ino, name: 'l', target: 'f', cred: ALICE });
    expect(set(l.ino, 'user.x', '1', 0, ALICE)).to.equal('EPERM');
  });

  it('says in the attributes whether an inode has any extended attribute', () => {
    const f = h.create(ROOT_INODE, 'f');
    expect(h.sm.getattr(f.ino).hasXattrs).to.equal(false);
    expect(set(f.ino, 'user.k', 'v')).to.equal('OK');
    expect(h.sm.getattr(f.ino).hasXattrs).to.equal(true);
    expect(h.code({ op: 'removexattr', ino: f.ino, name: 'user.k', cred: ROOT })).to.equal('OK');
    expect(h.sm.getattr(f.ino).hasXattrs).to.equal(false);
  });

  it('finds no system.* attribute but POSIX ACLs, and refuses to set one (ACLs: posix-acl.test.ts)', () => {
    const f = h.create(ROOT_INODE, 'f');
    expect(Harness.queryCode(() => h.sm.getxattr(f.ino, 'system.posix_acl_access', ROOT))).to.equal('ENODATA');
    expect(Harness.queryCode(() => h.sm.getxattr(f.ino, 'system.other', ROOT))).to.equal('ENODATA');
    expect(set(f.ino, 'system.other', 'x')).to.equal('EOPNOTSUPP');
    expect(set(f.ino, 'system.posix_acl_access', 'x')).to.equal('EINVAL');
  });

  it('bounds names and values', () => {
    const f = h.create(ROOT_INODE, 'f');
    expect(set(f.ino, 'user.' + 'n'.repeat(251), '1')).to.equal('ENAMETOOLONG');
    expect(set(f.ino, '', '1')).to.equal('EINVAL');
    expect(h.code({ op: 'setxattr', ino: f.ino, name: 'user.big', value: new Uint8Array(64 * 1024 + 1), flags: 0, cred: ROOT })).to.equal(
      'EINVAL',
    );
    expect(h.code({ op: 'setxattr', ino: 999, name: 'user.a', value: v('1'), flags: 0, cred: ROOT })).to.equal('ENOENT');
  });

  it('changes ctime on set and remove', () => {
    const f = h.create(ROOT_INODE, 'f');
    set(f.ino, 'user.a', '1');
    expect(h.sm.getattr(f.ino).ctime).to.equal(h.now);
  });
});
