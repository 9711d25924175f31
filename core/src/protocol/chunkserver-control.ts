// Types and the service definition of chunkserver.proto (chunkserver ↔ master control), as proto-loader maps them.
import type * as grpc from '@grpc/grpc-js';
import { serviceOf } from './proto-files';

/** The .proto file of the chunkserver control protocol, in core/src/protocol/. */
export const CHUNKSERVER_PROTO_FILE = 'chunkserver.proto';
/** Fully qualified name of the service masters implement. */
export const CHUNKSERVER_TO_MASTER_SERVICE = 'mooseng.chunkserver.ChunkserverToMaster';
/** Chunks per registration message after the first. */
export const REGISTER_BATCH_CHUNKS = 10_000;

export interface DirectoryStateMsg {
  dir: string;
  totalBytes: number;
  freeBytes: number;
  usedBytes: number;
  chunks: number;
  usable: boolean;
  error: string;
}

export interface ChunkVersionMsg {
  chunkId: number;
  version: number;
  length: number;
}

export interface ChunkserverIdentityMsg {
  nodeId: string;
  clusterId: string;
  dataAddress: string;
  httpPort: number;
  labels: Record<string, string>;
}

export interface ChunkserverToMasterRegister {
  identity?: ChunkserverIdentityMsg | null;
  dirs: DirectoryStateMsg[];
  chunks: ChunkVersionMsg[];
}

export interface MasterToChunkserverRegistered {
  masterId: string;
  clusterId: string;
  session: number;
}

export interface ChunkserverToMasterHeartbeat {
  nodeId: string;
  session: number;
  dirs: DirectoryStateMsg[];
  totalBytes: number;
  freeBytes: number;
  usedBytes: number;
  chunks: number;
  lostChunks: ChunkVersionMsg[];
}

/** Empty: a heartbeat's answer is that it was accepted (a refused one fails with UNAVAILABLE). */
export type MasterToChunkserverHeartbeatReply = Record<string, never>;

export interface ChunkserverToMasterCorrupt {
  nodeId: string;
  session: number;
  chunkId: number;
  version: number;
  blocks: number[];
  dir: string;
  foundBy: 'read' | 'scrub';
}

/** The client class (with `.service`) of ChunkserverToMaster, for chunkservers and for masters' servers. */
export function chunkserverToMasterService(): grpc.ServiceClientConstructor {
  return serviceOf(CHUNKSERVER_PROTO_FILE, CHUNKSERVER_TO_MASTER_SERVICE);
}
