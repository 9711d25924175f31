// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';

/**
 * Durability barrier: answered once every metadata change committed before it is on a majority of the masters' disks
 * (a client's fsync, fdatasync, O_SYNC write and fsyncdir wait for it; see docs/raft.md, Durability modes).
 */
export interface ClientToMasterSync {
  'h'?: (_mooseng_client_RequestHeader | null);
}

/**
 * Durability barrier: answered once every metadata change committed before it is on a majority of the masters' disks
 * (a client's fsync, fdatasync, O_SYNC write and fsyncdir wait for it; see docs/raft.md, Durability modes).
 */
export interface ClientToMasterSync__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
}
