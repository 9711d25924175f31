// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * setattr: `mask` says which fields apply (SetattrMask in core/src/protocol/fs-constants.ts, as every bit field and
 * limit of this file: mode bits, OpenFlags, RenameFlags, XattrFlags, name and xattr sizes, goal range, readdir page).
 */
export interface ClientToMasterSetAttr {
  'h'?: (_mooseng_client_RequestHeader | null);
  'ino'?: (number | string | Long);
  'mask'?: (number);
  'mode'?: (number);
  'uid'?: (number);
  'gid'?: (number);
  'size'?: (number | string | Long);
  'atimeMs'?: (number | string | Long);
  'mtimeMs'?: (number | string | Long);
}

/**
 * setattr: `mask` says which fields apply (SetattrMask in core/src/protocol/fs-constants.ts, as every bit field and
 * limit of this file: mode bits, OpenFlags, RenameFlags, XattrFlags, name and xattr sizes, goal range, readdir page).
 */
export interface ClientToMasterSetAttr__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'ino': (number);
  'mask': (number);
  'mode': (number);
  'uid': (number);
  'gid': (number);
  'size': (number);
  'atimeMs': (number);
  'mtimeMs': (number);
}
