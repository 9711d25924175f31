// Types and the service definition of client.proto (client ↔ master control), from the generated types.
import { ErrorCodes, MoosengError } from '../errors';
import type { MessagesOf, RpcTableOf, TypedService, UnaryHandlers } from './control-plane';
import type { ProtoGrpcType } from './generated/client';
import type { ChangeFeedDefinition } from './generated/mooseng/client/ChangeFeed';
import type { ClientToMasterDefinition } from './generated/mooseng/client/ClientToMaster';
import { serviceOf } from './proto-files';

/** The .proto file of the client control protocol, in core/src/protocol/. */
export const CLIENT_PROTO_FILE = 'client.proto';
/** Fully qualified name of the service masters implement for clients. */
export const CLIENT_TO_MASTER_SERVICE = 'mooseng.client.ClientToMaster';

/** Fully qualified name of the service through which the leader streams change notices to sessions. */
export const CHANGE_FEED_SERVICE = 'mooseng.client.ChangeFeed';

/** Every ClientToMaster method with its request and reply. */
export type ClientToMasterRpcs = RpcTableOf<ClientToMasterDefinition>;
/** The name of a ClientToMaster method ('Lookup', 'WriteChunk', ...). */
export type ClientMethodName = keyof ClientToMasterRpcs;
/** The request of a ClientToMaster method, as the master receives it. */
export type RequestOf<M extends ClientMethodName> = ClientToMasterRpcs[M]['request'];
/** The reply of a ClientToMaster method, as the client receives it. */
export type ReplyOf<M extends ClientMethodName> = ClientToMasterRpcs[M]['reply'];
/** The master's handlers of every ClientToMaster method. */
export type ClientToMasterHandlers = UnaryHandlers<ClientToMasterRpcs>;

/** The messages of client.proto by name ('Attr', 'DirEntry', 'ChunkLocation', ...). */
export type ClientMessages = MessagesOf<ProtoGrpcType['mooseng']['client']>;
/** One client.proto message, decoded: `ClientMessage<'Attr'>`. */
export type ClientMessage<N extends keyof ClientMessages> = ClientMessages[N];

/**
 * The ClientToMaster service, typed by method. The cast is where the generated types meet what proto-loader built
 * at run time: both come from the same client.proto with the same options (the freshness test checks both).
 */
export function clientToMasterService(): TypedService<ClientToMasterRpcs> {
  return serviceOf(CLIENT_PROTO_FILE, CLIENT_TO_MASTER_SERVICE) as unknown as TypedService<ClientToMasterRpcs>;
}

/** The ChangeFeed's one method (Watch: a request, then a stream of MasterToClientChanges). */
export type ChangeFeedRpcs = RpcTableOf<ChangeFeedDefinition>;
/** One change notice as it travels (inodes, entries, resync). */
export type ChangeNotice = ChangeFeedRpcs['Watch']['reply'];

/** The ChangeFeed service, typed (the same cast as clientToMasterService). */
export function changeFeedService(): TypedService<ChangeFeedRpcs> {
  return serviceOf(CLIENT_PROTO_FILE, CHANGE_FEED_SERVICE) as unknown as TypedService<ChangeFeedRpcs>;
}

/**
 * The attributes in a reply or directory entry. Proto3 cannot make a sub-message required and the loader decodes an
 * absent one as null; a master always sends them, so their absence is a PROTOCOL_ERROR rather than a crash later.
 */
export function replyAttr(reply: { attr: ClientMessage<'Attr'> | null }, what: string): ClientMessage<'Attr'> {
  if (!reply.attr) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${what}: the master's reply carries no attributes`);
  return reply.attr;
}
