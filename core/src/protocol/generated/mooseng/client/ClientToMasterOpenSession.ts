// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto


/**
 * password_proof: under an export with a password, the password's proof of host and info (member-proofs.ts).
 * subdir: a directory beneath the export's to be the session's root (MooseFS's mfssubfolder); empty or "/": the
 * export's own directory. It must lie within the export, symbolic links and all.
 */
export interface ClientToMasterOpenSession {
  'info'?: (string);
  'host'?: (string);
  'passwordProof'?: (Buffer | Uint8Array | string);
  'subdir'?: (string);
}

/**
 * password_proof: under an export with a password, the password's proof of host and info (member-proofs.ts).
 * subdir: a directory beneath the export's to be the session's root (MooseFS's mfssubfolder); empty or "/": the
 * export's own directory. It must lie within the export, symbolic links and all.
 */
export interface ClientToMasterOpenSession__Output {
  'info': (string);
  'host': (string);
  'passwordProof': (Buffer);
  'subdir': (string);
}
