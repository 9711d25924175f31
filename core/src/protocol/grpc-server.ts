// Starts and stops a gRPC server for a role's control-plane services, with a clear error when the port is taken.
import * as grpc from '@grpc/grpc-js';
import { ErrorCodes, MoosengError } from '../errors';
import { callerOfGrpcCall, type RpcTable, type UnaryDispatch } from './control-plane';
import { toGrpcError } from './grpc-errors';

/** Largest control-plane message accepted (registration batches, directory pages). */
export const MAX_CONTROL_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface GrpcServiceBinding {
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
}

/** A gRPC server with the services, bound to no port: startGrpcServer binds one, ControlPort hands it connections. */
export function createGrpcServer(services: readonly GrpcServiceBinding[]): grpc.Server {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_CONTROL_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_CONTROL_MESSAGE_BYTES,
  });
  for (const s of services) server.addService(s.definition, s.implementation);
  return server;
}

/** The gRPC implementation of served unary methods: each answer, or its error as a MooseNG error (grpc-errors.ts). */
export function grpcUnaryImplementation<R extends RpcTable>(dispatch: UnaryDispatch<R>): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(dispatch) as Array<keyof R & string>) {
    const serve = dispatch[name];
    const handler: grpc.handleUnaryCall<R[typeof name]['request'], R[typeof name]['reply']> = (call, callback) =>
      serve(
        call.request,
        (err, reply) => (err ? callback(toGrpcError(err) as grpc.ServiceError) : callback(null, reply)),
        callerOfGrpcCall(call),
      );
    impl[name] = handler;
  }
  return impl;
}

/** Binds the services on host:port and starts serving; resolves with the bound port. */
export async function startGrpcServer(
  host: string,
  port: number,
  services: readonly GrpcServiceBinding[],
): Promise<{ server: grpc.Server; port: number }> {
  const server = createGrpcServer(services);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err
        ? reject(
            new MoosengError(
              ErrorCodes.UNAVAILABLE,
              `cannot listen on ${host}:${port} (${err.message}); is another process using the port?`,
              { cause: err },
            ),
          )
        : resolve(p),
    ),
  );
  return { server, port: bound };
}

/** Stops accepting calls, lets in-flight ones finish for up to `graceMs`, then cuts the rest. */
export async function stopGrpcServer(server: grpc.Server, graceMs = 2_000): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
