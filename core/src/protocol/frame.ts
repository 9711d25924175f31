// Data-plane framing: a fixed 16-byte header (magic, type, request id, payload length) before each payload.
import { BLOCK_SIZE_BYTES } from '../contracts/chunk-store';

/**
 * Version of the data-plane protocol this build speaks: the magic's last byte, as an ASCII digit. Version 2 carries
 * the CRC32 of every block-part of chunk data with it (writes and read replies); version 1 did not. Version 3 carries
 * a permit (chunk-permits.ts) after the chunk reference of every request. Bump it with any
 * change of a payload layout, so a peer of another version is refused with both versions named, never misparsed.
 */
export const DATA_PLANE_VERSION = 3;
/** "MNG": the first three bytes of the magic of every version of this protocol. */
const MAGIC_FAMILY = 0x4d4e47;
/** The frame magic of a data-plane version ("MNG" then the version digit). */
export function frameMagicOf(version: number): number {
  return ((MAGIC_FAMILY << 8) | (0x30 + version)) >>> 0;
}
/** The data-plane version a magic names, or null when the bytes are not this protocol at all. */
export function versionOfFrameMagic(magic: number): number | null {
  const digit = (magic & 0xff) - 0x30;
  return magic >>> 8 === MAGIC_FAMILY && digit >= 1 && digit <= 9 ? digit : null;
}
/** "MNG3": first four bytes of every frame; anything else means the peer does not speak this version. */
export const FRAME_MAGIC = frameMagicOf(DATA_PLANE_VERSION);
export const FRAME_HEADER_BYTES = 16;
/** Most chunk data one frame carries (16 blocks): writes and read replies are cut into pieces of this size. */
export const MAX_FRAME_DATA_BYTES = 16 * BLOCK_SIZE_BYTES;
/** Room for a message's fixed fields and its chain of addresses, next to its data. */
export const MAX_FRAME_FIELDS_BYTES = 8 * 1024;
/** A payload above this bound is a protocol error (FRAME_TOO_LARGE), never an allocation. */
export const MAX_FRAME_PAYLOAD_BYTES = MAX_FRAME_DATA_BYTES + MAX_FRAME_FIELDS_BYTES;

export interface FrameHeader {
  type: number;
  requestId: number;
  payloadLength: number;
}

/**
 * Encodes a frame header into a fresh buffer. `magic` is another version's only to answer a peer of that version
 * with a status it can read (a status's layout is the same in every version).
 */
export function encodeFrameHeader(type: number, requestId: number, payloadLength: number, magic = FRAME_MAGIC): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32BE(magic, 0);
  header.writeUInt16BE(type, 4);
  header.writeUInt16BE(0, 6);
  header.writeUInt32BE(requestId >>> 0, 8);
  header.writeUInt32BE(payloadLength, 12);
  return header;
}

/** What a FrameDecoder reports. */
export interface FrameSink {
  /** A whole frame. The payload is owned by the receiver. */
  frame(type: number, requestId: number, payload: Buffer): void;
  /**
   * A piece of a frame of a streamed type (see FrameDecoderOptions.streamed): `fields` is the frame's leading fixed
   * fields (the same buffer for every piece), `data` the next bytes after them, `dataOffset` how many data bytes of
   * this frame came before, `dataTotal` how many the frame carries in all. `last` marks the frame's final piece.
   * `data` is a view of the chunk pushed: a receiver that keeps it past the call must know the chunk is not reused.
   */
  part?(type: number, requestId: number, fields: Buffer, data: Buffer, dataOffset: number, last: boolean, dataTotal: number): void;
  /** A frame whose declared length exceeds the bound; its payload is skipped without being buffered. */
  oversized(type: number, requestId: number, payloadLength: number): void;
  /**
   * The stream is not this protocol (bad magic): nothing after this point can be trusted. `peer` is set when the
   * magic is another version of this protocol: the version it speaks and the request that frame header carried.
   */
  malformed(reason: string, peer?: PeerVersion): void;
}

/** A frame header of another data-plane version: which version, and the request id it carried. */
export interface PeerVersion {
  version: number;
  requestId: number;
}

export interface FrameDecoderOptions {
  maxPayloadBytes?: number;
  /** Where payloads that span socket chunks are assembled (a pool, to spare the GC 1 MiB buffers). */
  allocate?: (bytes: number) => Buffer;
  /**
   * For frame types whose payload is fixed fields then bulk data (read replies): the length of those fields, so
   * the data is handed to `sink.part` piece by piece as it arrives, never copied into one buffer. Null: assemble.
   */
  streamed?: (type: number) => number | null;
}

interface StreamState {
  fields: Buffer;
  fieldsFill: number;
  dataSeen: number;
  dataTotal: number;
}

/**
 * Cuts a byte stream into frames. Payloads that arrive in one socket chunk are sliced without copying; others are
 * assembled into one buffer of exactly the declared length (bounded by MAX_FRAME_PAYLOAD_BYTES), or, for streamed
 * types, passed on piece by piece.
 */
export class FrameDecoder {
  private readonly header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  private headerFill = 0;
  private current: FrameHeader | null = null;
  private payload: Buffer | null = null;
  private payloadFill = 0;
  private stream: StreamState | null = null;
  /** Bytes of an oversized payload still to discard. */
  private skipping = 0;
  private broken = false;
  private readonly maxPayloadBytes: number;
  private readonly allocate: (bytes: number) => Buffer;
  private readonly streamed: (type: number) => number | null;

  constructor(
    private readonly sink: FrameSink,
    options: FrameDecoderOptions = {},
  ) {
    this.maxPayloadBytes = options.maxPayloadBytes ?? MAX_FRAME_PAYLOAD_BYTES;
    this.allocate = options.allocate ?? ((bytes) => Buffer.allocUnsafe(bytes));
    this.streamed = options.streamed ?? (() => null);
  }

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length && !this.broken) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, chunk.length - pos);
        this.skipping -= n;
        pos += n;
        continue;
      }
      if (this.current === null) {
        const n = Math.min(FRAME_HEADER_BYTES - this.headerFill, chunk.length - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + n);
        this.headerFill += n;
        pos += n;
        if (this.headerFill < FRAME_HEADER_BYTES) break;
        this.headerFill = 0;
        const magic = this.header.readUInt32BE(0);
        if (magic !== FRAME_MAGIC) {
          this.broken = true;
          const version = versionOfFrameMagic(magic);
          if (version === null) this.sink.malformed(`bad frame magic 0x${magic.toString(16).padStart(8, '0')}`);
          else
            this.sink.malformed(
              `the peer speaks data-plane protocol version ${version}, this side speaks version ${DATA_PLANE_VERSION}: run the same MooseNG version on clients and chunkservers`,
              { version, requestId: this.header.readUInt32BE(8) },
            );
          return;
        }
        const head: FrameHeader = {
          type: this.header.readUInt16BE(4),
          requestId: this.header.readUInt32BE(8),
          payloadLength: this.header.readUInt32BE(12),
        };
        if (head.payloadLength > this.maxPayloadBytes) {
          this.skipping = head.payloadLength;
          this.sink.oversized(head.type, head.requestId, head.payloadLength);
          continue;
        }
        const fieldsLength = this.sink.part ? this.streamed(head.type) : null;
        if (fieldsLength !== null && head.payloadLength >= fieldsLength) {
          this.current = head;
          this.stream = {
            fields: Buffer.allocUnsafe(fieldsLength),
            fieldsFill: 0,
            dataSeen: 0,
            dataTotal: head.payloadLength - fieldsLength,
          };
          if (head.payloadLength === 0) this.finishStream(Buffer.alloc(0));
          continue;
        }
        if (head.payloadLength === 0) {
          this.sink.frame(head.type, head.requestId, Buffer.alloc(0));
          continue;
        }
        this.current = head;
        if (chunk.length - pos >= head.payloadLength) {
          // Whole payload in this chunk: hand out a view, no copy.
          const payload = chunk.subarray(pos, pos + head.payloadLength);
          pos += head.payloadLength;
          this.current = null;
          this.sink.frame(head.type, head.requestId, payload);
          continue;
        }
        this.payload = this.allocate(head.payloadLength);
        this.payloadFill = 0;
      }
      if (this.stream) {
        pos = this.pushStream(chunk, pos);
        continue;
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
        this.sink.frame(head.type, head.requestId, payload);
      }
    }
  }

  /** Consumes bytes of a streamed frame from `chunk` at `pos`; returns the new position. */
  private pushStream(chunk: Buffer, pos: number): number {
    const st = this.stream!;
    if (st.fieldsFill < st.fields.length) {
      const n = Math.min(st.fields.length - st.fieldsFill, chunk.length - pos);
      chunk.copy(st.fields, st.fieldsFill, pos, pos + n);
      st.fieldsFill += n;
      pos += n;
      if (st.fieldsFill < st.fields.length) return pos;
      if (st.dataTotal === 0) {
        this.finishStream(Buffer.alloc(0));
        return pos;
      }
    }
    const n = Math.min(st.dataTotal - st.dataSeen, chunk.length - pos);
    if (n === 0) return pos;
    const data = chunk.subarray(pos, pos + n);
    const offset = st.dataSeen;
    st.dataSeen += n;
    pos += n;
    if (st.dataSeen === st.dataTotal) this.finishStream(data, offset);
    else this.sink.part!(this.current!.type, this.current!.requestId, st.fields, data, offset, false, st.dataTotal);
    return pos;
  }

  private finishStream(data: Buffer, offset = 0): void {
    const head = this.current!;
    const { fields, dataTotal } = this.stream!;
    this.current = null;
    this.stream = null;
    this.sink.part!(head.type, head.requestId, fields, data, offset, true, dataTotal);
  }
}

/** Largest payload buffer a FramePool keeps. */
export const FRAME_POOL_BUFFER_BYTES = MAX_FRAME_PAYLOAD_BYTES;
/** Free payload buffers a FramePool keeps. */
export const FRAME_POOL_BUFFERS = 32;

/**
 * Reuses payload buffers of big frames. `take` hands out a view of a pooled buffer; `give` returns it once nothing
 * references it any more (the caller must be sure: a buffer given back while a socket still queues it would send
 * other data).
 */
export class FramePool {
  private readonly free: Buffer[] = [];
  private readonly owners = new WeakMap<Buffer, Buffer>();

  take(bytes: number): Buffer {
    if (bytes < FRAME_POOL_BUFFER_BYTES / 4 || bytes > FRAME_POOL_BUFFER_BYTES) return Buffer.allocUnsafe(bytes);
    const whole = this.free.pop() ?? Buffer.allocUnsafe(FRAME_POOL_BUFFER_BYTES);
    const view = whole.subarray(0, bytes);
    this.owners.set(view, whole);
    return view;
  }

  give(view: Buffer): void {
    const whole = this.owners.get(view);
    if (!whole) return;
    this.owners.delete(view);
    if (this.free.length < FRAME_POOL_BUFFERS) this.free.push(whole);
  }
}
