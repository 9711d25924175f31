// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { Credentials as _mooseng_client_Credentials, Credentials__Output as _mooseng_client_Credentials__Output } from '../../mooseng/client/Credentials';
import type { Long } from '@grpc/proto-loader';

/**
 * Every request carries the session and a per-session request id, so a retried mutation (after a leader change) is
 * answered with its first result instead of being applied twice.
 */
export interface RequestHeader {
  'sessionId'?: (number | string | Long);
  'requestId'?: (number | string | Long);
  'cred'?: (_mooseng_client_Credentials | null);
  /**
   * From OpenSession: proves the session is the caller's (the master derives it from the cluster secret).
   */
  'sessionKey'?: (Buffer | Uint8Array | string);
}

/**
 * Every request carries the session and a per-session request id, so a retried mutation (after a leader change) is
 * answered with its first result instead of being applied twice.
 */
export interface RequestHeader__Output {
  'sessionId': (number);
  'requestId': (number);
  'cred': (_mooseng_client_Credentials__Output | null);
  /**
   * From OpenSession: proves the session is the caller's (the master derives it from the cluster secret).
   */
  'sessionKey': (Buffer);
}
