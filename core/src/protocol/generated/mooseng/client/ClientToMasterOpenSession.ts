// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto


export interface ClientToMasterOpenSession {
  'info'?: (string);
  'host'?: (string);
}

export interface ClientToMasterOpenSession__Output {
  'info': (string);
  'host': (string);
}
