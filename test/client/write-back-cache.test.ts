// The client's write-back cache (client.writeBack): random writes are merged and sent in the background, a full
// cache makes the writer wait until a send frees room, a failed background send is reported by the next fsync, and
// O_SYNC writes are on every replica before they are answered. Chunkservers here are a byte array per chunk behind
// a gate, so a test decides when sends finish (a real cluster cannot hold a send half-way on cue).
import { constants as fsConstants } from 'node:fs';
import { expect } from 'chai';
import { type DataPlaneClient, ErrorCodes, isMoosengError, MoosengError, ROOT_INODE, silentLogger } from '@mooseng/core';
import { FileIo, FileSystemClient, type MasterClient } from '@mooseng/client';
import { ManualClock } from '../support';
import { fileAttr } from './file-attr';

const CRED = { uid: 0, gids: [0] };
const INO = 5;
const KiB = 1024;
const CHAIN = [
  { serverId: 'cs1', address: '127.0.0.1:1' },
  { serverId: 'cs2', address: '127.0.0.1:2' },
];

const attr = (size: number) => fileAttr(INO, size);

/** A master with one file whose chunk 0 is chunk 9; every grant the same version. */
class FakeMaster {
  async call(method: string, body: Record<string, unknown>): Promise<unknown> {
    switch (method) {
      case 'Mknod':
        return { attr: attr(0) };
      case 'WriteChunk':
        return { chunkId: 9, version: 1, fileLength: 0, chain: CHAIN, isNew: false, truncateTo: -1 };
      case 'Sync':
        // The masters' durability barrier (fsync's last step): nothing to wait for here.
        return {};
      case 'CommitWrite':
        return { attr: attr(Number(body.length)) };
      case 'ReportReplica':
        return {};
      default:
        throw new Error(`unexpected call ${method}`);
    }
  }
}

/** The head of the chain: keeps what is written, counts writes, and holds each write until `gate` opens. */
class FakeChunkservers {
  readonly bytes = Buffer.alloc(4 * 1024 * KiB);
  writes = 0;
  flushes = 0;
  failWith: MoosengError | null = null;
  private gate: Promise<void> = Promise.resolve();
  private openGate: () => void = () => undefined;

  close(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }
  open(): void {
    this.openGate();
  }
  async create(): Promise<void> {}
  async write(_address: string, _ref: unknown, offset: number, data: Buffer): Promise<void> {
    this.writes++;
    await this.gate;
    if (this.failWith) throw this.failWith;
    data.copy(this.bytes, offset);
  }
  async flush(): Promise<void> {
    this.flushes++;
  }
}

/** Lets every pending callback and timer-free promise chain run (no wall-clock time). */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A repeatable stream of 32-bit numbers. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
}

describe('client: the write-back cache', () => {
  let chunkservers: FakeChunkservers;

  function client(writeBufferBytes: number): FileSystemClient {
    chunkservers = new FakeChunkservers();
    const master = new FakeMaster() as unknown as MasterClient;
    const clock = new ManualClock();
    const io = new FileIo(master, chunkservers as unknown as DataPlaneClient, clock, silentLogger);
    return new FileSystemClient(master, io, { attrTtlMs: 1_000, writeBufferBytes, writeBack: true, clock, logger: silentLogger });
  }

  it('merges 1,000 random 4 KiB writes into far fewer chunkserver writes, and fsync stores every byte', async () => {
    const fs = client(64 * 1024 * KiB);
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    const model = Buffer.alloc(chunkservers.bytes.length);
    const next = seeded(7);
    const blocks = (2 * 1024 * KiB) / (4 * KiB);
    for (let i = 0; i < 1_000; i++) {
      const data = Buffer.alloc(4 * KiB, i % 251);
      const at = (next() % blocks) * 4 * KiB;
      await fs.write(fh, data, at, CRED);
      data.copy(model, at);
    }
    await fs.fsync(fh, CRED);
    expect(chunkservers.bytes.equals(model), 'every byte as last written').to.equal(true);
    expect(chunkservers.writes, 'chunkserver writes for 1,000 pwrites').to.be.below(200);
    expect(chunkservers.flushes).to.be.above(0);
  });

  it('makes a writer wait while the cache is full, and lets it go on once a send frees room', async () => {
    const fs = client(64 * KiB);
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    chunkservers.close();
    // 16 scattered 4 KiB writes fill the 64 KiB cache; their sends are held at the chunkservers.
    for (let i = 0; i < 16; i++) await fs.write(fh, Buffer.alloc(4 * KiB, i + 1), i * 8 * KiB, CRED);
    let done = false;
    const blocked = fs.write(fh, Buffer.alloc(4 * KiB, 99), 200 * KiB, CRED).then(() => (done = true));
    await settle();
    expect(done, 'a write into a full cache').to.equal(false);
    expect(chunkservers.writes, 'the cache went out while full').to.be.above(0);
    chunkservers.open();
    await blocked;
    await fs.fsync(fh, CRED);
    for (let i = 0; i < 16; i++) expect(chunkservers.bytes[i * 8 * KiB], `write ${i}`).to.equal(i + 1);
    expect(chunkservers.bytes[200 * KiB]).to.equal(99);
  });

  it('reports a send that failed in the background at the next fsync (once), never as success', async () => {
    const fs = client(64 * KiB);
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    chunkservers.failWith = new MoosengError(ErrorCodes.IO_ERROR, 'disk gone');
    // A quarter of the cache (16 KiB) starts a background send, which fails after its retries.
    for (let i = 0; i < 8; i++) await fs.write(fh, Buffer.alloc(4 * KiB, 1), i * 8 * KiB, CRED);
    await settle();
    chunkservers.failWith = null;
    let code = 'OK';
    try {
      await fs.fsync(fh, CRED);
    } catch (err) {
      code = isMoosengError(err) ? err.code : String(err);
    }
    expect(code).to.equal(ErrorCodes.IO_ERROR);
  });

  it('lands a write over bytes its own handle is still sending after them', async () => {
    const fs = client(64 * KiB);
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, 0, CRED)).fh;
    chunkservers.close();
    for (let i = 0; i < 4; i++) await fs.write(fh, Buffer.alloc(4 * KiB, 1), i * 8 * KiB, CRED);
    await settle();
    expect(chunkservers.writes, 'the first batch is on its way').to.be.above(0);
    await fs.write(fh, Buffer.alloc(4 * KiB, 2), 0, CRED);
    chunkservers.open();
    await fs.fsync(fh, CRED);
    expect(chunkservers.bytes[0]).to.equal(2);
    expect(chunkservers.bytes[8 * KiB]).to.equal(1);
  });

  it('answers an O_SYNC write only once it is written and flushed on the chain', async () => {
    const fs = client(64 * 1024 * KiB);
    const fh = (await fs.create(ROOT_INODE, 'f', 0o644, fsConstants.O_SYNC, CRED)).fh;
    for (let i = 0; i < 3; i++) {
      await fs.write(fh, Buffer.alloc(4 * KiB, i + 1), i * 64 * KiB, CRED);
      expect(chunkservers.bytes[i * 64 * KiB], `write ${i} stored`).to.equal(i + 1);
      expect(chunkservers.flushes, `write ${i} flushed`).to.equal(i + 1);
    }
  });
});
