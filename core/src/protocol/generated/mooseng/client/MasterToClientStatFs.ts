// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { Long } from '@grpc/proto-loader';

export interface MasterToClientStatFs {
  'totalBytes'?: (number | string | Long);
  'freeBytes'?: (number | string | Long);
  'files'?: (number | string | Long);
  'freeFiles'?: (number | string | Long);
  'blockSize'?: (number);
  'nameMax'?: (number);
}

export interface MasterToClientStatFs__Output {
  'totalBytes': (number);
  'freeBytes': (number);
  'files': (number);
  'freeFiles': (number);
  'blockSize': (number);
  'nameMax': (number);
}
