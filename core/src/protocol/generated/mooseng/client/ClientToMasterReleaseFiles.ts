// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from '../../mooseng/client/RequestHeader';
import type { Long } from '@grpc/proto-loader';

/**
 * Releases in a batch, one command for all of them: a client defers its releases a moment and sends them together
 * (docs/client.md, "Releases"). An inode listed n times is released n times; one the session does not hold open
 * (the session was replaced since it was opened) is skipped. released: how many releases applied.
 * unwritten: inodes among `inos` that this session created with chunk 0 granted (Mknod want_grant) and never wrote:
 * the master frees that chunk when nobody else holds the file open or wrote it (an empty file holds no chunk).
 */
export interface ClientToMasterReleaseFiles {
  'h'?: (_mooseng_client_RequestHeader | null);
  'inos'?: (number | string | Long)[];
  'unwritten'?: (number | string | Long)[];
}

/**
 * Releases in a batch, one command for all of them: a client defers its releases a moment and sends them together
 * (docs/client.md, "Releases"). An inode listed n times is released n times; one the session does not hold open
 * (the session was replaced since it was opened) is skipped. released: how many releases applied.
 * unwritten: inodes among `inos` that this session created with chunk 0 granted (Mknod want_grant) and never wrote:
 * the master frees that chunk when nobody else holds the file open or wrote it (an empty file holds no chunk).
 */
export interface ClientToMasterReleaseFiles__Output {
  'h': (_mooseng_client_RequestHeader__Output | null);
  'inos': (number)[];
  'unwritten': (number)[];
}
