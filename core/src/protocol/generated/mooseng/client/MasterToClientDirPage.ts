// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { DirEntry as _mooseng_client_DirEntry, DirEntry__Output as _mooseng_client_DirEntry__Output } from '../../mooseng/client/DirEntry';

export interface MasterToClientDirPage {
  'entries'?: (_mooseng_client_DirEntry)[];
  'more'?: (boolean);
}

export interface MasterToClientDirPage__Output {
  'entries': (_mooseng_client_DirEntry__Output)[];
  'more': (boolean);
}
