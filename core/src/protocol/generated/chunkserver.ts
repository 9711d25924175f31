// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ChunkVersion as _mooseng_chunkserver_ChunkVersion, ChunkVersion__Output as _mooseng_chunkserver_ChunkVersion__Output } from './mooseng/chunkserver/ChunkVersion';
import type { ChunkserverIdentity as _mooseng_chunkserver_ChunkserverIdentity, ChunkserverIdentity__Output as _mooseng_chunkserver_ChunkserverIdentity__Output } from './mooseng/chunkserver/ChunkserverIdentity';
import type { ChunkserverToMasterClient as _mooseng_chunkserver_ChunkserverToMasterClient, ChunkserverToMasterDefinition as _mooseng_chunkserver_ChunkserverToMasterDefinition } from './mooseng/chunkserver/ChunkserverToMaster';
import type { ChunkserverToMasterCorrupt as _mooseng_chunkserver_ChunkserverToMasterCorrupt, ChunkserverToMasterCorrupt__Output as _mooseng_chunkserver_ChunkserverToMasterCorrupt__Output } from './mooseng/chunkserver/ChunkserverToMasterCorrupt';
import type { ChunkserverToMasterHeartbeat as _mooseng_chunkserver_ChunkserverToMasterHeartbeat, ChunkserverToMasterHeartbeat__Output as _mooseng_chunkserver_ChunkserverToMasterHeartbeat__Output } from './mooseng/chunkserver/ChunkserverToMasterHeartbeat';
import type { ChunkserverToMasterRegister as _mooseng_chunkserver_ChunkserverToMasterRegister, ChunkserverToMasterRegister__Output as _mooseng_chunkserver_ChunkserverToMasterRegister__Output } from './mooseng/chunkserver/ChunkserverToMasterRegister';
import type { DirectoryState as _mooseng_chunkserver_DirectoryState, DirectoryState__Output as _mooseng_chunkserver_DirectoryState__Output } from './mooseng/chunkserver/DirectoryState';
import type { MasterToChunkserverAck as _mooseng_chunkserver_MasterToChunkserverAck, MasterToChunkserverAck__Output as _mooseng_chunkserver_MasterToChunkserverAck__Output } from './mooseng/chunkserver/MasterToChunkserverAck';
import type { MasterToChunkserverHeartbeatReply as _mooseng_chunkserver_MasterToChunkserverHeartbeatReply, MasterToChunkserverHeartbeatReply__Output as _mooseng_chunkserver_MasterToChunkserverHeartbeatReply__Output } from './mooseng/chunkserver/MasterToChunkserverHeartbeatReply';
import type { MasterToChunkserverRegistered as _mooseng_chunkserver_MasterToChunkserverRegistered, MasterToChunkserverRegistered__Output as _mooseng_chunkserver_MasterToChunkserverRegistered__Output } from './mooseng/chunkserver/MasterToChunkserverRegistered';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mooseng: {
    chunkserver: {
      ChunkVersion: MessageTypeDefinition<_mooseng_chunkserver_ChunkVersion, _mooseng_chunkserver_ChunkVersion__Output>
      ChunkserverIdentity: MessageTypeDefinition<_mooseng_chunkserver_ChunkserverIdentity, _mooseng_chunkserver_ChunkserverIdentity__Output>
      ChunkserverToMaster: SubtypeConstructor<typeof grpc.Client, _mooseng_chunkserver_ChunkserverToMasterClient> & { service: _mooseng_chunkserver_ChunkserverToMasterDefinition }
      ChunkserverToMasterCorrupt: MessageTypeDefinition<_mooseng_chunkserver_ChunkserverToMasterCorrupt, _mooseng_chunkserver_ChunkserverToMasterCorrupt__Output>
      ChunkserverToMasterHeartbeat: MessageTypeDefinition<_mooseng_chunkserver_ChunkserverToMasterHeartbeat, _mooseng_chunkserver_ChunkserverToMasterHeartbeat__Output>
      ChunkserverToMasterRegister: MessageTypeDefinition<_mooseng_chunkserver_ChunkserverToMasterRegister, _mooseng_chunkserver_ChunkserverToMasterRegister__Output>
      DirectoryState: MessageTypeDefinition<_mooseng_chunkserver_DirectoryState, _mooseng_chunkserver_DirectoryState__Output>
      MasterToChunkserverAck: MessageTypeDefinition<_mooseng_chunkserver_MasterToChunkserverAck, _mooseng_chunkserver_MasterToChunkserverAck__Output>
      MasterToChunkserverHeartbeatReply: MessageTypeDefinition<_mooseng_chunkserver_MasterToChunkserverHeartbeatReply, _mooseng_chunkserver_MasterToChunkserverHeartbeatReply__Output>
      MasterToChunkserverRegistered: MessageTypeDefinition<_mooseng_chunkserver_MasterToChunkserverRegistered, _mooseng_chunkserver_MasterToChunkserverRegistered__Output>
    }
  }
}

