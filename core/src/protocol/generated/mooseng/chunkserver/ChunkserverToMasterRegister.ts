// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/chunkserver.proto

import type { ChunkserverIdentity as _mooseng_chunkserver_ChunkserverIdentity, ChunkserverIdentity__Output as _mooseng_chunkserver_ChunkserverIdentity__Output } from '../../mooseng/chunkserver/ChunkserverIdentity';
import type { DirectoryState as _mooseng_chunkserver_DirectoryState, DirectoryState__Output as _mooseng_chunkserver_DirectoryState__Output } from '../../mooseng/chunkserver/DirectoryState';
import type { ChunkVersion as _mooseng_chunkserver_ChunkVersion, ChunkVersion__Output as _mooseng_chunkserver_ChunkVersion__Output } from '../../mooseng/chunkserver/ChunkVersion';

/**
 * Registration is a stream so the chunk list has no size bound: the first message carries the identity and the
 * directory states, later ones carry chunks in batches of at most 10000.
 */
export interface ChunkserverToMasterRegister {
  'identity'?: (_mooseng_chunkserver_ChunkserverIdentity | null);
  'dirs'?: (_mooseng_chunkserver_DirectoryState)[];
  'chunks'?: (_mooseng_chunkserver_ChunkVersion)[];
}

/**
 * Registration is a stream so the chunk list has no size bound: the first message carries the identity and the
 * directory states, later ones carry chunks in batches of at most 10000.
 */
export interface ChunkserverToMasterRegister__Output {
  'identity': (_mooseng_chunkserver_ChunkserverIdentity__Output | null);
  'dirs': (_mooseng_chunkserver_DirectoryState__Output)[];
  'chunks': (_mooseng_chunkserver_ChunkVersion__Output)[];
}
