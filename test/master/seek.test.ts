// lseek(2) SEEK_DATA / SEEK_HOLE answered from a file's chunk slots: a chunk that exists is data, a missing one a
// hole, the end of the file a hole; ENXIO at or past the end.
import { expect } from 'chai';
import { SetattrMask } from '@mooseng/core';
import { Harness, ROOT, ROOT_INODE } from './harness';

const MiB = 1024 * 1024;
const CHUNK = 64 * MiB;
const SEEK_DATA = 3;
const SEEK_HOLE = 4;

describe('master namespace: SEEK_DATA and SEEK_HOLE', () => {
  let h: Harness;
  let ino: number;
  beforeEach(() => {
    h = new Harness();
    ino = h.create(ROOT_INODE, 'f').ino;
    // Chunks 1 and 3 written; the file is 3 chunks and 10 MiB long: 0 and 2 are holes.
    for (const chunkIndex of [1, 3]) {
      const g = h.grant({ op: 'openChunkForWrite', ino, chunkIndex, servers: ['cs1'], cred: ROOT });
      h.ok({
        op: 'commitWrite',
        ino,
        chunkIndex,
        chunkId: g.chunkId,
        length: chunkIndex === 3 ? 3 * CHUNK + 10 * MiB : 2 * CHUNK,
        cred: ROOT,
      });
    }
  });
  const seek = (offset: number, whence: number) => h.sm.seek(ino, offset, whence);
  const seekCode = (offset: number, whence: number) => Harness.queryCode(() => h.sm.seek(ino, offset, whence));

  it('finds data in chunks that exist and holes in those that do not', () => {
    expect(seek(0, SEEK_DATA)).to.equal(CHUNK);
    expect(seek(CHUNK + 5, SEEK_DATA), 'inside data: the offset itself').to.equal(CHUNK + 5);
    expect(seek(2 * CHUNK, SEEK_DATA)).to.equal(3 * CHUNK);
    expect(seek(0, SEEK_HOLE), 'inside a hole: the offset itself').to.equal(0);
    expect(seek(CHUNK, SEEK_HOLE)).to.equal(2 * CHUNK);
    expect(seek(3 * CHUNK + 1, SEEK_HOLE), 'only data follows: the end of the file').to.equal(3 * CHUNK + 10 * MiB);
  });

  it('answers ENXIO at or past the end, and for SEEK_DATA with only holes after', () => {
    const end = 3 * CHUNK + 10 * MiB;
    expect(seekCode(end, SEEK_DATA)).to.equal('ENXIO');
    expect(seekCode(end, SEEK_HOLE)).to.equal('ENXIO');
    h.ok({ op: 'setattr', ino, mask: SetattrMask.SIZE, mode: 0, uid: 0, gid: 0, size: 5 * CHUNK, atime: 0, mtime: 0, cred: ROOT });
    expect(seekCode(4 * CHUNK, SEEK_DATA), 'the grown tail is a hole').to.equal('ENXIO');
    expect(seek(3 * CHUNK + 11 * MiB, SEEK_HOLE), 'chunk 3 is data to its end, zeros past the old length or not').to.equal(4 * CHUNK);
    expect(seekCode(0, 0), 'SEEK_SET is the kernel’s').to.equal('EINVAL');
  });
});
