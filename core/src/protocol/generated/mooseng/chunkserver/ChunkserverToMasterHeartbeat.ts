// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/chunkserver.proto

import type { DirectoryState as _mooseng_chunkserver_DirectoryState, DirectoryState__Output as _mooseng_chunkserver_DirectoryState__Output } from '../../mooseng/chunkserver/DirectoryState';
import type { ChunkVersion as _mooseng_chunkserver_ChunkVersion, ChunkVersion__Output as _mooseng_chunkserver_ChunkVersion__Output } from '../../mooseng/chunkserver/ChunkVersion';
import type { Long } from '@grpc/proto-loader';

export interface ChunkserverToMasterHeartbeat {
  'nodeId'?: (string);
  'session'?: (number | string | Long);
  'dirs'?: (_mooseng_chunkserver_DirectoryState)[];
  'totalBytes'?: (number | string | Long);
  'freeBytes'?: (number | string | Long);
  'usedBytes'?: (number | string | Long);
  'chunks'?: (number);
  /**
   * Chunks this server no longer holds since the last heartbeat (their directory became unusable).
   */
  'lostChunks'?: (_mooseng_chunkserver_ChunkVersion)[];
}

export interface ChunkserverToMasterHeartbeat__Output {
  'nodeId': (string);
  'session': (number);
  'dirs': (_mooseng_chunkserver_DirectoryState__Output)[];
  'totalBytes': (number);
  'freeBytes': (number);
  'usedBytes': (number);
  'chunks': (number);
  /**
   * Chunks this server no longer holds since the last heartbeat (their directory became unusable).
   */
  'lostChunks': (_mooseng_chunkserver_ChunkVersion__Output)[];
}
