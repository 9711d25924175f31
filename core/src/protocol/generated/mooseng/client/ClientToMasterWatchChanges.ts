// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { Long } from '@grpc/proto-loader';

export interface ClientToMasterWatchChanges {
  'sessionId'?: (number | string | Long);
  'sessionKey'?: (Buffer | Uint8Array | string);
}

export interface ClientToMasterWatchChanges__Output {
  'sessionId': (number);
  'sessionKey': (Buffer);
}
