// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/chunkserver.proto

import type { Long } from '@grpc/proto-loader';

export interface MasterToChunkserverRegistered {
  'masterId'?: (string);
  'clusterId'?: (string);
  /**
   * echoed in heartbeats; a master that lost it answers UNAVAILABLE and wants a new Register
   */
  'session'?: (number | string | Long);
}

export interface MasterToChunkserverRegistered__Output {
  'masterId': (string);
  'clusterId': (string);
  /**
   * echoed in heartbeats; a master that lost it answers UNAVAILABLE and wants a new Register
   */
  'session': (number);
}
