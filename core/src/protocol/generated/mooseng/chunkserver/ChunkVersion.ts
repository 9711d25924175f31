// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/chunkserver.proto

import type { Long } from '@grpc/proto-loader';

export interface ChunkVersion {
  'chunkId'?: (number | string | Long);
  'version'?: (number | string | Long);
  'length'?: (number);
}

export interface ChunkVersion__Output {
  'chunkId': (number);
  'version': (number);
  'length': (number);
}
