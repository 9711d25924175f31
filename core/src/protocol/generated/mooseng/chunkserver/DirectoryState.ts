// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/chunkserver.proto

import type { Long } from '@grpc/proto-loader';

/**
 * State of one data directory.
 */
export interface DirectoryState {
  'dir'?: (string);
  'totalBytes'?: (number | string | Long);
  'freeBytes'?: (number | string | Long);
  'usedBytes'?: (number | string | Long);
  'chunks'?: (number);
  'usable'?: (boolean);
  /**
   * why it is unusable
   */
  'error'?: (string);
}

/**
 * State of one data directory.
 */
export interface DirectoryState__Output {
  'dir': (string);
  'totalBytes': (number);
  'freeBytes': (number);
  'usedBytes': (number);
  'chunks': (number);
  'usable': (boolean);
  /**
   * why it is unusable
   */
  'error': (string);
}
