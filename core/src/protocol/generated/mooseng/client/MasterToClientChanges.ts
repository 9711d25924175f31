// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { EntryChange as _mooseng_client_EntryChange, EntryChange__Output as _mooseng_client_EntryChange__Output } from '../../mooseng/client/EntryChange';
import type { Long } from '@grpc/proto-loader';

/**
 * inodes: attributes (and, for files, maybe data) changed; entries: names changed (their directories are in inodes).
 */
export interface MasterToClientChanges {
  'inodes'?: (number | string | Long)[];
  'entries'?: (_mooseng_client_EntryChange)[];
  'resync'?: (boolean);
}

/**
 * inodes: attributes (and, for files, maybe data) changed; entries: names changed (their directories are in inodes).
 */
export interface MasterToClientChanges__Output {
  'inodes': (number)[];
  'entries': (_mooseng_client_EntryChange__Output)[];
  'resync': (boolean);
}
