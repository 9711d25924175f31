// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { Attr as _mooseng_client_Attr, Attr__Output as _mooseng_client_Attr__Output } from '../../mooseng/client/Attr';
import type { MasterToClientWriteChunk as _mooseng_client_MasterToClientWriteChunk, MasterToClientWriteChunk__Output as _mooseng_client_MasterToClientWriteChunk__Output } from '../../mooseng/client/MasterToClientWriteChunk';

/**
 * Mknod's answer: MasterToClientAttr's field, and grant: only for a Mknod that asked for one (want_grant) when the
 * master had a new chunk ready, the write grant of chunk 0 of the file created, recorded with the create in one
 * commit, so the file's first write asks for none. null: ask WriteChunk as usual.
 */
export interface MasterToClientCreated {
  'attr'?: (_mooseng_client_Attr | null);
  'grant'?: (_mooseng_client_MasterToClientWriteChunk | null);
}

/**
 * Mknod's answer: MasterToClientAttr's field, and grant: only for a Mknod that asked for one (want_grant) when the
 * master had a new chunk ready, the write grant of chunk 0 of the file created, recorded with the create in one
 * commit, so the file's first write asks for none. null: ask WriteChunk as usual.
 */
export interface MasterToClientCreated__Output {
  'attr': (_mooseng_client_Attr__Output | null);
  'grant': (_mooseng_client_MasterToClientWriteChunk__Output | null);
}
