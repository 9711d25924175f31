// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A directory entry whose binding changed (made, removed, renamed from or to, replaced).
 */
export interface EntryChange {
  'parent'?: (number | string | Long);
  'name'?: (string);
}

/**
 * A directory entry whose binding changed (made, removed, renamed from or to, replaced).
 */
export interface EntryChange__Output {
  'parent': (number);
  'name': (string);
}
