// KernelAttributes: which fresh attributes show the kernel's cache of an inode stale, and how stale.
import { expect } from 'chai';
import { type FsAttr, S_IFREG } from '@mooseng/core';
import { KernelAttributes } from '@mooseng/plugin-mount-fuse3';

const attr = (changes: Partial<FsAttr> = {}): FsAttr => ({
  ino: 7,
  mode: S_IFREG | 0o644,
  nlink: 1,
  uid: 1000,
  gid: 1000,
  size: 1000,
  rdev: 0,
  atimeMs: 1,
  mtimeMs: 2,
  ctimeMs: 3,
  ...changes,
});

describe('mount-fuse3 KernelAttributes', () => {
  it('finds nothing stale of an inode the kernel was told nothing about, or told the same', () => {
    const k = new KernelAttributes();
    expect(k.staleness(attr())).to.equal(null);
    k.gave(attr());
    expect(k.staleness(attr({ atimeMs: 99 })), 'atime moves with every read').to.equal(null);
  });

  it('calls the pages stale when the size or mtime moved, and only the attributes for other fields', () => {
    const k = new KernelAttributes();
    k.gave(attr());
    expect(k.staleness(attr({ size: 2000 }))).to.equal('data');
    expect(k.staleness(attr({ mtimeMs: 5 }))).to.equal('data');
    for (const changed of [{ mode: S_IFREG | 0o600 }, { nlink: 2 }, { uid: 0 }, { gid: 0 }, { ctimeMs: 9 }])
      expect(k.staleness(attr(changed)), JSON.stringify(changed)).to.equal('attributes');
  });

  it('compares with the last attributes given, and with nothing once the inode is forgotten', () => {
    const k = new KernelAttributes();
    k.gave(attr());
    k.gave(attr({ size: 2000 }));
    expect(k.staleness(attr({ size: 2000 }))).to.equal(null);
    k.forget(7);
    expect(k.staleness(attr())).to.equal(null);
    expect(k.size).to.equal(0);
  });
});
