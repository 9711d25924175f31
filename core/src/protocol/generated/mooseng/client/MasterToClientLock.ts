// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { Long } from '@grpc/proto-loader';

export interface MasterToClientLock {
  'type'?: (number);
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
  'pid'?: (number);
}

export interface MasterToClientLock__Output {
  'type': (number);
  'start': (number);
  'end': (number);
  'pid': (number);
}
