// Typing of the gRPC control plane from the generated types (core/src/protocol/generated/): per service, a table of
// request and reply per method, typed service definitions, server handler tables and typed calls.
import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition, MethodDefinition } from '@grpc/proto-loader';
import { peerIdentityOf, type PeerIdentity } from '../runtime/certificate-identity';

/**
 * One method's request and reply, in the form the loader decodes them (PROTO_LOADER_OPTIONS): every field present,
 * 64-bit integers as numbers, absent sub-messages null. Code builds what it sends in the same form, so a field is
 * never left out by accident (the encoder would quietly send its default).
 */
export interface Rpc<Request = unknown, Reply = unknown> {
  request: Request;
  reply: Reply;
}

/**
 * A message type as given, except that an empty one (Empty, acks) becomes a type no object with fields fits: the
 * generator's `{}` would accept any object, so a handler answering an empty method with data would still compile.
 */
export type Closed<T> = [keyof T] extends [never] ? Record<string, never> : T;

/** Methods by name. */
export type RpcTable = Record<string, Rpc>;

/** The methods of a generated service definition (`XxxDefinition`, its index signature dropped), each as an Rpc. */
export type RpcTableOf<Definition> = {
  [M in keyof Definition as string extends M ? never : M]: Definition[M] extends MethodDefinition<
    infer _Input,
    infer _Output,
    infer Request,
    infer Reply
  >
    ? Rpc<Closed<Request>, Closed<Reply>>
    : never;
};

/** The messages of a generated package object (`ProtoGrpcType['pkg']['sub']`) by name, in decoded form. */
export type MessagesOf<Package> = {
  [
    N in keyof Package as Package[N] extends MessageTypeDefinition<infer _Input, infer _Output> ? N : never
  ]: Package[N] extends MessageTypeDefinition<infer _Input, infer Output> ? Closed<Output> : never;
};

/** A service definition typed by method: what `loadProto` builds from the .proto, seen through the generated types. */
export type TypedServiceDefinition<R extends RpcTable> = { [M in keyof R]: MethodDefinition<R[M]['request'], R[M]['reply']> };

/** A loaded service: the client class gRPC made for it and its definition, typed by method. */
export interface TypedService<R extends RpcTable> {
  new (address: string, credentials: grpc.ChannelCredentials, options?: Partial<grpc.ChannelOptions>): grpc.Client;
  readonly service: TypedServiceDefinition<R>;
}

/** Unary handlers by method, for a server: a missing or misspelled method, or a reply of the wrong shape, fails to compile. */
export type UnaryHandlers<R extends RpcTable> = { [M in keyof R]: (request: R[M]['request']) => Promise<R[M]['reply']> };

/** How a served call answers: once, with an error (any thrown value) or the reply. */
export type Respond<Reply> = (err: unknown, reply?: Reply) => void;

/**
 * The served form of a service's unary methods, independent of transport: the gRPC service and the framed control
 * server both call these, so the two transports share one set of handlers (timing, counting and all).
 */
export type UnaryDispatch<R extends RpcTable> = {
  [M in keyof R]: (request: R[M]['request'], respond: Respond<R[M]['reply']>, caller?: CallerAddress) => void;
};

/**
 * Who a call came from: the peer's IP address as the transport saw it (no port) and, over TLS, the identity its
 * certificate names when it showed one the cluster CA issued (null: plain, or TLS without a certificate). The same
 * on both transports (framed and gRPC).
 */
export interface CallerAddress {
  address: string;
  identity: PeerIdentity | null;
}

/** Who made a gRPC call on the control port: its address, and the identity of its TLS certificate if any. */
export function callerOfGrpcCall(call: Pick<grpc.ServerUnaryCall<unknown, unknown>, 'getPeer' | 'getAuthContext'>): CallerAddress {
  // gRPC reads the certificate off the connection's TLS socket (one the control port injected included), and only
  // when it passed the CA check: the port closed any other already.
  return { address: addressOfGrpcPeer(call.getPeer()), identity: peerIdentityOf(call.getAuthContext().sslPeerCertificate) };
}

/** The IP address in a gRPC peer string ("ipv4:10.0.0.1:5000", "[::1]:5000", "10.0.0.1:5000"). */
export function addressOfGrpcPeer(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(bare);
  if (bracketed) return bracketed[1]!;
  const at = bare.lastIndexOf(':');
  return at > 0 && bare.indexOf(':') === at ? bare.slice(0, at) : bare;
}

/**
 * A whole gRPC implementation of a service, typed by method. `Generated` is the generator's `XxxHandlers` interface,
 * consulted only for which methods take a request stream; requests and replies come from the Rpc table, so a reply
 * must name every field (the generated interface would accept a partial one).
 */
export type ServerHandlersOf<R extends RpcTable, Generated> = {
  [M in keyof R]: M extends keyof Generated
    ? Generated[M] extends grpc.handleClientStreamingCall<infer _Request, infer _Reply>
      ? grpc.handleClientStreamingCall<R[M]['request'], R[M]['reply']>
      : grpc.handleUnaryCall<R[M]['request'], R[M]['reply']>
    : never;
};

/**
 * Calls one unary method of a typed service. Sends exactly what the client class gRPC generates per method sends
 * (it calls makeUnaryRequest with the same path and (de)serializers), but with the request and reply types of `method`.
 */
export function callUnary<R extends RpcTable, M extends keyof R & string>(
  client: grpc.Client,
  definition: TypedServiceDefinition<R>,
  method: M,
  request: R[M]['request'],
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, reply?: R[M]['reply']) => void,
): grpc.ClientUnaryCall {
  const m = definition[method];
  return client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, metadata, options, callback);
}

/** Opens a client-streaming call of a typed service: write requests, end(), and the callback gets the one reply. */
export function callClientStream<R extends RpcTable, M extends keyof R & string>(
  client: grpc.Client,
  definition: TypedServiceDefinition<R>,
  method: M,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, reply?: R[M]['reply']) => void,
): grpc.ClientWritableStream<R[M]['request']> {
  const m = definition[method];
  return client.makeClientStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, metadata, options, callback);
}
