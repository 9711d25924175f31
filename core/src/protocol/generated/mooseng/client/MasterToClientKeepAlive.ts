// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { Long } from '@grpc/proto-loader';

/**
 * session_key: the session's key under the secret the masters sign with now (it changes while a secret rolls out).
 */
export interface MasterToClientKeepAlive {
  'sessionTimeoutMs'?: (number | string | Long);
  'sessionKey'?: (Buffer | Uint8Array | string);
  'durableWhenAcknowledged'?: (boolean);
}

/**
 * session_key: the session's key under the secret the masters sign with now (it changes while a secret rolls out).
 */
export interface MasterToClientKeepAlive__Output {
  'sessionTimeoutMs': (number);
  'sessionKey': (Buffer);
  'durableWhenAcknowledged': (boolean);
}
