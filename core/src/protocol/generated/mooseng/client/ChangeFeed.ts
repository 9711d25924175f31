// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ClientToMasterWatchChanges as _mooseng_client_ClientToMasterWatchChanges, ClientToMasterWatchChanges__Output as _mooseng_client_ClientToMasterWatchChanges__Output } from '../../mooseng/client/ClientToMasterWatchChanges';
import type { MasterToClientChanges as _mooseng_client_MasterToClientChanges, MasterToClientChanges__Output as _mooseng_client_MasterToClientChanges__Output } from '../../mooseng/client/MasterToClientChanges';

/**
 * Change notices, leader to client (docs/client.md, "Invalidation"): a session watches, and after each mutation
 * another session applied the leader sends what it changed, so the client drops its caches and the kernel's at once
 * instead of when their timeouts run out. Best effort: a notice can arrive after the change is visible otherwise,
 * and a watcher that falls behind (more than the leader's bound pending) gets one message with resync = true in
 * place of what it missed (drop everything cached). A stream that ends (leader change, restart) may have lost
 * notices too: the client resyncs before it watches again.
 */
export interface ChangeFeedClient extends grpc.Client {
  Watch(argument: _mooseng_client_ClientToMasterWatchChanges, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mooseng_client_MasterToClientChanges__Output>;
  Watch(argument: _mooseng_client_ClientToMasterWatchChanges, options?: grpc.CallOptions): grpc.ClientReadableStream<_mooseng_client_MasterToClientChanges__Output>;
  watch(argument: _mooseng_client_ClientToMasterWatchChanges, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mooseng_client_MasterToClientChanges__Output>;
  watch(argument: _mooseng_client_ClientToMasterWatchChanges, options?: grpc.CallOptions): grpc.ClientReadableStream<_mooseng_client_MasterToClientChanges__Output>;
  
}

/**
 * Change notices, leader to client (docs/client.md, "Invalidation"): a session watches, and after each mutation
 * another session applied the leader sends what it changed, so the client drops its caches and the kernel's at once
 * instead of when their timeouts run out. Best effort: a notice can arrive after the change is visible otherwise,
 * and a watcher that falls behind (more than the leader's bound pending) gets one message with resync = true in
 * place of what it missed (drop everything cached). A stream that ends (leader change, restart) may have lost
 * notices too: the client resyncs before it watches again.
 */
export interface ChangeFeedHandlers extends grpc.UntypedServiceImplementation {
  Watch: grpc.handleServerStreamingCall<_mooseng_client_ClientToMasterWatchChanges__Output, _mooseng_client_MasterToClientChanges>;
  
}

export interface ChangeFeedDefinition extends grpc.ServiceDefinition {
  Watch: MethodDefinition<_mooseng_client_ClientToMasterWatchChanges, _mooseng_client_MasterToClientChanges, _mooseng_client_ClientToMasterWatchChanges__Output, _mooseng_client_MasterToClientChanges__Output>
}
