// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

export interface ClientToMasterSetXattr {
  'h'?: (_mooseng_client_RequestHeader | null);
  'ino'?: (number | string | Long);
  'name'?: (string);
  'value'?: (Buffer | Uint8Array | string);
  'flags'?: (number);
}

export interface ClientToMasterSetXattr__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'ino': (number);
  'name': (string);
  'value': (Buffer);
  'flags': (number);
}
