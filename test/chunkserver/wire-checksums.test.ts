// End-to-end checksums on the data plane: a byte flipped on the wire is caught by the receiver in each direction
// (chunkserver to client, client to chunkserver, along a write chain, and in a repair copy), through a real TCP proxy
// that damages frames in transit.
import { expect } from 'chai';
import { BLOCK_SIZE_BYTES, DataPlaneClient, MessageType, SystemClock } from '@mooseng/core';
import { cleanupTempDirs, CorruptingProxy } from '../support';
import { expectCode, randomBytes, startChunkserver, textBytes, type RunningChunkserver } from './helpers';

describe('end-to-end checksums on the data plane', function () {
  this.timeout(60_000);
  const servers: RunningChunkserver[] = [];
  const proxies: CorruptingProxy[] = [];
  let client: DataPlaneClient;

  before(async () => {
    servers.push(await startChunkserver(), await startChunkserver(), await startChunkserver({ compressor: 'compression-lz4' }));
    client = new DataPlaneClient({ clock: new SystemClock() });
  });
  afterEach(async () => {
    for (const p of proxies.splice(0)) await p.close();
  });
  after(async () => {
    client?.close();
    for (const s of servers) await s.stop();
    cleanupTempDirs();
  });

  async function proxyTo(server: RunningChunkserver): Promise<CorruptingProxy> {
    const proxy = await CorruptingProxy.start(server.address);
    proxies.push(proxy);
    return proxy;
  }

  it('a read piece damaged on its way to the reader fails the read, and no byte of it is handed on', async () => {
    const [a] = servers;
    const ref = { chunkId: 900, version: 1 };
    const data = randomBytes(3 * BLOCK_SIZE_BYTES * 16 + 100, 900);
    await client.create(a!.address, ref);
    await client.write(a!.address, ref, 0, data);
    const proxy = await proxyTo(a!);
    proxy.corrupt(MessageType.CSTOAN_READ_DATA);
    const handedOn: Array<{ offset: number; data: Buffer }> = [];
    const reading = (async () => {
      for await (const piece of client.readStream(proxy.address, ref, 5, data.length - 5)) handedOn.push(piece);
    })();
    const err = await expectCode(reading, 'CHUNK_CRC_MISMATCH');
    expect(proxy.count(MessageType.CSTOAN_READ_DATA), 'the proxy damaged a frame').to.equal(1);
    expect(err.message).to.contain(proxy.address);
    for (const piece of handedOn)
      expect(piece.data.equals(data.subarray(piece.offset, piece.offset + piece.data.length)), `bytes at ${piece.offset}`).to.equal(true);
    // The connection stays usable, and the replica itself was never bad.
    expect((await client.read(proxy.address, ref, 5, data.length - 5)).equals(data.subarray(5))).to.equal(true);
  });

  it('a partial block and a compressed block carry a CRC of exactly the bytes sent', async () => {
    const c = servers[2]!;
    const ref = { chunkId: 901, version: 1 };
    const data = textBytes(5 * BLOCK_SIZE_BYTES + 777);
    await client.create(c.address, ref);
    await client.write(c.address, ref, 0, data);
    const proxy = await proxyTo(c);
    // Starts and ends inside blocks, which are stored lz4-compressed: every CRC sent is computed over the part.
    expect(
      (await client.read(proxy.address, ref, 1000, 3 * BLOCK_SIZE_BYTES)).equals(data.subarray(1000, 1000 + 3 * BLOCK_SIZE_BYTES)),
    ).to.equal(true);
    proxy.corrupt(MessageType.CSTOAN_READ_DATA);
    await expectCode(client.read(proxy.address, ref, 1000, 3 * BLOCK_SIZE_BYTES), 'CHUNK_CRC_MISMATCH');
  });

  it('a write damaged on its way to the head is refused, and no replica of the chain stores it', async () => {
    const [a, b, c] = servers;
    const ref = { chunkId: 902, version: 1 };
    const chain = [b!.address, c!.address];
    await client.create(a!.address, ref, { chain });
    const proxy = await proxyTo(a!);
    proxy.corrupt(MessageType.CLTOCS_WRITE);
    const data = randomBytes(5 * BLOCK_SIZE_BYTES + 300, 902);
    const err = await expectCode(client.write(proxy.address, ref, 1000, data, { chain }), 'CHUNK_CRC_MISMATCH');
    expect(proxy.count(MessageType.CLTOCS_WRITE)).to.equal(1);
    expect(err.message).to.match(/in transit/);
    for (const s of [a!, b!, c!]) expect(await client.stat(s.address, 902), `replica ${s.address}`).to.include({ length: 0 });
    // The same write on an undamaged path is stored on every replica.
    await client.write(proxy.address, ref, 1000, data, { chain });
    for (const s of [a!, b!, c!]) expect((await client.read(s.address, ref, 1000, data.length)).equals(data)).to.equal(true);
  });

  it('a write damaged between two chunkservers of the chain is refused there and reported as that replica failing', async () => {
    const [a, b, c] = servers;
    const ref = { chunkId: 903, version: 1 };
    const toB = await proxyTo(b!);
    const chain = [toB.address, c!.address];
    await client.create(a!.address, ref, { chain });
    toB.corrupt(MessageType.CSTOCS_WRITE);
    const data = randomBytes(2 * BLOCK_SIZE_BYTES, 903);
    const err = await expectCode(client.write(a!.address, ref, 0, data, { chain }), 'REPLICA_FAILED');
    expect(toB.count(MessageType.CSTOCS_WRITE)).to.equal(1);
    expect(err.details.failedReplica).to.equal(toB.address);
    expect(err.message).to.contain('CHUNK_CRC_MISMATCH');
    // The head checked the bytes it got (good) and stored them; the replica behind the damaged hop stored nothing,
    // and nothing was forwarded past it.
    expect((await client.read(a!.address, ref, 0, data.length)).equals(data)).to.equal(true);
    for (const s of [b!, c!]) expect(await client.stat(s.address, 903), `replica ${s.address}`).to.include({ length: 0 });
  });

  it('a repair copy whose source bytes are damaged on the way fails and leaves no copy behind', async () => {
    const [a, , c] = servers;
    const ref = { chunkId: 904, version: 2 };
    const data = randomBytes(40 * BLOCK_SIZE_BYTES + 5, 904);
    await client.create(a!.address, ref);
    await client.write(a!.address, ref, 0, data);
    const source = await proxyTo(a!);
    source.corrupt(MessageType.CSTOAN_READ_DATA);
    await expectCode(client.replicate(c!.address, ref, source.address), 'CHUNK_CRC_MISMATCH');
    expect(source.count(MessageType.CSTOAN_READ_DATA)).to.equal(1);
    await expectCode(client.stat(c!.address, 904), 'CHUNK_NOT_FOUND');
    // Undamaged, the copy is made and holds the source's bytes.
    await client.replicate(c!.address, ref, source.address);
    expect((await client.read(c!.address, ref, 0, data.length)).equals(data)).to.equal(true);
  });
});
