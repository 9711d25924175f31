// Atomic rename with POSIX rules: over files and empty directories, never into its own subtree, NOREPLACE, EXCHANGE.
import { expect } from 'chai';
import { RenameFlags } from '@mooseng/core';
import { Harness, ROOT, ROOT_INODE } from './harness';

describe('master namespace: rename', () => {
  let h: Harness;
  const rename = (parent: number, name: string, newParent: number, newName: string, flags = 0) =>
    h.code({ op: 'rename', parent, name, newParent, newName, flags, cred: ROOT });
  beforeEach(() => {
    h = new Harness();
  });

  it('moves a file between directories, keeping its inode', () => {
    const a = h.mkdir(ROOT_INODE, 'a');
    const b = h.mkdir(ROOT_INODE, 'b');
    const f = h.create(a.ino, 'f');
    expect(rename(a.ino, 'f', b.ino, 'g')).to.equal('OK');
    expect(h.lookup(b.ino, 'g').ino).to.equal(f.ino);
    expect(Harness.queryCode(() => h.lookup(a.ino, 'f'))).to.equal('ENOENT');
  });

  it('replaces an existing file atomically and frees the replaced inode', () => {
    const f = h.create(ROOT_INODE, 'f');
    const g = h.create(ROOT_INODE, 'g');
    expect(rename(ROOT_INODE, 'f', ROOT_INODE, 'g')).to.equal('OK');
    expect(h.lookup(ROOT_INODE, 'g').ino).to.equal(f.ino);
    expect(Harness.queryCode(() => h.sm.getattr(g.ino))).to.equal('ENOENT');
    expect(h.sm.readdir(ROOT_INODE, ROOT, null, 10).entries.map((e) => e.name)).to.deep.equal(['g']);
  });

  it('replaces an empty directory but not a non-empty one, and never mixes files and directories', () => {
    const d1 = h.mkdir(ROOT_INODE, 'd1');
    h.mkdir(ROOT_INODE, 'empty');
    const full = h.mkdir(ROOT_INODE, 'full');
    h.create(full.ino, 'x');
    h.create(ROOT_INODE, 'f');
    expect(rename(ROOT_INODE, 'd1', ROOT_INODE, 'full')).to.equal('ENOTEMPTY');
    expect(rename(ROOT_INODE, 'd1', ROOT_INODE, 'f')).to.equal('ENOTDIR');
    expect(rename(ROOT_INODE, 'f', ROOT_INODE, 'empty')).to.equal('EISDIR');
    const linksBefore = h.sm.getattr(ROOT_INODE).nlink;
    expect(rename(ROOT_INODE, 'd1', ROOT_INODE, 'empty')).to.equal('OK');
    expect(h.lookup(ROOT_INODE, 'empty').ino).to.equal(d1.ino);
    expect(h.sm.getattr(ROOT_INODE).nlink).to.equal(linksBefore - 1);
  });

  it('refuses to move a directory into itself or its own subtree', () => {
    const a = h.mkdir(ROOT_INODE, 'a');
    const b = h.mkdir(a.ino, 'b');
    const c = h.mkdir(b.ino, 'c');
    expect(rename(ROOT_INODE, 'a', c.ino, 'a2')).to.equal('EINVAL');
    expect(rename(ROOT_INODE, 'a', a.ino, 'self')).to.equal('EINVAL');
    expect(rename(a.ino, 'b', ROOT_INODE, 'b')).to.equal('OK');
    expect(h.lookup(b.ino, '..').ino).to.equal(ROOT_INODE);
  });

  it('keeps directory link counts right when a directory changes parent', () => {
    const a = h.mkdir(ROOT_INODE, 'a');
    const b = h.mkdir(ROOT_INODE, 'b');
    h.mkdir(a.ino, 'sub');
    expect(h.sm.getattr(a.ino).nlink).to.equal(3);
    expect(rename(a.ino, 'sub', b.ino, 'sub')).to.equal('OK');
    expect(h.sm.getattr(a.ino).nlink).to.equal(2);
    expect(h.sm.getattr(b.ino).nlink).to.equal(3);
  });

  it('is a no-op when source and target are links to the same inode', () => {
    const f = h.create(ROOT_INODE, 'f');
    h.ok({ op: 'link', ino: f.ino, parent: ROOT_INODE, name: 'g', cred: ROOT });
    expect(rename(ROOT_INODE, 'f', ROOT_INODE, 'g')).to.equal('OK');
    expect(h.lookup(ROOT_INODE, 'f').ino).to.equal(f.ino);
    expect(h.sm.getattr(f.ino).nlink).to.equal(2);
  });

  it('fails with ENOENT for a missing source and EINVAL for "." or ".."', () => {
    expect(rename(ROOT_INODE, 'nope', ROOT_INODE, 'x')).to.equal('ENOENT');
    h.mkdir(ROOT_INODE, 'd');
    expect(rename(ROOT_INODE, '.', ROOT_INODE, 'x')).to.equal('EINVAL');
    expect(rename(ROOT_INODE, 'd', ROOT_INODE, '..')).to.equal('EINVAL');
  });

  it('RENAME_NOREPLACE refuses an existing target', () => {
    h.create(ROOT_INODE, 'f');
    h.create(ROOT_INODE, 'g');
    expect(rename(ROOT_INODE, 'f', ROOT_INODE, 'g', RenameFlags.NOREPLACE)).to.equal('EEXIST');
    expect(rename(ROOT_INODE, 'f', ROOT_INODE, 'h', RenameFlags.NOREPLACE)).to.equal('OK');
    expect(rename(ROOT_INODE, 'h', ROOT_INODE, 'g', RenameFlags.NOREPLACE | RenameFlags.EXCHANGE)).to.equal('EINVAL');
  });

  it('RENAME_EXCHANGE swaps a file and a directory across parents atomically', () => {
    const a = h.mkdir(ROOT_INODE, 'a');
    const b = h.mkdir(ROOT_INODE, 'b');
    const f = h.create(a.ino, 'x');
    const d = h.mkdir(b.ino, 'y');
    expect(rename(a.ino, 'x', b.ino, 'z', RenameFlags.EXCHANGE)).to.equal('ENOENT');
    expect(rename(a.ino, 'x', b.ino, 'y', RenameFlags.EXCHANGE)).to.equal('OK');
    expect(h.lookup(a.ino, 'x').ino).to.equal(d.ino);
    expect(h.lookup(b.ino, 'y').ino).to.equal(f.ino);
    expect(h.lookup(d.ino, '..').ino).to.equal(a.ino);
    expect(h.sm.getattr(a.ino).nlink).to.equal(3);
    expect(h.sm.getattr(b.ino).nlink).to.equal(2);
  });
});
