// DataPlaneServer: the chunkserver's framed binary port: serves chunk requests, forwards writes along the chain,
// and copies chunks from other chunkservers for repair.
import {
  CHUNK_SIZE_BYTES,
  type ChecksummedRead,
  type ChunkRef,
  type ChunkReply,
  type ChunkRequest,
  type Counter,
  type DataPlaneClient,
  decodeRequest,
  encodeFrameHeader,
  encodeReply,
  ErrorCodes,
  FrameDecoder,
  forEachBlockPart,
  FramePool,
  frameMagicOf,
  FRAME_HEADER_BYTES,
  versionOfFrameMagic,
  type ChunkPermitKey,
  dataPlaneServerOptions,
  type NodeTls,
  TLS_HANDSHAKE_RECORD_TYPE,
  type Histogram,
  type IClock,
  type ILogger,
  type IMetrics,
  isMoosengError,
  listenOrExplain,
  PERMIT_REQUIRED_OPS,
  SampledWarning,
  MAX_FRAME_DATA_BYTES,
  MAX_FRAME_PAYLOAD_BYTES,
  messageTypeName,
  MoosengError,
  STATUS_OK,
  statusOf,
  toMoosengError,
  verifyBlockPartCrcs,
  writeCoalesced,
} from '@mooseng/core';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { ChunkStoreSet } from './chunk-store-set';
import { replicateChunk } from './chunk-replicator';
import { readChecksummed } from './checksummed-read';
import { ReadBuffers } from './read-buffers';

/** Requests one connection may have in progress; beyond it the socket stops being read until some finish. */
export const MAX_REQUESTS_IN_FLIGHT_PER_CONNECTION = 64;
/** Pieces of one read stream read from disk ahead of the one on the wire. */
export const READ_AHEAD_PIECES = 4;
/**
 * Connections open at once; one more is closed at once (and logged, now and then). Clients keep at most
 * DATA_PLANE_CONNECTIONS_PER_SERVER (4) to a chunkserver and chunkservers as many to each other, so this leaves room
 * for a thousand mounts while a host that opens connections without end cannot run the chunkserver out of files.
 */
export const MAX_DATA_PLANE_CONNECTIONS = 4096;
/** How long stop() waits for requests in progress before cutting connections. */
export const DATA_PLANE_DRAIN_MS = 5_000;

/** Called when a read or a repair copy finds a block failing its CRC. */
/** What found a corrupt block: a read, the scrubber, or a verify the leader asked for (a client said so). */
export type CorruptionFinder = 'read' | 'scrub' | 'verify';
export type CorruptionReporter = (ref: ChunkRef, blocks: number[], dir: string, foundBy: CorruptionFinder) => void;

export interface DataPlaneServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  stores: ChunkStoreSet;
  /** Client used to forward along chains and to read repair sources (sender "chunkserver"). */
  peers: DataPlaneClient;
  logger: ILogger;
  metrics: IMetrics;
  clock: IClock;
  onCorrupt: CorruptionReporter;
  /**
   * The key of the cluster secret: changes (PERMIT_REQUIRED_OPS) need the leader's permit. Absent: a cluster without
   * a secret, where anyone who reaches this port may change chunks (docs/security.md).
   */
  permits?: ChunkPermitKey;
  /** This chunkserver's address as it registered ("host:port"): the target a permit must name. */
  selfAddress: () => string;
  /** chunkserver.maxConnections; MAX_DATA_PLANE_CONNECTIONS unless given. */
  maxConnections?: number;
  /**
   * node.tls: the port then speaks TLS (dataPlaneServerOptions). A peer that shows a certificate must show one of
   * this CA; plain connections are refused unless `allowPlain` (chunkserver.allowPlainDataPlane, for a migration).
   */
  tls?: { files: NodeTls; allowPlain: boolean };
}

interface ConnectionState {
  socket: Socket;
  /** Over TLS: replies go out as one buffer per send (tls-frame-writer.ts). */
  tls?: boolean;
  /** "host:port" of the peer, for errors naming who sent bad bytes. */
  peer: string;
  inFlight: number;
  paused: boolean;
}

export class DataPlaneServer {
  private server: Server | null = null;
  private readonly connections = new Set<ConnectionState>();
  private readonly requests: Counter;
  private readonly bytesIn: Counter;
  private readonly bytesOut: Counter;
  private readonly latency: Histogram;
  private stopping = false;
  /** Payload buffers of write frames, reused once a write has fully succeeded. */
  private readonly pool = new FramePool();
  /** Over TLS: the buffers a send's frames are copied into, to go out as one write (tls-frame-writer.ts). */
  private readonly tlsFrames = new FramePool();
  /** What reads are read into and sent from, used again (read-buffers.ts). */
  readonly readBuffers = new ReadBuffers();
  private drained: (() => void) | null = null;
  /** Connections closed at once for the bound, and requests refused for their permit: a stranger repeats them at will. */
  private readonly refusedConnections: SampledWarning;
  private readonly refusedPermits: SampledWarning;
  /** When this server was made (wall clock): write permits issued before it are void (WRITES_VOIDED_BY_RESTART). */
  private readonly startedAtMs: number;
  /** Plain connections to a TLS port, and certificates of another CA. */
  private readonly refusedTls: SampledWarning;
  /** Not listening: takes the connections whose first byte starts a TLS handshake, and hands them back secured. */
  private tlsServer: TlsServer | null = null;
  /**
   * Every accepted TCP socket until it closes: served, or still awaited (its first byte, its TLS handshake). What
   * the connection bound counts, since each holds a file descriptor.
   */
  private readonly accepted = new Set<Socket>();

  constructor(private readonly options: DataPlaneServerOptions) {
    this.startedAtMs = options.clock.now();
    const m = options.metrics;
    this.requests = m.counter({
      name: 'mooseng_chunkserver_requests_total',
      help: 'Data-plane requests by operation and result',
      labelNames: ['op', 'code'],
    });
    this.bytesIn = m.counter({ name: 'mooseng_chunkserver_written_bytes_total', help: 'Chunk bytes written through the data plane' });
    this.bytesOut = m.counter({ name: 'mooseng_chunkserver_read_bytes_total', help: 'Chunk bytes read through the data plane' });
    this.latency = m.histogram({ name: 'mooseng_chunkserver_request_seconds', help: 'Data-plane request time', labelNames: ['op'] });
    this.refusedConnections = new SampledWarning(options.logger, 1000);
    this.refusedPermits = new SampledWarning(options.logger, 100);
    this.refusedTls = new SampledWarning(options.logger, 100);
  }

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    const { tls } = this.options;
    if (tls) {
      const tlsServer = createTlsServer(dataPlaneServerOptions(tls.files), (socket) => this.secured(socket));
      tlsServer.on('tlsClientError', (err, socket) => {
        this.refusedTls.warn(`refused a data-plane TLS connection from ${socket.remoteAddress}: ${err.message}`);
      });
      this.tlsServer = tlsServer;
    }
    const server = createServer((socket) => this.accept(socket));
    await listenOrExplain(server, this.options.host, this.options.port, 'data-plane port', 'chunkserver.port');
    this.server = server;
    return (server.address() as { port: number }).port;
  }

  /** Stops accepting, lets requests in progress finish (up to DATA_PLANE_DRAIN_MS), then closes every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    this.stopping = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.totalInFlight() > 0) {
      await new Promise<void>((resolve) => {
        const timer = this.options.clock.setTimer(DATA_PLANE_DRAIN_MS, resolve);
        this.drained = () => {
          timer.cancel();
          resolve();
        };
      });
    }
    for (const c of this.connections) c.socket.destroy();
    for (const s of this.accepted) s.destroy();
    this.tlsServer?.close();
    await closed;
  }

  private totalInFlight(): number {
    let n = 0;
    for (const c of this.connections) n += c.inFlight;
    return n;
  }

  private accept(socket: Socket): void {
    const max = this.options.maxConnections ?? MAX_DATA_PLANE_CONNECTIONS;
    if (this.accepted.size >= max) {
      this.refusedConnections.warn(`refused a data-plane connection from ${socket.remoteAddress}: ${max} are open`);
      socket.destroy();
      return;
    }
    this.accepted.add(socket);
    socket.once('close', () => this.accepted.delete(socket));
    socket.setNoDelay(true);
    const { tls } = this.options;
    if (!tls) return this.serve(socket);
    // One port for both, told apart by the first byte (a TLS handshake record, or a frame's magic), so a cluster can
    // move to TLS node by node with allowPlain on.
    socket.on('error', () => undefined); // a peer that vanished: 'close' follows
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      if (first[0] === TLS_HANDSHAKE_RECORD_TYPE) {
        // The TLS server wraps this socket and reads what was put back first (node's TLSSocket does).
        this.tlsServer!.emit('connection', socket);
      } else if (tls.allowPlain) {
        this.serve(socket);
        socket.resume();
      } else {
        this.refusePlain(socket, first);
      }
    });
  }

  /**
   * A plain connection to a TLS port: logged (sampled: a stranger repeats it at will) and answered once, in its own
   * framing when its first bytes are a frame header, so a plain client's caller reads why rather than a closed socket.
   */
  private refusePlain(socket: Socket, first: Buffer): void {
    this.refusedTls.warn(
      `refused a plain data-plane connection from ${socket.remoteAddress}: this chunkserver takes TLS only (node.tls; chunkserver.allowPlainDataPlane is off)`,
    );
    const conn: ConnectionState = { socket, peer: `${socket.remoteAddress}:${socket.remotePort}`, inFlight: 0, paused: false };
    const requestId = first.length >= FRAME_HEADER_BYTES ? first.readUInt32BE(8) : 0;
    const magic = first.length >= 4 ? first.readUInt32BE(0) : undefined;
    const err = new MoosengError(
      ErrorCodes.PERMIT_REFUSED,
      `chunkserver ${this.options.selfAddress()} takes TLS only: give the client the cluster CA (node.tls.caFile)`,
    );
    void this.send(conn, requestId, statusReply(err), magic !== undefined && versionOfFrameMagic(magic) !== null ? magic : undefined);
    socket.end();
    // Read (and drop) whatever else it sends, so its end is seen and the socket closes.
    socket.resume();
  }

  /** A TLS connection after its handshake: served, unless it showed a certificate the CA did not sign. */
  private secured(socket: TLSSocket): void {
    const cert = socket.getPeerCertificate();
    if (cert && Object.keys(cert).length > 0 && !socket.authorized) {
      this.refusedTls.warn(
        `refused a data-plane TLS connection from ${socket.remoteAddress}: its certificate "${String(cert.subject?.CN ?? '')}" is not of this cluster's CA (${String(socket.authorizationError)})`,
      );
      socket.destroy();
      return;
    }
    this.serve(socket, true);
  }

  private serve(socket: Socket, tls = false): void {
    const conn: ConnectionState = { socket, tls, peer: `${socket.remoteAddress}:${socket.remotePort}`, inFlight: 0, paused: false };
    this.connections.add(conn);
    const decoder = new FrameDecoder(
      {
        frame: (type, requestId, payload) => this.dispatch(conn, type, requestId, payload),
        oversized: (type, requestId, length) => {
          // The payload is skipped as it streams in, so the connection stays usable.
          this.options.logger.warn(`refused a ${messageTypeName(type)} frame of ${length} bytes from ${socket.remoteAddress}`);
          void this.send(
            conn,
            requestId,
            statusReply(
              new MoosengError(ErrorCodes.FRAME_TOO_LARGE, `frame of ${length} bytes exceeds the ${MAX_FRAME_PAYLOAD_BYTES}-byte limit`),
            ),
          );
        },
        malformed: (reason, peer) => {
          // Past a bad header the stream cannot be re-synchronised: answer once and close this connection only. A
          // peer of another protocol version gets the answer to the request it sent, in its own framing (a status
          // reads the same in every version), so its caller sees both versions named rather than a closed socket.
          this.options.logger.warn(`closing a data-plane connection from ${socket.remoteAddress}: ${reason}`);
          const reply = statusReply(new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${reason}; closing the connection`));
          void this.send(conn, peer?.requestId ?? 0, reply, peer ? frameMagicOf(peer.version) : undefined);
          socket.end();
        },
      },
      { allocate: (bytes) => this.pool.take(bytes) },
    );
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', () => undefined); // a peer that vanished: 'close' follows
    socket.on('close', () => {
      this.connections.delete(conn);
      this.checkDrained();
    });
  }

  private checkDrained(): void {
    if (this.drained && this.totalInFlight() === 0) {
      this.drained();
      this.drained = null;
    }
  }

  private dispatch(conn: ConnectionState, type: number, requestId: number, payload: Buffer): void {
    let req: ChunkRequest;
    try {
      req = decodeRequest(type, payload);
    } catch (err) {
      void this.send(conn, requestId, statusReply(toMoosengError(err, `decoding ${messageTypeName(type)}`)));
      return;
    }
    if (this.stopping) {
      void this.send(conn, requestId, statusReply(new MoosengError(ErrorCodes.UNAVAILABLE, 'chunkserver is stopping')));
      return;
    }
    const { permits } = this.options;
    if (permits && PERMIT_REQUIRED_OPS.has(req.op) && 'ref' in req) {
      try {
        permits.check(req, req.permit, this.options.selfAddress(), this.options.clock.now(), this.startedAtMs);
      } catch (err) {
        const e = toMoosengError(err, `checking the permit of ${req.op}`);
        this.refusedPermits.warn(`refused a ${req.op} from ${conn.peer}: ${e.message}`);
        this.requests.inc({ op: req.op, code: e.code });
        void this.send(conn, requestId, statusReply(e));
        return;
      }
    }
    conn.inFlight++;
    if (conn.inFlight >= MAX_REQUESTS_IN_FLIGHT_PER_CONNECTION && !conn.paused) {
      conn.paused = true;
      conn.socket.pause();
    }
    const endTimer = this.latency.startTimer({ op: req.op });
    this.handle(conn, requestId, req)
      .then(
        (outcome) => {
          // Only after success is nothing holding the payload: the store is done with it and, along a chain, the
          // next replica has answered, so our socket sent every byte. After a failure it is left to the GC.
          this.pool.give(payload);
          this.requests.inc({ op: req.op, code: 'OK' });
          if (outcome !== 'replied') void this.send(conn, requestId, { op: 'status', status: STATUS_OK, failedReplica: '', message: '' });
        },
        (err) => {
          const e = toMoosengError(err, `${req.op} failed`);
          if (e.code === ErrorCodes.INTERNAL) this.options.logger.error(`${req.op} failed`, { err });
          // Bytes damaged on the way here point at a link, NIC or memory an operator should look at.
          else if (e.code === ErrorCodes.CHUNK_CRC_MISMATCH) this.options.logger.warn(`refused a ${req.op}: ${e.message}`);
          this.requests.inc({ op: req.op, code: e.code });
          void this.send(conn, requestId, statusReply(e));
        },
      )
      .finally(() => {
        endTimer();
        conn.inFlight--;
        if (conn.paused && conn.inFlight < MAX_REQUESTS_IN_FLIGHT_PER_CONNECTION / 2) {
          conn.paused = false;
          conn.socket.resume();
        }
        this.checkDrained();
      });
  }

  /**
   * Writes reply frames (one, or the block-parts of a read piece together); resolves once the socket can take more
   * (backpressure for streamed reads). `magic` is set only to answer a peer of another protocol version.
   */
  /**
   * Sends the replies in order; resolves at once, or on 'drain' when the socket's buffer is full. `written` is called
   * once the socket no longer refers to the replies' bytes (the last write's callback: writes complete in order).
   */
  private send(
    conn: ConnectionState,
    requestId: number,
    replies: ChunkReply | ChunkReply[],
    magic?: number,
    written?: () => void,
  ): Promise<void> {
    const socket = conn.socket;
    if (socket.destroyed) return Promise.resolve();
    let ok = true;
    const all = Array.isArray(replies) ? replies : [replies];
    if (conn.tls) {
      const parts: Buffer[] = [];
      for (const reply of all) {
        const { type, payload } = encodeReply(reply);
        parts.push(encodeFrameHeader(type, requestId, byteLength(payload), magic), ...payload);
      }
      ok = writeCoalesced(socket, parts, this.tlsFrames, written);
    } else {
      const writes: Buffer[] = [];
      for (const reply of all) {
        const { type, payload } = encodeReply(reply);
        // Header and fields in one write: a read sends a frame per block-part, and each write() costs a request.
        const [fields, ...data] = payload;
        writes.push(Buffer.concat([encodeFrameHeader(type, requestId, byteLength(payload), magic), fields!]));
        for (const p of data) if (p.length > 0) writes.push(p);
      }
      socket.cork();
      writes.forEach((w, i) => (ok = socket.write(w, i === writes.length - 1 && written ? () => written() : undefined)));
      socket.uncork();
    }
    if (ok || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.once('drain', done);
      socket.once('close', done);
    });
  }

  /** Serves one request; resolves to 'replied' when it sent its own final reply instead of an OK status. */
  private async handle(conn: ConnectionState, requestId: number, req: ChunkRequest): Promise<void | 'replied'> {
    const { stores } = this.options;
    switch (req.op) {
      case 'create':
        return this.mutate(
          req.chain,
          () => stores.create(req.ref),
          (next, rest) => this.options.peers.create(next, req.ref, { chain: rest, permit: req.permit }),
        );
      case 'write':
        // Bytes that do not match the CRCs their writer computed were damaged on the way here: neither stored nor
        // forwarded. Downstream gets the writer's CRCs, not new ones, so damage anywhere upstream is caught there.
        verifyBlockPartCrcs(req.ref.chunkId, req.offset, req.data, req.crcs, conn.peer);
        return this.mutate(
          req.chain,
          async () => {
            // The checked CRCs go to the store too: what it keeps for a whole block is the writer's, not recomputed.
            await this.watch(req.ref, () => stores.storeOf(req.ref.chunkId).write(req.ref, req.offset, req.data, { blockCrcs: req.crcs }));
            this.bytesIn.inc(undefined, req.data.length);
          },
          (next, rest) =>
            this.options.peers.write(next, req.ref, req.offset, req.data, { chain: rest, blockCrcs: req.crcs, permit: req.permit }),
        );
      case 'truncate':
        return this.mutate(
          req.chain,
          () => this.watch(req.ref, () => stores.storeOf(req.ref.chunkId).truncate(req.ref, req.length)),
          (next, rest) => this.options.peers.truncate(next, req.ref, req.length, { chain: rest, permit: req.permit }),
        );
      case 'set-version':
        return this.mutate(
          req.chain,
          () => stores.storeOf(req.ref.chunkId).setVersion(req.ref, req.newVersion),
          (next, rest) => this.options.peers.setVersion(next, req.ref, req.newVersion, { chain: rest, permit: req.permit }),
        );
      case 'cut':
        return this.mutate(
          req.chain,
          () => this.watch(req.ref, () => this.cut(req.ref, req.length, req.newVersion)),
          (next, rest) => this.options.peers.cut(next, req.ref, req.length, req.newVersion, { chain: rest, permit: req.permit }),
        );
      case 'delete':
        return this.mutate(
          req.chain,
          async () => {
            await stores.storeOf(req.ref.chunkId).delete(req.ref);
            stores.forget(req.ref.chunkId);
          },
          (next, rest) => this.options.peers.delete(next, req.ref, { chain: rest, permit: req.permit }),
        );
      case 'flush':
        return this.mutate(
          req.chain,
          () => stores.storeOf(req.ref.chunkId).flush(req.ref),
          (next, rest) => this.options.peers.flush(next, req.ref, { chain: rest, permit: req.permit }),
        );
      case 'read':
        return this.streamRead(conn, requestId, req.ref, req.offset, req.length);
      case 'stat': {
        const stored = stores.has(req.chunkId) ? await stores.storeOf(req.chunkId).stat(req.chunkId) : null;
        if (!stored)
          throw new MoosengError(ErrorCodes.CHUNK_NOT_FOUND, `chunk ${req.chunkId} is not on this chunkserver`, {
            details: { chunkId: req.chunkId },
          });
        await this.send(conn, requestId, { op: 'stat-reply', chunkId: stored.chunkId, version: stored.version, length: stored.length });
        return 'replied';
      }
      case 'verify':
        return this.verify(req.ref);
      case 'replicate':
        return replicateChunk(this.options.stores, this.options.peers, req.ref, req.source, { permit: req.permit });
    }
  }

  /**
   * Runs the local change and, when a chain follows, forwards the same request to the next replica at the same
   * time (pipelined). Succeeds only when both did; a downstream failure is REPLICA_FAILED naming the replica.
   */
  private async mutate(
    chain: string[],
    local: () => Promise<void>,
    forward: (next: string, rest: string[]) => Promise<void>,
  ): Promise<void> {
    const [mine, theirs] = await Promise.allSettled([local(), chain.length > 0 ? forward(chain[0]!, chain.slice(1)) : Promise.resolve()]);
    if (mine.status === 'rejected') throw mine.reason;
    if (theirs.status === 'rejected') {
      const err = toMoosengError(theirs.reason, `forwarding to ${chain[0]}`);
      const failed = typeof err.details.failedReplica === 'string' ? err.details.failedReplica : chain[0]!;
      const cause = err.code === ErrorCodes.REPLICA_FAILED ? err.message : `${err.code}: ${err.message}`;
      throw new MoosengError(ErrorCodes.REPLICA_FAILED, cause.startsWith('replica ') ? cause : `replica ${failed} failed: ${cause}`, {
        details: { failedReplica: failed },
        cause: err,
      });
    }
  }

  /** The master's cut: truncate and version change as one store call; refused if the store left the chunk longer. */
  private async cut(ref: ChunkRef, length: number, newVersion: number): Promise<void> {
    const store = this.options.stores.storeOf(ref.chunkId);
    await store.setVersion(ref, newVersion, { truncateTo: length });
    // A store built before SetVersionOptions.truncateTo would move the version without cutting: the master must then
    // not count this replica as cut.
    const stored = await store.stat(ref.chunkId);
    if (stored && stored.length > length) {
      throw new MoosengError(
        ErrorCodes.INTERNAL,
        `the chunk store on ${store.dir} moved chunk ${ref.chunkId} to version ${newVersion} without cutting it to ${length} bytes (it predates truncateTo)`,
      );
    }
  }

  /**
   * The leader's check of a whole replica, asked when a client read bad CRCs from it: every block re-read from disk.
   * Bad blocks are reported like the scrubber's and fail the call with CHUNK_CORRUPT naming them; a sound replica
   * answers OK, and the leader keeps it (a client's word alone never costs a good copy).
   */
  private async verify(ref: ChunkRef): Promise<void> {
    const store = this.options.stores.storeOf(ref.chunkId);
    const bad = await store.verify(ref);
    if (bad.length === 0) return;
    this.options.onCorrupt(ref, bad, store.dir, 'verify');
    throw new MoosengError(
      ErrorCodes.CHUNK_CORRUPT,
      `chunk ${ref.chunkId} v${ref.version} on ${store.dir}: blocks ${bad.join(', ')} fail their CRC`,
      {
        details: { chunkId: ref.chunkId, blocks: bad, dir: store.dir },
      },
    );
  }

  /** Runs a store call on a chunk, reporting a CRC failure it meets. */
  private async watch<T>(ref: ChunkRef, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isMoosengError(err, ErrorCodes.CHUNK_CORRUPT)) {
        const block = typeof err.details.block === 'number' ? [err.details.block] : [];
        this.options.onCorrupt(ref, block, String(err.details.dir ?? this.options.stores.storeOf(ref.chunkId).dir), 'read');
      }
      throw err;
    }
  }

  /**
   * Streams a read: pieces of up to MAX_FRAME_DATA_BYTES read from the store, each sent as one frame per block-part
   * with that part's CRC32 (the stored CRC for a whole block), waiting for the socket between pieces.
   */
  private async streamRead(conn: ConnectionState, requestId: number, ref: ChunkRef, offset: number, length: number): Promise<void> {
    if (offset + length > CHUNK_SIZE_BYTES) {
      throw new MoosengError(
        ErrorCodes.CHUNK_OUT_OF_RANGE,
        `chunk ${ref.chunkId}: range ${offset}+${length} is outside the ${CHUNK_SIZE_BYTES}-byte chunk`,
        { details: { chunkId: ref.chunkId, offset, length } },
      );
    }
    const store = this.options.stores.storeOf(ref.chunkId);
    // A zero-length read checks the version and range before anything is sent; the chunk's length at this moment
    // bounds the stream (bytes a later write appends are not part of this read).
    await this.watch(ref, () => store.read(ref, offset, 0));
    const stored = await store.stat(ref.chunkId);
    const stop = Math.min(offset + length, stored?.length ?? 0);
    // Up to READ_AHEAD_PIECES reads in flight while earlier pieces are on the wire.
    const window: Array<{ at: number; want: number; into: Buffer; data: Promise<ChecksummedRead> }> = [];
    let nextAt = offset;
    const fill = (): void => {
      while (window.length < READ_AHEAD_PIECES && nextAt < stop) {
        const at = nextAt;
        const want = Math.min(MAX_FRAME_DATA_BYTES, stop - at);
        const into = this.readBuffers.take();
        const data = this.watch(ref, () => readChecksummed(store, ref, at, want, { into }));
        void data.catch(() => undefined); // awaited below, in order; this only keeps an early failure from going unhandled
        window.push({ at, want, into, data });
        nextAt += want;
      }
    };
    fill();
    while (window.length > 0) {
      const piece = window.shift()!;
      const got = await piece.data;
      fill();
      const data = Buffer.isBuffer(got.data) ? got.data : Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength);
      if (data.length > 0) {
        this.bytesOut.inc(undefined, data.length);
        const parts: ChunkReply[] = [];
        forEachBlockPart(piece.at, data, (part, at, i) => parts.push({ op: 'read-data', offset: at, crc: got.crcs[i]!, data: part }));
        // The piece's buffer is used again once the socket has let go of the frames made of it.
        await this.send(conn, requestId, parts, undefined, () => this.readBuffers.give(piece.into));
      } else this.readBuffers.give(piece.into);
      // The caller went away, or the chunk shrank meanwhile: stop here.
      if (conn.socket.destroyed || data.length < piece.want) return;
    }
  }
}

function byteLength(parts: readonly Buffer[]): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

function statusReply(err: MoosengError): ChunkReply {
  return {
    op: 'status',
    status: statusOf(err.code),
    failedReplica: typeof err.details.failedReplica === 'string' ? err.details.failedReplica : '',
    message: err.message,
  };
}
