// Writes along a chain of three real chunkserver role instances, failure reporting, and the repair copy.
import { expect } from 'chai';
import { DataPlaneClient, MAX_FRAME_DATA_BYTES, SystemClock } from '@mooseng/core';
import { cleanupTempDirs } from '../support';
import { expectCode, randomBytes, startChunkserver, type RunningChunkserver } from './helpers';

describe('replication chain', function () {
  this.timeout(60_000);
  const servers: RunningChunkserver[] = [];
  let client: DataPlaneClient;

  before(async () => {
    servers.push(
      await startChunkserver(),
      await startChunkserver({ store: 'storage-directio' }),
      await startChunkserver({ compressor: 'compression-lz4' }),
    );
    client = new DataPlaneClient({ clock: new SystemClock() });
  });
  after(async () => {
    client?.close();
    for (const s of servers) await s.stop();
    cleanupTempDirs();
  });

  it('creates and writes on every replica and acknowledges once all have the data', async () => {
    const [a, b, c] = servers;
    const ref = { chunkId: 500, version: 1 };
    const chain = [b!.address, c!.address];
    await client.create(a!.address, ref, { chain });
    const data = randomBytes(3 * MAX_FRAME_DATA_BYTES + 4321, 500);
    await client.write(a!.address, ref, 10, data, { chain });
    // Acknowledged: every replica already holds every byte, no waiting.
    for (const s of [a!, b!, c!]) {
      expect(await client.stat(s.address, 500)).to.deep.equal({ chunkId: 500, version: 1, length: 10 + data.length });
      expect((await client.read(s.address, ref, 10, data.length)).equals(data), `replica ${s.address}`).to.equal(true);
    }
    await client.flush(a!.address, ref, { chain });
    await client.truncate(a!.address, ref, 100, { chain });
    await client.setVersion(a!.address, ref, 2, { chain });
    for (const s of [a!, b!, c!]) expect(await client.stat(s.address, 500)).to.deep.equal({ chunkId: 500, version: 2, length: 100 });
    await client.delete(a!.address, { chunkId: 500, version: 2 }, { chain });
    for (const s of [a!, b!, c!]) await expectCode(client.stat(s.address, 500), 'CHUNK_NOT_FOUND');
  });

  it('reports which replica failed when one in the middle refuses the write', async () => {
    const [a, b, c] = servers;
    const ref = { chunkId: 501, version: 1 };
    const chain = [b!.address, c!.address];
    await client.create(a!.address, ref, { chain });
    await client.setVersion(b!.address, ref, 7); // b now disagrees about the version
    const err = await expectCode(client.write(a!.address, ref, 0, Buffer.from('payload'), { chain }), 'REPLICA_FAILED');
    expect(err.details.failedReplica).to.equal(b!.address);
    expect(err.message).to.contain('CHUNK_STALE_VERSION');
    // The head kept its own copy: the failure is reported, not hidden, and the master decides what to do.
    expect((await client.read(a!.address, ref, 0, 7)).toString()).to.equal('payload');
  });

  it('copies a chunk from another chunkserver for repair', async () => {
    const [a, , c] = servers;
    const ref = { chunkId: 502, version: 3 };
    await client.create(a!.address, ref);
    const data = randomBytes(2 * MAX_FRAME_DATA_BYTES + 99, 502);
    await client.write(a!.address, ref, 0, data);
    await client.replicate(c!.address, ref, a!.address);
    expect((await client.read(c!.address, ref, 0, data.length + 10)).equals(data)).to.equal(true);
    await expectCode(client.replicate(c!.address, ref, a!.address), 'CHUNK_EXISTS');
    await expectCode(client.replicate(c!.address, { chunkId: 502, version: 4 }, a!.address), 'CHUNK_STALE_VERSION');
    expect((await client.stat(c!.address, 502)).version, 'a refused copy keeps the local replica').to.equal(3);
    await expectCode(client.replicate(c!.address, { chunkId: 777, version: 1 }, a!.address), 'CHUNK_NOT_FOUND');
  });

  it('names the last replica when it is gone, after the others stored the data', async () => {
    const [a, b, c] = servers;
    const ref = { chunkId: 503, version: 1 };
    const chain = [b!.address, c!.address];
    await client.create(a!.address, ref, { chain });
    await c!.stop();
    const err = await expectCode(client.write(a!.address, ref, 0, Buffer.from('still here'), { chain }), 'REPLICA_FAILED');
    expect(err.details.failedReplica).to.equal(c!.address);
    expect(err.message).to.match(/UNAVAILABLE/);
    for (const s of [a!, b!]) expect((await client.read(s.address, ref, 0, 10)).toString()).to.equal('still here');
  });
});
