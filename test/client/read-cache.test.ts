// FileIo's read path on fakes of the master and the chunkservers: which replica a read goes to, what happens when a
// cached chunk location went stale (another writer moved the chunk to a new version), and the mount's block cache.
import { expect } from 'chai';
import { type DataPlaneClient, ErrorCodes, MoosengError, silentLogger } from '@mooseng/core';
import {
  BlockCache,
  FileIo,
  FileSystemClient,
  type MasterClient,
  OpenFile,
  READ_AHEAD_MAX_BYTES,
  READ_AHEAD_MIN_BYTES,
  ReadAhead,
} from '@mooseng/client';
import { ManualClock } from '../support';
import { fileAttr } from './file-attr';

const KIB = 1024;
const MIB = 1024 * KIB;
const BLOCK = 64 * KIB;
const CRED = { uid: 0, gids: [0] };
const INO = 5;
const CHUNK_ID = 9;
/** The read permit the fake master hands out with locations. */
const READ_PERMIT = Buffer.from('read-permit');
const REPLICAS = [
  { serverId: 'cs1', address: '127.0.0.1:1' },
  { serverId: 'cs2', address: '127.0.0.1:2' },
];

/** Bytes that say where they are: byte i is (i * 7 + seed) mod 251. */
function pattern(length: number, seed = 0): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 7 + seed) % 251;
  return b;
}

/**
 * One chunk (slot 0 of inode 5) on two replicas, and the master that knows where it is: its version, its bytes
 * (the chunk may be shorter than the file: a hole at its end) and the file's length. Every read is recorded.
 */
class FakeChunk {
  version = 3;
  bytes: Buffer = pattern(4 * BLOCK);
  fileLength = 4 * BLOCK;
  readonly reads: Array<{ address: string; offset: number; length: number }> = [];
  readonly reports: Array<Record<string, unknown>> = [];
  locates = 0;
  /** A replica whose next streamed read fails after its first piece. */
  breaksAfterOnePiece: (typeof REPLICAS)[number] | null = null;

  readonly master = {
    call: async (method: string, body: Record<string, unknown>): Promise<unknown> => {
      switch (method) {
        case 'ReadChunk':
          this.locates++;
          return { chunkId: CHUNK_ID, version: this.version, fileLength: this.fileLength, locations: REPLICAS, permit: READ_PERMIT };
        case 'WriteChunk':
          return { chunkId: CHUNK_ID, version: this.version, fileLength: this.fileLength, chain: REPLICAS, isNew: false, truncateTo: -1 };
        case 'Open':
        case 'GetAttr':
          return { attr: attrOf(this.fileLength) };
        case 'ReportReplica':
          this.reports.push(body);
          return {};
        default:
          throw new Error(`unexpected call ${method}`);
      }
    },
  };

  readonly chunkservers = {
    read: async (address: string, ref: { chunkId: number; version: number }, offset: number, length: number): Promise<Buffer> => {
      this.reads.push({ address, offset, length });
      if (ref.version !== this.version)
        throw new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, `chunk ${ref.chunkId} is at version ${this.version}, not ${ref.version}`, {
          details: { chunkId: ref.chunkId, version: this.version, requested: ref.version },
        });
      return Buffer.from(this.bytes.subarray(offset, offset + length));
    },
    readStream: (
      address: string,
      ref: { chunkId: number; version: number },
      offset: number,
      length: number,
      options: { permit?: Buffer } = {},
    ) => {
      // Chunkservers with the cluster secret refuse a read without the leader's permit from ReadChunk.
      if (!options.permit?.equals(READ_PERMIT)) throw new MoosengError(ErrorCodes.PERMIT_REFUSED, `${address}: a read without its permit`);
      return this.pieces(address, ref, offset, length);
    },
    readInto: async (
      address: string,
      ref: { chunkId: number; version: number },
      offset: number,
      into: Buffer,
      filled: (bytes: number) => void,
      options: { permit?: Buffer } = {},
    ): Promise<number> => {
      let got = 0;
      for await (const piece of this.chunkservers.readStream(address, ref, offset, into.length, options)) {
        piece.data.copy(into, piece.offset - offset);
        got = piece.offset - offset + piece.data.length;
        filled(got);
      }
      return got;
    },
    write: async (_address: string, _ref: unknown, offset: number, data: Buffer): Promise<void> => {
      const end = Math.max(this.bytes.length, offset + data.length);
      if (end > this.bytes.length) this.bytes = Buffer.concat([this.bytes, Buffer.alloc(end - this.bytes.length)]);
      data.copy(this.bytes, offset);
    },
  };

  /** A read as the data plane streams it: pieces inside one block each. */
  private async *pieces(
    address: string,
    ref: { chunkId: number; version: number },
    offset: number,
    length: number,
  ): AsyncGenerator<{ offset: number; data: Buffer }> {
    const data = await this.chunkservers.read(address, ref, offset, length);
    let pieces = 0;
    for (let at = 0; at < data.length;) {
      if (address === this.breaksAfterOnePiece?.address && pieces++ === 1) {
        this.breaksAfterOnePiece = null;
        throw new MoosengError(ErrorCodes.IO_ERROR, `${address}: disk read failed`);
      }
      const end = Math.min(data.length, (Math.floor((offset + at) / BLOCK) + 1) * BLOCK - offset);
      yield { offset: offset + at, data: data.subarray(at, end) };
      at = end;
    }
  }

  /** Another client wrote the chunk and committed: a new version with new bytes. */
  rewrite(seed: number): void {
    this.version++;
    this.bytes = pattern(this.bytes.length, seed);
  }
}

const attrOf = (size: number) => fileAttr(INO, size);

describe('client FileIo reads', () => {
  let chunk: FakeChunk;
  let clock: ManualClock;
  let file: OpenFile;

  function fileIo(): FileIo {
    return new FileIo(chunk.master as unknown as MasterClient, chunk.chunkservers as unknown as DataPlaneClient, clock, silentLogger);
  }

  beforeEach(() => {
    chunk = new FakeChunk();
    clock = new ManualClock();
    file = new OpenFile(INO, clock);
  });

  it('alternates among the chunk replicas instead of always reading the first', async () => {
    const io = fileIo();
    for (let i = 0; i < 4; i++) await io.read(file, i * BLOCK, BLOCK, CRED);
    const used = new Set(chunk.reads.map((r) => r.address));
    expect([...used].sort()).to.deep.equal(REPLICAS.map((r) => r.address));
  });

  it('a cached location gone stale across another writer commit is asked for again, and no replica is blamed', async () => {
    const io = fileIo();
    expect((await io.read(file, 0, 100, CRED)).equals(pattern(100))).to.equal(true);
    chunk.rewrite(1);
    const got = await io.read(file, 0, 100, CRED);
    expect(got.equals(pattern(100, 1)), 'the new bytes').to.equal(true);
    expect(chunk.reports, 'replicas reported as failed').to.deep.equal([]);
    expect(chunk.locates, 'ReadChunk asked again').to.equal(2);
  });

  describe('through the block cache', () => {
    let cache: BlockCache;
    let io: FileIo;

    beforeEach(() => {
      cache = new BlockCache(64 * MIB);
      io = new FileIo(
        chunk.master as unknown as MasterClient,
        chunk.chunkservers as unknown as DataPlaneClient,
        clock,
        silentLogger,
        undefined,
        cache,
      );
    });

    it('a range read again comes from the cache, not a chunkserver', async () => {
      const first = await io.read(file, 1000, 3 * BLOCK, CRED);
      const reads = chunk.reads.length;
      const again = await io.read(file, 1000, 3 * BLOCK, CRED);
      expect(chunk.reads.length).to.equal(reads);
      expect(again.equals(first)).to.equal(true);
      expect(again.equals(pattern(4 * BLOCK).subarray(1000, 1000 + 3 * BLOCK))).to.equal(true);
    });

    it('bytes of a block past where the chunk ends read as zeros, the second time too', async () => {
      chunk.bytes = pattern(BLOCK + 10); // the file is longer than its chunk holds: the rest is a hole
      for (let i = 0; i < 2; i++) {
        const got = await io.read(file, BLOCK, 2 * BLOCK, CRED);
        expect(got.length, `read ${i + 1}: length`).to.equal(2 * BLOCK);
        expect(got.subarray(0, 10).equals(pattern(BLOCK + 10).subarray(BLOCK)), `read ${i + 1}: the chunk's bytes`).to.equal(true);
        expect(got.subarray(10).equals(Buffer.alloc(2 * BLOCK - 10)), `read ${i + 1}: zeros after them`).to.equal(true);
      }
    });

    it('never fetches past the end of the file: a replica may still hold bytes a pending cut removed', async () => {
      chunk.fileLength = 100;
      expect((await io.read(file, 0, BLOCK, CRED)).length).to.equal(100);
      expect(chunk.reads.map((r) => r.offset + r.length)).to.deep.equal([100]);
      // A truncate up (the chunk keeps its version): bytes 100..200 are zeros, whatever the replica still holds there.
      chunk.fileLength = 200;
      io.invalidate(file.ino); // as an open does
      const got = await io.read(file, 0, BLOCK, CRED);
      expect(got.length).to.equal(200);
      expect(got.subarray(100).equals(Buffer.alloc(100))).to.equal(true);
      expect(chunk.reads, 'from the cached block').to.have.length(1);
    });

    it('a replica that fails part way through a read is left for the next, which goes on from where it stopped', async () => {
      chunk.breaksAfterOnePiece = REPLICAS[0]!;
      const got = await io.read(file, 0, 4 * BLOCK, CRED);
      expect(got.equals(pattern(4 * BLOCK))).to.equal(true);
      expect(chunk.reads.map((r) => [r.address, r.offset])).to.deep.equal([
        [REPLICAS[0]!.address, 0],
        [REPLICAS[1]!.address, BLOCK],
      ]);
      expect(chunk.reports).to.deep.equal([
        { ino: INO, chunkId: CHUNK_ID, serverId: 'cs1', code: ErrorCodes.IO_ERROR, version: 3, acknowledged: [] },
      ]);
    });

    it("this mount's writes drop the blocks they cover: a read after a write sees it", async () => {
      await io.read(file, 0, 2 * BLOCK, CRED);
      await io.write(file, BLOCK + 5, Buffer.from('written'), CRED);
      const got = await io.read(file, BLOCK, 16, CRED);
      expect(got.subarray(5, 12).toString()).to.equal('written');
    });
  });

  describe('FileSystemClient with the block cache', () => {
    let fs: FileSystemClient;

    beforeEach(() => {
      const io = new FileIo(
        chunk.master as unknown as MasterClient,
        chunk.chunkservers as unknown as DataPlaneClient,
        clock,
        silentLogger,
        undefined,
        new BlockCache(64 * MIB),
      );
      fs = new FileSystemClient(chunk.master as unknown as MasterClient, io, {
        attrTtlMs: 1_000,
        writeBufferBytes: MIB,
        clock,
        logger: silentLogger,
      });
    });

    it("another client's change notice drops the file's blocks and locations: an open handle reads the new bytes", async () => {
      const { fh } = await fs.open(INO, 0, CRED);
      expect((await fs.read(fh, 100, 0, CRED)).equals(pattern(100))).to.equal(true);
      chunk.rewrite(1);
      chunk.version--; // the chunkservers have not been told yet: the cache and the location alone decide
      expect((await fs.read(fh, 100, 0, CRED)).equals(pattern(100)), 'before the notice: the cached bytes').to.equal(true);
      chunk.version++;
      fs.changed([INO], []);
      expect((await fs.read(fh, 100, 0, CRED)).equals(pattern(100, 1)), 'after the notice').to.equal(true);
    });

    it('sequential reads fetch ahead of the reader, several blocks at once; random reads fetch only what they ask', async () => {
      chunk.bytes = pattern(8 * MIB);
      chunk.fileLength = 8 * MIB;
      const { fh } = await fs.open(INO, 0, CRED);
      await fs.read(fh, 128 * KIB, 0, CRED);
      await new Promise((resolve) => setImmediate(resolve));
      const ahead = chunk.reads.filter((r) => r.offset >= 128 * KIB);
      expect(ahead.length, 'fetched ahead').to.be.greaterThan(0);
      expect(Math.max(...ahead.map((r) => r.offset + r.length))).to.equal(128 * KIB + READ_AHEAD_MIN_BYTES);
      const before = chunk.reads.length;
      const got = await fs.read(fh, 128 * KIB, 128 * KIB, CRED);
      expect(got.equals(pattern(8 * MIB).subarray(128 * KIB, 256 * KIB))).to.equal(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(
        chunk.reads.slice(before).every((r) => r.offset >= 256 * KIB),
        'the second read came from the cache',
      ).to.equal(true);

      const random = await fs.open(INO, 0, CRED);
      chunk.reads.length = 0;
      for (const at of [6 * MIB, 2 * MIB + 3 * BLOCK, 5 * MIB]) await fs.read(random.fh, 4 * KIB, at, CRED);
      await fs.read(random.fh, 4 * KIB, 3 * MIB, CRED);
      await new Promise((resolve) => setImmediate(resolve));
      expect(chunk.reads.map((r) => r.length)).to.deep.equal([BLOCK, BLOCK, BLOCK, BLOCK]);
    });
  });
});

describe('client ReadAhead', () => {
  it('fetches ahead of a sequential run, each window twice the last, up to the bound', () => {
    const ahead = new ReadAhead();
    const windows: number[] = [];
    for (let at = 0; at < 256 * MIB; at += 128 * KIB) {
      const range = ahead.next(at, 128 * KIB);
      if (range) windows.push(range.length);
    }
    expect(windows.slice(0, 4)).to.deep.equal([
      READ_AHEAD_MIN_BYTES,
      2 * READ_AHEAD_MIN_BYTES,
      4 * READ_AHEAD_MIN_BYTES,
      8 * READ_AHEAD_MIN_BYTES,
    ]);
    expect(Math.max(...windows)).to.equal(READ_AHEAD_MAX_BYTES);
  });

  it('fetches each byte ahead once, and stays ahead of the reader', () => {
    const ahead = new ReadAhead();
    let fetchedTo = 0;
    for (let at = 0; at < 64 * MIB; at += 128 * KIB) {
      const range = ahead.next(at, 128 * KIB);
      if (range) {
        expect(range.offset, 'continues where the last window ended').to.equal(fetchedTo || 128 * KIB);
        fetchedTo = range.offset + range.length;
      }
      expect(fetchedTo, 'ahead of the reader').to.be.greaterThan(at + 128 * KIB);
    }
  });

  it('takes reads that come out of order inside the run as part of it (the kernel sends several at once)', () => {
    const ahead = new ReadAhead();
    ahead.next(0, 128 * KIB);
    ahead.next(256 * KIB, 128 * KIB);
    ahead.next(128 * KIB, 128 * KIB);
    expect(ahead.next(384 * KIB, 128 * KIB), 'still sequential').to.not.equal(null);
  });

  it('ends the run on a random read and starts the next one smaller', () => {
    const ahead = new ReadAhead();
    for (let at = 0; at < 16 * MIB; at += 128 * KIB) ahead.next(at, 128 * KIB);
    const grown = ahead.windowBytes;
    expect(ahead.next(200 * MIB, 4 * KIB), 'a random read').to.equal(null);
    expect(ahead.windowBytes).to.equal(grown / 4);
    for (let i = 0; i < 10; i++) ahead.next(i * 37 * MIB, 4 * KIB);
    expect(ahead.windowBytes).to.equal(READ_AHEAD_MIN_BYTES);
  });

  it('is off when the bound is below the first window (a cache too small to hold one)', () => {
    const ahead = new ReadAhead(READ_AHEAD_MIN_BYTES, READ_AHEAD_MIN_BYTES / 2);
    expect(ahead.next(0, 4 * KIB)).to.equal(null);
    expect(ahead.next(4 * KIB, 4 * KIB)).to.equal(null);
  });
});
