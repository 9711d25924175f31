// The data-plane message table: every message named by its direction, with its payload layout and codec.
import type { ChunkRef } from '../contracts/chunk-store';
import { ErrorCodes, MoosengError } from '../errors';
import { BLOCK_SIZE_BYTES } from '../contracts/chunk-store';
import { blockPartCount } from './block-checksums';
import { MAX_FRAME_DATA_BYTES } from './frame';
import { WireReader, WireWriter } from './wire-codec';

/** Fixed fields before the data of a CSTOAN_READ_DATA frame (u32 offset, u32 CRC32 of the data). */
export const READ_DATA_FIELDS_BYTES = 8;

/** Longest permit a request may carry (chunk-permits.ts): ample for a chain of 9 addresses, well inside MAX_FRAME_FIELDS_BYTES. */
export const MAX_PERMIT_BYTES = 2048;

/** Longest replication chain a request may carry after its first hop (goal of at most 9 copies). */
export const MAX_CHAIN_LENGTH = 8;

/**
 * Frame types. CLTOCS = client to chunkserver; CSTOCS = chunkserver to chunkserver (a request forwarded along a
 * write chain, or a repair copy reading its source); CSTOAN = chunkserver to any caller (replies). A request and its
 * forwarded form share one payload layout. Numbers are wire format: never renumber.
 */
export const MessageType = {
  CLTOCS_CREATE: 0x0101,
  CLTOCS_WRITE: 0x0102,
  CLTOCS_READ: 0x0103,
  CLTOCS_TRUNCATE: 0x0104,
  CLTOCS_DELETE: 0x0105,
  CLTOCS_SET_VERSION: 0x0106,
  CLTOCS_REPLICATE: 0x0107,
  CLTOCS_STAT: 0x0108,
  CLTOCS_FLUSH: 0x0109,
  /** The master's cut of a boundary chunk: truncate and move to a new version as one durable change. */
  CLTOCS_CUT: 0x010a,
  /** The master's check of a whole chunk's CRCs (a client said a copy is corrupt): OK, or CHUNK_CORRUPT. */
  CLTOCS_VERIFY: 0x010b,
  CSTOCS_CREATE: 0x0201,
  CSTOCS_WRITE: 0x0202,
  CSTOCS_READ: 0x0203,
  CSTOCS_TRUNCATE: 0x0204,
  CSTOCS_DELETE: 0x0205,
  CSTOCS_SET_VERSION: 0x0206,
  CSTOCS_FLUSH: 0x0209,
  CSTOCS_CUT: 0x020a,
  /** Final reply to any request: a status (0 = OK), the downstream replica that failed if any, a message. */
  CSTOAN_STATUS: 0x0301,
  /** One block-part of a read reply, with its CRC32; zero or more precede the CSTOAN_STATUS that ends the read. */
  CSTOAN_READ_DATA: 0x0302,
  /** Reply to CLTOCS_STAT. */
  CSTOAN_STAT: 0x0303,
} as const;
export type MessageTypeName = keyof typeof MessageType;

const TYPE_NAMES = new Map<number, MessageTypeName>(Object.entries(MessageType).map(([name, code]) => [code, name as MessageTypeName]));

/** The name of a frame type, or a hex number for unknown ones (for errors and logs). */
export function messageTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `0x${type.toString(16).padStart(4, '0')}`;
}

/** Operations a chunkserver serves. */
export type ChunkOp =
  'create' | 'write' | 'read' | 'truncate' | 'delete' | 'set-version' | 'replicate' | 'stat' | 'flush' | 'cut' | 'verify';

/**
 * A decoded request. `chain` lists the replicas after the receiver ("host:port"), in forwarding order. A write's
 * `crcs` are the CRC32 of each block-part of its data (blockPartCrcs), computed by the client that wrote it.
 */
export type ChunkRequest = ChunkRequestFields & {
  /**
   * The leader's signed permit for this change (chunk-permits.ts); empty or absent for requests that need none, or
   * when the cluster runs without a secret. Encoded right after the chunk reference.
   */
  permit?: Buffer;
};

type ChunkRequestFields =
  | { op: 'create'; ref: ChunkRef; chain: string[] }
  | { op: 'write'; ref: ChunkRef; offset: number; chain: string[]; crcs: number[]; data: Buffer }
  | { op: 'read'; ref: ChunkRef; offset: number; length: number }
  | { op: 'truncate'; ref: ChunkRef; length: number; chain: string[] }
  | { op: 'delete'; ref: ChunkRef; chain: string[] }
  | { op: 'set-version'; ref: ChunkRef; newVersion: number; chain: string[] }
  | { op: 'replicate'; ref: ChunkRef; source: string }
  | { op: 'stat'; chunkId: number }
  /** Makes earlier writes durable on every replica of the chain (fsync, unless the store's policy is "never"). */
  | { op: 'flush'; ref: ChunkRef; chain: string[] }
  /** Cuts the chunk to `length` bytes and moves it to `newVersion`, durably, as one change (IChunkStore.setVersion with truncateTo). */
  | { op: 'cut'; ref: ChunkRef; length: number; newVersion: number; chain: string[] }
  /** Re-reads the whole chunk and checks every block's CRC (IChunkStore.verify); CHUNK_CORRUPT naming the bad blocks. */
  | { op: 'verify'; ref: ChunkRef };

/** A decoded reply. */
export type ChunkReply =
  | { op: 'status'; status: number; failedReplica: string; message: string }
  /** One block-part of a read (never across a block boundary) and the CRC32 of exactly these bytes. */
  | { op: 'read-data'; offset: number; crc: number; data: Buffer }
  | { op: 'stat-reply'; chunkId: number; version: number; length: number };

const CLIENT_TYPES: Readonly<Record<ChunkOp, number>> = {
  create: MessageType.CLTOCS_CREATE,
  write: MessageType.CLTOCS_WRITE,
  read: MessageType.CLTOCS_READ,
  truncate: MessageType.CLTOCS_TRUNCATE,
  delete: MessageType.CLTOCS_DELETE,
  'set-version': MessageType.CLTOCS_SET_VERSION,
  replicate: MessageType.CLTOCS_REPLICATE,
  stat: MessageType.CLTOCS_STAT,
  flush: MessageType.CLTOCS_FLUSH,
  cut: MessageType.CLTOCS_CUT,
  verify: MessageType.CLTOCS_VERIFY,
};
const PEER_TYPES: Readonly<Partial<Record<ChunkOp, number>>> = {
  create: MessageType.CSTOCS_CREATE,
  write: MessageType.CSTOCS_WRITE,
  read: MessageType.CSTOCS_READ,
  truncate: MessageType.CSTOCS_TRUNCATE,
  delete: MessageType.CSTOCS_DELETE,
  'set-version': MessageType.CSTOCS_SET_VERSION,
  flush: MessageType.CSTOCS_FLUSH,
  cut: MessageType.CSTOCS_CUT,
};
const OP_BY_TYPE = new Map<number, ChunkOp>([
  ...Object.entries(CLIENT_TYPES).map(([op, t]) => [t, op as ChunkOp] as [number, ChunkOp]),
  ...Object.entries(PEER_TYPES).map(([op, t]) => [t!, op as ChunkOp] as [number, ChunkOp]),
]);

/** Who sends a request: a client (or operator tool), or a chunkserver forwarding along a chain. */
export type Sender = 'client' | 'chunkserver';

/** The frame type of a request; chunkservers send the CSTOCS form where one exists. */
export function requestType(op: ChunkOp, sender: Sender): number {
  return (sender === 'chunkserver' ? PEER_TYPES[op] : undefined) ?? CLIENT_TYPES[op];
}

/** The operation a request frame type carries, or undefined for a type that is not a request. */
export function opOfType(type: number): ChunkOp | undefined {
  return OP_BY_TYPE.get(type);
}

function writeRef(w: WireWriter, ref: ChunkRef): void {
  w.u64(ref.chunkId).u64(ref.version);
}

function readRef(r: WireReader): ChunkRef {
  return { chunkId: r.u64('chunk id'), version: r.u64('version') };
}

function writePermit(w: WireWriter, permit: Buffer | undefined): void {
  w.bytes(permit ?? EMPTY, MAX_PERMIT_BYTES);
}

function readPermit(r: WireReader): Buffer | undefined {
  const permit = r.bytes('permit', MAX_PERMIT_BYTES);
  return permit.length > 0 ? permit : undefined;
}

const EMPTY = Buffer.alloc(0);

function writeChain(w: WireWriter, chain: readonly string[]): void {
  if (chain.length > MAX_CHAIN_LENGTH)
    throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `chain of ${chain.length} replicas exceeds ${MAX_CHAIN_LENGTH}`);
  w.u8(chain.length);
  for (const hop of chain) w.string(hop);
}

function writeCrcs(w: WireWriter, offset: number, data: Buffer, crcs: readonly number[]): void {
  const parts = blockPartCount(offset, data.length);
  if (crcs.length !== parts)
    throw new MoosengError(
      ErrorCodes.INVALID_ARGUMENT,
      `a write of ${data.length} bytes at ${offset} has ${parts} block-parts, not ${crcs.length} CRCs`,
    );
  w.u8(crcs.length);
  for (const crc of crcs) w.u32(crc >>> 0);
}

function readCrcs(r: WireReader): number[] {
  const n = r.u8('CRC count');
  const crcs: number[] = [];
  for (let i = 0; i < n; i++) crcs.push(r.u32('block CRC'));
  return crcs;
}

function readChain(r: WireReader): string[] {
  const n = r.u8('chain length');
  if (n > MAX_CHAIN_LENGTH) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `chain of ${n} replicas exceeds ${MAX_CHAIN_LENGTH}`);
  const chain: string[] = [];
  for (let i = 0; i < n; i++) chain.push(r.string('chain address'));
  return chain;
}

/**
 * Encodes a request's payload as buffers to send in order (fields, then the data of a write, uncopied).
 */
export function encodeRequest(req: ChunkRequest): Buffer[] {
  const w = new WireWriter();
  switch (req.op) {
    case 'create':
      writeRef(w, req.ref);
      writePermit(w, req.permit);
      writeChain(w, req.chain);
      return [w.finish()];
    case 'write': {
      if (req.data.length > MAX_FRAME_DATA_BYTES)
        throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `write of ${req.data.length} bytes exceeds ${MAX_FRAME_DATA_BYTES} per frame`);
      writeRef(w, req.ref);
      writePermit(w, req.permit);
      w.u32(req.offset);
      writeChain(w, req.chain);
      writeCrcs(w, req.offset, req.data, req.crcs);
      return [w.finish(), req.data];
    }
    case 'read':
      writeRef(w, req.ref);
      writePermit(w, req.permit);
      w.u32(req.offset).u32(req.length);
      return [w.finish()];
    case 'truncate':
      writeRef(w, req.ref);
      writePermit(w, req.permit);
      w.u32(req.length);
      writeChain(w, req.chain);
      return [w.finish()];
    case 'delete':
    case 'flush':
      writeRef(w, req.ref);
      writePermit(w, req.permit);
      writeChain(w, req.chain);
      return [w.finish()];
    case 'set-version':
      writeRef(w, req.ref);
      writePermit(w, req.permit);
      w.u64(req.newVersion);
      writeChain(w, req.chain);
      return [w.finish()];
    case 'replicate':
      writeRef(w, req.ref);
      writePermit(w, req.permit);
      w.string(req.source);
      return [w.finish()];
    case 'cut':
      writeRef(w, req.ref);
      writePermit(w, req.permit);
      w.u32(req.length).u64(req.newVersion);
      writeChain(w, req.chain);
      return [w.finish()];
    case 'stat':
      w.u64(req.chunkId);
      writePermit(w, req.permit);
      return [w.finish()];
    case 'verify':
      writeRef(w, req.ref);
      writePermit(w, req.permit);
      return [w.finish()];
  }
}

/** Decodes a request frame. Unknown types and malformed payloads are PROTOCOL_ERROR. */
export function decodeRequest(type: number, payload: Buffer): ChunkRequest {
  const op = opOfType(type);
  if (op === undefined) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `unknown request type ${messageTypeName(type)}`);
  const r = new WireReader(payload);
  let req: ChunkRequest;
  switch (op) {
    case 'create':
      req = { op, ref: readRef(r), permit: readPermit(r), chain: readChain(r) };
      break;
    case 'write': {
      const ref = readRef(r);
      const permit = readPermit(r);
      const offset = r.u32('offset');
      const chain = readChain(r);
      const crcs = readCrcs(r);
      const data = r.rest();
      if (data.length > MAX_FRAME_DATA_BYTES)
        throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `write data of ${data.length} bytes exceeds ${MAX_FRAME_DATA_BYTES} per frame`);
      const parts = blockPartCount(offset, data.length);
      if (crcs.length !== parts)
        throw new MoosengError(
          ErrorCodes.PROTOCOL_ERROR,
          `a write of ${data.length} bytes at ${offset} has ${parts} block-parts but carries ${crcs.length} CRCs`,
        );
      return permit ? { op, ref, permit, offset, chain, crcs, data } : { op, ref, offset, chain, crcs, data };
    }
    case 'read':
      req = { op, ref: readRef(r), permit: readPermit(r), offset: r.u32('offset'), length: r.u32('length') };
      break;
    case 'truncate':
      req = { op, ref: readRef(r), permit: readPermit(r), length: r.u32('length'), chain: readChain(r) };
      break;
    case 'delete':
    case 'flush':
      req = { op, ref: readRef(r), permit: readPermit(r), chain: readChain(r) };
      break;
    case 'set-version':
      req = { op, ref: readRef(r), permit: readPermit(r), newVersion: r.u64('new version'), chain: readChain(r) };
      break;
    case 'replicate':
      req = { op, ref: readRef(r), permit: readPermit(r), source: r.string('source') };
      break;
    case 'cut':
      req = { op, ref: readRef(r), permit: readPermit(r), length: r.u32('length'), newVersion: r.u64('new version'), chain: readChain(r) };
      break;
    case 'stat':
      req = { op, chunkId: r.u64('chunk id'), permit: readPermit(r) };
      break;
    case 'verify':
      req = { op, ref: readRef(r), permit: readPermit(r) };
      break;
  }
  r.end(messageTypeName(type));
  // Absent, not undefined: a request without a permit decodes to what was sent.
  if (req.permit === undefined) delete req.permit;
  return req;
}

/** Encodes a reply: its frame type and payload buffers. */
export function encodeReply(reply: ChunkReply): { type: number; payload: Buffer[] } {
  const w = new WireWriter();
  switch (reply.op) {
    case 'status':
      w.u16(reply.status).string(reply.failedReplica).string(truncateUtf8(reply.message));
      return { type: MessageType.CSTOAN_STATUS, payload: [w.finish()] };
    case 'read-data':
      checkReadDataPart(reply.offset, reply.data.length, ErrorCodes.INVALID_ARGUMENT);
      w.u32(reply.offset).u32(reply.crc >>> 0);
      return { type: MessageType.CSTOAN_READ_DATA, payload: [w.finish(), reply.data] };
    case 'stat-reply':
      w.u64(reply.chunkId).u64(reply.version).u32(reply.length);
      return { type: MessageType.CSTOAN_STAT, payload: [w.finish()] };
  }
}

/** Decodes a reply frame; unknown types and malformed payloads are PROTOCOL_ERROR. */
export function decodeReply(type: number, payload: Buffer): ChunkReply {
  const r = new WireReader(payload);
  let reply: ChunkReply;
  switch (type) {
    case MessageType.CSTOAN_STATUS:
      reply = { op: 'status', status: r.u16('status'), failedReplica: r.string('failed replica'), message: r.string('message') };
      break;
    case MessageType.CSTOAN_READ_DATA: {
      const reply = { op: 'read-data' as const, offset: r.u32('offset'), crc: r.u32('CRC'), data: r.rest() };
      checkReadDataPart(reply.offset, reply.data.length, ErrorCodes.PROTOCOL_ERROR);
      return reply;
    }
    case MessageType.CSTOAN_STAT:
      reply = { op: 'stat-reply', chunkId: r.u64('chunk id'), version: r.u64('version'), length: r.u32('length') };
      break;
    default:
      throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `unknown reply type ${messageTypeName(type)}`);
  }
  r.end(messageTypeName(type));
  return reply;
}

/**
 * A CSTOAN_READ_DATA frame carries one block-part: bytes of one block, so its CRC is the block's own when the part is
 * the whole block. Anything longer is `code` (INVALID_ARGUMENT to send, PROTOCOL_ERROR received).
 */
export function checkReadDataPart(
  offset: number,
  length: number,
  code: typeof ErrorCodes.INVALID_ARGUMENT | typeof ErrorCodes.PROTOCOL_ERROR,
): void {
  if ((offset % BLOCK_SIZE_BYTES) + length > BLOCK_SIZE_BYTES)
    throw new MoosengError(code, `a read-data frame of ${length} bytes at ${offset} crosses a ${BLOCK_SIZE_BYTES}-byte block boundary`);
}

/** Cuts a message to fit a wire string, on a character boundary. */
function truncateUtf8(text: string): string {
  let out = text;
  while (Buffer.byteLength(out, 'utf8') > 1000) out = out.slice(0, Math.floor(out.length * 0.9));
  return out;
}
