// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * lseek(2) SEEK_DATA (3) or SEEK_HOLE (4), at chunk granularity: a chunk that exists is data, a missing one a hole.
 */
export interface ClientToMasterSeek {
  'h'?: (_mooseng_client_RequestHeader | null);
  'ino'?: (number | string | Long);
  'offset'?: (number | string | Long);
  'whence'?: (number);
}

/**
 * lseek(2) SEEK_DATA (3) or SEEK_HOLE (4), at chunk granularity: a chunk that exists is data, a missing one a hole.
 */
export interface ClientToMasterSeek__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'ino': (number);
  'offset': (number);
  'whence': (number);
}
