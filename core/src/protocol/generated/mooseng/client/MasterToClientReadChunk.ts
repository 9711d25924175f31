// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { ChunkLocation as _mooseng_client_ChunkLocation, ChunkLocation__Output as _mooseng_client_ChunkLocation__Output } from '../../mooseng/client/ChunkLocation';
import type { Long } from '@grpc/proto-loader';

/**
 * permit: with a cluster secret, the leader's permit to read this chunk version on the locations (chunk-permits.ts).
 */
export interface MasterToClientReadChunk {
  'chunkId'?: (number | string | Long);
  'version'?: (number);
  'fileLength'?: (number | string | Long);
  'locations'?: (_mooseng_client_ChunkLocation)[];
  'permit'?: (Buffer | Uint8Array | string);
}

/**
 * permit: with a cluster secret, the leader's permit to read this chunk version on the locations (chunk-permits.ts).
 */
export interface MasterToClientReadChunk__Output {
  'chunkId': (number);
  'version': (number);
  'fileLength': (number);
  'locations': (_mooseng_client_ChunkLocation__Output)[];
  'permit': (Buffer);
}
