// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/chunkserver.proto


/**
 * Who the chunkserver is and where to reach it.
 */
export interface ChunkserverIdentity {
  'nodeId'?: (string);
  'clusterId'?: (string);
  /**
   * host:port of the data plane, as clients must use it
   */
  'dataAddress'?: (string);
  'httpPort'?: (number);
  'labels'?: ({[key: string]: string});
  /**
   * With a cluster secret: the time and HMAC of (node_id, cluster_id, data_address) under it (member-proofs.ts).
   */
  'memberProof'?: (Buffer | Uint8Array | string);
}

/**
 * Who the chunkserver is and where to reach it.
 */
export interface ChunkserverIdentity__Output {
  'nodeId': (string);
  'clusterId': (string);
  /**
   * host:port of the data plane, as clients must use it
   */
  'dataAddress': (string);
  'httpPort': (number);
  'labels': ({[key: string]: string});
  /**
   * With a cluster secret: the time and HMAC of (node_id, cluster_id, data_address) under it (member-proofs.ts).
   */
  'memberProof': (Buffer);
}
