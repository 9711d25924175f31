// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * Tells the master a replica failed a read or write (CHUNK_CORRUPT, stale, unreachable, REPLICA_FAILED mid-chain),
 * so it can repair it. version: the version read or written. acknowledged: for REPLICA_FAILED, the replicas before
 * the failed one in the chain (they have the write; the failed one and those after it do not).
 * ino: the file the chunk belongs to; the caller must be allowed to write it (REPLICA_FAILED, NO_SPACE) or read it.
 */
export interface ClientToMasterReportReplica {
  'h'?: (_mooseng_client_RequestHeader | null);
  'chunkId'?: (number | string | Long);
  'serverId'?: (string);
  'code'?: (string);
  'version'?: (number);
  'acknowledged'?: (string)[];
  'ino'?: (number | string | Long);
}

/**
 * Tells the master a replica failed a read or write (CHUNK_CORRUPT, stale, unreachable, REPLICA_FAILED mid-chain),
 * so it can repair it. version: the version read or written. acknowledged: for REPLICA_FAILED, the replicas before
 * the failed one in the chain (they have the write; the failed one and those after it do not).
 * ino: the file the chunk belongs to; the caller must be allowed to write it (REPLICA_FAILED, NO_SPACE) or read it.
 */
export interface ClientToMasterReportReplica__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'chunkId': (number);
  'serverId': (string);
  'code': (string);
  'version': (number);
  'acknowledged': (string)[];
  'ino': (number);
}
