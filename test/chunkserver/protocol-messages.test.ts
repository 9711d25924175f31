// Every data-plane message survives encode → frame → decode, the status table is one-to-one, and framing is bounded.
import { expect } from 'chai';
import {
  blockPartCrcs,
  ErrorCodes,
  FrameDecoder,
  MAX_FRAME_PAYLOAD_BYTES,
  MessageType,
  STATUS_BY_CODE,
  codeOfStatus,
  decodeReply,
  decodeRequest,
  encodeFrameHeader,
  encodeReply,
  encodeRequest,
  isMoosengError,
  opOfType,
  READ_DATA_FIELDS_BYTES,
  requestType,
  statusOf,
  type ChunkReply,
  type ChunkRequest,
  type ErrorCode,
} from '@mooseng/core';
import { randomBytes } from './helpers';

/** Frames a message, feeds it to a decoder in awkward pieces, and returns what came out. */
function throughFramer(
  type: number,
  requestId: number,
  payload: Buffer[],
  pieceBytes: number,
): Array<{ type: number; requestId: number; payload: Buffer }> {
  const body = Buffer.concat(payload);
  const wire = Buffer.concat([encodeFrameHeader(type, requestId, body.length), body]);
  const frames: Array<{ type: number; requestId: number; payload: Buffer }> = [];
  const decoder = new FrameDecoder({
    frame: (t, id, p) => frames.push({ type: t, requestId: id, payload: Buffer.from(p) }),
    oversized: () => expect.fail('not oversized'),
    malformed: (reason) => expect.fail(reason),
  });
  for (let i = 0; i < wire.length; i += pieceBytes) decoder.push(wire.subarray(i, i + pieceBytes));
  return frames;
}

const ref = { chunkId: 2 ** 52 + 3, version: 2 ** 40 + 1 };
const requests: ChunkRequest[] = [
  { op: 'create', ref, chain: ['10.0.0.2:9420', 'cs3.example:9450'] },
  {
    op: 'write',
    ref,
    offset: 65_536 * 5 + 3,
    chain: ['[::1]:9420'],
    crcs: blockPartCrcs(65_536 * 5 + 3, randomBytes(200_000, 3)),
    data: randomBytes(200_000, 3),
  },
  { op: 'write', ref, offset: 0, chain: [], crcs: [], data: Buffer.alloc(0) },
  { op: 'read', ref, offset: 123, length: 64 * 1024 * 1024 - 123 },
  { op: 'truncate', ref, length: 777, chain: ['a:1'] },
  { op: 'delete', ref, chain: [] },
  { op: 'set-version', ref, newVersion: ref.version + 1, chain: ['b:2', 'c:3'] },
  { op: 'replicate', ref, source: '10.0.0.9:9460' },
  { op: 'stat', chunkId: 42 },
  { op: 'flush', ref, chain: ['d:4'] },
  { op: 'cut', ref, length: 64 * 1024 * 1024, newVersion: ref.version + 7, chain: ['e:5'] },
  { op: 'verify', ref },
];
const replies: ChunkReply[] = [
  { op: 'status', status: 0, failedReplica: '', message: '' },
  {
    op: 'status',
    status: statusOf('REPLICA_FAILED'),
    failedReplica: '10.0.0.3:9420',
    message: 'replica 10.0.0.3:9420 failed: NO_SPACE: full ✓',
  },
  { op: 'read-data', offset: 1_048_576, crc: 0xfedcba98, data: randomBytes(65_536, 5) },
  { op: 'stat-reply', chunkId: ref.chunkId, version: ref.version, length: 64 * 1024 * 1024 },
];

describe('data-plane protocol', () => {
  for (const req of requests) {
    for (const sender of ['client', 'chunkserver'] as const) {
      it(`round-trips ${req.op} sent by a ${sender}${req.op === 'write' ? ` (${req.data.length} bytes)` : ''}`, () => {
        const type = requestType(req.op, sender);
        expect(opOfType(type)).to.equal(req.op);
        const frames = throughFramer(type, 0xfffffff0, encodeRequest(req), 7777);
        expect(frames).to.have.length(1);
        expect(frames[0]!.requestId).to.equal(0xfffffff0);
        expect(decodeRequest(frames[0]!.type, frames[0]!.payload)).to.deep.equal(req);
      });
    }
  }

  for (const reply of replies) {
    it(`round-trips the ${reply.op} reply`, () => {
      const { type, payload } = encodeReply(reply);
      const frames = throughFramer(type, 9, payload, 65_536);
      expect(decodeReply(frames[0]!.type, frames[0]!.payload)).to.deep.equal(reply);
    });
  }

  it('names message types by direction', () => {
    for (const name of Object.keys(MessageType)) expect(name).to.match(/^(CLTOCS|CSTOCS|CSTOAN)_/);
    expect(requestType('write', 'chunkserver')).to.equal(MessageType.CSTOCS_WRITE);
    expect(requestType('write', 'client')).to.equal(MessageType.CLTOCS_WRITE);
  });

  it('maps every error code to exactly one wire status and back', () => {
    const codes = Object.values(ErrorCodes) as ErrorCode[];
    const statuses = new Set<number>();
    for (const code of codes) {
      const status = statusOf(code);
      expect(status, code).to.be.above(0);
      expect(statuses.has(status), `status ${status} used twice`).to.equal(false);
      statuses.add(status);
      expect(codeOfStatus(status)).to.equal(code);
    }
    expect(Object.keys(STATUS_BY_CODE).sort()).to.deep.equal([...codes].sort());
    expect(codeOfStatus(65_000)).to.equal('PROTOCOL_ERROR');
  });

  it('rejects truncated payloads, trailing bytes and unknown types with PROTOCOL_ERROR', () => {
    const [fields] = encodeRequest({ op: 'truncate', ref, length: 5, chain: [] });
    for (const bad of [fields!.subarray(0, 10), Buffer.concat([fields!, Buffer.from([1])])]) {
      try {
        decodeRequest(MessageType.CLTOCS_TRUNCATE, bad);
        expect.fail('decoded a malformed payload');
      } catch (err) {
        expect(isMoosengError(err, 'PROTOCOL_ERROR'), String(err)).to.equal(true);
      }
    }
    expect(() => decodeRequest(0x7777, Buffer.alloc(0))).to.throw(/unknown request type 0x7777/);
  });

  it('skips an oversized frame without buffering it, then decodes the next one', () => {
    const events: string[] = [];
    const decoder = new FrameDecoder({
      frame: (type, id, p) => events.push(`frame ${type} ${id} ${p.length}`),
      oversized: (type, id, len) => events.push(`oversized ${type} ${id} ${len}`),
      malformed: (reason) => events.push(`malformed ${reason}`),
    });
    const huge = MAX_FRAME_PAYLOAD_BYTES + 1;
    decoder.push(encodeFrameHeader(MessageType.CLTOCS_WRITE, 1, huge));
    for (let sent = 0; sent < huge; sent += 100_000) decoder.push(Buffer.alloc(Math.min(100_000, huge - sent)));
    decoder.push(Buffer.concat([encodeFrameHeader(MessageType.CLTOCS_STAT, 2, 8), Buffer.alloc(8)]));
    expect(events).to.deep.equal([`oversized ${MessageType.CLTOCS_WRITE} 1 ${huge}`, `frame ${MessageType.CLTOCS_STAT} 2 8`]);
  });

  it('hands on the data of streamed frames piece by piece, with their fields and offsets', () => {
    const parts: string[] = [];
    const frames: string[] = [];
    const decoder = new FrameDecoder(
      {
        frame: (type, id, p) => frames.push(`${type} ${id} ${p.length}`),
        part: (_type, id, fields, data, dataOffset, last) =>
          parts.push(`${id} ${fields.readUInt32BE(0)} ${dataOffset}+${data.length}${last ? ' last' : ''}`),
        oversized: () => expect.fail('not oversized'),
        malformed: (reason) => expect.fail(reason),
      },
      { streamed: (type) => (type === MessageType.CSTOAN_READ_DATA ? READ_DATA_FIELDS_BYTES : null) },
    );
    const one = encodeReply({ op: 'read-data', offset: 4096, crc: 1, data: randomBytes(10, 1) });
    const two = encodeReply({ op: 'read-data', offset: 8192, crc: 0, data: Buffer.alloc(0) });
    const status = encodeReply({ op: 'status', status: 0, failedReplica: '', message: '' });
    const wire = Buffer.concat([
      encodeFrameHeader(one.type, 5, 18),
      ...one.payload,
      encodeFrameHeader(two.type, 6, 8),
      ...two.payload,
      encodeFrameHeader(status.type, 5, Buffer.concat(status.payload).length),
      ...status.payload,
    ]);
    // Split inside the fields and inside the data.
    for (const [from, to] of [
      [0, 20],
      [20, 27],
      [27, wire.length],
    ])
      decoder.push(wire.subarray(from, to));
    expect(parts).to.deep.equal(['5 4096 0+3', '5 4096 3+7 last', '6 8192 0+0 last']);
    expect(frames).to.deep.equal([`${MessageType.CSTOAN_STATUS} 5 ${Buffer.concat(status.payload).length}`]);
  });

  it('reports a stream that is not this protocol once, and stops decoding', () => {
    const events: string[] = [];
    const decoder = new FrameDecoder({
      frame: () => events.push('frame'),
      oversized: () => events.push('oversized'),
      malformed: (reason) => events.push(reason),
    });
    decoder.push(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    decoder.push(Buffer.from('more'));
    expect(events).to.deep.equal(['bad frame magic 0x47455420']);
  });
});
