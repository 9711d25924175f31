// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto


export interface MasterToClientXattrNames {
  'names'?: (string)[];
}

export interface MasterToClientXattrNames__Output {
  'names': (string)[];
}
