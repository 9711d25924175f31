// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/chunkserver.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ChunkserverToMasterCorrupt as _mooseng_chunkserver_ChunkserverToMasterCorrupt, ChunkserverToMasterCorrupt__Output as _mooseng_chunkserver_ChunkserverToMasterCorrupt__Output } from '../../mooseng/chunkserver/ChunkserverToMasterCorrupt';
import type { ChunkserverToMasterHeartbeat as _mooseng_chunkserver_ChunkserverToMasterHeartbeat, ChunkserverToMasterHeartbeat__Output as _mooseng_chunkserver_ChunkserverToMasterHeartbeat__Output } from '../../mooseng/chunkserver/ChunkserverToMasterHeartbeat';
import type { ChunkserverToMasterRegister as _mooseng_chunkserver_ChunkserverToMasterRegister, ChunkserverToMasterRegister__Output as _mooseng_chunkserver_ChunkserverToMasterRegister__Output } from '../../mooseng/chunkserver/ChunkserverToMasterRegister';
import type { MasterToChunkserverAck as _mooseng_chunkserver_MasterToChunkserverAck, MasterToChunkserverAck__Output as _mooseng_chunkserver_MasterToChunkserverAck__Output } from '../../mooseng/chunkserver/MasterToChunkserverAck';
import type { MasterToChunkserverHeartbeatReply as _mooseng_chunkserver_MasterToChunkserverHeartbeatReply, MasterToChunkserverHeartbeatReply__Output as _mooseng_chunkserver_MasterToChunkserverHeartbeatReply__Output } from '../../mooseng/chunkserver/MasterToChunkserverHeartbeatReply';
import type { MasterToChunkserverRegistered as _mooseng_chunkserver_MasterToChunkserverRegistered, MasterToChunkserverRegistered__Output as _mooseng_chunkserver_MasterToChunkserverRegistered__Output } from '../../mooseng/chunkserver/MasterToChunkserverRegistered';

export interface ChunkserverToMasterClient extends grpc.Client {
  Heartbeat(argument: _mooseng_chunkserver_ChunkserverToMasterHeartbeat, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverHeartbeatReply__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _mooseng_chunkserver_ChunkserverToMasterHeartbeat, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverHeartbeatReply__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _mooseng_chunkserver_ChunkserverToMasterHeartbeat, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverHeartbeatReply__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _mooseng_chunkserver_ChunkserverToMasterHeartbeat, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverHeartbeatReply__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _mooseng_chunkserver_ChunkserverToMasterHeartbeat, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverHeartbeatReply__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _mooseng_chunkserver_ChunkserverToMasterHeartbeat, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverHeartbeatReply__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _mooseng_chunkserver_ChunkserverToMasterHeartbeat, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverHeartbeatReply__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _mooseng_chunkserver_ChunkserverToMasterHeartbeat, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverHeartbeatReply__Output>): grpc.ClientUnaryCall;
  
  Register(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverRegistered__Output>): grpc.ClientWritableStream<_mooseng_chunkserver_ChunkserverToMasterRegister>;
  Register(metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverRegistered__Output>): grpc.ClientWritableStream<_mooseng_chunkserver_ChunkserverToMasterRegister>;
  Register(options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverRegistered__Output>): grpc.ClientWritableStream<_mooseng_chunkserver_ChunkserverToMasterRegister>;
  Register(callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverRegistered__Output>): grpc.ClientWritableStream<_mooseng_chunkserver_ChunkserverToMasterRegister>;
  register(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverRegistered__Output>): grpc.ClientWritableStream<_mooseng_chunkserver_ChunkserverToMasterRegister>;
  register(metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverRegistered__Output>): grpc.ClientWritableStream<_mooseng_chunkserver_ChunkserverToMasterRegister>;
  register(options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverRegistered__Output>): grpc.ClientWritableStream<_mooseng_chunkserver_ChunkserverToMasterRegister>;
  register(callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverRegistered__Output>): grpc.ClientWritableStream<_mooseng_chunkserver_ChunkserverToMasterRegister>;
  
  ReportCorrupt(argument: _mooseng_chunkserver_ChunkserverToMasterCorrupt, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverAck__Output>): grpc.ClientUnaryCall;
  ReportCorrupt(argument: _mooseng_chunkserver_ChunkserverToMasterCorrupt, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverAck__Output>): grpc.ClientUnaryCall;
  ReportCorrupt(argument: _mooseng_chunkserver_ChunkserverToMasterCorrupt, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverAck__Output>): grpc.ClientUnaryCall;
  ReportCorrupt(argument: _mooseng_chunkserver_ChunkserverToMasterCorrupt, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverAck__Output>): grpc.ClientUnaryCall;
  reportCorrupt(argument: _mooseng_chunkserver_ChunkserverToMasterCorrupt, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverAck__Output>): grpc.ClientUnaryCall;
  reportCorrupt(argument: _mooseng_chunkserver_ChunkserverToMasterCorrupt, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverAck__Output>): grpc.ClientUnaryCall;
  reportCorrupt(argument: _mooseng_chunkserver_ChunkserverToMasterCorrupt, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverAck__Output>): grpc.ClientUnaryCall;
  reportCorrupt(argument: _mooseng_chunkserver_ChunkserverToMasterCorrupt, callback: grpc.requestCallback<_mooseng_chunkserver_MasterToChunkserverAck__Output>): grpc.ClientUnaryCall;
  
}

export interface ChunkserverToMasterHandlers extends grpc.UntypedServiceImplementation {
  Heartbeat: grpc.handleUnaryCall<_mooseng_chunkserver_ChunkserverToMasterHeartbeat__Output, _mooseng_chunkserver_MasterToChunkserverHeartbeatReply>;
  
  Register: grpc.handleClientStreamingCall<_mooseng_chunkserver_ChunkserverToMasterRegister__Output, _mooseng_chunkserver_MasterToChunkserverRegistered>;
  
  ReportCorrupt: grpc.handleUnaryCall<_mooseng_chunkserver_ChunkserverToMasterCorrupt__Output, _mooseng_chunkserver_MasterToChunkserverAck>;
  
}

export interface ChunkserverToMasterDefinition extends grpc.ServiceDefinition {
  Heartbeat: MethodDefinition<_mooseng_chunkserver_ChunkserverToMasterHeartbeat, _mooseng_chunkserver_MasterToChunkserverHeartbeatReply, _mooseng_chunkserver_ChunkserverToMasterHeartbeat__Output, _mooseng_chunkserver_MasterToChunkserverHeartbeatReply__Output>
  Register: MethodDefinition<_mooseng_chunkserver_ChunkserverToMasterRegister, _mooseng_chunkserver_MasterToChunkserverRegistered, _mooseng_chunkserver_ChunkserverToMasterRegister__Output, _mooseng_chunkserver_MasterToChunkserverRegistered__Output>
  ReportCorrupt: MethodDefinition<_mooseng_chunkserver_ChunkserverToMasterCorrupt, _mooseng_chunkserver_MasterToChunkserverAck, _mooseng_chunkserver_ChunkserverToMasterCorrupt__Output, _mooseng_chunkserver_MasterToChunkserverAck__Output>
}
