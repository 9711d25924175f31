// The client's BlockCache alone, with a recording fetch in place of the chunkservers: the LRU bound, reads sharing
// one fetch, blocks named by chunk version, drops by this mount's writes and by file, and blocks past a chunk's end.
import { expect } from 'chai';
import { BLOCK_SIZE_BYTES } from '@mooseng/core';
import { BlockCache, type ChunkVersion, type FetchBlocks, MAX_BLOCKS_PER_FETCH } from '@mooseng/client';

const B = BLOCK_SIZE_BYTES;
const CHUNK: ChunkVersion = { ino: 5, chunkId: 9, version: 3 };

/** A chunk of `blocks` blocks whose byte i is (i + seed) mod 251, and every fetch made of it (first block, count). */
class RecordingChunk {
  readonly fetches: Array<[first: number, count: number]> = [];
  /** When set, fetches wait for release() before answering. */
  private gate: Promise<void> | null = null;
  private open: () => void = () => undefined;
  failNext = false;

  constructor(
    private readonly blocks: number,
    private seed = 0,
  ) {}

  readonly fetch: FetchBlocks = async (first, count, into, filled) => {
    this.fetches.push([first, count]);
    if (this.gate) await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('replica down');
    }
    const bytes = Math.max(0, Math.min(count, this.blocks - first)) * B;
    for (let i = 0; i < bytes; i++) into[i] = (first * B + i + this.seed) % 251;
    filled(bytes);
    return bytes;
  };

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.gate = null;
    this.open();
  }

  rewrite(seed: number): void {
    this.seed = seed;
  }

  byteAt(block: number, i: number): number {
    return (block * B + i + this.seed) % 251;
  }
}

describe('client BlockCache', () => {
  it('serves a block read again from memory, and fetches runs of missing blocks in one request', async () => {
    const chunk = new RecordingChunk(64);
    const cache = new BlockCache(64 * B);
    await cache.read(CHUNK, 2, 3, chunk.fetch);
    const again = await cache.read(CHUNK, 1, 5, chunk.fetch);
    expect(chunk.fetches).to.deep.equal([
      [2, 3],
      [1, 1],
      [5, 1],
    ]);
    expect(again.map((b) => b[0])).to.deep.equal([1, 2, 3, 4, 5].map((b) => chunk.byteAt(b, 0)));
    expect(cache.bytesHeld).to.equal(5 * B);
  });

  it('splits a long run into requests of at most MAX_BLOCKS_PER_FETCH blocks', async () => {
    const chunk = new RecordingChunk(64);
    await new BlockCache(64 * B).read(CHUNK, 0, 2 * MAX_BLOCKS_PER_FETCH + 1, chunk.fetch);
    expect(chunk.fetches).to.deep.equal([
      [0, MAX_BLOCKS_PER_FETCH],
      [MAX_BLOCKS_PER_FETCH, MAX_BLOCKS_PER_FETCH],
      [2 * MAX_BLOCKS_PER_FETCH, 1],
    ]);
  });

  it('holds no more than its capacity, letting the least recently used blocks go first', async () => {
    const chunk = new RecordingChunk(64);
    const cache = new BlockCache(4 * B);
    await cache.read(CHUNK, 0, 4, chunk.fetch);
    await cache.read(CHUNK, 0, 1, chunk.fetch); // block 0 is now the most recently used
    await cache.read(CHUNK, 10, 2, chunk.fetch); // pushes out blocks 1 and 2
    expect(cache.bytesHeld).to.equal(4 * B);
    expect(cache.blockCount).to.equal(4);
    chunk.fetches.length = 0;
    await cache.read(CHUNK, 0, 4, chunk.fetch);
    expect(chunk.fetches, 'only the blocks pushed out are fetched again').to.deep.equal([[1, 2]]);
    expect(cache.bytesHeld).to.be.at.most(4 * B);
  });

  it('a read of blocks another read is fetching waits for that fetch instead of fetching again', async () => {
    const chunk = new RecordingChunk(64);
    const cache = new BlockCache(64 * B);
    chunk.hold();
    const first = cache.read(CHUNK, 0, 4, chunk.fetch);
    const second = cache.read(CHUNK, 2, 4, chunk.fetch);
    chunk.release();
    const [a, b] = await Promise.all([first, second]);
    expect(chunk.fetches).to.deep.equal([
      [0, 4],
      [4, 2],
    ]);
    expect(b[0]).to.equal(a[2], 'the same block, shared');
  });

  it('shares fetches even with a capacity of zero, and holds nothing', async () => {
    const chunk = new RecordingChunk(64);
    const cache = new BlockCache(0);
    chunk.hold();
    const reads = [cache.read(CHUNK, 0, 2, chunk.fetch), cache.read(CHUNK, 0, 2, chunk.fetch)];
    chunk.release();
    await Promise.all(reads);
    expect(chunk.fetches).to.deep.equal([[0, 2]]);
    expect(cache.bytesHeld).to.equal(0);
    await cache.read(CHUNK, 0, 2, chunk.fetch);
    expect(chunk.fetches).to.have.length(2);
  });

  it('names blocks by chunk version: a new version is fetched, never served from the old one', async () => {
    const chunk = new RecordingChunk(64);
    const cache = new BlockCache(64 * B);
    await cache.read(CHUNK, 0, 1, chunk.fetch);
    chunk.rewrite(100);
    const [block] = await cache.read({ ...CHUNK, version: CHUNK.version + 1 }, 0, 1, chunk.fetch);
    expect(chunk.fetches).to.have.length(2);
    expect(block![0]).to.equal(chunk.byteAt(0, 0));
  });

  it("this mount's write drops the blocks it covers, in every version, and a fetch on its way then is not kept", async () => {
    const chunk = new RecordingChunk(64);
    const cache = new BlockCache(64 * B);
    await cache.read(CHUNK, 0, 4, chunk.fetch);
    chunk.hold();
    const racing = cache.read(CHUNK, 8, 1, chunk.fetch);
    cache.dropBlocks(CHUNK.chunkId, 1, 9); // blocks 1..8
    chunk.release();
    await racing;
    chunk.rewrite(7);
    chunk.fetches.length = 0;
    const got = await cache.read(CHUNK, 0, 4, chunk.fetch);
    await cache.read(CHUNK, 8, 1, chunk.fetch);
    expect(chunk.fetches).to.deep.equal([
      [1, 3],
      [8, 1],
    ]);
    expect(got[1]![0]).to.equal(chunk.byteAt(1, 0), 'the bytes written');
  });

  it("drops a file's blocks (a change notice) and frees their bytes", async () => {
    const chunk = new RecordingChunk(64);
    const cache = new BlockCache(64 * B);
    await cache.read(CHUNK, 0, 3, chunk.fetch);
    await cache.read({ ino: 6, chunkId: 10, version: 1 }, 0, 2, chunk.fetch);
    cache.dropFile(CHUNK.ino);
    expect(cache.bytesHeld).to.equal(2 * B);
    chunk.fetches.length = 0;
    await cache.read(CHUNK, 0, 3, chunk.fetch);
    expect(chunk.fetches).to.deep.equal([[0, 3]]);
  });

  it('blocks past where the chunk ends read as whole blocks of zeros, and are kept as such', async () => {
    const chunk = new RecordingChunk(2); // the chunk holds two blocks; the file goes on (a hole at the chunk's end)
    const cache = new BlockCache(64 * B);
    const first = await cache.read(CHUNK, 1, 3, chunk.fetch);
    const again = await cache.read(CHUNK, 1, 3, chunk.fetch);
    for (const blocks of [first, again]) {
      expect(blocks.map((b) => b.length)).to.deep.equal([B, B, B]);
      expect(blocks[0]![0]).to.equal(chunk.byteAt(1, 0));
      expect(blocks[1]!.equals(Buffer.alloc(B)), 'block 2: zeros').to.equal(true);
      expect(blocks[2]!.equals(Buffer.alloc(B)), 'block 3: zeros').to.equal(true);
    }
    expect(chunk.fetches).to.have.length(1);
  });

  it('keeps nothing of a fetch that failed: every reader of it fails, the next read fetches again', async () => {
    const chunk = new RecordingChunk(64);
    const cache = new BlockCache(64 * B);
    chunk.failNext = true;
    chunk.hold();
    const reads = [cache.read(CHUNK, 0, 2, chunk.fetch), cache.read(CHUNK, 1, 1, chunk.fetch)];
    chunk.release();
    const settled = await Promise.allSettled(reads);
    expect(settled.map((s) => s.status)).to.deep.equal(['rejected', 'rejected']);
    await cache.read(CHUNK, 0, 2, chunk.fetch);
    expect(chunk.fetches).to.deep.equal([
      [0, 2],
      [0, 2],
    ]);
    expect(cache.bytesHeld).to.equal(2 * B);
  });

  it('counts each block a reader asks for: held or on its way is a hit, fetched a miss', async () => {
    const chunk = new RecordingChunk(64);
    const counted: boolean[] = [];
    const cache = new BlockCache(64 * B, (hit) => counted.push(hit));
    await cache.read(CHUNK, 0, 2, chunk.fetch);
    await cache.read(CHUNK, 1, 2, chunk.fetch);
    await cache.read(CHUNK, 5, 1, chunk.fetch, false); // read-ahead: not a lookup
    expect(counted).to.deep.equal([false, false, true, false]);
  });

  it('refuses a capacity that is not a whole number of bytes, and blocks outside a chunk', async () => {
    expect(() => new BlockCache(-1)).to.throw(RangeError, /at least 0/);
    const err = await new BlockCache(B).read(CHUNK, 1020, 8, new RecordingChunk(1).fetch).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RangeError);
  });

  it('hands each block to its readers as soon as its bytes are in, before the rest of the run', async () => {
    const cache = new BlockCache(64 * B);
    let fill: (bytes: number) => void = () => undefined;
    let finish: (bytes: number) => void = () => undefined;
    const slow: FetchBlocks = (_first, _count, into, filled) => {
      into.fill(7, 0, B);
      fill = filled;
      return new Promise((resolve) => (finish = resolve));
    };
    const run = cache.read(CHUNK, 0, 4, slow);
    const firstBlock = cache.read(CHUNK, 0, 1, slow);
    fill(B + 10); // the first block and a bit of the second are in
    const [block] = await firstBlock;
    expect(block![0]).to.equal(7);
    expect(cache.blockCount, 'kept as it came').to.equal(1);
    finish(4 * B);
    expect((await run).map((b) => b.length)).to.deep.equal([B, B, B, B]);
  });

  describe('memory of whole runs, used again', () => {
    const RUN = MAX_BLOCKS_PER_FETCH;
    const other = (n: number): ChunkVersion => ({ ino: 5, chunkId: 100 + n, version: 1 });

    it('fetches into the memory of a run nobody needs any more: its blocks evicted, its lease given back', async () => {
      const chunk = new RecordingChunk(RUN);
      const cache = new BlockCache(RUN * B); // one run's worth: the next run evicts it
      const first = await cache.lease(other(1), 0, RUN, chunk.fetch);
      const memory = first.blocks[0]!.buffer;
      first.release();
      first.release(); // a second release does nothing
      // The second run comes into new memory (the first is still held in the cache) and evicts the first...
      const second = await cache.lease(other(2), 0, RUN, chunk.fetch);
      expect(second.blocks[0]!.buffer).to.not.equal(memory);
      second.release();
      // ...whose memory the third comes into.
      chunk.rewrite(3);
      const third = await cache.lease(other(3), 0, RUN, chunk.fetch);
      expect(third.blocks[0]!.buffer, 'the first run was evicted and released: its memory is used again').to.equal(memory);
      expect(
        third.blocks.every((b, i) => b[5] === chunk.byteAt(i, 5)),
        'with the new bytes',
      ).to.equal(true);
      third.release();
    });

    it("never writes over blocks a reader still holds a lease on, evicted or not, nor over read()'s", async () => {
      const chunk = new RecordingChunk(RUN);
      const cache = new BlockCache(RUN * B);
      const held = await cache.lease(other(1), 0, RUN, chunk.fetch);
      const forGood = await cache.read(other(2), 0, RUN, chunk.fetch); // evicts the first run; lease still held
      const before = Buffer.concat([...held.blocks, ...forGood]);
      // Runs after these cycle through the cache, each evicting the last and freeing it.
      for (let n = 3; n < 8; n++) {
        chunk.rewrite(n); // other bytes each time, so a run written over would show
        (await cache.lease(other(n), 0, RUN, chunk.fetch)).release();
      }
      expect(Buffer.concat([...held.blocks, ...forGood]).equals(before), 'leased and read() blocks unchanged').to.equal(true);
      const memories = new Set([held.blocks[0]!.buffer, forGood[0]!.buffer]);
      const later = await cache.lease(other(9), 0, RUN, chunk.fetch);
      expect(memories.has(later.blocks[0]!.buffer)).to.equal(false);
      later.release();
      held.release();
    });

    it('keeps a run whose fetch is not over, even when nobody holds its blocks any more', async () => {
      const cache = new BlockCache(RUN * B);
      let fill: (bytes: number) => void = () => undefined;
      let finish: () => void = () => undefined;
      let target: Buffer = Buffer.alloc(0);
      const slow: FetchBlocks = (_first, count, into, filled) => {
        target = into;
        fill = filled;
        return new Promise((resolve) => (finish = () => resolve(count * B)));
      };
      const coming = cache.lease(other(1), 0, RUN, slow);
      fill(RUN * B); // every block is in (the lease is answered), but the fetch has not ended: it may still write
      (await coming).release();
      cache.dropBlocks(other(1).chunkId, 0, RUN); // this mount wrote over them
      const chunk = new RecordingChunk(RUN);
      const meanwhile = await cache.lease(other(2), 0, RUN, chunk.fetch);
      expect(meanwhile.blocks[0]!.buffer, 'not the memory the first fetch may still write into').to.not.equal(target.buffer);
      meanwhile.release();
      finish();
      await new Promise((resolve) => setImmediate(resolve));
      cache.dropBlocks(other(2).chunkId, 0, RUN);
      const after = await cache.lease(other(3), 0, RUN, chunk.fetch);
      expect([target.buffer, meanwhile.blocks[0]!.buffer], 'once it ended, its memory is free again').to.include(after.blocks[0]!.buffer);
      after.release();
    });

    it('uses again only whole runs, not the memory of shorter fetches', async () => {
      const chunk = new RecordingChunk(RUN);
      const cache = new BlockCache(2 * B);
      const short = await cache.lease(other(1), 0, 2, chunk.fetch);
      short.release();
      const whole = await cache.lease(other(2), 0, RUN, chunk.fetch);
      expect(whole.blocks[0]!.buffer).to.not.equal(short.blocks[0]!.buffer);
      whole.release();
    });

    it('gives a lease back when its fetch failed', async () => {
      const chunk = new RecordingChunk(RUN);
      const cache = new BlockCache(RUN * B);
      chunk.failNext = true;
      const err = await cache.lease(other(1), 0, RUN, chunk.fetch).catch((e: unknown) => e);
      expect((err as Error).message).to.equal('replica down');
      const after = await cache.lease(other(2), 0, RUN, chunk.fetch);
      expect(after.blocks.every((b, i) => b[9] === chunk.byteAt(i, 9))).to.equal(true);
      after.release();
    });
  });
});
