// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * version: the chunk version the bytes were written under (the grant's). The master refuses the commit
 * (CHUNK_STALE_VERSION: the write is not acknowledged) when the chunk lost bytes since, e.g. to another client's
 * truncate. 0 (a client that predates the field): only the chunk id is checked.
 */
export interface ClientToMasterCommitWrite {
  'h'?: (_mooseng_client_RequestHeader | null);
  'ino'?: (number | string | Long);
  'chunkIndex'?: (number);
  'chunkId'?: (number | string | Long);
  'length'?: (number | string | Long);
  'version'?: (number);
}

/**
 * version: the chunk version the bytes were written under (the grant's). The master refuses the commit
 * (CHUNK_STALE_VERSION: the write is not acknowledged) when the chunk lost bytes since, e.g. to another client's
 * truncate. 0 (a client that predates the field): only the chunk id is checked.
 */
export interface ClientToMasterCommitWrite__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'ino': (number);
  'chunkIndex': (number);
  'chunkId': (number);
  'length': (number);
  'version': (number);
}
