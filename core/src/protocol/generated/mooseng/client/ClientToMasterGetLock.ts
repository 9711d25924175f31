// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * F_GETLK (and a waiting client's look whether to try again): the first lock of another owner in the way, or type
 * UNLOCK when there is none. A read: nothing is proposed.
 */
export interface ClientToMasterGetLock {
  'h'?: (_mooseng_client_RequestHeader | null);
  'ino'?: (number | string | Long);
  'kind'?: (number);
  'type'?: (number);
  'owner'?: (string);
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
}

/**
 * F_GETLK (and a waiting client's look whether to try again): the first lock of another owner in the way, or type
 * UNLOCK when there is none. A read: nothing is proposed.
 */
export interface ClientToMasterGetLock__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'ino': (number);
  'kind': (number);
  'type': (number);
  'owner': (string);
  'start': (number);
  'end': (number);
}
