// One client's connection to one master's control API, over the framed transport (the default) or gRPC: the same
// client.proto messages either way, the same errors (MoosengErrors with the master's code and details).
import * as grpc from '@grpc/grpc-js';
import {
  callUnary,
  type ClientMethodName,
  type ClientToMasterRpcs,
  clientToMasterService,
  type DialTls,
  ErrorCodes,
  FramedControlClient,
  fromGrpcError,
  grpcControlChannel,
  hostOfAddress,
  MAX_CONTROL_MESSAGE_BYTES,
  MoosengError,
  type ReplyOf,
  type RequestOf,
} from '@mooseng/core';

/** How the client calls its masters' unary methods (client.controlTransport). */
export type ControlTransport = 'framed' | 'grpc';
export const CONTROL_TRANSPORTS: readonly ControlTransport[] = ['framed', 'grpc'];
export const DEFAULT_CONTROL_TRANSPORT: ControlTransport = 'framed';

/** The transport a MOOSENG_CONTROL_TRANSPORT value names (unset: the default); anything else is refused by name. */
export function controlTransportOf(value: string | undefined, setting = 'MOOSENG_CONTROL_TRANSPORT'): ControlTransport {
  if (value === undefined || value === '') return DEFAULT_CONTROL_TRANSPORT;
  if ((CONTROL_TRANSPORTS as readonly string[]).includes(value)) return value as ControlTransport;
  throw new MoosengError(ErrorCodes.CONFIG_INVALID, `${setting} is "${value}"; set it to one of ${CONTROL_TRANSPORTS.join(', ')}`);
}

export interface MasterConnection {
  call<M extends ClientMethodName>(
    method: M,
    request: RequestOf<M>,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<ReplyOf<M>>;
  close(): void;
}

/**
 * A connection to the master at `address` over `transport` (connected on its first call), over TLS with the cluster
 * CA when `tls` is given (the client's node.tls: the CA, and its certificate if it has one).
 */
export function openMasterConnection(address: string, transport: ControlTransport, tls: DialTls | null = null): MasterConnection {
  if (transport === 'framed')
    return new FramedControlClient<ClientToMasterRpcs>(address, { definition: clientToMasterService().service, tls });
  return new GrpcMasterConnection(address, tls);
}

/** The gRPC channel to one master, with gRPC's own reconnect backoff. */
class GrpcMasterConnection implements MasterConnection {
  private readonly stub: grpc.Client;

  constructor(
    private readonly address: string,
    tls: DialTls | null,
  ) {
    const Service = clientToMasterService();
    const channel = grpcControlChannel(hostOfAddress(address), tls);
    this.stub = new Service(address, channel.credentials, {
      ...channel.options,
      'grpc.max_receive_message_length': MAX_CONTROL_MESSAGE_BYTES,
    });
  }

  call<M extends ClientMethodName>(
    method: M,
    request: RequestOf<M>,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<ReplyOf<M>> {
    const { signal } = options;
    return new Promise<ReplyOf<M>>((resolve, reject) => {
      const call = callUnary(
        this.stub,
        clientToMasterService().service,
        method,
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + options.timeoutMs },
        (err, reply) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(fromGrpcError(err, `${method} at ${this.address}`));
          else if (!reply) reject(new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${method} at ${this.address} answered nothing`));
          else resolve(reply);
        },
      );
      const onAbort = (): void => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.stub.close();
  }
}
