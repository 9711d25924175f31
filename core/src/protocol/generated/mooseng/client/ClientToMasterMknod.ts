// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * want_grant: with open, the caller will write the regular file it creates (it opens it for writing): the master may
 * answer with chunk 0's write grant (MasterToClientAttr.grant).
 */
export interface ClientToMasterMknod {
  'h'?: (_mooseng_client_RequestHeader | null);
  'parent'?: (number | string | Long);
  'name'?: (string);
  'mode'?: (number);
  'rdev'?: (number | string | Long);
  'open'?: (boolean);
  'umask'?: (number);
  'wantGrant'?: (boolean);
}

/**
 * want_grant: with open, the caller will write the regular file it creates (it opens it for writing): the master may
 * answer with chunk 0's write grant (MasterToClientAttr.grant).
 */
export interface ClientToMasterMknod__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'parent': (number);
  'name': (string);
  'mode': (number);
  'rdev': (number);
  'open': (boolean);
  'umask': (number);
  'wantGrant': (boolean);
}
