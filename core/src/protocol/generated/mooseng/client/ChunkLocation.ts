// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto


/**
 * The data path. Locations are chunkserver data-plane addresses in preference order.
 */
export interface ChunkLocation {
  'serverId'?: (string);
  'address'?: (string);
}

/**
 * The data path. Locations are chunkserver data-plane addresses in preference order.
 */
export interface ChunkLocation__Output {
  'serverId': (string);
  'address': (string);
}
