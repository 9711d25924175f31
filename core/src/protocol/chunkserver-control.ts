// Types and the service definition of chunkserver.proto (chunkserver ↔ master control), from the generated types.
import type { MessagesOf, RpcTableOf, ServerHandlersOf, TypedService } from './control-plane';
import type { ProtoGrpcType } from './generated/chunkserver';
import type {
  ChunkserverToMasterDefinition,
  ChunkserverToMasterHandlers as GeneratedHandlers,
} from './generated/mooseng/chunkserver/ChunkserverToMaster';
import { serviceOf } from './proto-files';

/** The .proto file of the chunkserver control protocol, in core/src/protocol/. */
export const CHUNKSERVER_PROTO_FILE = 'chunkserver.proto';
/** Fully qualified name of the service masters implement. */
export const CHUNKSERVER_TO_MASTER_SERVICE = 'mooseng.chunkserver.ChunkserverToMaster';
/** Chunks per registration message after the first. */
export const REGISTER_BATCH_CHUNKS = 10_000;

/** Every ChunkserverToMaster method with its request (one stream message for Register) and reply. */
export type ChunkserverToMasterRpcs = RpcTableOf<ChunkserverToMasterDefinition>;
/** The name of a ChunkserverToMaster method. */
export type ChunkserverMethodName = keyof ChunkserverToMasterRpcs;
/** The request of a ChunkserverToMaster method, as the master receives it. */
export type ChunkserverRequestOf<M extends ChunkserverMethodName> = ChunkserverToMasterRpcs[M]['request'];
/** The reply of a ChunkserverToMaster method, as the chunkserver receives it. */
export type ChunkserverReplyOf<M extends ChunkserverMethodName> = ChunkserverToMasterRpcs[M]['reply'];
/** A master's gRPC implementation of ChunkserverToMaster (Register streams its requests). */
export type ChunkserverToMasterHandlers = ServerHandlersOf<ChunkserverToMasterRpcs, GeneratedHandlers>;

/** The messages of chunkserver.proto by name. */
export type ChunkserverMessages = MessagesOf<ProtoGrpcType['mooseng']['chunkserver']>;
/** One chunkserver.proto message, decoded: `ChunkserverMessage<'DirectoryState'>`. */
export type ChunkserverMessage<N extends keyof ChunkserverMessages> = ChunkserverMessages[N];

// Short names of the messages master and chunkserver code passes around.
/** State of one data directory. */
export type DirectoryStateMsg = ChunkserverMessage<'DirectoryState'>;
/** A chunk id, version and length. */
export type ChunkVersionMsg = ChunkserverMessage<'ChunkVersion'>;
/** Who a chunkserver is and where to reach it. */
export type ChunkserverIdentityMsg = ChunkserverMessage<'ChunkserverIdentity'>;
/** One message of a registration stream: the first carries the identity and directories, every one chunks. */
export type ChunkserverToMasterRegister = ChunkserverMessage<'ChunkserverToMasterRegister'>;
/** A master's answer to a registration: its id, its cluster and the session heartbeats echo. */
export type MasterToChunkserverRegistered = ChunkserverMessage<'MasterToChunkserverRegistered'>;
/** A heartbeat: directory states, totals and chunks lost since the last one. */
export type ChunkserverToMasterHeartbeat = ChunkserverMessage<'ChunkserverToMasterHeartbeat'>;
/** A heartbeat's (empty) answer: the heartbeat was accepted. */
export type MasterToChunkserverHeartbeatReply = ChunkserverMessage<'MasterToChunkserverHeartbeatReply'>;
/** A corrupt replica; `foundBy` is "read", "scrub" or "verify" (the leader asked, after a client's report). */
export type ChunkserverToMasterCorrupt = ChunkserverMessage<'ChunkserverToMasterCorrupt'>;

/**
 * The ChunkserverToMaster service, typed by method, for chunkservers (client class) and masters (`.service`). The
 * cast is where the generated types meet what proto-loader built at run time from the same .proto.
 */
export function chunkserverToMasterService(): TypedService<ChunkserverToMasterRpcs> {
  return serviceOf(CHUNKSERVER_PROTO_FILE, CHUNKSERVER_TO_MASTER_SERVICE) as unknown as TypedService<ChunkserverToMasterRpcs>;
}
