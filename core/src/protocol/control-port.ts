// The master's one control port (9421) for two transports: the first bytes of each connection say which. The
// HTTP/2 preface ("PRI * HTTP/2.0") goes to the gRPC server, the framed preface ("MNC1") to the framed server. With
// TLS (node.tls), a TLS ClientHello (first byte 0x16) is answered with a TLS handshake first
// (control-port-tls.ts), and the decrypted stream is told apart the same way; plain connections are then refused,
// unless the master takes them during a migration (master.allowPlainControl).
import * as grpc from '@grpc/grpc-js';
import { createServer, type Server, type Socket } from 'node:net';
import type { ILogger } from '../contracts/logger';
import { ErrorCodes, MoosengError } from '../errors';
import { type NodeTls, TLS_HANDSHAKE_RECORD_TYPE } from '../runtime/node-tls';
import { SampledWarning } from '../runtime/sampled-warning';
import { CONTROL_FRAME_MAGIC, HTTP2_PREFACE_START } from './control-frame';
import { ControlPortTls } from './control-port-tls';
import { createGrpcServer, type GrpcServiceBinding, stopGrpcServer } from './grpc-server';

/** Bytes that tell the two transports apart: both prefaces are this long. */
const SNIFF_BYTES = 4;
/** A refusal a stranger can repeat at will is logged the first time and then every this many times. */
const REFUSALS_LOGGED_EVERY = 100;
/** A connection that has not said which protocol it speaks within this long is closed. */
export const CONTROL_SNIFF_TIMEOUT_MS = 10_000;

/** The control transports, as the mooseng_master_control_connections gauge labels them. */
export type ControlTransportName = 'grpc' | 'framed';

/** What the control port needs of the framed server (FramedControlServer, whatever its service). */
export interface FramedConnectionAcceptor {
  accept(socket: Socket, rest: Buffer): void;
  readonly connections: number;
  close(graceMs: number): Promise<void>;
}

export interface ControlPortOptions {
  host: string;
  port: number;
  /** Every service on gRPC (the framed server's too, for clients that ask for gRPC, and the streaming ones). */
  grpcServices: readonly GrpcServiceBinding[];
  /** Unary services on the framed transport; the connections it gets are counted by it. */
  framed: FramedConnectionAcceptor;
  logger: ILogger;
  /**
   * The master's certificate and the cluster CA (node.tls): connections are then TLS, a client certificate is asked
   * for (not required: clients may have none; chunkservers must show one to register, checked by the registry),
   * and one the CA did not issue is refused.
   */
  tls?: NodeTls;
  /** With `tls`: take plain connections too (a migration while clients and chunkservers move to TLS). Default false. */
  allowPlain?: boolean;
}

/** Listens on the control port and hands each connection to the transport its first bytes name. */
export class ControlPort {
  private grpcConnections = 0;

  private constructor(
    private readonly listener: Server,
    private readonly grpcServer: grpc.Server,
    private readonly framed: FramedConnectionAcceptor,
    readonly port: number,
  ) {}

  /** Binds host:port; fails with UNAVAILABLE naming the port when it is taken. */
  static async start(o: ControlPortOptions): Promise<ControlPort> {
    const grpcServer = createGrpcServer(o.grpcServices);
    const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    let port: ControlPort | null = null;
    const route = (socket: Socket, kind: ControlTransportName, first: Buffer): void => {
      if (kind === 'framed') return o.framed.accept(socket, first.subarray(SNIFF_BYTES));
      port!.grpcConnections++;
      socket.once('close', () => port!.grpcConnections--);
      // Whatever was read goes back for the HTTP/2 session to read first.
      socket.unshift(first);
      injector.injectConnection(socket);
    };
    // Plain connections refused (TLS only), counted apart from the TLS side's refusals of certificates.
    const plainRefusals = new SampledWarning(o.logger, REFUSALS_LOGGED_EVERY);
    const tls = o.tls ? new ControlPortTls(o.tls, CONTROL_SNIFF_TIMEOUT_MS, REFUSALS_LOGGED_EVERY, o.logger) : null;
    const listener = createServer({ noDelay: true }, (socket) =>
      sniff(socket, o.logger, tls !== null, (kind, first) => {
        if (kind === 'tls') {
          // The decrypted stream names its transport as a plain one does; TLS inside TLS is not a transport.
          return tls!.accept(socket, first, (secure) =>
            sniff(secure, o.logger, false, (inner, innerFirst) => route(secure, inner as ControlTransportName, innerFirst)),
          );
        }
        if (tls && !o.allowPlain) {
          plainRefusals.warn(
            `refused a plain (${kind}) connection to the control port from ${socket.remoteAddress}: this master takes TLS only (node.tls); give the client or chunkserver node.tls (a client: caFile at least), or set master.allowPlainControl while they move`,
          );
          socket.destroy();
          return;
        }
        route(socket, kind, first);
      }),
    );
    const bound = await new Promise<number>((resolve, reject) => {
      listener.once('error', (err) =>
        reject(
          new MoosengError(
            ErrorCodes.UNAVAILABLE,
            `cannot listen on ${o.host}:${o.port} (${err.message}); is another process using the port?`,
            {
              cause: err,
            },
          ),
        ),
      );
      listener.listen(o.port, o.host, () => resolve((listener.address() as { port: number }).port));
    });
    listener.on('error', (err) => o.logger.warn('control port error', { err: err.message }));
    port = new ControlPort(listener, grpcServer, o.framed, bound);
    return port;
  }

  /** Open connections per transport. */
  connections(): Record<ControlTransportName, number> {
    return { grpc: this.grpcConnections, framed: this.framed.connections };
  }

  /** Stops listening, lets calls in flight on either transport finish for up to `graceMs`, then cuts the rest. */
  async stop(graceMs = 2_000): Promise<void> {
    // The listener's close completes once every connection it accepted is gone, which the two stops bring about.
    const closed = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    await Promise.all([stopGrpcServer(this.grpcServer, graceMs), this.framed.close(graceMs)]);
    await closed;
  }
}

/** What a connection's first bytes name: one of the two transports, or (when the port has TLS) a TLS handshake. */
type SniffedProtocol = ControlTransportName | 'tls';

/**
 * Reads a connection's first bytes and calls `route` with the protocol they name; anything else is closed. A TLS
 * ClientHello counts only when `tlsToo` (the master has node.tls); `first` is everything read so far.
 */
export function sniff(socket: Socket, logger: ILogger, tlsToo: boolean, route: (kind: SniffedProtocol, first: Buffer) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const done = (): void => {
    clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.removeListener('error', onError);
  };
  const onError = (err: Error): void => {
    done();
    logger.debug('control connection failed before it named its protocol', { peer: socket.remoteAddress, err: err.message });
    socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    if (seen[0] === TLS_HANDSHAKE_RECORD_TYPE) {
      done();
      if (!tlsToo) {
        logger.warn(
          'a connection to the control port speaks TLS where this master expects none (it has no node.tls, or this is TLS inside TLS); closed it',
          {
            peer: socket.remoteAddress,
          },
        );
        socket.destroy();
        return;
      }
      socket.pause();
      route('tls', seen);
      return;
    }
    const head = seen.subarray(0, SNIFF_BYTES);
    const framed = CONTROL_FRAME_MAGIC.subarray(0, head.length).equals(head);
    const http2 = HTTP2_PREFACE_START.subarray(0, head.length).equals(head);
    if (!framed && !http2) {
      done();
      logger.warn('a connection to the control port speaks neither gRPC nor the framed control protocol; closed it', {
        peer: socket.remoteAddress,
        first: head.toString('hex'),
      });
      socket.destroy();
      return;
    }
    if (seen.length < SNIFF_BYTES) return;
    done();
    socket.pause();
    route(framed ? 'framed' : 'grpc', seen);
    if (framed) socket.resume();
  };
  const timer = setTimeout(() => {
    done();
    socket.destroy();
  }, CONTROL_SNIFF_TIMEOUT_MS);
  timer.unref();
  socket.on('data', onData);
  socket.on('error', onError);
}
