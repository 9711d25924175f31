// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto


/**
 * password_proof: under an export with a password, the password's proof of host and info (member-proofs.ts).
 */
export interface ClientToMasterOpenSession {
  'info'?: (string);
  'host'?: (string);
  'passwordProof'?: (Buffer | Uint8Array | string);
}

/**
 * password_proof: under an export with a password, the password's proof of host and info (member-proofs.ts).
 */
export interface ClientToMasterOpenSession__Output {
  'info': (string);
  'host': (string);
  'passwordProof': (Buffer);
}
