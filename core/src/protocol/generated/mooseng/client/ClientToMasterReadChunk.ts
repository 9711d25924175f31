// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * known_length: how long the client knows the file to be, its own writes not committed yet included (0: the
 * committed length only). Where that reaches past a pending cut of the chunk, the master carries the cut out before
 * answering: uncut replicas still hold the bytes the truncate removed there.
 */
export interface ClientToMasterReadChunk {
  'h'?: (_mooseng_client_RequestHeader | null);
  'ino'?: (number | string | Long);
  'chunkIndex'?: (number);
  'knownLength'?: (number | string | Long);
}

/**
 * known_length: how long the client knows the file to be, its own writes not committed yet included (0: the
 * committed length only). Where that reaches past a pending cut of the chunk, the master carries the cut out before
 * answering: uncut replicas still hold the bytes the truncate removed there.
 */
export interface ClientToMasterReadChunk__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'ino': (number);
  'chunkIndex': (number);
  'knownLength': (number);
}
