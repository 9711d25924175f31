// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto


/**
 * Who is asking: the caller's uid and groups (gids[0] is the primary group). The master checks permissions with them.
 */
export interface Credentials {
  'uid'?: (number);
  'gids'?: (number)[];
}

/**
 * Who is asking: the caller's uid and groups (gids[0] is the primary group). The master checks permissions with them.
 */
export interface Credentials__Output {
  'uid': (number);
  'gids': (number)[];
}
