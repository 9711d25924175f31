// The framed control transport's wire format: the connection preface, the 20-byte frame header, method ids (CRC32
// of the gRPC method path), error payloads, and a bounded decoder. The messages inside are client.proto's, encoded
// by the very serializers gRPC uses (docs/protocol.md, "Framed control transport").
import { crc32 } from '@node-rs/crc32';
import { ErrorCodes, isMoosengError, MoosengError } from '../errors';
import type { RpcTable, TypedServiceDefinition } from './control-plane';
import { MAX_CONTROL_MESSAGE_BYTES } from './grpc-server';
import { errorFromStatus, statusOf } from './status';

/**
 * "MNC1": what a framed client sends first on a connection, so the master's one control port can tell it from
 * gRPC (whose HTTP/2 preface starts "PRI "). The digit is the framed transport's version.
 */
export const CONTROL_FRAME_MAGIC = Buffer.from('MNC1', 'latin1');
/** The first bytes of the HTTP/2 connection preface every gRPC client sends. */
export const HTTP2_PREFACE_START = Buffer.from('PRI ', 'latin1');
export const CONTROL_FRAME_HEADER_BYTES = 20;
/** Largest payload either side accepts: the bound gRPC has on the same port (MAX_CONTROL_MESSAGE_BYTES). */
export const MAX_CONTROL_FRAME_PAYLOAD_BYTES = MAX_CONTROL_MESSAGE_BYTES;

/** What a frame is. */
export const ControlFrameKind = {
  /** Client → master: a call. `methodId`, `timeoutMs` set; the payload is the encoded request. */
  REQUEST: 1,
  /** Master → client: the call succeeded; the payload is the encoded reply. */
  REPLY: 2,
  /** Master → client: the call failed; `status` is the wire status (status.ts), the payload JSON {message, details}. */
  ERROR: 3,
} as const;

export interface ControlFrameHeader {
  kind: number;
  requestId: number;
  /** CRC32 of the method's gRPC path; replies echo it. */
  methodId: number;
  /** A request's deadline, relative (the two hosts' clocks need not agree); 0: none. */
  timeoutMs: number;
  /** The wire status of an ERROR frame; 0 otherwise. */
  status: number;
  payloadLength: number;
}

/** Header layout, big-endian: u32 payload length, u32 request id, u8 kind, u8 0, u16 status, u32 method id, u32 timeout ms. */
export function encodeControlFrameHeader(h: Omit<ControlFrameHeader, 'payloadLength'>, payloadLength: number): Buffer {
  const b = Buffer.allocUnsafe(CONTROL_FRAME_HEADER_BYTES);
  b.writeUInt32BE(payloadLength, 0);
  b.writeUInt32BE(h.requestId >>> 0, 4);
  b.writeUInt8(h.kind, 8);
  b.writeUInt8(0, 9);
  b.writeUInt16BE(h.status, 10);
  b.writeUInt32BE(h.methodId >>> 0, 12);
  b.writeUInt32BE(Math.max(0, Math.min(0xffffffff, Math.ceil(h.timeoutMs))), 16);
  return b;
}

function decodeHeader(b: Buffer): ControlFrameHeader {
  return {
    payloadLength: b.readUInt32BE(0),
    requestId: b.readUInt32BE(4),
    kind: b.readUInt8(8),
    status: b.readUInt16BE(10),
    methodId: b.readUInt32BE(12),
    timeoutMs: b.readUInt32BE(16),
  };
}

/** The id of a method on the framed transport: CRC32 (IEEE) of its gRPC path, "/mooseng.client.ClientToMaster/Lookup". */
export function controlMethodId(path: string): number {
  return crc32(path) >>> 0;
}

/** A service's methods by framed id and back. */
export interface ControlMethodTable<R extends RpcTable> {
  byId: ReadonlyMap<number, keyof R & string>;
  idOf: Readonly<Record<keyof R & string, number>>;
}

/** The method ids of a service; two methods whose paths share a CRC32 would be ambiguous, so that is refused here. */
export function controlMethodTable<R extends RpcTable>(definition: TypedServiceDefinition<R>): ControlMethodTable<R> {
  const byId = new Map<number, keyof R & string>();
  const idOf = {} as Record<keyof R & string, number>;
  for (const name of Object.keys(definition) as Array<keyof R & string>) {
    const id = controlMethodId(definition[name].path);
    const other = byId.get(id);
    if (other !== undefined)
      throw new MoosengError(
        ErrorCodes.INTERNAL,
        `methods ${other} and ${name} have the same framed method id 0x${id.toString(16)}; rename one`,
      );
    byId.set(id, name);
    idOf[name] = id;
  }
  return { byId, idOf };
}

/** The payload of an ERROR frame for any error a handler raised (an error that is no MoosengError goes as INTERNAL). */
export function encodeControlError(err: unknown): { status: number; payload: Buffer } {
  const e = isMoosengError(err) ? err : new MoosengError(ErrorCodes.INTERNAL, (err as Error)?.message ?? String(err));
  return { status: statusOf(e.code), payload: Buffer.from(JSON.stringify({ message: e.message, details: e.details }), 'utf8') };
}

/** The MoosengError an ERROR frame stands for, with its details (a NOT_LEADER's leaderAddress among them). */
export function decodeControlError(status: number, payload: Buffer, context: string): MoosengError {
  let parsed: { message?: unknown; details?: unknown } = {};
  try {
    parsed = JSON.parse(payload.toString('utf8')) as typeof parsed;
  } catch {
    return new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${context}: the master's error reply does not parse`);
  }
  const message = typeof parsed.message === 'string' ? parsed.message : `${context} failed`;
  const details = parsed.details && typeof parsed.details === 'object' ? (parsed.details as Record<string, unknown>) : {};
  return errorFromStatus(status, message, details);
}

/** What a ControlFrameDecoder reports. */
export interface ControlFrameSink {
  /** A whole frame; the payload may be a view of a socket chunk (copy it to keep it beyond this call). */
  frame(header: ControlFrameHeader, payload: Buffer): void;
  /** A frame declaring more than the bound: its payload is skipped as it arrives, never buffered. */
  oversized(header: ControlFrameHeader): void;
}

/** Cuts a byte stream (after the preface) into control frames, bounded by `maxPayloadBytes`. */
export class ControlFrameDecoder {
  private readonly header = Buffer.allocUnsafe(CONTROL_FRAME_HEADER_BYTES);
  private headerFill = 0;
  private current: ControlFrameHeader | null = null;
  private payload: Buffer | null = null;
  private payloadFill = 0;
  private skipping = 0;

  constructor(
    private readonly sink: ControlFrameSink,
    private readonly maxPayloadBytes = MAX_CONTROL_FRAME_PAYLOAD_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, chunk.length - pos);
        this.skipping -= n;
        pos += n;
        continue;
      }
      if (this.current === null) {
        // The common case, a whole header in this chunk, is read in place.
        let head: ControlFrameHeader;
        if (this.headerFill === 0 && chunk.length - pos >= CONTROL_FRAME_HEADER_BYTES) {
          head = decodeHeader(chunk.subarray(pos, pos + CONTROL_FRAME_HEADER_BYTES));
          pos += CONTROL_FRAME_HEADER_BYTES;
        } else {
          const n = Math.min(CONTROL_FRAME_HEADER_BYTES - this.headerFill, chunk.length - pos);
          chunk.copy(this.header, this.headerFill, pos, pos + n);
          this.headerFill += n;
          pos += n;
          if (this.headerFill < CONTROL_FRAME_HEADER_BYTES) return;
          this.headerFill = 0;
          head = decodeHeader(this.header);
        }
        if (head.payloadLength > this.maxPayloadBytes) {
          this.skipping = head.payloadLength;
          this.sink.oversized(head);
          continue;
        }
        if (chunk.length - pos >= head.payloadLength) {
          const payload = chunk.subarray(pos, pos + head.payloadLength);
          pos += head.payloadLength;
          this.sink.frame(head, payload);
          continue;
        }
        this.current = head;
        this.payload = Buffer.allocUnsafe(head.payloadLength);
        this.payloadFill = 0;
      }
      const head = this.current!;
      const payload = this.payload!;
      const n = Math.min(head.payloadLength - this.payloadFill, chunk.length - pos);
      chunk.copy(payload, this.payloadFill, pos, pos + n);
      this.payloadFill += n;
      pos += n;
      if (this.payloadFill === head.payloadLength) {
        this.current = null;
        this.payload = null;
        this.sink.frame(head, payload);
      }
    }
  }
}
