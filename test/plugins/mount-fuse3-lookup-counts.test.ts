// The lookup counts of the libfuse 3 mount: an inode is forgotten exactly when the kernel has given back every entry.
import { expect } from 'chai';
import { fuseConnectionId, LookupCounts } from '@mooseng/plugin-mount-fuse3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('mount-fuse3 lookup counts', () => {
  it('forgets an inode only when every lookup has been given back', () => {
    const c = new LookupCounts();
    c.add(7);
    c.add(7);
    c.add(7, 3);
    expect(c.get(7)).to.equal(5);
    expect(c.forget(7, 2)).to.equal(false);
    expect(c.get(7)).to.equal(3);
    expect(c.forget(7, 3)).to.equal(true);
    expect(c.get(7)).to.equal(0);
    expect(c.size).to.equal(0);
  });

  it('counts nothing for negative entries (ino 0) and ignores forgets of inodes it never counted', () => {
    const c = new LookupCounts();
    c.add(0);
    expect(c.size).to.equal(0);
    expect(c.forget(42, 1)).to.equal(false);
  });

  it('takes a forget of more than it counted as the last one (the kernel knows its own count)', () => {
    const c = new LookupCounts();
    c.add(9);
    expect(c.forget(9, 4)).to.equal(true);
    expect(c.get(9)).to.equal(0);
  });

  it('keeps inodes apart', () => {
    const c = new LookupCounts();
    c.add(1);
    c.add(2);
    expect(c.forget(1, 1)).to.equal(true);
    expect(c.get(2)).to.equal(1);
  });

  it('finds the FUSE connection number of a mount point in mountinfo (the last mount there wins)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mountinfo-'));
    const file = join(dir, 'mountinfo');
    writeFileSync(
      file,
      [
        '22 1 0:21 / /proc rw - proc proc rw',
        '90 1 0:42 / /mnt/a rw - fuse.mooseng m rw',
        '91 1 0:57 / /mnt/with\\040space rw - fuse.mooseng m rw',
        '92 1 0:61 / /mnt/a rw - fuse.mooseng m rw',
        '',
      ].join('\n'),
    );
    expect(fuseConnectionId('/mnt/a', file)).to.equal(61);
    expect(fuseConnectionId('/mnt/with space', file)).to.equal(57);
    expect(fuseConnectionId('/mnt/none', file)).to.equal(null);
  });
});
