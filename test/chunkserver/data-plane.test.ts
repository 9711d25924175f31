// A chunkserver role over its real data-plane socket: every operation, streaming, bad input, cancellation, HTTP.
import { expect } from 'chai';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import {
  BLOCK_SIZE_BYTES,
  blockPartCrcs,
  CHUNK_SIZE_BYTES,
  DATA_PLANE_VERSION,
  DataPlaneClient,
  FrameDecoder,
  MAX_FRAME_DATA_BYTES,
  MAX_FRAME_PAYLOAD_BYTES,
  MessageType,
  SystemClock,
  codeOfStatus,
  decodeReply,
  encodeFrameHeader,
  encodeReply,
  encodeRequest,
  frameMagicOf,
  type ChunkReply,
} from '@mooseng/core';
import { cleanupTempDirs, freePort } from '../support';
import { expectCode, randomBytes, startChunkserver, textBytes, type RunningChunkserver } from './helpers';

/** A raw socket to the data plane that records the replies it gets. */
class RawPeer {
  readonly replies: Array<{ requestId: number; reply: ChunkReply }> = [];
  readonly socket: Socket;
  closed = false;

  constructor(address: string) {
    const [host, port] = address.split(':');
    this.socket = connect({ host: host!, port: Number(port) });
    const decoder = new FrameDecoder({
      frame: (type, requestId, payload) => this.replies.push({ requestId, reply: decodeReply(type, payload) }),
      oversized: () => expect.fail('server sent an oversized frame'),
      malformed: (reason) => expect.fail(reason),
    });
    this.socket.on('data', (d: Buffer) => decoder.push(d));
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('error', () => undefined);
  }

  async reply(requestId: number): Promise<ChunkReply> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = this.replies.find((r) => r.requestId === requestId);
      if (found) return found.reply;
      if (Date.now() > deadline) throw new Error(`no reply to request ${requestId}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

function statusCode(reply: ChunkReply): string {
  if (reply.op !== 'status') throw new Error(`expected a status, got ${reply.op}`);
  return reply.status === 0 ? 'OK' : codeOfStatus(reply.status);
}

describe('chunkserver data plane', function () {
  this.timeout(30_000);
  let cs: RunningChunkserver;
  let client: DataPlaneClient;

  before(async () => {
    cs = await startChunkserver({ compressor: 'compression-lz4' });
    client = new DataPlaneClient({ clock: new SystemClock() });
  });
  after(async () => {
    client?.close();
    await cs?.stop();
    cleanupTempDirs();
  });

  it('creates, writes, reads, truncates, re-versions and deletes a chunk', async () => {
    const ref = { chunkId: 100, version: 1 };
    await client.create(cs.address, ref);
    const data = Buffer.concat([randomBytes(2 * MAX_FRAME_DATA_BYTES + 5, 100), textBytes(MAX_FRAME_DATA_BYTES)]);
    await client.write(cs.address, ref, 333, data);
    expect(await client.stat(cs.address, 100)).to.deep.equal({ chunkId: 100, version: 1, length: 333 + data.length });
    expect((await client.read(cs.address, ref, 333, data.length)).equals(data)).to.equal(true);
    expect((await client.read(cs.address, ref, 0, 333)).equals(Buffer.alloc(333))).to.equal(true);
    await client.truncate(cs.address, ref, 1000);
    expect((await client.read(cs.address, ref, 0, 5000)).length).to.equal(1000);
    await client.setVersion(cs.address, ref, 2);
    await expectCode(client.read(cs.address, ref, 0, 1), 'CHUNK_STALE_VERSION');
    await client.delete(cs.address, { chunkId: 100, version: 2 });
    await expectCode(client.stat(cs.address, 100), 'CHUNK_NOT_FOUND');
  });

  it('cuts a chunk and moves it to a new version in one request, refusing the old version afterwards', async () => {
    const ref = { chunkId: 190, version: 4 };
    await client.create(cs.address, ref);
    await client.write(cs.address, ref, 0, randomBytes(300_000, 190));
    await expectCode(client.cut(cs.address, { chunkId: 190, version: 3 }, 10, 5), 'CHUNK_STALE_VERSION');
    await client.cut(cs.address, ref, 100_001, 5);
    expect(await client.stat(cs.address, 190)).to.deep.equal({ chunkId: 190, version: 5, length: 100_001 });
    await expectCode(client.read(cs.address, ref, 0, 1), 'CHUNK_STALE_VERSION');
    expect(
      (await client.read(cs.address, { chunkId: 190, version: 5 }, 0, 300_000)).equals(randomBytes(300_000, 190).subarray(0, 100_001)),
    ).to.equal(true);
  });

  it('streams a whole chunk read in order, in pieces inside one block each (one CRC-checked block-part per frame)', async () => {
    const ref = { chunkId: 101, version: 1 };
    await client.create(cs.address, ref);
    const data = randomBytes(5 * MAX_FRAME_DATA_BYTES + 17, 101);
    await client.write(cs.address, ref, 0, data);
    const pieces = [];
    for await (const piece of client.readStream(cs.address, ref, 0, CHUNK_SIZE_BYTES)) pieces.push(piece);
    let expected = 0;
    for (const p of pieces) {
      expect(p.offset).to.equal(expected);
      expect(p.data.length).to.be.within(1, BLOCK_SIZE_BYTES - (p.offset % BLOCK_SIZE_BYTES));
      expected += p.data.length;
    }
    expect(expected).to.equal(data.length);
    expect(Buffer.concat(pieces.map((p) => p.data)).equals(data)).to.equal(true);
  });

  it("reads straight into the caller's buffer, telling it after each checked block-part how far the bytes are good", async () => {
    const ref = { chunkId: 104, version: 1 };
    await client.create(cs.address, ref);
    const data = randomBytes(3 * BLOCK_SIZE_BYTES + 5000, 104);
    await client.write(cs.address, ref, 0, data);
    const from = BLOCK_SIZE_BYTES / 2;
    const into = Buffer.alloc(data.length); // more than is left from `from`: the read comes back short
    const told: number[] = [];
    const got = await client.readInto(cs.address, ref, from, into, (bytes) => told.push(bytes));
    expect(got).to.equal(data.length - from);
    expect(into.subarray(0, got).equals(data.subarray(from))).to.equal(true);
    // One report per block-part, each at the end of a block (or of the data), rising to the whole.
    expect(told).to.deep.equal([BLOCK_SIZE_BYTES / 2, BLOCK_SIZE_BYTES * 1.5, BLOCK_SIZE_BYTES * 2.5, got]);
    // Pieces a stream yields are the caller's: the connection's one socket buffer is reused, the pieces are not.
    const pieces: Buffer[] = [];
    for await (const piece of client.readStream(cs.address, ref, 0, data.length)) pieces.push(piece.data);
    await client.read(cs.address, ref, 0, data.length); // more bytes through the same socket buffer
    expect(Buffer.concat(pieces).equals(data)).to.equal(true);
  });

  it('serves many reads at once from the buffers it uses again, without mixing their bytes', async () => {
    // Each read is sent from buffers the chunkserver takes back once the socket let go of them: given back too
    // early, one read's frames would carry another's bytes (and fail their CRC at the reader).
    const refs = [110, 111, 112, 113].map((chunkId) => ({ chunkId, version: 1 }));
    const datas = refs.map((r) => randomBytes(5 * MAX_FRAME_DATA_BYTES + 12_345, r.chunkId));
    for (const [i, ref] of refs.entries()) {
      await client.create(cs.address, ref);
      await client.write(cs.address, ref, 0, datas[i]!);
    }
    const second = new DataPlaneClient({ clock: new SystemClock() });
    try {
      for (let round = 0; round < 3; round++) {
        const got = await Promise.all(
          refs.flatMap((ref, i) =>
            [client, second].map((c) => c.read(cs.address, ref, round * 1000, datas[i]!.length).then((b) => [i, b] as const)),
          ),
        );
        for (const [i, bytes] of got)
          expect(bytes.equals(datas[i]!.subarray(round * 1000)), `chunk ${refs[i]!.chunkId}, round ${round}`).to.equal(true);
      }
    } finally {
      second.close();
    }
  });

  it('fails a read whose chunkserver sends bytes where the read did not ask for them, writing nothing there', async () => {
    // A chunkserver that answers a read of [0, 2 blocks) with the second block first, then the first.
    const block = (n: number) => Buffer.alloc(BLOCK_SIZE_BYTES, n);
    const frame = (type: number, id: number, payload: Buffer) => Buffer.concat([encodeFrameHeader(type, id, payload.length), payload]);
    const liar: Server = createServer((socket) =>
      socket
        .on('error', () => undefined)
        .once('data', (d: Buffer) => {
          const id = d.readUInt32BE(8);
          for (const [offset, n] of [
            [BLOCK_SIZE_BYTES, 2],
            [0, 1],
          ] as const) {
            const data = block(n);
            const payload = Buffer.concat(encodeReply({ op: 'read-data', offset, crc: blockPartCrcs(offset, data)[0]!, data }).payload);
            socket.write(frame(MessageType.CSTOAN_READ_DATA, id, payload));
          }
        }),
    );
    const port = await freePort();
    await new Promise<void>((r) => liar.listen(port, '127.0.0.1', r));
    const reader = new DataPlaneClient({ clock: new SystemClock() });
    try {
      const into = Buffer.alloc(2 * BLOCK_SIZE_BYTES, 0xee);
      const told: number[] = [];
      const err = await expectCode(
        reader.readInto(`127.0.0.1:${port}`, { chunkId: 1, version: 1 }, 0, into, (b) => told.push(b)),
        'PROTOCOL_ERROR',
      );
      expect(err.message).to.match(/sent 65536 bytes at 65536 of chunk 1, where the read wanted the bytes from 0 to 131072/);
      expect(told, 'nothing reported good').to.deep.equal([]);
      expect(
        into.every((b) => b === 0xee),
        'nothing written',
      ).to.equal(true);
    } finally {
      reader.close();
      liar.close();
    }
  });

  it('answers unknown chunks, stale versions, existing chunks and out-of-range offsets with their codes', async () => {
    const ref = { chunkId: 102, version: 5 };
    await client.create(cs.address, ref);
    await expectCode(client.create(cs.address, ref), 'CHUNK_EXISTS');
    await expectCode(client.read(cs.address, { chunkId: 9999, version: 1 }, 0, 10), 'CHUNK_NOT_FOUND');
    await expectCode(client.write(cs.address, { chunkId: 102, version: 4 }, 0, Buffer.from('old')), 'CHUNK_STALE_VERSION');
    await expectCode(client.write(cs.address, ref, CHUNK_SIZE_BYTES - 1, Buffer.from('ab')), 'CHUNK_OUT_OF_RANGE');
    await expectCode(client.read(cs.address, ref, CHUNK_SIZE_BYTES, 1), 'CHUNK_OUT_OF_RANGE');
    await expectCode(client.truncate(cs.address, ref, CHUNK_SIZE_BYTES + 1), 'CHUNK_OUT_OF_RANGE');
    expect((await client.stat(cs.address, 102)).length).to.equal(0);
  });

  it('answers a malformed payload and an unknown type with PROTOCOL_ERROR and keeps the connection', async () => {
    const peer = new RawPeer(cs.address);
    await once(peer.socket, 'connect');
    peer.socket.write(Buffer.concat([encodeFrameHeader(MessageType.CLTOCS_READ, 1, 3), Buffer.from([1, 2, 3])]));
    peer.socket.write(Buffer.concat([encodeFrameHeader(0x0999, 2, 4), Buffer.alloc(4)]));
    const [stat] = encodeRequest({ op: 'stat', chunkId: 102 });
    peer.socket.write(Buffer.concat([encodeFrameHeader(MessageType.CLTOCS_STAT, 3, stat!.length), stat!]));
    const bad = await peer.reply(1);
    expect(statusCode(bad)).to.equal('PROTOCOL_ERROR');
    expect((bad as { message: string }).message).to.contain('payload too short');
    expect(statusCode(await peer.reply(2))).to.equal('PROTOCOL_ERROR');
    expect((await peer.reply(3)).op).to.equal('stat-reply');
    expect(peer.closed).to.equal(false);
    peer.socket.destroy();
  });

  it('refuses an oversized frame with FRAME_TOO_LARGE without buffering it, and the connection goes on', async () => {
    const peer = new RawPeer(cs.address);
    await once(peer.socket, 'connect');
    const size = MAX_FRAME_PAYLOAD_BYTES * 4;
    peer.socket.write(encodeFrameHeader(MessageType.CLTOCS_WRITE, 7, size));
    const filler = Buffer.alloc(256 * 1024);
    for (let sent = 0; sent < size; sent += filler.length) {
      if (!peer.socket.write(filler.subarray(0, Math.min(filler.length, size - sent)))) await once(peer.socket, 'drain');
    }
    const reply = await peer.reply(7);
    expect(statusCode(reply)).to.equal('FRAME_TOO_LARGE');
    expect((reply as { message: string }).message).to.contain(String(size));
    const [stat] = encodeRequest({ op: 'stat', chunkId: 102 });
    peer.socket.write(Buffer.concat([encodeFrameHeader(MessageType.CLTOCS_STAT, 8, stat!.length), stat!]));
    expect((await peer.reply(8)).op).to.equal('stat-reply');
    peer.socket.destroy();
  });

  it('closes only the connection that speaks another protocol; the server keeps serving', async () => {
    const peer = new RawPeer(cs.address);
    await once(peer.socket, 'connect');
    peer.socket.write('GET /health HTTP/1.1\r\n\r\n');
    expect(statusCode(await peer.reply(0))).to.equal('PROTOCOL_ERROR');
    const deadline = Date.now() + 5000;
    while (!peer.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(peer.closed).to.equal(true);
    expect((await client.stat(cs.address, 102)).version).to.equal(5);
  });

  it('answers a peer of data-plane version 1 in its own framing, naming both versions, and closes only that connection', async () => {
    const v1 = frameMagicOf(1);
    const socket = connect({ host: '127.0.0.1', port: Number(cs.address.split(':')[1]) });
    await once(socket, 'connect');
    const [stat] = encodeRequest({ op: 'stat', chunkId: 102 });
    socket.write(Buffer.concat([encodeFrameHeader(MessageType.CLTOCS_STAT, 41, stat!.length, v1), stat!]));
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    await once(socket, 'close');
    const answer = Buffer.concat(received);
    // A version-1 reader can parse it: its own magic, the request id it sent, a status (the same layout in v1).
    expect(answer.readUInt32BE(0)).to.equal(v1);
    expect(answer.readUInt32BE(8)).to.equal(41);
    const reply = decodeReply(answer.readUInt16BE(4), answer.subarray(16, 16 + answer.readUInt32BE(12)));
    expect(statusCode(reply)).to.equal('PROTOCOL_ERROR');
    expect((reply as { message: string }).message).to.match(new RegExp(`version 1.*version ${DATA_PLANE_VERSION}`));
    expect((await client.stat(cs.address, 102)).version).to.equal(5);
  });

  it('fails a call to a chunkserver of data-plane version 1 with PROTOCOL_ERROR naming both versions', async () => {
    // What a version-1 chunkserver does with a frame of this version does not matter here: it answers in its own framing.
    const old: Server = createServer((socket) =>
      socket.once('data', (d: Buffer) => {
        const status = encodeReply({ op: 'status', status: 0, failedReplica: '', message: '' }).payload[0]!;
        socket.write(
          Buffer.concat([encodeFrameHeader(MessageType.CSTOAN_STATUS, d.readUInt32BE(8), status.length, frameMagicOf(1)), status]),
        );
      }),
    );
    const port = await freePort();
    await new Promise<void>((r) => old.listen(port, '127.0.0.1', r));
    try {
      const err = await expectCode(client.stat(`127.0.0.1:${port}`, 1), 'PROTOCOL_ERROR');
      expect(err.message).to.match(new RegExp(`version 1.*version ${DATA_PLANE_VERSION}`));
    } finally {
      old.close();
    }
  });

  it('refuses a write whose CRC count does not match its block-parts with PROTOCOL_ERROR', async () => {
    const peer = new RawPeer(cs.address);
    await once(peer.socket, 'connect');
    const data = Buffer.alloc(BLOCK_SIZE_BYTES + 10, 1);
    const [fields, body] = encodeRequest({
      op: 'write',
      ref: { chunkId: 102, version: 5 },
      offset: 0,
      chain: [],
      crcs: blockPartCrcs(0, data),
      data,
    });
    // Drop the last CRC: one CRC for two block-parts.
    const short = Buffer.concat([fields!.subarray(0, fields!.length - 4), body!]);
    short.writeUInt8(1, fields!.length - 4 - 4 - 1);
    peer.socket.write(Buffer.concat([encodeFrameHeader(MessageType.CLTOCS_WRITE, 9, short.length), short]));
    const reply = await peer.reply(9);
    expect(statusCode(reply)).to.equal('PROTOCOL_ERROR');
    expect((reply as { message: string }).message).to.contain('2 block-parts but carries 1 CRCs');
    peer.socket.destroy();
  });

  it('cancels a call by AbortSignal and by timeout', async () => {
    const silent: Server = createServer(() => undefined);
    const port = await freePort();
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    const quick = new DataPlaneClient({ clock: new SystemClock(), timeoutMs: 200 });
    try {
      const timedOut = await expectCode(quick.stat(`127.0.0.1:${port}`, 1), 'TIMEOUT');
      expect(timedOut.message).to.contain('200 ms');
      const ac = new AbortController();
      const pending = quick.stat(`127.0.0.1:${port}`, 1, { signal: ac.signal, timeoutMs: 10_000 });
      setTimeout(() => ac.abort(), 20);
      await expectCode(pending, 'ABORTED');
    } finally {
      quick.close();
      silent.close();
    }
    await expectCode(client.stat('127.0.0.1:1', 1), 'UNAVAILABLE');
  });

  it('serves /health as JSON and /metrics from the metrics plugin', async () => {
    const health = await fetch(`${cs.httpUrl}/health`);
    expect(health.status).to.equal(200);
    const body = (await health.json()) as { status: string; dataAddress: string; dirs: Array<{ state: string }>; chunks: number };
    expect(body.status).to.equal('ok');
    expect(body.dataAddress).to.equal(cs.address);
    expect(body.dirs).to.have.length(1);
    expect(body.chunks).to.be.at.least(2);
    const metrics = await (await fetch(`${cs.httpUrl}/metrics`)).text();
    expect(metrics).to.match(/mooseng_chunkserver_requests_total\{[^}]*op="write"[^}]*code="OK"/);
    expect(metrics).to.contain('mooseng_chunkserver_written_bytes_total');
  });

  it('answers /metrics with a clear 404 when metrics are off', async () => {
    const quiet = await startChunkserver({ metrics: 'none' });
    try {
      const res = await fetch(`${quiet.httpUrl}/metrics`);
      expect(res.status).to.equal(404);
      expect(await res.text()).to.contain('metrics are off');
    } finally {
      await quiet.stop();
    }
  });

  it('writes pipelined from many callers at once without mixing them up', async () => {
    const ref = { chunkId: 103, version: 1 };
    await client.create(cs.address, ref);
    const blocks = Array.from({ length: 24 }, (_, i) => randomBytes(BLOCK_SIZE_BYTES, 1000 + i));
    await Promise.all(blocks.map((b, i) => client.write(cs.address, ref, i * BLOCK_SIZE_BYTES, b)));
    expect((await client.read(cs.address, ref, 0, blocks.length * BLOCK_SIZE_BYTES)).equals(Buffer.concat(blocks))).to.equal(true);
  });
});
