// The master side of the framed control transport: decodes request frames on each connection, calls the same
// served handlers as the gRPC service (a UnaryDispatch), and writes each answer back under its request id.
import type { Socket } from 'node:net';
import type { ILogger } from '../contracts/logger';
import { ErrorCodes, MoosengError } from '../errors';
import {
  ControlFrameDecoder,
  type ControlFrameHeader,
  ControlFrameKind,
  type ControlMethodTable,
  controlMethodTable,
  encodeControlError,
  encodeControlFrameHeader,
  MAX_CONTROL_FRAME_PAYLOAD_BYTES,
} from './control-frame';
import type { CallerAddress, RpcTable, TypedServiceDefinition, UnaryDispatch } from './control-plane';
import { identityOfSocket } from './control-port-tls';

/**
 * Calls one connection may have in flight before the master stops reading it (TCP backpressure then holds the
 * client back): bounds what one client can make a master hold, as the data plane's 64 requests do.
 */
export const MAX_CONTROL_CALLS_IN_FLIGHT_PER_CONNECTION = 256;

export interface FramedControlServerOptions<R extends RpcTable> {
  /** The service's methods (their paths give the method ids, their serializers encode the messages). */
  definition: TypedServiceDefinition<R>;
  /** Its served handlers: the very ones the gRPC service calls. */
  dispatch: UnaryDispatch<R>;
  /** The service's name, for error messages ("mooseng.client.ClientToMaster"). */
  serviceName: string;
  logger: ILogger;
  maxPayloadBytes?: number;
  maxInFlightPerConnection?: number;
}

/** Serves framed calls on connections handed to it (ControlPort sniffs them off the master's control port). */
export class FramedControlServer<R extends RpcTable> {
  private readonly methods: ControlMethodTable<R>;
  /** Open connections and the calls each has in flight. */
  private readonly sockets = new Map<Socket, { inFlight: number }>();
  private readonly maxPayloadBytes: number;
  private readonly maxInFlight: number;
  private closing = false;

  constructor(private readonly o: FramedControlServerOptions<R>) {
    this.methods = controlMethodTable(o.definition);
    this.maxPayloadBytes = o.maxPayloadBytes ?? MAX_CONTROL_FRAME_PAYLOAD_BYTES;
    this.maxInFlight = o.maxInFlightPerConnection ?? MAX_CONTROL_CALLS_IN_FLIGHT_PER_CONNECTION;
  }

  /** Open framed connections. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Serves `socket`, whose preface was read already; `rest` is what came after it in the same read. */
  accept(socket: Socket, rest: Buffer): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const conn = { inFlight: 0 };
    const caller: CallerAddress = { address: socket.remoteAddress ?? '', identity: identityOfSocket(socket) };
    this.sockets.set(socket, conn);
    socket.setNoDelay(true);
    /**
     * Requests that arrived while the connection was at its bound (one socket read holds many small frames): they
     * wait here, the socket paused, so what a connection can make the master hold is the bound plus one read.
     */
    const backlog: Array<{ head: ControlFrameHeader; payload: Buffer; arrived: number }> = [];
    const write = (header: Buffer, payload: Buffer): void => {
      if (socket.destroyed || socket.writableEnded) return;
      socket.cork();
      socket.write(header);
      if (payload.length > 0) socket.write(payload);
      socket.uncork();
    };
    const fail = (head: ControlFrameHeader, err: MoosengError): void => {
      const { status, payload } = encodeControlError(err);
      write(
        encodeControlFrameHeader(
          { kind: ControlFrameKind.ERROR, requestId: head.requestId, methodId: head.methodId, timeoutMs: 0, status },
          payload.length,
        ),
        payload,
      );
    };
    const settled = (): void => {
      conn.inFlight--;
      while (backlog.length > 0 && conn.inFlight < this.maxInFlight) {
        const next = backlog.shift()!;
        request(next.head, next.payload, next.arrived);
      }
      if (this.closing) {
        if (conn.inFlight === 0 && backlog.length === 0) socket.end(() => socket.destroy());
      } else if (backlog.length === 0 && conn.inFlight < this.maxInFlight) socket.resume();
    };
    const decoder = new ControlFrameDecoder(
      {
        oversized: (head) =>
          fail(
            head,
            new MoosengError(
              ErrorCodes.FRAME_TOO_LARGE,
              `a request of ${head.payloadLength} bytes is over the master's bound of ${this.maxPayloadBytes} bytes; send less per call (fewer entries, a shorter value)`,
            ),
          ),
        frame: (head, payload) => {
          if (conn.inFlight >= this.maxInFlight || backlog.length > 0) {
            backlog.push({ head, payload, arrived: performance.now() });
            socket.pause();
            return;
          }
          request(head, payload, performance.now());
        },
      },
      this.maxPayloadBytes,
    );
    /** Serves one request frame; its deadline runs from when it arrived, time in the backlog included. */
    const request = (head: ControlFrameHeader, payload: Buffer, arrived: number): void => {
      if (head.kind !== ControlFrameKind.REQUEST) {
        // Only requests go this way: the client does not speak this protocol, nothing after can be trusted.
        this.o.logger.warn('framed control connection sent a frame that is no request; closing it', {
          peer: socket.remoteAddress,
          kind: head.kind,
        });
        socket.destroy();
        return;
      }
      const name = this.methods.byId.get(head.methodId);
      if (name === undefined) {
        fail(
          head,
          new MoosengError(
            ErrorCodes.PROTOCOL_ERROR,
            `method id 0x${head.methodId.toString(16).padStart(8, '0')} is no method of ${this.o.serviceName} on this master; is the client newer than the master? Run the same MooseNG version on both`,
          ),
        );
        return;
      }
      let request: R[typeof name]['request'];
      try {
        request = this.o.definition[name].requestDeserialize(payload);
      } catch (err) {
        fail(head, new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${name}: the request does not decode (${(err as Error).message})`));
        return;
      }
      conn.inFlight++;
      if (conn.inFlight >= this.maxInFlight) socket.pause();
      const deadline = head.timeoutMs > 0 ? arrived + head.timeoutMs : Infinity;
      this.o.dispatch[name](
        request,
        (err, reply) => {
          // The answer goes out before the call counts as settled: a stopping server ends the connection then.
          answer(name, head, deadline, err, reply);
          settled();
        },
        caller,
      );
    };
    const answer = (
      name: keyof R & string,
      head: ControlFrameHeader,
      deadline: number,
      err: unknown,
      reply: R[keyof R & string]['reply'] | undefined,
    ): void => {
      if (err) return fail(head, err as MoosengError);
      // As gRPC would: an answer after the caller's deadline is a timeout (the caller gave up on it already).
      if (performance.now() > deadline)
        return fail(head, new MoosengError(ErrorCodes.TIMEOUT, `${name} took longer than the caller's deadline of ${head.timeoutMs} ms`));
      let body: Buffer;
      try {
        body = this.o.definition[name].responseSerialize(reply!);
      } catch (e) {
        return fail(head, new MoosengError(ErrorCodes.INTERNAL, `${name}: the reply does not encode (${(e as Error).message})`));
      }
      write(
        encodeControlFrameHeader(
          { kind: ControlFrameKind.REPLY, requestId: head.requestId, methodId: head.methodId, timeoutMs: 0, status: 0 },
          body.length,
        ),
        body,
      );
    };
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', (err) => this.o.logger.debug('framed control connection failed', { peer: socket.remoteAddress, err: err.message }));
    socket.on('close', () => this.sockets.delete(socket));
    if (rest.length > 0) decoder.push(rest);
  }

  /**
   * Takes no new connections; each open one is ended once its calls are answered (its client then reconnects,
   * to another master if this one is stopping), and whatever is left after `graceMs` is cut.
   */
  async close(graceMs = 2_000): Promise<void> {
    this.closing = true;
    const open = [...this.sockets.keys()];
    for (const s of open) {
      s.pause(); // no new calls; the answers of those in flight still go out
      if (this.sockets.get(s)!.inFlight === 0) s.end(() => s.destroy());
    }
    await new Promise<void>((resolve) => {
      if (open.length === 0) return resolve();
      let left = open.length;
      const timer = setTimeout(() => {
        for (const s of this.sockets.keys()) s.destroy();
        resolve();
      }, graceMs);
      timer.unref();
      for (const s of open) {
        s.once('close', () => {
          if (--left === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
    });
  }
}
