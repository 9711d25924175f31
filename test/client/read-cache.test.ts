// FileIo's read path on fakes of the master and the chunkservers: which replica a read goes to, what happens when a
// cached chunk location went stale (another writer moved the chunk to a new version), and the mount's block cache.
import { expect } from 'chai';
import { type DataPlaneClient, ErrorCodes, MoosengError, silentLogger } from '@mooseng/core';
import { FileIo, type MasterClient, OpenFile } from '@mooseng/client';
import { ManualClock } from '../support';

const KIB = 1024;
const BLOCK = 64 * KIB;
const CRED = { uid: 0, gids: [0] };
const INO = 5;
const CHUNK_ID = 9;
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

  readonly master = {
    call: async (method: string, body: Record<string, unknown>): Promise<unknown> => {
      switch (method) {
        case 'ReadChunk':
          this.locates++;
          return { chunkId: CHUNK_ID, version: this.version, fileLength: this.fileLength, locations: REPLICAS };
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
  };

  /** Another client wrote the chunk and committed: a new version with new bytes. */
  rewrite(seed: number): void {
    this.version++;
    this.bytes = pattern(this.bytes.length, seed);
  }
}

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
});
