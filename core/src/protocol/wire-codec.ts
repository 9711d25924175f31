// Field encoding of data-plane payloads: big-endian integers, u64 limited to safe JS integers, length-prefixed UTF-8.
import { ErrorCodes, MoosengError } from '../errors';

/** Longest string field (an address, an error message) in bytes. */
export const MAX_WIRE_STRING_BYTES = 1024;

/** Appends fields to a growing buffer; `finish()` returns exactly the bytes written. */
export class WireWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 64) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf.writeUInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  /** An unsigned integer below 2^53, as 8 bytes. */
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `${v} is not an unsigned safe integer`);
    this.room(8);
    this.buf.writeUInt32BE(Math.floor(v / 2 ** 32), this.pos);
    this.buf.writeUInt32BE(v >>> 0, this.pos + 4);
    this.pos += 8;
    return this;
  }

  string(v: string): this {
    const bytes = Buffer.from(v, 'utf8');
    if (bytes.length > MAX_WIRE_STRING_BYTES)
      throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `string field of ${bytes.length} bytes exceeds ${MAX_WIRE_STRING_BYTES}`);
    this.u16(bytes.length);
    this.room(bytes.length);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** Length-prefixed (u16) raw bytes, at most `max`. */
  bytes(v: Buffer, max: number): this {
    if (v.length > max) throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `byte field of ${v.length} bytes exceeds ${max}`);
    this.u16(v.length);
    this.room(v.length);
    v.copy(this.buf, this.pos);
    this.pos += v.length;
    return this;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Reads fields in order; running past the end, or a malformed field, is PROTOCOL_ERROR. */
export class WireReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length)
      throw new MoosengError(
        ErrorCodes.PROTOCOL_ERROR,
        `payload too short: ${what} needs ${n} bytes at ${this.pos}, payload has ${this.buf.length}`,
      );
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf.readUInt8(this.pos++);
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(what: string): number {
    this.need(8, what);
    const v = this.buf.readUInt32BE(this.pos) * 2 ** 32 + this.buf.readUInt32BE(this.pos + 4);
    if (!Number.isSafeInteger(v)) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${what} ${v} is beyond 2^53`);
    this.pos += 8;
    return v;
  }

  string(what: string): string {
    const n = this.u16(`${what} length`);
    if (n > MAX_WIRE_STRING_BYTES)
      throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${what} of ${n} bytes exceeds ${MAX_WIRE_STRING_BYTES}`);
    this.need(n, what);
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Length-prefixed (u16) raw bytes, at most `max` (a view, not a copy). */
  bytes(what: string, max: number): Buffer {
    const n = this.u16(`${what} length`);
    if (n > max) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${what} of ${n} bytes exceeds ${max}`);
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Every byte left (a view, not a copy). */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return v;
  }

  /** Asserts the payload was consumed exactly. */
  end(what: string): void {
    if (this.pos !== this.buf.length)
      throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${this.buf.length - this.pos} unexpected bytes after ${what}`);
  }
}
