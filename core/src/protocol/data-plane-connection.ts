// One client-side data-plane socket: sends request frames with fresh request ids and routes reply frames back.
import { connect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';
import { crc32 } from '@node-rs/crc32';
import type { IClock, TimerHandle } from '../contracts/clock';
import { ErrorCodes, MoosengError } from '../errors';
import { crcMismatch } from './block-checksums';
import { FrameDecoder, FramePool, encodeFrameHeader } from './frame';
import { writeCoalesced } from './tls-frame-writer';
import { dataPlaneDialOptions } from './data-plane-tls';
import type { DialTls } from '../runtime/node-tls';
import {
  MessageType,
  READ_DATA_FIELDS_BYTES,
  checkReadDataPart,
  decodeReply,
  messageTypeName,
  type ChunkReply,
} from './data-plane-messages';

/**
 * Receives the replies of one request. Returns true from `reply` when the request is complete. A read's replies
 * (read-data) carry bytes the handler may keep: copied into `into` when it gives one, else into a buffer of their own.
 */
export interface ReplyHandler {
  reply(reply: ChunkReply): boolean;
  fail(err: MoosengError): void;
  /** A read whose bytes go straight into the caller's buffer as they arrive (DataPlaneClient.readInto). */
  into?: ReadTarget;
}

/**
 * Where a read's bytes go: `buffer[0]` is the chunk's byte `base`, and the next read-data frame must start at `next`
 * (the chunkserver sends the range in order; a frame elsewhere is a protocol error, so bytes already handed on are
 * never written over). Bytes land in `buffer` before their frame's CRC is checked: only what a read-data reply
 * covers is good, the rest is the caller's to ignore.
 */
export interface ReadTarget {
  buffer: Buffer;
  base: number;
  next: number;
}

/**
 * The one buffer a connection's socket reads into, again and again (node's `onread`), instead of a fresh allocation
 * per read: a sequential read through the mount otherwise allocated every byte twice (the socket's chunks and the
 * cache's blocks), and that churn of external memory set off a major collection every few tens of MiB, about 40 % of
 * the mount's CPU (perf, 1 GiB read, plain and TLS alike). Nothing received may be kept past the callback: frames are
 * decoded at once, read-data is copied out (ReplyHandler.into or a buffer of its own). 64 KiB: what a plain socket
 * reads at a time; TLS hands over at most a 16 KiB record.
 */
export const SOCKET_READ_BUFFER_BYTES = 64 * 1024;

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  /** The chunk the request is about, for the error of read bytes corrupted in transit. */
  chunkId?: number;
}

/** Splits "host:port" (IPv6 hosts in brackets). */
export function parseAddress(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536))
    throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `bad chunkserver address "${address}": expected host:port`);
  return { host: m[1]!, port };
}

/** How to dial over TLS (see dataPlaneDialOptions), and the TLS session to resume. */
export interface DataPlaneConnectTls {
  tls: DialTls;
  /** The chunkserver's id when the caller knows it: its certificate must then be that chunkserver's. */
  serverId?: string;
  /** A session from an earlier connection to the same chunkserver: resumed, it saves the certificate exchange. */
  session?: Buffer;
  /** Called with each session ticket the chunkserver sends, for the next connection to resume. */
  onSession?: (session: Buffer) => void;
}

interface Pending {
  handler: ReplyHandler;
  timer: TimerHandle;
  cleanup: () => void;
  chunkId?: number;
}

/**
 * The read-data frame arriving: where its bytes are being copied (the request's ReadTarget buffer, or one of the
 * frame's own), from which index, and their CRC32 so far. Null `bytes`: the frame's request is gone (timed out,
 * aborted), its bytes are dropped.
 */
interface ReadFrame {
  bytes: Buffer | null;
  start: number;
  crc: number;
}

/** A connected socket with request tracking. Created by DataPlaneClient; closes itself on any stream error. */
export class DataPlaneConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedWith: MoosengError | null = null;
  private readonly decoder: FrameDecoder;
  /** Streams that asked to slow down (their consumers are behind); the socket is paused while any do. */
  private readonly pausedBy = new Set<number>();
  /** Frames never interleave on a socket, so at most one read-data frame is arriving at a time. */
  private readFrame: ReadFrame | null = null;
  /** Over TLS: the buffers each frame is copied into, to go out as one write (tls-frame-writer.ts). */
  private readonly tlsFrames: FramePool | null;
  /**
   * Over TLS: frames waiting for the socket to drain. node's TLS encrypts what it is given at once and holds the
   * result until the kernel takes it, so a 64 MiB pipelined write handed over whole would be 64 MiB of fresh memory
   * (page faults, the collector); given a frame at a time as the socket drains, it reuses the same few buffers.
   */
  private readonly tlsQueue: Buffer[][] = [];

  private constructor(
    readonly address: string,
    private readonly socket: Socket,
    private readonly clock: IClock,
    private readonly onClose: (conn: DataPlaneConnection) => void,
    tls: boolean,
    received: SocketReceiver,
  ) {
    this.tlsFrames = tls ? new FramePool() : null;
    this.decoder = new FrameDecoder(
      {
        frame: (type, requestId, payload) => this.onFrame(type, requestId, payload),
        part: (_type, requestId, fields, data, dataOffset, last, dataTotal) =>
          this.onReadData(requestId, fields, data, dataOffset, last, dataTotal),
        oversized: (type, _id, length) =>
          this.destroy(new MoosengError(ErrorCodes.FRAME_TOO_LARGE, `${address} sent a ${messageTypeName(type)} frame of ${length} bytes`)),
        malformed: (reason) => this.destroy(new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${address}: ${reason}`)),
      },
      { streamed: (type) => (type === MessageType.CSTOAN_READ_DATA ? READ_DATA_FIELDS_BYTES : null) },
    );
    received.sink = (chunk) => this.decoder.push(chunk);
    for (const early of received.early.splice(0)) this.decoder.push(early);
    if (tls) socket.on('drain', () => this.flushTlsQueue());
    socket.on('error', (err) =>
      this.destroy(new MoosengError(ErrorCodes.UNAVAILABLE, `connection to chunkserver ${address} failed: ${err.message}`, { cause: err })),
    );
    socket.on('close', () => this.destroy(new MoosengError(ErrorCodes.UNAVAILABLE, `chunkserver ${address} closed the connection`)));
  }

  /**
   * Connects to `address` (over TLS with `tls`, checking the chunkserver's certificate), failing with UNAVAILABLE or
   * TIMEOUT; a certificate that fails the check is UNAVAILABLE naming what it showed.
   */
  static open(
    address: string,
    clock: IClock,
    timeoutMs: number,
    onClose: (conn: DataPlaneConnection) => void,
    signal?: AbortSignal,
    tls?: DataPlaneConnectTls,
  ): Promise<DataPlaneConnection> {
    const { host, port } = parseAddress(address);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new MoosengError(ErrorCodes.ABORTED, `connect to ${address} aborted`));
      const received = socketReceiver();
      // tls.connect takes onread as net.connect does (node's docs; @types/node's ConnectionOptions lacks it).
      const tlsOptions: ConnectionOptions & { onread?: SocketReceiver['onread'] } = tls
        ? { ...dataPlaneDialOptions(tls.tls, host, port, tls.serverId), session: tls.session, onread: received.onread }
        : {};
      const socket = tls ? connectTls(tlsOptions) : connect({ host, port, noDelay: true, onread: received.onread });
      if (tls) {
        socket.setNoDelay(true);
        const onSession = tls.onSession;
        if (onSession) socket.on('session', (session: Buffer) => onSession(session));
      }
      const fail = (err: MoosengError): void => {
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(err);
      };
      const onAbort = (): void => fail(new MoosengError(ErrorCodes.ABORTED, `connect to ${address} aborted`));
      const timer = clock.setTimer(timeoutMs, () =>
        fail(new MoosengError(ErrorCodes.TIMEOUT, `no connection to chunkserver ${address} within ${timeoutMs} ms`)),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', (err) =>
        fail(new MoosengError(ErrorCodes.UNAVAILABLE, `cannot connect to chunkserver ${address}: ${err.message}`, { cause: err })),
      );
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        socket.removeAllListeners('error');
        resolve(new DataPlaneConnection(address, socket, clock, onClose, tls !== undefined, received));
      });
    });
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  /** Requests in flight on this socket. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Sends one request frame; `handler` gets its replies until it says the request is complete. A timeout or abort
   * fails the handler; a late reply to it is dropped.
   */
  send(type: number, payload: readonly Buffer[], handler: ReplyHandler, options: RequestOptions): number {
    if (this.closedWith) {
      handler.fail(this.closedWith);
      return 0;
    }
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    const { signal } = options;
    if (signal?.aborted) {
      handler.fail(new MoosengError(ErrorCodes.ABORTED, `${messageTypeName(type)} to ${this.address} aborted`));
      return 0;
    }
    const onAbort = (): void =>
      this.finish(id, new MoosengError(ErrorCodes.ABORTED, `${messageTypeName(type)} to ${this.address} aborted`));
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = this.clock.setTimer(options.timeoutMs, () =>
      this.finish(
        id,
        new MoosengError(
          ErrorCodes.TIMEOUT,
          `${messageTypeName(type)} to chunkserver ${this.address} got no reply within ${options.timeoutMs} ms`,
        ),
      ),
    );
    this.pending.set(id, { handler, timer, cleanup: () => signal?.removeEventListener('abort', onAbort), chunkId: options.chunkId });
    let length = 0;
    for (const part of payload) length += part.length;
    const header = encodeFrameHeader(type, id, length);
    if (this.tlsFrames) {
      this.tlsQueue.push([header, ...payload]);
      if (this.tlsQueue.length === 1 && !this.socket.writableNeedDrain) this.flushTlsQueue();
      return id;
    }
    this.socket.cork();
    this.socket.write(header);
    for (const part of payload) if (part.length > 0) this.socket.write(part);
    this.socket.uncork();
    return id;
  }

  /** Writes queued frames until the socket asks to wait for 'drain'. */
  private flushTlsQueue(): void {
    while (this.tlsQueue.length > 0 && !this.closedWith) {
      if (!writeCoalesced(this.socket, this.tlsQueue.shift()!, this.tlsFrames!)) return;
    }
  }

  /** Pauses reading while a stream's consumer is behind (`slow`), resumes once none is. */
  throttle(requestId: number, slow: boolean): void {
    if (slow) this.pausedBy.add(requestId);
    else this.pausedBy.delete(requestId);
    if (this.pausedBy.size > 0) this.socket.pause();
    else if (!this.closedWith) this.socket.resume();
  }

  /** Closes the socket; pending requests fail with UNAVAILABLE. */
  close(): void {
    this.destroy(new MoosengError(ErrorCodes.UNAVAILABLE, `connection to ${this.address} closed`));
  }

  private finish(id: number, err?: MoosengError): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.pausedBy.delete(id);
    p.timer.cancel();
    p.cleanup();
    if (err) p.handler.fail(err);
    if (this.pausedBy.size === 0 && !this.closedWith) this.socket.resume();
  }

  /**
   * A piece of a read-data frame (one block-part and its CRC32). Pieces arrive as the socket delivers them, in the
   * socket's one reused buffer, so each is copied at once: into the request's ReadTarget, or into a buffer of the
   * frame's own. The frame is handed on, as one reply, only once its bytes match the CRC the chunkserver sent: bytes
   * corrupted in transit fail the read (CHUNK_CRC_MISMATCH) and never reach the reader as good.
   */
  private onReadData(requestId: number, fields: Buffer, data: Buffer, dataOffset: number, last: boolean, dataTotal: number): void {
    const offset = fields.readUInt32BE(0);
    if (dataOffset === 0) {
      const p = this.pending.get(requestId);
      try {
        checkReadDataPart(offset, dataTotal, ErrorCodes.PROTOCOL_ERROR);
        this.readFrame = !p ? { bytes: null, start: 0, crc: 0 } : { ...this.frameTarget(p, offset, dataTotal), crc: 0 };
      } catch (err) {
        this.destroy(err as MoosengError);
        return;
      }
    }
    const frame = this.readFrame!;
    // A request that ended while its frame arrived (timeout, abort) no longer owns its target: the caller may have
    // handed it to another replica's read.
    if (frame.bytes && !this.pending.has(requestId)) frame.bytes = null;
    if (data.length > 0 && frame.bytes) {
      data.copy(frame.bytes, frame.start + dataOffset);
      frame.crc = crc32(data, frame.crc);
    }
    if (!last) return;
    this.readFrame = null;
    const p = this.pending.get(requestId);
    if (!p || !frame.bytes) return; // a reply to a request that timed out or was aborted
    const sent = fields.readUInt32BE(4);
    if (frame.crc !== sent) {
      const what = p.chunkId === undefined ? 'chunk data' : `chunk ${p.chunkId}`;
      this.finish(requestId, crcMismatch(what, offset, dataTotal, sent, frame.crc, `chunkserver ${this.address}`));
      return;
    }
    if (p.handler.into) p.handler.into.next = offset + dataTotal;
    this.onReply(requestId, {
      op: 'read-data',
      offset,
      crc: sent,
      data: frame.bytes.subarray(frame.start, frame.start + dataTotal),
    });
  }

  /** Where the bytes of a read-data frame at `offset` go; PROTOCOL_ERROR for a frame the read did not ask for there. */
  private frameTarget(p: Pending, offset: number, length: number): { bytes: Buffer; start: number } {
    const into = p.handler.into;
    if (!into) return { bytes: Buffer.allocUnsafe(length), start: 0 };
    const start = offset - into.base;
    if (offset !== into.next || start + length > into.buffer.length)
      throw new MoosengError(
        ErrorCodes.PROTOCOL_ERROR,
        `chunkserver ${this.address} sent ${length} bytes at ${offset} of chunk ${p.chunkId ?? '?'}, where the read wanted the bytes from ${into.next} to ${into.base + into.buffer.length}`,
      );
    return { bytes: into.buffer, start };
  }

  private onFrame(type: number, requestId: number, payload: Buffer): void {
    if (!this.pending.has(requestId)) return; // a reply to a request that timed out or was aborted
    let reply: ChunkReply;
    try {
      reply = decodeReply(type, payload);
    } catch (err) {
      this.destroy(err as MoosengError);
      return;
    }
    this.onReply(requestId, reply);
  }

  private onReply(requestId: number, reply: ChunkReply): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    let done: boolean;
    try {
      done = p.handler.reply(reply);
    } catch (err) {
      this.finish(requestId, err as MoosengError);
      return;
    }
    if (done) this.finish(requestId);
  }

  private destroy(err: MoosengError): void {
    if (this.closedWith) return;
    this.closedWith = err;
    this.socket.destroy();
    for (const id of [...this.pending.keys()]) this.finish(id, err);
    this.onClose(this);
  }
}

/** The socket's reads, until the connection is made, and the connection's decoder after. */
interface SocketReceiver {
  onread: { buffer: Buffer; callback: (bytes: number, buffer: Buffer) => boolean };
  sink: ((chunk: Buffer) => void) | null;
  /** Bytes that came before the connection existed (copies: the buffer is reused). */
  early: Buffer[];
}

function socketReceiver(): SocketReceiver {
  const receiver: SocketReceiver = {
    onread: {
      buffer: Buffer.allocUnsafeSlow(SOCKET_READ_BUFFER_BYTES),
      callback: (bytes, buffer) => {
        const chunk = buffer.subarray(0, bytes);
        if (receiver.sink) receiver.sink(chunk);
        else receiver.early.push(Buffer.from(chunk));
        return true;
      },
    },
    sink: null,
    early: [],
  };
  return receiver;
}
