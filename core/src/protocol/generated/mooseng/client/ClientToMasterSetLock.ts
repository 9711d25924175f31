// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * File locks: flock(2) and POSIX byte ranges (fcntl, OFD), kept in the master's replicated state, so they hold
 * across every mount. kind: LockKind, type: LockType, kinds: LockKinds (fs-constants.ts). Ranges are inclusive,
 * end LOCK_TO_EOF running to the end of the file; flock requests name 0..LOCK_TO_EOF. owner: the lock owner the
 * client's kernel named (hex), which with the session makes the owner; pid: the process, for F_GETLK.
 * SetLock answers EAGAIN when another owner's lock is in the way (it never waits: a waiting client retries,
 * docs/client.md "Locks"), ENOLCK when the session does not hold the file open.
 */
export interface ClientToMasterSetLock {
  'h'?: (_mooseng_client_RequestHeader | null);
  'ino'?: (number | string | Long);
  'kind'?: (number);
  'type'?: (number);
  'owner'?: (string);
  'start'?: (number | string | Long);
  'end'?: (number | string | Long);
  'pid'?: (number);
}

/**
 * File locks: flock(2) and POSIX byte ranges (fcntl, OFD), kept in the master's replicated state, so they hold
 * across every mount. kind: LockKind, type: LockType, kinds: LockKinds (fs-constants.ts). Ranges are inclusive,
 * end LOCK_TO_EOF running to the end of the file; flock requests name 0..LOCK_TO_EOF. owner: the lock owner the
 * client's kernel named (hex), which with the session makes the owner; pid: the process, for F_GETLK.
 * SetLock answers EAGAIN when another owner's lock is in the way (it never waits: a waiting client retries,
 * docs/client.md "Locks"), ENOLCK when the session does not hold the file open.
 */
export interface ClientToMasterSetLock__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'ino': (number);
  'kind': (number);
  'type': (number);
  'owner': (string);
  'start': (number);
  'end': (number);
  'pid': (number);
}
