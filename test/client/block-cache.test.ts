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
});
