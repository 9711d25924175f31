// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { Attr as _mooseng_client_Attr, Attr__Output as _mooseng_client_Attr__Output } from '../../mooseng/client/Attr';

export interface MasterToClientAttr {
  'attr'?: (_mooseng_client_Attr | null);
}

export interface MasterToClientAttr__Output {
  'attr': (_mooseng_client_Attr__Output | null);
}
