// The client over links that damage chunk bytes in transit (a real TCP proxy in front of real chunkservers): a read
// returns the right bytes from another replica, or fails with EIO, never bad bytes; a damaged write is refused,
// retried under a new grant, and no replica keeps bad bytes.
import { expect } from 'chai';
import { BLOCK_SIZE_BYTES, DataPlaneClient, ErrorCodes, isMoosengError, MessageType, silentLogger, SystemClock } from '@mooseng/core';
import { FileIo, type MasterClient, OpenFile } from '@mooseng/client';
import { cleanupTempDirs, CorruptingProxy } from '../support';
import { randomBytes, startChunkserver, type RunningChunkserver } from '../chunkserver/helpers';

const CRED = { uid: 0, gids: [0] };
const INO = 7;
const CHUNK_ID = 77;

interface Location {
  serverId: string;
  address: string;
}

/** A master that hands out `locations` for reading and `chain` for writing chunk 77, and records reports. */
class FakeMaster {
  locations: Location[] = [];
  chain: Location[] = [];
  fileLength = 0;
  version = 1;
  grants = 0;
  readonly reports: Array<{ serverId: string; code: string }> = [];

  async call(method: string, body: Record<string, unknown>): Promise<unknown> {
    switch (method) {
      case 'ReadChunk':
        return { chunkId: CHUNK_ID, version: this.version, fileLength: this.fileLength, locations: this.locations };
      case 'WriteChunk':
        this.grants++;
        return { chunkId: CHUNK_ID, version: this.version, fileLength: this.fileLength, chain: this.chain, isNew: false, truncateTo: -1 };
      case 'ReportReplica':
        this.reports.push({ serverId: String(body.serverId), code: String(body.code) });
        return {};
      default:
        throw new Error(`unexpected call ${method}`);
    }
  }
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isMoosengError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('client: chunk bytes damaged in transit', function () {
  this.timeout(60_000);
  const servers: RunningChunkserver[] = [];
  const proxies: CorruptingProxy[] = [];
  const clock = new SystemClock();
  let data: DataPlaneClient;
  let master: FakeMaster;
  let io: FileIo;

  before(async () => {
    servers.push(await startChunkserver(), await startChunkserver());
    data = new DataPlaneClient({ clock });
  });
  beforeEach(() => {
    master = new FakeMaster();
    io = new FileIo(master as unknown as MasterClient, data, clock, silentLogger);
  });
  afterEach(async () => {
    for (const p of proxies.splice(0)) await p.close();
  });
  after(async () => {
    data?.close();
    for (const s of servers) await s.stop();
    cleanupTempDirs();
  });

  async function proxyTo(server: RunningChunkserver): Promise<CorruptingProxy> {
    const proxy = await CorruptingProxy.start(server.address);
    proxies.push(proxy);
    return proxy;
  }

  /** Stores `bytes` as chunk CHUNK_ID on both servers (written directly, not through the proxies). */
  async function storeOnBoth(bytes: Buffer): Promise<void> {
    const ref = { chunkId: CHUNK_ID, version: 1 };
    for (const s of servers) {
      await data.delete(s.address, ref).catch(() => undefined);
      await data.create(s.address, ref);
      await data.write(s.address, ref, 0, bytes);
    }
    master.fileLength = bytes.length;
  }

  it('a read whose bytes are damaged on the way returns the right bytes from the next replica, reporting the first as corrupt', async () => {
    const bytes = randomBytes(20 * BLOCK_SIZE_BYTES + 123, 1);
    await storeOnBoth(bytes);
    const bad = await proxyTo(servers[0]!);
    bad.corrupt(MessageType.CSTOAN_READ_DATA, 1000);
    master.locations = [
      { serverId: 'cs-a', address: bad.address },
      { serverId: 'cs-b', address: servers[1]!.address },
    ];
    const got = await io.read(new OpenFile(INO, clock), 100, bytes.length - 100, CRED);
    expect(bad.count(MessageType.CSTOAN_READ_DATA), 'the proxy damaged the first replica').to.be.greaterThan(0);
    expect(got.equals(bytes.subarray(100)), 'the bytes read').to.equal(true);
    // Reported as corrupt: the master has that chunkserver re-read the replica before it marks it (CLTOCS_VERIFY).
    expect(master.reports).to.deep.equal([{ serverId: 'cs-a', code: ErrorCodes.CHUNK_CORRUPT }]);
  });

  it('a read whose only replica comes damaged fails with EIO (IO_ERROR) instead of returning the bytes', async () => {
    const bytes = randomBytes(3 * BLOCK_SIZE_BYTES, 2);
    await storeOnBoth(bytes);
    const bad = await proxyTo(servers[0]!);
    bad.corrupt(MessageType.CSTOAN_READ_DATA, 1_000_000);
    master.locations = [{ serverId: 'cs-a', address: bad.address }];
    const err = await failure(io.read(new OpenFile(INO, clock), 0, bytes.length, CRED));
    expect(err.code).to.equal(ErrorCodes.IO_ERROR);
    expect(err.message).to.contain('corrupted in transit');
    expect(master.reports.length).to.be.greaterThan(0);
    expect(master.reports.every((r) => r.serverId === 'cs-a' && r.code === ErrorCodes.CHUNK_CORRUPT)).to.equal(true);
  });

  it('a write damaged on its way to the head is refused and retried under a new grant; every replica ends with the right bytes', async () => {
    await storeOnBoth(Buffer.alloc(0));
    const head = await proxyTo(servers[0]!);
    head.corrupt(MessageType.CLTOCS_WRITE, 1);
    master.chain = [
      { serverId: 'cs-a', address: head.address },
      { serverId: 'cs-b', address: servers[1]!.address },
    ];
    const bytes = randomBytes(BLOCK_SIZE_BYTES + 999, 3);
    await io.write(new OpenFile(INO, clock), 10, bytes, CRED);
    expect(head.count(MessageType.CLTOCS_WRITE)).to.equal(1);
    expect(master.grants, 'the refused write took a second grant').to.equal(2);
    expect(master.reports).to.deep.equal([{ serverId: 'cs-a', code: ErrorCodes.CHUNK_CRC_MISMATCH }]);
    for (const s of servers)
      expect((await data.read(s.address, { chunkId: CHUNK_ID, version: 1 }, 10, bytes.length)).equals(bytes), s.address).to.equal(true);
  });

  it('a write that comes damaged every time fails with EIO and no replica stores any of it', async () => {
    await storeOnBoth(Buffer.alloc(0));
    const head = await proxyTo(servers[0]!);
    head.corrupt(MessageType.CLTOCS_WRITE, 1000);
    master.chain = [
      { serverId: 'cs-a', address: head.address },
      { serverId: 'cs-b', address: servers[1]!.address },
    ];
    const err = await failure(io.write(new OpenFile(INO, clock), 0, randomBytes(5000, 4), CRED));
    expect(err.code).to.equal(ErrorCodes.IO_ERROR);
    expect(err.message).to.contain('CRC');
    for (const s of servers) expect(await data.stat(s.address, CHUNK_ID), s.address).to.include({ length: 0 });
  });
});
