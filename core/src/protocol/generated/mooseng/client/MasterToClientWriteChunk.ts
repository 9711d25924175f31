// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { ChunkLocation as _mooseng_client_ChunkLocation, ChunkLocation__Output as _mooseng_client_ChunkLocation__Output } from '../../mooseng/client/ChunkLocation';
import type { Long } from '@grpc/proto-loader';

/**
 * is_new: the chain must create the chunk first. truncate_to >= 0: a truncate left this chunk longer than the file;
 * the chain cuts it to that length before writing.
 * permit: with a cluster secret, the leader's signed permit (chunk-permits.ts) to create, write and (to truncate_to)
 * truncate this chunk version on the chain's chunkservers; the client sends it with each of those requests.
 */
export interface MasterToClientWriteChunk {
  'chunkId'?: (number | string | Long);
  'version'?: (number);
  'fileLength'?: (number | string | Long);
  'chain'?: (_mooseng_client_ChunkLocation)[];
  'isNew'?: (boolean);
  'truncateTo'?: (number | string | Long);
  'permit'?: (Buffer | Uint8Array | string);
}

/**
 * is_new: the chain must create the chunk first. truncate_to >= 0: a truncate left this chunk longer than the file;
 * the chain cuts it to that length before writing.
 * permit: with a cluster secret, the leader's signed permit (chunk-permits.ts) to create, write and (to truncate_to)
 * truncate this chunk version on the chain's chunkservers; the client sends it with each of those requests.
 */
export interface MasterToClientWriteChunk__Output {
  'chunkId': (number);
  'version': (number);
  'fileLength': (number);
  'chain': (_mooseng_client_ChunkLocation__Output)[];
  'isNew': (boolean);
  'truncateTo': (number);
  'permit': (Buffer);
}
