// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/chunkserver.proto


export interface MasterToChunkserverAck {
}

export interface MasterToChunkserverAck__Output {
}
