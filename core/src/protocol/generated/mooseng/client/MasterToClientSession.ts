// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { Long } from '@grpc/proto-loader';

/**
 * session_timeout_ms: a session the leader hears nothing from for this long is closed (its open files released);
 * the client sends KeepAlive well within it.
 */
export interface MasterToClientSession {
  'sessionId'?: (number | string | Long);
  'clusterId'?: (string);
  'rootIno'?: (number | string | Long);
  'sessionTimeoutMs'?: (number | string | Long);
  /**
   * Sent back in every request of the session (empty from a cluster without a secret).
   */
  'sessionKey'?: (Buffer | Uint8Array | string);
  /**
   * True when this master acknowledges a change only once a majority has it on disk: an fsync then needs no Sync.
   */
  'durableWhenAcknowledged'?: (boolean);
}

/**
 * session_timeout_ms: a session the leader hears nothing from for this long is closed (its open files released);
 * the client sends KeepAlive well within it.
 */
export interface MasterToClientSession__Output {
  'sessionId': (number);
  'clusterId': (string);
  'rootIno': (number);
  'sessionTimeoutMs': (number);
  /**
   * Sent back in every request of the session (empty from a cluster without a secret).
   */
  'sessionKey': (Buffer);
  /**
   * True when this master acknowledges a change only once a majority has it on disk: an fsync then needs no Sync.
   */
  'durableWhenAcknowledged': (boolean);
}
