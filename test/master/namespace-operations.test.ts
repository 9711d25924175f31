// Namespace operations and their POSIX errors: create, mknod, mkdir, symlink, link, unlink, rmdir, lookup, readdir.
import { expect } from 'chai';
import { S_IFBLK, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK } from '@mooseng/core';
import { MAX_LINK_COUNT } from '@mooseng/master';
import { ALICE, Harness, ROOT, ROOT_INODE } from './harness';

describe('master namespace: operations', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });

  it('starts with a root directory of mode 0755 owned by root with two links', () => {
    const root = h.sm.getattr(ROOT_INODE);
    expect(root.mode).to.equal(S_IFDIR | 0o755);
    expect(root.nlink).to.equal(2);
    expect(root.goal).to.equal(2);
  });

  it('creates files, directories and symlinks with fresh inode numbers, the command time and the caller as owner', () => {
    h.ok({ op: 'setattr', ino: ROOT_INODE, mask: 1, mode: 0o777, uid: 0, gid: 0, size: 0, atime: 0, mtime: 0, cred: ROOT });
    const f = h.create(ROOT_INODE, 'f', 0o640, ALICE);
    const d = h.mkdir(ROOT_INODE, 'd', 0o750, ALICE);
    const l = h.attr({ op: 'symlink', parent: ROOT_INODE, name: 'l', target: '../x/y', cred: ALICE });
    expect(new Set([f.ino, d.ino, l.ino]).size).to.equal(3);
    expect(f.mode).to.equal(S_IFREG | 0o640);
    expect(f.uid).to.equal(ALICE.uid);
    expect(f.gid).to.equal(ALICE.gids[0]);
    expect(f.mtime).to.equal(f.ctime);
    expect(d.mode).to.equal(S_IFDIR | 0o750);
    expect(d.nlink).to.equal(2);
    expect(l.mode & S_IFMT).to.equal(S_IFLNK);
    expect(l.size).to.equal(6);
    expect(h.sm.readlink(l.ino)).to.equal('../x/y');
    expect(h.sm.getattr(ROOT_INODE).nlink).to.equal(3);
    expect(h.lookup(ROOT_INODE, 'f').ino).to.equal(f.ino);
    expect(h.lookup(d.ino, '..').ino).to.equal(ROOT_INODE);
  });

  it('mknod makes FIFOs and sockets for anyone with write access, devices only for root', () => {
    const fifo = h.attr({ op: 'mknod', parent: ROOT_INODE, name: 'p', mode: S_IFIFO | 0o600, rdev: 9, open: false, cred: ROOT });
    expect(fifo.mode & S_IFMT).to.equal(S_IFIFO);
    expect(fifo.rdev).to.equal(0);
    const sock = h.attr({ op: 'mknod', parent: ROOT_INODE, name: 's', mode: S_IFSOCK | 0o600, rdev: 0, open: false, cred: ROOT });
    expect(sock.mode & S_IFMT).to.equal(S_IFSOCK);
    const dev = h.attr({ op: 'mknod', parent: ROOT_INODE, name: 'b', mode: S_IFBLK | 0o600, rdev: 0x0801, open: false, cred: ROOT });
    expect(dev.rdev).to.equal(0x0801);
    const pub = h.mkdir(ROOT_INODE, 'pub', 0o777);
    expect(h.code({ op: 'mknod', parent: pub.ino, name: 'b', mode: S_IFBLK | 0o600, rdev: 1, open: false, cred: ALICE })).to.equal('EPERM');
    expect(h.code({ op: 'mknod', parent: pub.ino, name: 'dd', mode: S_IFDIR | 0o700, rdev: 0, open: false, cred: ALICE })).to.equal(
      'EINVAL',
    );
  });

  it('refuses names that exist, are empty, contain "/", or are longer than 255 bytes', () => {
    h.create(ROOT_INODE, 'a');
    expect(h.code({ op: 'mkdir', parent: ROOT_INODE, name: 'a', mode: 0o755, cred: ROOT })).to.equal('EEXIST');
    expect(h.code({ op: 'mkdir', parent: ROOT_INODE, name: '.', mode: 0o755, cred: ROOT })).to.equal('EEXIST');
    expect(h.code({ op: 'mkdir', parent: ROOT_INODE, name: '', mode: 0o755, cred: ROOT })).to.equal('ENOENT');
    expect(h.code({ op: 'mkdir', parent: ROOT_INODE, name: 'x/y', mode: 0o755, cred: ROOT })).to.equal('EINVAL');
    expect(h.code({ op: 'mkdir', parent: ROOT_INODE, name: 'n'.repeat(256), mode: 0o755, cred: ROOT })).to.equal('ENAMETOOLONG');
    // The limit counts UTF-8 bytes: 127 two-byte characters fit, 128 do not.
    expect(h.code({ op: 'mkdir', parent: ROOT_INODE, name: 'é'.repeat(127), mode: 0o755, cred: ROOT })).to.equal('OK');
    expect(h.code({ op: 'mkdir', parent: ROOT_INODE, name: 'é'.repeat(128), mode: 0o755, cred: ROOT })).to.equal('ENAMETOOLONG');
  });

  it('reports ENOENT and ENOTDIR for missing or non-directory parents', () => {
    const f = h.create(ROOT_INODE, 'f');
    expect(h.code({ op: 'mkdir', parent: 999, name: 'x', mode: 0o755, cred: ROOT })).to.equal('ENOENT');
    expect(h.code({ op: 'mkdir', parent: f.ino, name: 'x', mode: 0o755, cred: ROOT })).to.equal('ENOTDIR');
    expect(Harness.queryCode(() => h.lookup(ROOT_INODE, 'nope'))).to.equal('ENOENT');
    expect(Harness.queryCode(() => h.lookup(f.ino, 'x'))).to.equal('ENOTDIR');
  });

  it('hard links share one inode and count their links; links to directories are refused', () => {
    const f = h.create(ROOT_INODE, 'f');
    const d = h.mkdir(ROOT_INODE, 'd');
    const linked = h.attr({ op: 'link', ino: f.ino, parent: d.ino, name: 'g', cred: ROOT });
    expect(linked.ino).to.equal(f.ino);
    expect(linked.nlink).to.equal(2);
    expect(h.lookup(d.ino, 'g').ino).to.equal(f.ino);
    expect(h.code({ op: 'link', ino: d.ino, parent: ROOT_INODE, name: 'd2', cred: ROOT })).to.equal('EPERM');
    expect(h.code({ op: 'link', ino: f.ino, parent: d.ino, name: 'g', cred: ROOT })).to.equal('EEXIST');
    h.ok({ op: 'unlink', parent: ROOT_INODE, name: 'f', cred: ROOT });
    expect(h.sm.getattr(f.ino).nlink).to.equal(1);
    h.ok({ op: 'unlink', parent: d.ino, name: 'g', cred: ROOT });
    expect(Harness.queryCode(() => h.sm.getattr(f.ino))).to.equal('ENOENT');
  });

  it('refuses a link beyond the link-count limit with EMLINK', () => {
    const f = h.create(ROOT_INODE, 'f');
    const d = h.mkdir(ROOT_INODE, 'links');
    for (let i = 1; i < MAX_LINK_COUNT; i++) h.ok({ op: 'link', ino: f.ino, parent: d.ino, name: `l${i}`, cred: ROOT });
    expect(h.sm.getattr(f.ino).nlink).to.equal(MAX_LINK_COUNT);
    expect(h.code({ op: 'link', ino: f.ino, parent: d.ino, name: 'one-more', cred: ROOT })).to.equal('EMLINK');
  });

  it('unlink refuses directories (EISDIR) and missing names (ENOENT); rmdir refuses files, non-empty dirs, "." and ".."', () => {
    const d = h.mkdir(ROOT_INODE, 'd');
    h.create(d.ino, 'f');
    expect(h.code({ op: 'unlink', parent: ROOT_INODE, name: 'd', cred: ROOT })).to.equal('EISDIR');
    expect(h.code({ op: 'unlink', parent: ROOT_INODE, name: 'zz', cred: ROOT })).to.equal('ENOENT');
    expect(h.code({ op: 'rmdir', parent: d.ino, name: 'f', cred: ROOT })).to.equal('ENOTDIR');
    expect(h.code({ op: 'rmdir', parent: ROOT_INODE, name: 'd', cred: ROOT })).to.equal('ENOTEMPTY');
    expect(h.code({ op: 'rmdir', parent: d.ino, name: '.', cred: ROOT })).to.equal('EINVAL');
    expect(h.code({ op: 'rmdir', parent: d.ino, name: '..', cred: ROOT })).to.equal('ENOTEMPTY');
    h.ok({ op: 'unlink', parent: d.ino, name: 'f', cred: ROOT });
    h.ok({ op: 'rmdir', parent: ROOT_INODE, name: 'd', cred: ROOT });
    expect(h.sm.getattr(ROOT_INODE).nlink).to.equal(2);
    expect(Harness.queryCode(() => h.sm.getattr(d.ino))).to.equal('ENOENT');
  });

  it('updates the parent directory mtime and ctime on every entry change', () => {
    const d = h.mkdir(ROOT_INODE, 'd');
    const before = h.sm.getattr(d.ino).mtime;
    h.create(d.ino, 'x');
    const after = h.sm.getattr(d.ino);
    expect(after.mtime).to.be.greaterThan(before);
    expect(after.ctime).to.equal(after.mtime);
    expect(after.size).to.equal(1);
  });

  it('pages readdir in byte-wise name order with a cursor that survives changes between pages', () => {
    const d = h.mkdir(ROOT_INODE, 'd');
    const names = ['m', 'b', 'z', 'a', 'k', 'c', 'y'];
    for (const n of names) h.create(d.ino, n);
    const first = h.sm.readdir(d.ino, ROOT, null, 3);
    expect(first.entries.map((e) => e.name)).to.deep.equal(['a', 'b', 'c']);
    expect(first.next).to.equal('c');
    // Changes between pages: an entry already returned goes away, one after the cursor arrives.
    h.ok({ op: 'unlink', parent: d.ino, name: 'a', cred: ROOT });
    h.create(d.ino, 'l');
    const second = h.sm.readdir(d.ino, ROOT, first.next, 3);
    expect(second.entries.map((e) => e.name)).to.deep.equal(['k', 'l', 'm']);
    const third = h.sm.readdir(d.ino, ROOT, second.next, 3);
    expect(third.entries.map((e) => e.name)).to.deep.equal(['y', 'z']);
    expect(third.next).to.equal(null);
    expect(third.entries[0].type).to.equal(S_IFREG);
  });

  it('statfs counts inodes, files, directories and logical bytes', () => {
    const d = h.mkdir(ROOT_INODE, 'd');
    const f = h.create(d.ino, 'f');
    h.attr({ op: 'symlink', parent: d.ino, name: 'l', target: 'f', cred: ROOT });
    h.ok({ op: 'setattr', ino: f.ino, mask: 8, mode: 0, uid: 0, gid: 0, size: 12345, atime: 0, mtime: 0, cred: ROOT });
    const s = h.sm.statfs();
    expect(s.inodes).to.equal(4);
    expect(s.files).to.equal(1);
    expect(s.directories).to.equal(2);
    expect(s.symlinks).to.equal(1);
    expect(s.fileBytes).to.equal(12345);
  });

  it('queries fail with POSIX codes too: readlink of a non-link, readdir of a file or without read permission', () => {
    const f = h.create(ROOT_INODE, 'f');
    const d = h.mkdir(ROOT_INODE, 'd', 0o711);
    expect(Harness.queryCode(() => h.sm.readlink(f.ino))).to.equal('EINVAL');
    expect(Harness.queryCode(() => h.sm.readdir(f.ino, ROOT, null, 10))).to.equal('ENOTDIR');
    expect(Harness.queryCode(() => h.sm.readdir(d.ino, ALICE, null, 10))).to.equal('EACCES');
    expect(Harness.queryCode(() => h.sm.readdir(d.ino, ROOT, null, 10))).to.equal('OK');
    expect(Harness.queryCode(() => h.lookup(ROOT_INODE, 'x'.repeat(256)))).to.equal('ENAMETOOLONG');
    expect(Harness.queryCode(() => h.sm.getattr(12345))).to.equal('ENOENT');
    expect(Harness.queryCode(() => h.sm.listxattr(12345, ROOT))).to.equal('ENOENT');
  });

  it('refuses empty and overlong symlink targets', () => {
    expect(h.code({ op: 'symlink', parent: ROOT_INODE, name: 'l', target: '', cred: ROOT })).to.equal('ENOENT');
    expect(h.code({ op: 'symlink', parent: ROOT_INODE, name: 'l', target: 'x'.repeat(4096), cred: ROOT })).to.equal('ENAMETOOLONG');
  });
});
