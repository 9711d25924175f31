// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

export interface ClientToMasterMkdir {
  'h'?: (_mooseng_client_RequestHeader | null);
  'parent'?: (number | string | Long);
  'name'?: (string);
  'mode'?: (number);
  'umask'?: (number);
}

export interface ClientToMasterMkdir__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'parent': (number);
  'name': (string);
  'mode': (number);
  'umask': (number);
}
