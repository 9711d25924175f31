// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * Drops the owner's locks of `kinds` on the file: at close (POSIX) and at release (flock, OFD locks).
 */
export interface ClientToMasterReleaseLocks {
  'h'?: (_mooseng_client_RequestHeader | null);
  'ino'?: (number | string | Long);
  'owner'?: (string);
  'kinds'?: (number);
}

/**
 * Drops the owner's locks of `kinds` on the file: at close (POSIX) and at release (flock, OFD locks).
 */
export interface ClientToMasterReleaseLocks__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'ino': (number);
  'owner': (string);
  'kinds': (number);
}
