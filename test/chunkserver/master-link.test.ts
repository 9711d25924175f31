// The chunkserver ↔ master control protocol against a minimal in-test master speaking the real chunkserver.proto.
import { expect } from 'chai';
import * as grpc from '@grpc/grpc-js';
import {
  BLOCK_SIZE_BYTES,
  DataPlaneClient,
  SystemClock,
  chunkserverToMasterService,
  toGrpcError,
  MoosengError,
  type ChunkserverToMasterCorrupt,
  type ChunkserverToMasterHandlers,
  type ChunkserverToMasterHeartbeat,
  type ChunkserverToMasterRegister,
} from '@mooseng/core';
import { chunkFilePath, slotOffset } from '@mooseng/block-store';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, makeTempDir, waitFor } from '../support';
import { expectCode, flipByte, randomBytes, startChunkserver, type RunningChunkserver } from './helpers';

/** A master that records what chunkservers tell it. */
class RecordingMaster {
  readonly registrations: ChunkserverToMasterRegister[][] = [];
  readonly heartbeats: ChunkserverToMasterHeartbeat[] = [];
  readonly corrupt: ChunkserverToMasterCorrupt[] = [];
  failNextHeartbeat = false;
  private readonly server = new grpc.Server();
  address = '';

  async start(port = 0): Promise<void> {
    const handlers: ChunkserverToMasterHandlers = {
      Register: (call, cb) => {
        const messages: ChunkserverToMasterRegister[] = [];
        call.on('data', (m: ChunkserverToMasterRegister) => messages.push(m));
        call.on('end', () => {
          this.registrations.push(messages);
          cb(null, { masterId: 'test-master', clusterId: 'mooseng', session: this.registrations.length });
        });
      },
      Heartbeat: (call, cb) => {
        if (this.failNextHeartbeat) {
          this.failNextHeartbeat = false;
          return cb(toGrpcError(new MoosengError('UNAVAILABLE', 'master restarted; register again')) as grpc.ServiceError, null);
        }
        this.heartbeats.push(call.request);
        cb(null, {});
      },
      ReportCorrupt: (call, cb) => {
        this.corrupt.push(call.request);
        cb(null, {});
      },
    };
    this.server.addService(chunkserverToMasterService().service, handlers);
    const bound = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.address = `127.0.0.1:${bound}`;
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

describe('chunkserver ↔ master control protocol', function () {
  this.timeout(30_000);
  const master = new RecordingMaster();
  let cs: RunningChunkserver;
  const client = new DataPlaneClient({ clock: new SystemClock() });

  before(async () => {
    await master.start();
    cs = await startChunkserver({ masters: [master.address], heartbeatIntervalMs: 100, scrubRateMBps: 1000 });
  });
  after(async () => {
    client.close();
    await cs?.stop();
    master.stop();
    cleanupTempDirs();
  });

  it('registers with its identity, directories and chunk list, then heartbeats its capacity', async () => {
    await waitFor('a registration', () => master.registrations.length > 0);
    const [first] = master.registrations[0]!;
    expect(first!.identity).to.include({ dataAddress: cs.address, clusterId: 'mooseng' });
    expect(first!.dirs).to.have.length(1);
    expect(first!.dirs[0]).to.include({ dir: cs.dataDirs[0], usable: true });
    expect(first!.dirs[0]!.freeBytes).to.be.above(0);
    await client.create(cs.address, { chunkId: 1, version: 1 });
    await client.write(cs.address, { chunkId: 1, version: 1 }, 0, randomBytes(1000, 1));
    await waitFor('a heartbeat counting the chunk', () =>
      master.heartbeats.some((h) => h.chunks === 1 && h.session === 1 && h.dirs[0]!.usable),
    );
    const states = cs.runtime.masters();
    expect(states[0]).to.include({ address: master.address, registered: true, masterId: 'test-master' });
  });

  it('fails a read of a flipped byte with CHUNK_CORRUPT, and both the read and the scrubber report it', async () => {
    const ref = { chunkId: 6, version: 2 };
    await client.create(cs.address, ref);
    await client.write(cs.address, ref, 0, randomBytes(2 * BLOCK_SIZE_BYTES, 6));
    flipByte(chunkFilePath(cs.dataDirs[0]!, 6, 2), slotOffset(1) + 7);
    await expectCode(client.read(cs.address, ref, BLOCK_SIZE_BYTES, 100), 'CHUNK_CORRUPT');
    await waitFor(
      'reports from the read and the scrubber',
      () => master.corrupt.some((c) => c.foundBy === 'scrub') && master.corrupt.some((c) => c.foundBy === 'read'),
    );
    for (const report of master.corrupt.filter((c) => c.chunkId === 6))
      expect(report).to.deep.include({ version: 2, blocks: [1], dir: cs.dataDirs[0] });
    expect(cs.runtime.scrub.corrupt).to.include('6_2');
    // The sound block still reads.
    expect((await client.read(cs.address, ref, 0, 100)).length).to.equal(100);
  });

  it('reports the chunks of a directory that failed as lost in the next heartbeat', async () => {
    const base = makeTempDir('mooseng-lost-');
    const two = await startChunkserver({
      masters: [master.address],
      heartbeatIntervalMs: 100,
      dataDirs: [join(base, 'a'), join(base, 'b')],
    });
    try {
      await client.create(two.address, { chunkId: 30, version: 4 });
      const home = [join(base, 'a'), join(base, 'b')].find((d) => existsSync(chunkFilePath(d, 30, 4)))!;
      rmSync(home, { recursive: true, force: true });
      const beat = await waitFor('a heartbeat with the lost chunk', () =>
        master.heartbeats.find((h) => h.lostChunks.some((c) => c.chunkId === 30)),
      );
      expect(beat.lostChunks).to.deep.equal([{ chunkId: 30, version: 4, length: 0 }]);
      expect(beat.dirs.find((d) => d.dir === home)).to.deep.include({ usable: false });
    } finally {
      await two.stop();
    }
  });

  it('registers again when a master loses its session', async () => {
    const mine = (): ChunkserverToMasterRegister[][] => master.registrations.filter((r) => r[0]?.identity?.dataAddress === cs.address);
    const before = mine().length;
    master.failNextHeartbeat = true;
    await waitFor('a new registration', () => mine().length > before);
    const registration = mine()[before]!;
    const chunks = registration
      .flatMap((m) => m.chunks)
      .map((c) => `${c.chunkId}_${c.version}`)
      .sort();
    expect(chunks).to.deep.equal(['1_1', '6_2']);
  });

  it('registers within seconds with a master that was down for a while (its channel retries every second at most)', async function () {
    this.timeout(60_000);
    // gRPC's default reconnect backoff grows to 120 s: a master down for minutes was registered with again up to two
    // minutes after it came back, its chunks counted missing meanwhile (found on a cluster whose master was
    // restarted after five minutes down: two chunkservers of three stayed away). 12 s down puts the default's next
    // try about 4 s after the master is back.
    const first = new RecordingMaster();
    await first.start();
    const port = Number(first.address.split(':')[1]);
    const lonely = await startChunkserver({ masters: [first.address], heartbeatIntervalMs: 100 });
    try {
      await waitFor('a registration', () => first.registrations.length > 0);
      first.stop();
      await new Promise((r) => setTimeout(r, 12_000));
      const again = new RecordingMaster();
      await again.start(port);
      try {
        const back = Date.now();
        await waitFor('a registration with the master back', () => again.registrations.length > 0, 10_000);
        expect(Date.now() - back).to.be.below(2_500);
      } finally {
        again.stop();
      }
    } finally {
      await lonely.stop();
    }
  });

  it('reports a corrupt copy again to a master it registers with again (a restarted master, or a new leader, would count it as good)', async () => {
    const mine = (): ChunkserverToMasterRegister[][] => master.registrations.filter((r) => r[0]?.identity?.dataAddress === cs.address);
    const before = mine().length;
    master.failNextHeartbeat = true;
    await waitFor('a new registration', () => mine().length > before);
    const session = mine().length;
    const again = await waitFor('the corrupt copy reported under the new session', () =>
      master.corrupt.find((c) => c.chunkId === 6 && c.session === session),
    );
    expect(again).to.deep.include({ version: 2, blocks: [1], dir: cs.dataDirs[0] });
  });

  it("answers the leader's verify: OK for a sound chunk, CHUNK_CORRUPT naming the bad blocks (and reported) for a rotten one", async () => {
    const sound = { chunkId: 7, version: 1 };
    const rotten = { chunkId: 8, version: 3 };
    for (const ref of [sound, rotten]) {
      await client.create(cs.address, ref);
      await client.write(cs.address, ref, 0, randomBytes(3 * BLOCK_SIZE_BYTES, ref.chunkId));
    }
    flipByte(chunkFilePath(cs.dataDirs[0]!, 8, 3), slotOffset(2) + 9);
    await client.verify(cs.address, sound);
    const err = await expectCode(client.verify(cs.address, rotten), 'CHUNK_CORRUPT');
    expect(err.message).to.include('blocks 2 fail their CRC');
    await waitFor('the verify reported', () => master.corrupt.some((c) => c.chunkId === 8 && c.foundBy === 'verify'));
    expect(master.corrupt.find((c) => c.foundBy === 'verify')).to.deep.include({ version: 3, blocks: [2], dir: cs.dataDirs[0] });
    await expectCode(client.verify(cs.address, { chunkId: 8, version: 2 }), 'CHUNK_STALE_VERSION');
    await expectCode(client.verify(cs.address, { chunkId: 99, version: 1 }), 'CHUNK_NOT_FOUND');
    for (const ref of [sound, rotten]) await client.delete(cs.address, ref);
  });
});
