// The client side of the framed control transport: one TCP connection to one master, many calls in flight on it,
// each with its deadline and AbortSignal; a lost connection fails its calls with UNAVAILABLE and the next call
// reconnects, after a backoff while the master stays unreachable (as a gRPC channel does). With `tls` the connection
// is TLS (the master's certificate checked against the cluster CA and the host dialled: control-tls.ts).
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { DialTls } from '../runtime/node-tls';
import { ErrorCodes, MoosengError } from '../errors';
import {
  CONTROL_FRAME_MAGIC,
  ControlFrameDecoder,
  type ControlFrameHeader,
  ControlFrameKind,
  type ControlMethodTable,
  controlMethodTable,
  decodeControlError,
  encodeControlFrameHeader,
  MAX_CONTROL_FRAME_PAYLOAD_BYTES,
} from './control-frame';
import type { RpcTable, TypedServiceDefinition } from './control-plane';
import { framedControlTlsOptions } from './control-tls';
import { parseAddress } from './data-plane-connection';

/** How long a connection attempt may take. */
export const CONTROL_CONNECT_TIMEOUT_MS = 5_000;
/** After a failed connection attempt, calls fail at once for this long, doubling per failure up to the cap. */
export const CONTROL_RECONNECT_BACKOFF_MS = 100;
export const CONTROL_RECONNECT_BACKOFF_MAX_MS = 1_000;
/** TCP keep-alive probes start after this much silence, so a master that vanished is noticed. */
const KEEP_ALIVE_MS = 10_000;

export interface FramedControlClientOptions<R extends RpcTable> {
  definition: TypedServiceDefinition<R>;
  connectTimeoutMs?: number;
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
  maxPayloadBytes?: number;
  /** Dial over TLS with the cluster CA (and this node's certificate, if it has one); absent: plain TCP. */
  tls?: DialTls | null;
}

export interface ControlCallOptions {
  /** The call's deadline from now; sent along, so the master gives up on it too. */
  timeoutMs: number;
  signal?: AbortSignal;
}

interface Pending {
  method: string;
  resolve: (reply: unknown) => void;
  reject: (err: MoosengError) => void;
  timer: NodeJS.Timeout;
  cleanup: () => void;
  /** The socket the request went out on; null while it waits for the connection. */
  sentOn: Socket | null;
}

export class FramedControlClient<R extends RpcTable> {
  private readonly host: string;
  private readonly port: number;
  private readonly methods: ControlMethodTable<R>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private socket: Socket | null = null;
  private connecting: Promise<Socket> | null = null;
  private retryAt = 0;
  private backoffMs: number;
  private lastConnectError = '';
  private closed = false;

  constructor(
    readonly address: string,
    private readonly o: FramedControlClientOptions<R>,
  ) {
    ({ host: this.host, port: this.port } = parseAddress(address));
    this.methods = controlMethodTable(o.definition);
    this.backoffMs = o.reconnectBackoffMs ?? CONTROL_RECONNECT_BACKOFF_MS;
  }

  /** Calls one unary method; rejects with the master's MoosengError, or UNAVAILABLE, TIMEOUT, ABORTED. */
  call<M extends keyof R & string>(method: M, request: R[M]['request'], options: ControlCallOptions): Promise<R[M]['reply']> {
    return new Promise<R[M]['reply']>((resolve, reject) => {
      if (this.closed) return reject(new MoosengError(ErrorCodes.ABORTED, `${method} at ${this.address}: the connection is closed`));
      const { signal } = options;
      if (signal?.aborted) return reject(new MoosengError(ErrorCodes.ABORTED, `${method} at ${this.address} aborted`));
      let payload: Buffer;
      try {
        payload = this.o.definition[method].requestSerialize(request);
      } catch (err) {
        return reject(new MoosengError(ErrorCodes.INVALID_ARGUMENT, `${method}: the request does not encode (${(err as Error).message})`));
      }
      const max = this.o.maxPayloadBytes ?? MAX_CONTROL_FRAME_PAYLOAD_BYTES;
      if (payload.length > max)
        return reject(
          new MoosengError(ErrorCodes.FRAME_TOO_LARGE, `${method}: a request of ${payload.length} bytes is over the bound of ${max} bytes`),
        );
      const id = this.nextId;
      this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
      const deadline = performance.now() + options.timeoutMs;
      const onAbort = (): void => this.finish(id, new MoosengError(ErrorCodes.ABORTED, `${method} at ${this.address} aborted`));
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () =>
          this.finish(
            id,
            new MoosengError(ErrorCodes.TIMEOUT, `${method} at ${this.address} got no answer within ${options.timeoutMs} ms`),
          ),
        options.timeoutMs,
      );
      this.pending.set(id, {
        method,
        resolve: resolve as (reply: unknown) => void,
        reject,
        timer,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
        sentOn: null,
      });
      const send = (socket: Socket): void => {
        const p = this.pending.get(id);
        if (!p) return; // timed out or aborted while connecting
        p.sentOn = socket;
        const header = encodeControlFrameHeader(
          {
            kind: ControlFrameKind.REQUEST,
            requestId: id,
            methodId: this.methods.idOf[method],
            timeoutMs: deadline - performance.now(),
            status: 0,
          },
          payload.length,
        );
        socket.cork();
        socket.write(header);
        if (payload.length > 0) socket.write(payload);
        socket.uncork();
      };
      if (this.socket) send(this.socket);
      else this.connect().then(send, (err: MoosengError) => this.finish(id, err));
    });
  }

  /** Closes the connection; calls in flight fail with ABORTED. */
  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.failAll(null, new MoosengError(ErrorCodes.ABORTED, `the connection to ${this.address} was closed`));
  }

  private connect(): Promise<Socket> {
    if (this.connecting) return this.connecting;
    const now = performance.now();
    if (now < this.retryAt)
      return Promise.reject(
        new MoosengError(
          ErrorCodes.UNAVAILABLE,
          `master ${this.address} is unreachable (${this.lastConnectError}); next connection attempt in ${Math.ceil(this.retryAt - now)} ms`,
        ),
      );
    const attempt = new Promise<Socket>((resolve, reject) => {
      const { tls } = this.o;
      const socket = tls ? connectTls(framedControlTlsOptions(this.host, this.port, tls)) : connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      const timeoutMs = this.o.connectTimeoutMs ?? CONTROL_CONNECT_TIMEOUT_MS;
      const failed = (reason: string): void => {
        clearTimeout(timer);
        socket.destroy();
        this.lastConnectError = reason;
        this.retryAt = performance.now() + this.backoffMs;
        this.backoffMs = Math.min(this.backoffMs * 2, this.o.reconnectBackoffMaxMs ?? CONTROL_RECONNECT_BACKOFF_MAX_MS);
        reject(new MoosengError(ErrorCodes.UNAVAILABLE, `cannot connect to master ${this.address}: ${reason}`));
      };
      const timer = setTimeout(() => failed(`no connection within ${timeoutMs} ms`), timeoutMs);
      socket.once('error', (err) => failed(tls ? `TLS: ${err.message}` : err.message));
      // The preface goes first, buffered until the connection is up: it tells the master's port which protocol this is.
      socket.write(CONTROL_FRAME_MAGIC);
      // A TLS socket is usable once its handshake is done (the master's certificate checked), not at TCP connect.
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        if (this.closed) {
          socket.destroy();
          return reject(new MoosengError(ErrorCodes.ABORTED, `the connection to ${this.address} was closed`));
        }
        this.backoffMs = this.o.reconnectBackoffMs ?? CONTROL_RECONNECT_BACKOFF_MS;
        this.adopt(socket);
        resolve(socket);
      });
    });
    this.connecting = attempt;
    const clear = (): void => {
      this.connecting = null;
    };
    attempt.then(clear, clear);
    return attempt;
  }

  /** Makes `socket` the connection: its reply frames settle calls, its end fails the calls sent on it. */
  private adopt(socket: Socket): void {
    this.socket = socket;
    socket.setKeepAlive(true, KEEP_ALIVE_MS);
    const decoder = new ControlFrameDecoder(
      {
        frame: (head, payload) => this.answered(head, payload),
        oversized: (head) =>
          this.finish(
            head.requestId,
            new MoosengError(ErrorCodes.FRAME_TOO_LARGE, `${this.address} answered with ${head.payloadLength} bytes, over the bound`),
          ),
      },
      this.o.maxPayloadBytes ?? MAX_CONTROL_FRAME_PAYLOAD_BYTES,
    );
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      answered = true;
      decoder.push(chunk);
    });
    // A master that refuses the connection itself (TLS only, or a certificate not of its CA) closes it unanswered.
    const refusedWhy = this.o.tls
      ? `master ${this.address} closed the TLS connection before answering; does it take this node's certificate (it must come from the cluster CA)?`
      : `master ${this.address} closed the connection before answering; a master with node.tls takes TLS only (give this node node.tls, a client caFile at least)`;
    let why = '';
    socket.on('error', (err) => {
      why = answered ? `the connection to master ${this.address} failed: ${err.message}` : `${refusedWhy} (${err.message})`;
    });
    // A master that is stopping ends the connection once it has answered: later calls go on a new one.
    socket.on('end', () => {
      if (this.socket === socket) this.socket = null;
    });
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      if (why === '') why = answered ? `master ${this.address} closed the connection` : refusedWhy;
      this.failAll(socket, new MoosengError(ErrorCodes.UNAVAILABLE, why));
    });
  }

  private answered(head: ControlFrameHeader, payload: Buffer): void {
    const p = this.pending.get(head.requestId);
    if (!p) return; // a late answer to a call that timed out or was aborted
    if (head.kind === ControlFrameKind.ERROR)
      return this.finish(head.requestId, decodeControlError(head.status, payload, `${p.method} at ${this.address}`));
    if (head.kind !== ControlFrameKind.REPLY)
      return this.finish(head.requestId, new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${this.address} sent a frame of kind ${head.kind}`));
    let reply: unknown;
    try {
      reply = this.o.definition[p.method as keyof R & string].responseDeserialize(payload);
    } catch (err) {
      return this.finish(
        head.requestId,
        new MoosengError(
          ErrorCodes.PROTOCOL_ERROR,
          `${p.method} at ${this.address}: the reply does not decode (${(err as Error).message})`,
        ),
      );
    }
    this.finish(head.requestId, null, reply);
  }

  private finish(id: number, err: MoosengError | null, reply?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.cleanup();
    if (err) p.reject(err);
    else p.resolve(reply);
  }

  /** Fails the calls sent on `socket` (every call when null). */
  private failAll(socket: Socket | null, err: MoosengError): void {
    for (const [id, p] of this.pending) if (socket === null || p.sentOn === socket) this.finish(id, err);
  }
}
