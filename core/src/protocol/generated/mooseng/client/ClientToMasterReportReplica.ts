// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * Tells the master a replica failed a read or write (CHUNK_CORRUPT, unreachable), so it can repair it.
 */
export interface ClientToMasterReportReplica {
  'h'?: (_mooseng_client_RequestHeader | null);
  'chunkId'?: (number | string | Long);
  'serverId'?: (string);
  'code'?: (string);
}

/**
 * Tells the master a replica failed a read or write (CHUNK_CORRUPT, unreachable), so it can repair it.
 */
export interface ClientToMasterReportReplica__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'chunkId': (number);
  'serverId': (string);
  'code': (string);
}
