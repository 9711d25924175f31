// One conformance suite for every chunk store (storage-fs, storage-directio), with and without lz4 compression.
import { expect } from 'chai';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { CHUNK_HEADER_BYTES, ChunkHeader, chunkFilePath, slotOffset } from '@mooseng/block-store';
import {
  BLOCK_SIZE_BYTES,
  blockPartCrcs,
  CHUNK_SIZE_BYTES,
  MAX_FRAME_DATA_BYTES,
  type IChunkStore,
  type IChunkStoreFactory,
  type ICompressor,
} from '@mooseng/core';
import { FsChunkStoreFactory } from '@mooseng/plugin-storage-fs';
import { DirectIoChunkStoreFactory } from '@mooseng/plugin-storage-directio';
import { Lz4Compressor } from '@mooseng/plugin-compression-lz4';
import { cleanupTempDirs, makeTempDir } from '../support';
import { expectCode, flipByte, randomBytes, textBytes } from './helpers';

const variants: Array<{ name: string; factory: () => IChunkStoreFactory; compressor?: () => ICompressor }> = [
  { name: 'storage-fs', factory: () => new FsChunkStoreFactory({ fsync: 'on-close' }) },
  { name: 'storage-fs + lz4', factory: () => new FsChunkStoreFactory({ fsync: 'always' }), compressor: () => new Lz4Compressor() },
  { name: 'storage-directio', factory: () => new DirectIoChunkStoreFactory({ fsync: 'on-close' }) },
  {
    name: 'storage-directio + lz4',
    factory: () => new DirectIoChunkStoreFactory({ fsync: 'never' }),
    compressor: () => new Lz4Compressor(),
  },
];

for (const variant of variants) {
  describe(`chunk store conformance: ${variant.name}`, () => {
    let dir: string;
    let store: IChunkStore;
    const open = (): Promise<IChunkStore> => variant.factory().open(dir, { compressor: variant.compressor?.() });

    before(async function () {
      // A temp directory on a file system that refuses O_DIRECT (tmpfs before Linux 6.6) cannot host storage-directio:
      // skip those variants there rather than fail for the machine's sake. Any other error still fails.
      if (!variant.name.startsWith('storage-directio')) return;
      try {
        await (await variant.factory().open(makeTempDir('mooseng-probe-'))).close();
      } catch (err) {
        if ((err as Error).message.includes('refuses O_DIRECT')) this.skip();
        throw err;
      }
    });

    beforeEach(async () => {
      dir = makeTempDir('mooseng-store-');
      store = await open();
    });
    afterEach(async () => {
      await store.close();
      cleanupTempDirs();
    });

    it('creates an empty chunk, writes at any offset and reads back exactly', async () => {
      const ref = { chunkId: 7, version: 1 };
      await store.create(ref);
      expect(await store.stat(7)).to.deep.equal({ chunkId: 7, version: 1, length: 0 });
      expect((await store.read(ref, 0, 100)).length).to.equal(0);
      const data = randomBytes(3 * BLOCK_SIZE_BYTES + 1234, 7);
      await store.write(ref, 1000, data);
      expect(await store.stat(7)).to.deep.equal({ chunkId: 7, version: 1, length: 1000 + data.length });
      expect(Buffer.from(await store.read(ref, 1000, data.length)).equals(data)).to.equal(true);
      // The head before the first write is a hole: zeros.
      expect(Buffer.from(await store.read(ref, 0, 1000)).equals(Buffer.alloc(1000))).to.equal(true);
      // A read past the end is short.
      expect((await store.read(ref, 1000 + data.length - 10, 100)).length).to.equal(10);
    });

    it('merges partial-block writes with what the block held (read-modify-write)', async () => {
      const ref = { chunkId: 8, version: 3 };
      await store.create(ref);
      const base = textBytes(2 * BLOCK_SIZE_BYTES);
      await store.write(ref, 0, base);
      const patch = randomBytes(100, 8);
      await store.write(ref, BLOCK_SIZE_BYTES - 50, patch); // straddles blocks 0 and 1
      await store.write(ref, 5, Buffer.from('hello'));
      const expected = Buffer.from(base);
      patch.copy(expected, BLOCK_SIZE_BYTES - 50);
      Buffer.from('hello').copy(expected, 5);
      expect(Buffer.from(await store.read(ref, 0, expected.length)).equals(expected)).to.equal(true);
    });

    // A block stored raw gets only the pages a write in part changed: the rest of its slot must still be what the
    // CRC covers, whatever the pages' alignment, after a cut left old bytes past the block's end, and on disk.
    it('keeps every other byte of a block written in part, page-aligned or not, past a cut, after a reopen', async () => {
      const ref = { chunkId: 18, version: 1 };
      await store.create(ref);
      const expected = Buffer.alloc(2 * BLOCK_SIZE_BYTES);
      const put = async (at: number, data: Buffer): Promise<void> => {
        await store.write(ref, at, data);
        data.copy(expected, at);
      };
      await put(0, randomBytes(2 * BLOCK_SIZE_BYTES, 18));
      await put(4096, randomBytes(4096, 19)); // one whole page
      await put(3 * 4096 + 100, randomBytes(5000, 20)); // across a page boundary, unaligned both ends
      await put(BLOCK_SIZE_BYTES - 10, randomBytes(20, 21)); // the end of block 0 and the start of block 1
      // Cut block 1 short, then write past its new end: the bytes between are zeros, not what the slot held.
      await store.truncate(ref, BLOCK_SIZE_BYTES + 1000);
      expected.fill(0, BLOCK_SIZE_BYTES + 1000);
      await put(BLOCK_SIZE_BYTES + 9000, randomBytes(300, 22));
      const length = BLOCK_SIZE_BYTES + 9300;
      expect(Buffer.from(await store.read(ref, 0, length)).equals(expected.subarray(0, length)), 'read back').to.equal(true);
      await store.close();
      store = await open();
      expect(Buffer.from(await store.read(ref, 0, length)).equals(expected.subarray(0, length)), 'after a reopen').to.equal(true);
    });

    it('reads sparse regions as zeros, including far holes', async () => {
      const ref = { chunkId: 9, version: 1 };
      await store.create(ref);
      const tail = randomBytes(4096, 9);
      const at = CHUNK_SIZE_BYTES - 4096;
      await store.write(ref, at, tail);
      expect((await store.stat(9))!.length).to.equal(CHUNK_SIZE_BYTES);
      const middle = await store.read(ref, 10 * BLOCK_SIZE_BYTES + 17, 3 * BLOCK_SIZE_BYTES);
      expect(Buffer.from(middle).equals(Buffer.alloc(3 * BLOCK_SIZE_BYTES))).to.equal(true);
      expect(Buffer.from(await store.read(ref, at, 4096)).equals(tail)).to.equal(true);
      // The file stays sparse: far less than 64 MiB allocated.
      expect(statSync(chunkFilePath(dir, 9, 1)).blocks * 512).to.be.below(1024 * 1024);
    });

    it('truncates: shrinking drops data, growing again reads zeros', async () => {
      const ref = { chunkId: 10, version: 1 };
      await store.create(ref);
      const data = randomBytes(3 * BLOCK_SIZE_BYTES, 10);
      await store.write(ref, 0, data);
      await store.truncate(ref, BLOCK_SIZE_BYTES + 10);
      expect((await store.stat(10))!.length).to.equal(BLOCK_SIZE_BYTES + 10);
      expect(Buffer.from(await store.read(ref, 0, 10 * BLOCK_SIZE_BYTES)).equals(data.subarray(0, BLOCK_SIZE_BYTES + 10))).to.equal(true);
      await store.truncate(ref, 3 * BLOCK_SIZE_BYTES);
      const grown = Buffer.from(await store.read(ref, 0, 3 * BLOCK_SIZE_BYTES));
      expect(grown.subarray(0, BLOCK_SIZE_BYTES + 10).equals(data.subarray(0, BLOCK_SIZE_BYTES + 10))).to.equal(true);
      expect(grown.subarray(BLOCK_SIZE_BYTES + 10).equals(Buffer.alloc(2 * BLOCK_SIZE_BYTES - 10))).to.equal(true);
      await store.truncate(ref, 0);
      expect((await store.read(ref, 0, 100)).length).to.equal(0);
    });

    it('changes versions, refuses stale ones, deletes, and reports unknown chunks', async () => {
      const ref = { chunkId: 11, version: 1 };
      await store.create(ref);
      await store.write(ref, 0, Buffer.from('v1 data'));
      await store.setVersion(ref, 2);
      const v2 = { chunkId: 11, version: 2 };
      const stale = await expectCode(store.read(ref, 0, 7), 'CHUNK_STALE_VERSION');
      expect(stale.message).to.contain('version 2');
      expect(Buffer.from(await store.read(v2, 0, 7)).toString()).to.equal('v1 data');
      await expectCode(store.setVersion(ref, 3), 'CHUNK_STALE_VERSION');
      await expectCode(store.create(v2), 'CHUNK_EXISTS');
      await expectCode(store.delete(ref), 'CHUNK_STALE_VERSION');
      await store.delete(v2);
      expect(await store.stat(11)).to.equal(null);
      await expectCode(store.read(v2, 0, 1), 'CHUNK_NOT_FOUND');
      await expectCode(store.write({ chunkId: 999, version: 1 }, 0, Buffer.from('x')), 'CHUNK_NOT_FOUND');
    });

    it('refuses ranges beyond 64 MiB without touching the chunk', async () => {
      const ref = { chunkId: 12, version: 1 };
      await store.create(ref);
      await expectCode(store.write(ref, CHUNK_SIZE_BYTES - 1, Buffer.from('ab')), 'CHUNK_OUT_OF_RANGE');
      await expectCode(store.read(ref, CHUNK_SIZE_BYTES + 1, 1), 'CHUNK_OUT_OF_RANGE');
      await expectCode(store.truncate(ref, CHUNK_SIZE_BYTES + 1), 'CHUNK_OUT_OF_RANGE');
      expect((await store.stat(12))!.length).to.equal(0);
    });

    it('keeps chunks across a reopen, lists them and reports usage', async () => {
      const a = randomBytes(BLOCK_SIZE_BYTES + 5, 13);
      await store.create({ chunkId: 13, version: 4 });
      await store.write({ chunkId: 13, version: 4 }, 0, a);
      await store.create({ chunkId: 2 ** 40 + 1, version: 2 ** 33 });
      await store.flush({ chunkId: 13, version: 4 });
      await store.close();
      store = await open();
      const listed = (await store.list()).sort((x, y) => x.chunkId - y.chunkId);
      expect(listed).to.deep.equal([
        { chunkId: 13, version: 4, length: a.length },
        { chunkId: 2 ** 40 + 1, version: 2 ** 33, length: 0 },
      ]);
      expect(Buffer.from(await store.read({ chunkId: 13, version: 4 }, 0, a.length)).equals(a)).to.equal(true);
      const usage = await store.usage();
      expect(usage).to.include({ dir, chunks: 2, state: 'ok' });
      expect(usage.totalBytes).to.be.above(usage.freeBytes);
      expect(usage.usedBytes).to.be.at.least(a.length);
    });

    it('fails a read of a flipped byte with CHUNK_CORRUPT and verify names the block', async () => {
      const ref = { chunkId: 14, version: 1 };
      await store.create(ref);
      const data = randomBytes(4 * BLOCK_SIZE_BYTES, 14);
      await store.write(ref, 0, data);
      await store.close(); // the file on disk is what the next store reads
      flipByte(chunkFilePath(dir, 14, 1), slotOffset(2) + 100);
      store = await open();
      expect(await store.verify(ref)).to.deep.equal([2]);
      const err = await expectCode(store.read(ref, 2 * BLOCK_SIZE_BYTES, 10), 'CHUNK_CORRUPT');
      expect(err.message).to.contain('block 2');
      // Blocks that are sound still read.
      expect(Buffer.from(await store.read(ref, 0, 2 * BLOCK_SIZE_BYTES)).equals(data.subarray(0, 2 * BLOCK_SIZE_BYTES))).to.equal(true);
      // A read spanning the bad block never returns its bytes.
      await expectCode(store.read(ref, 0, 4 * BLOCK_SIZE_BYTES), 'CHUNK_CORRUPT');
    });

    it('reads with the CRC32 of exactly each block-part returned, whole, partial, compressible, holes and short blocks', async () => {
      const ref = { chunkId: 20, version: 1 };
      await store.create(ref);
      await store.write(ref, 0, randomBytes(2 * BLOCK_SIZE_BYTES, 20));
      await store.write(ref, 2 * BLOCK_SIZE_BYTES, textBytes(2 * BLOCK_SIZE_BYTES)); // stored compressed with lz4
      // Block 4 stays a hole; block 5 holds 100 bytes; the chunk ends 300 bytes into block 6 (zeros).
      await store.write(ref, 5 * BLOCK_SIZE_BYTES, randomBytes(100, 21));
      await store.truncate(ref, 6 * BLOCK_SIZE_BYTES + 300);
      const ranges: Array<[number, number]> = [
        [0, CHUNK_SIZE_BYTES],
        [0, 2 * BLOCK_SIZE_BYTES],
        [1000, 3 * BLOCK_SIZE_BYTES],
        [4 * BLOCK_SIZE_BYTES - 7, BLOCK_SIZE_BYTES + 200],
        [5 * BLOCK_SIZE_BYTES, 100],
        [5 * BLOCK_SIZE_BYTES + 50, 10],
      ];
      for (const [offset, length] of ranges) {
        const got = await store.readChecksummed!(ref, offset, length);
        const plain = Buffer.from(await store.read(ref, offset, length));
        expect(Buffer.from(got.data).equals(plain), `bytes of ${offset}+${length}`).to.equal(true);
        expect(got.crcs, `CRCs of ${offset}+${length}`).to.deep.equal(blockPartCrcs(offset, plain));
        // The same into memory the caller lends (the chunkserver's reused read buffers), stale bytes and all, and
        // into memory too short to use, which the store must leave alone.
        for (const into of [Buffer.alloc(MAX_FRAME_DATA_BYTES + BLOCK_SIZE_BYTES, 0xa5), Buffer.alloc(10, 0x5a)]) {
          const lent = await store.readChecksummed!(ref, offset, length, { into });
          expect(Buffer.from(lent.data).equals(plain), `bytes of ${offset}+${length} into ${into.length}`).to.equal(true);
          expect(lent.crcs, `CRCs of ${offset}+${length} into ${into.length}`).to.deep.equal(got.crcs);
          if (into.length === 10)
            expect(
              into.every((b) => b === 0x5a),
              'too short: untouched',
            ).to.equal(true);
        }
      }
      // A block failing its stored CRC gets no CRC of its own: the read fails as read() does.
      await store.close();
      flipByte(chunkFilePath(dir, 20, 1), slotOffset(1) + 5);
      store = await open();
      await expectCode(store.readChecksummed!(ref, 0, 2 * BLOCK_SIZE_BYTES), 'CHUNK_CORRUPT');
    });

    it('keeps the CRC a checked write brings for a whole block stored raw, and checksums a merged block itself', async () => {
      const ref = { chunkId: 21, version: 1 };
      await store.create(ref);
      const data = randomBytes(2 * BLOCK_SIZE_BYTES, 21);
      const crcs = blockPartCrcs(0, data);
      await store.write(ref, 0, data, { blockCrcs: crcs });
      expect((await store.readChecksummed!(ref, 0, data.length)).crcs).to.deep.equal(crcs);
      // Kept, not recomputed: a CRC that does not match its bytes makes the block read as corrupt, never as bytes the
      // CRC does not vouch for (bytes changed in this process's memory after the data plane checked them).
      await store.write(ref, BLOCK_SIZE_BYTES, data.subarray(0, BLOCK_SIZE_BYTES), { blockCrcs: [(crcs[0]! ^ 1) >>> 0] });
      await expectCode(store.read(ref, BLOCK_SIZE_BYTES, 10), 'CHUNK_CORRUPT');
      // Part of a block is merged with what the block holds: the part's CRC does not cover the block, so it is not used.
      await store.write(ref, 100, data.subarray(0, 50), { blockCrcs: [0] });
      const merged = Buffer.from(data.subarray(0, BLOCK_SIZE_BYTES));
      data.copy(merged, 100, 0, 50);
      expect(Buffer.from(await store.read(ref, 0, BLOCK_SIZE_BYTES)).equals(merged)).to.equal(true);
    });

    it('does not offer a chunk whose header is damaged as a replica', async () => {
      const ref = { chunkId: 15, version: 1 };
      await store.create(ref);
      await store.write(ref, 0, Buffer.from('data'));
      await store.close();
      flipByte(chunkFilePath(dir, 15, 1), 20); // inside the version field
      store = await open();
      expect(await store.stat(15)).to.equal(null);
    });

    it('reports a header damaged under a running store as CHUNK_CORRUPT and can still delete the chunk', async () => {
      const ref = { chunkId: 19, version: 2 };
      await store.create(ref);
      await store.write(ref, 0, Buffer.from('data'));
      await store.close();
      store = await open(); // indexed, but its file is not open yet
      flipByte(chunkFilePath(dir, 19, 2), 25); // inside the length field
      await expectCode(store.read(ref, 0, 4), 'CHUNK_CORRUPT');
      await expectCode(store.verify(ref), 'CHUNK_CORRUPT');
      await store.delete(ref);
      expect(await store.stat(19)).to.equal(null);
      expect(existsSync(chunkFilePath(dir, 19, 2))).to.equal(false);
    });

    if (variant.compressor) {
      it('stores compressible blocks compressed and incompressible ones raw, transparently', async () => {
        const ref = { chunkId: 16, version: 1 };
        await store.create(ref);
        const text = textBytes(BLOCK_SIZE_BYTES);
        const noise = randomBytes(BLOCK_SIZE_BYTES, 16);
        await store.write(ref, 0, Buffer.concat([text, noise]));
        await store.close();
        const fd = openSync(chunkFilePath(dir, 16, 1), 'r');
        const head = Buffer.alloc(CHUNK_HEADER_BYTES);
        readSync(fd, head, 0, CHUNK_HEADER_BYTES, 0);
        closeSync(fd);
        const header = ChunkHeader.parse(head, 'test');
        expect(header.algorithm).to.equal('lz4');
        expect(header.entry(0).compressed).to.equal(true);
        expect(header.entry(0).storedLength).to.be.below(BLOCK_SIZE_BYTES / 4);
        expect(header.entry(1)).to.include({ compressed: false, storedLength: BLOCK_SIZE_BYTES });
        store = await open();
        expect(Buffer.from(await store.read(ref, 0, 2 * BLOCK_SIZE_BYTES)).equals(Buffer.concat([text, noise]))).to.equal(true);
      });
    }

    it('gives concurrent writes and reads of one chunk the results of running them in call order', async () => {
      const ref = { chunkId: 18, version: 1 };
      await store.create(ref);
      const model = Buffer.alloc(24 * BLOCK_SIZE_BYTES);
      let modelLength = 0;
      const pending: Array<Promise<unknown>> = [];
      const expectations: Array<{ read: Promise<Uint8Array>; expected: Buffer }> = [];
      let seed = 12345;
      const rand = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      for (let i = 0; i < 120; i++) {
        const offset = rand(20 * BLOCK_SIZE_BYTES);
        const length = 1 + rand(3 * BLOCK_SIZE_BYTES);
        if (rand(3) === 0) {
          const end = Math.min(offset + length, modelLength);
          const expected = Buffer.from(model.subarray(offset, Math.max(offset, end)));
          expectations.push({ read: store.read(ref, offset, length), expected });
        } else {
          const data = randomBytes(length, 100 + i);
          data.copy(model, offset);
          modelLength = Math.max(modelLength, offset + length);
          pending.push(store.write(ref, offset, data));
        }
      }
      await Promise.all(pending);
      for (const [i, e] of expectations.entries()) expect(Buffer.from(await e.read).equals(e.expected), `read ${i}`).to.equal(true);
      expect(Buffer.from(await store.read(ref, 0, modelLength)).equals(model.subarray(0, modelLength))).to.equal(true);
    });

    it('never loses a length extension made by a concurrent write to other blocks', async () => {
      const big = randomBytes(16 * 1024 * 1024, 50);
      for (let round = 0; round < 5; round++) {
        const ref = { chunkId: 40 + round, version: 1 };
        await store.create(ref);
        const far = 32 * 1024 * 1024;
        await store.write(ref, far, randomBytes(100, round));
        // A big write far below the end (it finishes last), and a small read-modify-write that extends the chunk.
        await Promise.all([store.write(ref, 0, big), store.write(ref, far + 50, randomBytes(100, 60 + round))]);
        expect((await store.stat(ref.chunkId))!.length).to.equal(far + 150);
        expect((await store.read(ref, far, 1000)).length).to.equal(150);
      }
    });

    it('keeps per-chunk call order for concurrent operations', async () => {
      const ref = { chunkId: 17, version: 1 };
      await store.create(ref);
      const writes = [];
      for (let i = 0; i < 20; i++) writes.push(store.write(ref, 0, Buffer.from(`write ${String(i).padStart(2, '0')}`)));
      const read = store.read(ref, 0, 8);
      await Promise.all(writes);
      expect(Buffer.from(await read).toString()).to.equal('write 19');
    });
  });
}
