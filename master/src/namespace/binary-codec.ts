// A small, deterministic binary writer/reader (LEB128 varints, zigzag, UTF-8 strings) for commands, results and snapshots.
import { ErrorCodes, MoosengError } from '@mooseng/core';

/** Size of a fresh output piece; a snapshot is written as a list of pieces so no single buffer grows to the whole. */
const DEFAULT_PIECE_BYTES = 64 * 1024;
/** Largest integer a varint may carry: every number in the state is a safe JS integer. */
const MAX_VARUINT = Number.MAX_SAFE_INTEGER;

/**
 * Appends values to a list of buffers. `finish()` returns them as one buffer; `takePieces()` hands over the filled
 * pieces so far (for streaming a snapshot out without holding all of it twice).
 */
export class BinaryWriter {
  private buf: Buffer;
  private pos = 0;
  private pieces: Buffer[] = [];
  private piecesBytes = 0;

  constructor(private readonly pieceBytes = DEFAULT_PIECE_BYTES) {
    this.buf = Buffer.allocUnsafe(pieceBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.piecesBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flushPiece();
    this.buf = Buffer.allocUnsafe(Math.max(n, this.pieceBytes));
  }

  private flushPiece(): void {
    if (this.pos === 0) return;
    this.pieces.push(this.buf.subarray(0, this.pos));
    this.piecesBytes += this.pos;
    this.buf = Buffer.allocUnsafe(this.pieceBytes);
    this.pos = 0;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }

  /** Unsigned LEB128 of a safe non-negative integer. */
  uint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `not an unsigned safe integer: ${v}`);
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** Zigzag + LEB128 of a safe integer (times may be before 1970). */
  int(v: number): this {
    if (!Number.isSafeInteger(v) || Math.abs(v) > MAX_VARUINT / 2) {
      throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `not a safe integer: ${v}`);
    }
    return this.uint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  str(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    this.uint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
    return this;
  }

  bytes(b: Uint8Array): this {
    this.uint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  uints(list: readonly number[]): this {
    this.uint(list.length);
    for (const v of list) this.uint(v);
    return this;
  }

  strs(list: readonly string[]): this {
    this.uint(list.length);
    for (const s of list) this.str(s);
    return this;
  }

  /**
   * Hands over the completed pieces (the writer keeps going with an empty list). The piece being filled stays
   * unless `flushPartial`, so streaming yields full pieces and no half-empty buffer is retained.
   */
  takePieces(flushPartial = false): Buffer[] {
    if (flushPartial) this.flushPiece();
    const out = this.pieces;
    this.pieces = [];
    this.piecesBytes = 0;
    return out;
  }

  /** Everything written, as one buffer (a fresh copy owned by the caller). */
  finish(): Buffer {
    this.flushPiece();
    const out = this.pieces.length === 1 ? Buffer.from(this.pieces[0]) : Buffer.concat(this.pieces, this.piecesBytes);
    this.pieces = [];
    this.piecesBytes = 0;
    return out;
  }
}

/** Reads what BinaryWriter wrote; any overrun or malformed value is a PROTOCOL_ERROR, never a crash. */
export class BinaryReader {
  private pos = 0;
  private readonly buf: Buffer;

  constructor(data: Uint8Array) {
    this.buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, 'truncated binary message');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  bool(): boolean {
    return this.u8() !== 0;
  }

  uint(): number {
    let result = 0;
    let mult = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * mult;
      if (b < 0x80) break;
      mult *= 0x80;
      if (mult > MAX_VARUINT) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, 'varint too long');
    }
    if (result > MAX_VARUINT) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, 'varint beyond 2^53');
    return result;
  }

  int(): number {
    const z = this.uint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  str(): string {
    const n = this.uint();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** A copy of the next byte string (the caller may keep it; the input buffer may be reused). */
  bytes(): Uint8Array {
    const n = this.uint();
    this.need(n);
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  uints(): number[] {
    const n = this.count();
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.uint());
    return out;
  }

  strs(): string[] {
    const n = this.count();
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.str());
    return out;
  }

  /** A length prefix that cannot exceed the remaining bytes (each element takes at least one). */
  count(): number {
    const n = this.uint();
    if (n > this.remaining) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `count ${n} beyond the message`);
    return n;
  }

  /** Throws unless every byte was consumed. */
  end(): void {
    if (this.pos !== this.buf.length) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${this.remaining} trailing bytes`);
  }
}
