// A chunk's version changes (the master's moves and cuts) are durable before they are acknowledged, and a change a
// crash interrupted is completed at start-up rather than leaving a replica that reads as corrupt.
import { expect } from 'chai';
import { closeSync, existsSync, openSync, readSync, writeSync } from 'node:fs';
import { BlockChunkStore, CHUNK_FIELDS_BYTES, ChunkHeader, chunkFilePath, type IBlockFile, type IBlockFileIo } from '@mooseng/block-store';
import { BufferedBlockFileIo } from '@mooseng/plugin-storage-fs';
import { cleanupTempDirs, makeTempDir } from '../support';

/** Buffered file I/O that logs every sync of a chunk file, in order with the store's directory syncs. */
class RecordingIo implements IBlockFileIo {
  readonly events: string[] = [];
  private readonly inner = new BufferedBlockFileIo();

  async open(path: string, mode: 'create' | 'open'): Promise<IBlockFile> {
    const file = await this.inner.open(path, mode);
    const events = this.events;
    return {
      read: (p, l) => file.read(p, l),
      writev: (p, b) => file.writev(p, b),
      truncate: (l) => file.truncate(l),
      sync: async () => {
        await file.sync();
        events.push('file sync');
      },
      close: () => file.close(),
    };
  }

  probe(dir: string): Promise<void> {
    return this.inner.probe(dir);
  }
}

describe('chunk version changes: durability', () => {
  afterEach(() => cleanupTempDirs());

  for (const policy of ['on-close', 'always'] as const) {
    it(`under fsync ${policy}, a version change has synced the chunk file, then its directory, before it resolves`, async () => {
      const dir = makeTempDir('mooseng-version-');
      const io = new RecordingIo();
      const store = await BlockChunkStore.open({
        dir,
        io,
        fsync: policy,
        syncDirectory: async () => void io.events.push('directory sync'),
      });
      try {
        await store.create({ chunkId: 3, version: 1 });
        await store.write({ chunkId: 3, version: 1 }, 0, Buffer.from('some bytes'));
        io.events.length = 0;
        await store.setVersion({ chunkId: 3, version: 1 }, 2);
        expect(io.events).to.deep.equal(['file sync', 'directory sync']);
        expect(existsSync(chunkFilePath(dir, 3, 2))).to.equal(true);
      } finally {
        await store.close();
      }
    });
  }

  it('a cut moves the chunk to its new version with the bytes past the cut gone, the cut synced before the header', async () => {
    const dir = makeTempDir('mooseng-version-');
    const io = new RecordingIo();
    const store = await BlockChunkStore.open({
      dir,
      io,
      fsync: 'on-close',
      syncDirectory: async () => void io.events.push('directory sync'),
    });
    try {
      const ref = { chunkId: 5, version: 7 };
      await store.create(ref);
      await store.write(ref, 0, Buffer.alloc(200_000, 0x61));
      io.events.length = 0;
      await store.setVersion(ref, 8, { truncateTo: 70_000 });
      expect(io.events).to.deep.equal(['file sync', 'file sync', 'directory sync']);
      expect(await store.stat(5)).to.deep.equal({ chunkId: 5, version: 8, length: 70_000 });
      // Growing the chunk again reads zeros where the cut removed bytes.
      await store.truncate({ chunkId: 5, version: 8 }, 100_000);
      const back = Buffer.from(await store.read({ chunkId: 5, version: 8 }, 0, 100_000));
      expect(back.subarray(0, 70_000).equals(Buffer.alloc(70_000, 0x61))).to.equal(true);
      expect(back.subarray(70_000).equals(Buffer.alloc(30_000))).to.equal(true);
    } finally {
      await store.close();
    }
  });

  it('under fsync never, a version change syncs nothing', async () => {
    const dir = makeTempDir('mooseng-version-');
    const io = new RecordingIo();
    const store = await BlockChunkStore.open({ dir, io, fsync: 'never', syncDirectory: async () => void io.events.push('directory sync') });
    try {
      await store.create({ chunkId: 6, version: 1 });
      await store.setVersion({ chunkId: 6, version: 1 }, 2, { truncateTo: 0 });
      expect(io.events).to.deep.equal([]);
      expect(await store.stat(6)).to.deep.include({ version: 2 });
    } finally {
      await store.close();
    }
  });

  it('a version change a crash interrupted (header moved, file not yet renamed) is completed at start-up', async () => {
    const dir = makeTempDir('mooseng-version-');
    const io = new BufferedBlockFileIo();
    const first = await BlockChunkStore.open({ dir, io, fsync: 'always' });
    await first.create({ chunkId: 4, version: 1 });
    await first.write({ chunkId: 4, version: 1 }, 0, Buffer.from('survives the crash'));
    await first.close();
    // What a crash between the header write and the rename leaves: the file under its old name, its header at v2.
    const path = chunkFilePath(dir, 4, 1);
    const fd = openSync(path, 'r+');
    const fields = Buffer.alloc(CHUNK_FIELDS_BYTES);
    readSync(fd, fields, 0, fields.length, 0);
    const header = ChunkHeader.parse(fields, path);
    header.version = 2;
    header.sealFields();
    writeSync(fd, header.bytes.subarray(0, CHUNK_FIELDS_BYTES), 0, CHUNK_FIELDS_BYTES, 0);
    closeSync(fd);
    const second = await BlockChunkStore.open({ dir, io, fsync: 'always' });
    try {
      expect(await second.stat(4)).to.deep.include({ version: 2 });
      expect(Buffer.from(await second.read({ chunkId: 4, version: 2 }, 0, 100)).toString()).to.equal('survives the crash');
      expect(existsSync(chunkFilePath(dir, 4, 2))).to.equal(true);
      expect(existsSync(path)).to.equal(false);
    } finally {
      await second.close();
    }
  });
});
