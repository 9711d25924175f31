// DataPlaneClient: talks to chunkservers over the framed data plane, with pooled connections per server.
import { BLOCK_SIZE_BYTES, type ChunkRef, type StoredChunk } from '../contracts/chunk-store';
import type { IClock } from '../contracts/clock';
import { ErrorCodes, MoosengError } from '../errors';
import { blockPartCount, blockPartCrcs } from './block-checksums';
import { MAX_FRAME_DATA_BYTES } from './frame';
import { encodeRequest, requestType, type ChunkReply, type ChunkRequest, type Sender } from './data-plane-messages';
import { DataPlaneConnection, type DataPlaneConnectTls, type ReplyHandler } from './data-plane-connection';
import type { DialTls } from '../runtime/node-tls';
import { STATUS_OK, errorFromStatus } from './status';

/** Default deadline of one request (a whole read stream counts as one). */
export const DATA_PLANE_TIMEOUT_MS = 30_000;
export const DATA_PLANE_CONNECT_TIMEOUT_MS = 5_000;
/** Sockets kept per chunkserver; requests on one chunk always share a socket, so they stay in order. */
export const DATA_PLANE_CONNECTIONS_PER_SERVER = 4;
/** Bytes a read stream buffers ahead of its consumer before it pauses its socket. */
export const READ_STREAM_QUEUE_BYTES = 8 * MAX_FRAME_DATA_BYTES;
/** TLS sessions kept for resumption, one per chunkserver dialled (the oldest goes first). */
export const MAX_TLS_SESSIONS = 1024;

export interface DataPlaneClientOptions {
  connectionsPerServer?: number;
  timeoutMs?: number;
  connectTimeoutMs?: number;
  /** "chunkserver" when a chunkserver forwards along a chain (CSTOCS_* frames); "client" otherwise. */
  sender?: Sender;
  /** Connect and request deadlines run on this clock (the process's, from its composition root). */
  clock: IClock;
  /**
   * Signs requests that were given no permit (the leader master's own commands): returns the permit for a request
   * sent to `targets` (the addressed chunkserver, then its chain).
   */
  signer?: (req: ChunkRequest & { ref: ChunkRef }, targets: readonly string[]) => Buffer | undefined;
  /**
   * Dial chunkservers over TLS, checking their certificates against this CA (and presenting this certificate when
   * given): what a chunkserver with node.tls requires. Absent: plain TCP.
   */
  tls?: DialTls;
}

/** Options of one call: the rest of the replication chain, cancellation and a deadline. */
export interface DataPlaneCallOptions {
  /** Replicas after the addressed one, "host:port", in forwarding order. */
  chain?: readonly string[];
  signal?: AbortSignal;
  timeoutMs?: number;
  /** The leader's permit for this change (from a write grant, or forwarded along a chain); see chunk-permits.ts. */
  permit?: Buffer;
  /**
   * The addressed chunkserver's id (the master's locations carry it). Over TLS a connection opened for this call
   * then takes only that chunkserver's certificate; one already open to the address is reused as it is.
   */
  serverId?: string;
}

/** Options of a write. */
export interface DataPlaneWriteOptions extends DataPlaneCallOptions {
  /**
   * The CRC32 of each block-part of `data` (blockPartCrcs(offset, data)) when they came with the data: a chunkserver
   * forwarding a write along its chain passes on the client's, so bytes damaged anywhere upstream are caught
   * downstream. Computed here when absent: whoever calls write() first is where the data enters the system.
   */
  blockCrcs?: readonly number[];
}

/** One piece of a streamed read. */
export interface ReadPiece {
  /** Offset of `data` in the chunk. */
  offset: number;
  data: Buffer;
}

/**
 * A pool of data-plane connections. Every call resolves when the chunkserver (and, for writes along a chain, every
 * replica) has answered; errors are MoosengErrors with the wire status's code. A write whose local copy succeeded
 * but whose chain broke fails with REPLICA_FAILED and `details.failedReplica` naming the replica that failed.
 */
export class DataPlaneClient {
  private readonly pools = new Map<string, Array<Promise<DataPlaneConnection> | undefined>>();
  private readonly perServer: number;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly sender: Sender;
  private readonly clock: IClock;
  private readonly signer: DataPlaneClientOptions['signer'];
  private readonly tls: DialTls | undefined;
  /** TLS sessions to resume, by address and expected id: a reconnect skips the certificate exchange. */
  private readonly tlsSessions = new Map<string, Buffer>();
  private closed = false;

  constructor(options: DataPlaneClientOptions) {
    this.perServer = options.connectionsPerServer ?? DATA_PLANE_CONNECTIONS_PER_SERVER;
    this.timeoutMs = options.timeoutMs ?? DATA_PLANE_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DATA_PLANE_CONNECT_TIMEOUT_MS;
    this.sender = options.sender ?? 'client';
    this.clock = options.clock;
    this.signer = options.signer;
    this.tls = options.tls;
  }

  async create(address: string, ref: ChunkRef, options: DataPlaneCallOptions = {}): Promise<void> {
    await this.statusCall(address, ref.chunkId, { op: 'create', ref, chain: [...(options.chain ?? [])] }, options);
  }

  /**
   * Writes `data` at `offset`, cut into frames sent back to back (pipelined) on one socket, each with the CRC32 of
   * each of its block-parts. Frames after the first start on a block boundary, so no block is split between two
   * frames (each block-part's CRC covers what one frame carries of it). The frames are views of `data`, not copies:
   * leave it unchanged until the call settles, and do not reuse it after an abort or timeout (the socket may still be
   * sending it). A chunkserver that finds a frame's bytes do not match their CRCs refuses it: CHUNK_CRC_MISMATCH.
   */
  async write(address: string, ref: ChunkRef, offset: number, data: Uint8Array, options: DataPlaneWriteOptions = {}): Promise<void> {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const crcs = options.blockCrcs ?? blockPartCrcs(offset, buf);
    if (crcs.length !== blockPartCount(offset, buf.length))
      throw new MoosengError(
        ErrorCodes.INVALID_ARGUMENT,
        `a write of ${buf.length} bytes at ${offset} has ${blockPartCount(offset, buf.length)} block-parts, not ${crcs.length} CRCs`,
      );
    const chain = [...(options.chain ?? [])];
    const permit = this.permitFor({ op: 'write', ref, offset, chain, crcs: [], data: EMPTY }, address, options);
    const parts: Array<Promise<void>> = [];
    let pos = 0;
    let crcAt = 0;
    do {
      const at = offset + pos;
      const n = Math.min(buf.length - pos, MAX_FRAME_DATA_BYTES - (at % BLOCK_SIZE_BYTES));
      const piece = buf.subarray(pos, pos + n);
      const pieceCrcs = crcs.slice(crcAt, crcAt + blockPartCount(at, n));
      crcAt += pieceCrcs.length;
      parts.push(
        this.statusCall(address, ref.chunkId, { op: 'write', ref, permit, offset: at, chain, crcs: pieceCrcs, data: piece }, options),
      );
      pos += n;
    } while (pos < buf.length);
    const results = await Promise.allSettled(parts);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Reads `length` bytes at `offset` into one buffer (short only where the chunk ends). */
  async read(address: string, ref: ChunkRef, offset: number, length: number, options: DataPlaneCallOptions = {}): Promise<Buffer> {
    const into = Buffer.allocUnsafe(length);
    const got = await this.readInto(address, ref, offset, into, () => undefined, options);
    return into.subarray(0, got);
  }

  /**
   * Reads `into.length` bytes at `offset` straight into `into`, copied there from the socket as they arrive (no
   * buffer of their own), telling `filled` after each block-part how many bytes from `into`'s start are in place and
   * CRC-checked. Resolves with the bytes read, fewer only where the chunk ends. Bytes past the last `filled` may be
   * there unchecked (a block-part that failed its CRC, a read cut off): they are not the chunk's.
   */
  async readInto(
    address: string,
    ref: ChunkRef,
    offset: number,
    into: Buffer,
    filled: (bytes: number) => void,
    options: DataPlaneCallOptions = {},
  ): Promise<number> {
    const conn = await this.connection(address, ref.chunkId, options);
    const target = { buffer: into, base: offset, next: offset };
    return new Promise<number>((resolve, reject) => {
      const handler: ReplyHandler = {
        into: target,
        reply: (reply) => {
          if (reply.op === 'read-data') {
            filled(target.next - offset);
            return false;
          }
          if (reply.op === 'status') {
            if (reply.status !== STATUS_OK) reject(replyError(reply, address));
            else resolve(target.next - offset);
            return true;
          }
          throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${address} answered a read with ${reply.op}`);
        },
        fail: reject,
      };
      const req: ChunkRequest = { op: 'read', ref, offset, length: into.length };
      req.permit = this.permitFor(req, address, options);
      conn.send(requestType('read', this.sender), encodeRequest(req), handler, {
        signal: options.signal,
        timeoutMs: options.timeoutMs ?? this.timeoutMs,
        chunkId: ref.chunkId,
      });
    });
  }

  /**
   * Streams a read as the chunkserver sends it, piece by piece in offset order: one block-part each, handed on once
   * it matched its CRC. Pieces are the caller's. Bytes corrupted in transit fail the stream with CHUNK_CRC_MISMATCH
   * before any of them is yielded; the pieces yielded before are good.
   */
  async *readStream(
    address: string,
    ref: ChunkRef,
    offset: number,
    length: number,
    options: DataPlaneCallOptions = {},
  ): AsyncGenerator<ReadPiece> {
    const conn = await this.connection(address, ref.chunkId, options);
    const queue: ReadPiece[] = [];
    let queued = 0;
    let done = false;
    let error: MoosengError | null = null;
    let wake: (() => void) | null = null;
    const notify = (): void => {
      wake?.();
      wake = null;
    };
    let requestId = 0;
    const handler: ReplyHandler = {
      reply: (reply) => {
        if (reply.op === 'read-data') {
          queue.push({ offset: reply.offset, data: reply.data });
          queued += reply.data.length;
          if (queued >= READ_STREAM_QUEUE_BYTES) conn.throttle(requestId, true);
          notify();
          return false;
        }
        if (reply.op === 'status') {
          if (reply.status !== STATUS_OK) error = replyError(reply, address);
          done = true;
          notify();
          return true;
        }
        throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${address} answered a read with ${reply.op}`);
      },
      fail: (err) => {
        error = err;
        done = true;
        notify();
      },
    };
    const req: ChunkRequest = { op: 'read', ref, offset, length };
    req.permit = this.permitFor(req, address, options);
    requestId = conn.send(requestType('read', this.sender), encodeRequest(req), handler, {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      chunkId: ref.chunkId,
    });
    try {
      for (;;) {
        if (queue.length > 0) {
          const piece = queue.shift()!;
          queued -= piece.data.length;
          if (queued < READ_STREAM_QUEUE_BYTES / 2) conn.throttle(requestId, false);
          yield piece;
          continue;
        }
        if (error) throw error;
        if (done) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      conn.throttle(requestId, false);
    }
  }

  async truncate(address: string, ref: ChunkRef, length: number, options: DataPlaneCallOptions = {}): Promise<void> {
    await this.statusCall(address, ref.chunkId, { op: 'truncate', ref, length, chain: [...(options.chain ?? [])] }, options);
  }

  async delete(address: string, ref: ChunkRef, options: DataPlaneCallOptions = {}): Promise<void> {
    await this.statusCall(address, ref.chunkId, { op: 'delete', ref, chain: [...(options.chain ?? [])] }, options);
  }

  /**
   * Has the chunkserver re-read the whole chunk and check every block's CRC: resolves when it is sound, fails with
   * CHUNK_CORRUPT (the bad blocks in details.blocks) when it is not (the chunkserver reports that to the masters too).
   */
  async verify(address: string, ref: ChunkRef, options: DataPlaneCallOptions = {}): Promise<void> {
    await this.statusCall(address, ref.chunkId, { op: 'verify', ref }, options);
  }

  async setVersion(address: string, ref: ChunkRef, newVersion: number, options: DataPlaneCallOptions = {}): Promise<void> {
    await this.statusCall(address, ref.chunkId, { op: 'set-version', ref, newVersion, chain: [...(options.chain ?? [])] }, options);
  }

  /**
   * Cuts the chunk to `length` bytes and moves it to `newVersion` as one durable change (the master's truncation of a
   * boundary chunk): a replica at `newVersion` is always cut, whatever crashes.
   */
  async cut(address: string, ref: ChunkRef, length: number, newVersion: number, options: DataPlaneCallOptions = {}): Promise<void> {
    await this.statusCall(address, ref.chunkId, { op: 'cut', ref, length, newVersion, chain: [...(options.chain ?? [])] }, options);
  }

  /** Makes earlier writes to the chunk durable on every replica of the chain (per each store's fsync policy). */
  async flush(address: string, ref: ChunkRef, options: DataPlaneCallOptions = {}): Promise<void> {
    await this.statusCall(address, ref.chunkId, { op: 'flush', ref, chain: [...(options.chain ?? [])] }, options);
  }

  /** Asks the chunkserver at `address` to copy the chunk from `source` (another chunkserver, "host:port"). */
  async replicate(address: string, ref: ChunkRef, source: string, options: DataPlaneCallOptions = {}): Promise<void> {
    await this.statusCall(address, ref.chunkId, { op: 'replicate', ref, source }, options);
  }

  /** The chunk's stored version and length; CHUNK_NOT_FOUND when the server has no copy. */
  async stat(address: string, chunkId: number, options: DataPlaneCallOptions = {}): Promise<StoredChunk> {
    let result: StoredChunk | null = null;
    await this.call(address, chunkId, { op: 'stat', chunkId }, options, (reply) => {
      if (reply.op !== 'stat-reply') throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${address} answered a stat with ${reply.op}`);
      result = { chunkId: reply.chunkId, version: reply.version, length: reply.length };
    });
    return result!;
  }

  /** Closes every pooled socket; calls in flight fail with UNAVAILABLE. */
  close(): void {
    this.closed = true;
    for (const pool of this.pools.values())
      for (const c of pool)
        void c?.then(
          (conn) => conn.close(),
          () => undefined,
        );
    this.pools.clear();
  }

  /** How to dial `address` over TLS, resuming the last session with it; undefined without TLS. */
  private tlsFor(address: string, serverId: string | undefined): DataPlaneConnectTls | undefined {
    if (!this.tls) return undefined;
    serverId ||= undefined; // '' from a master that sent no id: unknown
    const key = `${serverId ?? ''}@${address}`;
    return {
      tls: this.tls,
      serverId,
      session: this.tlsSessions.get(key),
      onSession: (session) => {
        this.tlsSessions.delete(key);
        this.tlsSessions.set(key, session);
        if (this.tlsSessions.size > MAX_TLS_SESSIONS) this.tlsSessions.delete(this.tlsSessions.keys().next().value!);
      },
    };
  }

  /** The permit a request carries: the caller's, else the signer's (a leader's own command), else none. */
  private permitFor(req: ChunkRequest, address: string, options: DataPlaneCallOptions): Buffer | undefined {
    if (options.permit) return options.permit;
    if (!this.signer || !('ref' in req)) return undefined;
    return this.signer(req, [address, ...('chain' in req ? req.chain : [])]);
  }

  private statusCall(address: string, chunkId: number, req: ChunkRequest, options: DataPlaneCallOptions): Promise<void> {
    if (req.op !== 'write') req.permit = this.permitFor(req, address, options);
    return this.call(address, chunkId, req, options, (reply) => {
      throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${address} answered ${req.op} with ${reply.op}`);
    });
  }

  /** Sends one request; resolves on an OK status, or after `onOther` accepted a non-status reply (which ends it). */
  private async call(
    address: string,
    chunkId: number,
    req: ChunkRequest,
    options: DataPlaneCallOptions,
    onOther: (reply: ChunkReply) => void,
  ): Promise<void> {
    const conn = await this.connection(address, chunkId, options);
    const payload = encodeRequest(req);
    await new Promise<void>((resolve, reject) => {
      conn.send(
        requestType(req.op, this.sender),
        payload,
        {
          reply: (reply) => {
            if (reply.op === 'status') {
              if (reply.status === STATUS_OK) resolve();
              else reject(replyError(reply, address));
              return true;
            }
            onOther(reply);
            resolve();
            return true;
          },
          fail: reject,
        },
        { signal: options.signal, timeoutMs: options.timeoutMs ?? this.timeoutMs },
      );
    });
  }

  /** The pooled socket for a chunk: the same one for every call on that chunk, so they arrive in call order. */
  private async connection(address: string, chunkId: number, options: DataPlaneCallOptions): Promise<DataPlaneConnection> {
    if (this.closed) throw new MoosengError(ErrorCodes.UNAVAILABLE, 'data-plane client is closed');
    let pool = this.pools.get(address);
    if (!pool) {
      pool = new Array(this.perServer).fill(undefined);
      this.pools.set(address, pool);
    }
    const slot = chunkId % this.perServer;
    let pending = pool[slot];
    if (pending) {
      const conn = await pending.catch(() => null);
      if (conn && !conn.closed) return conn;
      if (pool[slot] === pending) pool[slot] = undefined;
    }
    pending = pool[slot];
    if (!pending) {
      const thisPool = pool;
      pending = DataPlaneConnection.open(
        address,
        this.clock,
        this.connectTimeoutMs,
        (conn) => {
          if (thisPool[slot] === pendingRef) thisPool[slot] = undefined;
          void conn;
        },
        options.signal,
        this.tlsFor(address, options.serverId),
      );
      const pendingRef = pending;
      pool[slot] = pending;
      pending.catch(() => {
        if (thisPool[slot] === pendingRef) thisPool[slot] = undefined;
      });
    }
    return pending;
  }
}

const EMPTY = Buffer.alloc(0);

/** The error a non-OK status reply stands for, with the failed replica (REPLICA_FAILED) in its details. */
function replyError(reply: { status: number; failedReplica: string; message: string }, address: string): MoosengError {
  const details: Record<string, unknown> = { chunkserver: address };
  if (reply.failedReplica) details.failedReplica = reply.failedReplica;
  return errorFromStatus(reply.status, reply.message, details);
}
