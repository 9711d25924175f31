// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/chunkserver.proto

import type { Long } from '@grpc/proto-loader';

export interface ChunkserverToMasterCorrupt {
  'nodeId'?: (string);
  'session'?: (number | string | Long);
  'chunkId'?: (number | string | Long);
  'version'?: (number | string | Long);
  /**
   * indexes of the 64 KiB blocks that failed their CRC
   */
  'blocks'?: (number)[];
  'dir'?: (string);
  /**
   * "read", "scrub" or "verify"
   */
  'foundBy'?: (string);
}

export interface ChunkserverToMasterCorrupt__Output {
  'nodeId': (string);
  'session': (number);
  'chunkId': (number);
  'version': (number);
  /**
   * indexes of the 64 KiB blocks that failed their CRC
   */
  'blocks': (number)[];
  'dir': (string);
  /**
   * "read", "scrub" or "verify"
   */
  'foundBy': (string);
}
