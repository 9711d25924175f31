// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ClientToMasterCloseSession as _mooseng_client_ClientToMasterCloseSession, ClientToMasterCloseSession__Output as _mooseng_client_ClientToMasterCloseSession__Output } from '../../mooseng/client/ClientToMasterCloseSession';
import type { ClientToMasterCommitWrite as _mooseng_client_ClientToMasterCommitWrite, ClientToMasterCommitWrite__Output as _mooseng_client_ClientToMasterCommitWrite__Output } from '../../mooseng/client/ClientToMasterCommitWrite';
import type { ClientToMasterGetAttr as _mooseng_client_ClientToMasterGetAttr, ClientToMasterGetAttr__Output as _mooseng_client_ClientToMasterGetAttr__Output } from '../../mooseng/client/ClientToMasterGetAttr';
import type { ClientToMasterGetLock as _mooseng_client_ClientToMasterGetLock, ClientToMasterGetLock__Output as _mooseng_client_ClientToMasterGetLock__Output } from '../../mooseng/client/ClientToMasterGetLock';
import type { ClientToMasterGetXattr as _mooseng_client_ClientToMasterGetXattr, ClientToMasterGetXattr__Output as _mooseng_client_ClientToMasterGetXattr__Output } from '../../mooseng/client/ClientToMasterGetXattr';
import type { ClientToMasterKeepAlive as _mooseng_client_ClientToMasterKeepAlive, ClientToMasterKeepAlive__Output as _mooseng_client_ClientToMasterKeepAlive__Output } from '../../mooseng/client/ClientToMasterKeepAlive';
import type { ClientToMasterLink as _mooseng_client_ClientToMasterLink, ClientToMasterLink__Output as _mooseng_client_ClientToMasterLink__Output } from '../../mooseng/client/ClientToMasterLink';
import type { ClientToMasterListXattr as _mooseng_client_ClientToMasterListXattr, ClientToMasterListXattr__Output as _mooseng_client_ClientToMasterListXattr__Output } from '../../mooseng/client/ClientToMasterListXattr';
import type { ClientToMasterLookup as _mooseng_client_ClientToMasterLookup, ClientToMasterLookup__Output as _mooseng_client_ClientToMasterLookup__Output } from '../../mooseng/client/ClientToMasterLookup';
import type { ClientToMasterMkdir as _mooseng_client_ClientToMasterMkdir, ClientToMasterMkdir__Output as _mooseng_client_ClientToMasterMkdir__Output } from '../../mooseng/client/ClientToMasterMkdir';
import type { ClientToMasterMknod as _mooseng_client_ClientToMasterMknod, ClientToMasterMknod__Output as _mooseng_client_ClientToMasterMknod__Output } from '../../mooseng/client/ClientToMasterMknod';
import type { ClientToMasterOpen as _mooseng_client_ClientToMasterOpen, ClientToMasterOpen__Output as _mooseng_client_ClientToMasterOpen__Output } from '../../mooseng/client/ClientToMasterOpen';
import type { ClientToMasterOpenSession as _mooseng_client_ClientToMasterOpenSession, ClientToMasterOpenSession__Output as _mooseng_client_ClientToMasterOpenSession__Output } from '../../mooseng/client/ClientToMasterOpenSession';
import type { ClientToMasterReadChunk as _mooseng_client_ClientToMasterReadChunk, ClientToMasterReadChunk__Output as _mooseng_client_ClientToMasterReadChunk__Output } from '../../mooseng/client/ClientToMasterReadChunk';
import type { ClientToMasterReadDir as _mooseng_client_ClientToMasterReadDir, ClientToMasterReadDir__Output as _mooseng_client_ClientToMasterReadDir__Output } from '../../mooseng/client/ClientToMasterReadDir';
import type { ClientToMasterReadLink as _mooseng_client_ClientToMasterReadLink, ClientToMasterReadLink__Output as _mooseng_client_ClientToMasterReadLink__Output } from '../../mooseng/client/ClientToMasterReadLink';
import type { ClientToMasterRelease as _mooseng_client_ClientToMasterRelease, ClientToMasterRelease__Output as _mooseng_client_ClientToMasterRelease__Output } from '../../mooseng/client/ClientToMasterRelease';
import type { ClientToMasterReleaseFiles as _mooseng_client_ClientToMasterReleaseFiles, ClientToMasterReleaseFiles__Output as _mooseng_client_ClientToMasterReleaseFiles__Output } from '../../mooseng/client/ClientToMasterReleaseFiles';
import type { ClientToMasterReleaseLocks as _mooseng_client_ClientToMasterReleaseLocks, ClientToMasterReleaseLocks__Output as _mooseng_client_ClientToMasterReleaseLocks__Output } from '../../mooseng/client/ClientToMasterReleaseLocks';
import type { ClientToMasterRemoveXattr as _mooseng_client_ClientToMasterRemoveXattr, ClientToMasterRemoveXattr__Output as _mooseng_client_ClientToMasterRemoveXattr__Output } from '../../mooseng/client/ClientToMasterRemoveXattr';
import type { ClientToMasterRename as _mooseng_client_ClientToMasterRename, ClientToMasterRename__Output as _mooseng_client_ClientToMasterRename__Output } from '../../mooseng/client/ClientToMasterRename';
import type { ClientToMasterReportReplica as _mooseng_client_ClientToMasterReportReplica, ClientToMasterReportReplica__Output as _mooseng_client_ClientToMasterReportReplica__Output } from '../../mooseng/client/ClientToMasterReportReplica';
import type { ClientToMasterResolvePath as _mooseng_client_ClientToMasterResolvePath, ClientToMasterResolvePath__Output as _mooseng_client_ClientToMasterResolvePath__Output } from '../../mooseng/client/ClientToMasterResolvePath';
import type { ClientToMasterRmdir as _mooseng_client_ClientToMasterRmdir, ClientToMasterRmdir__Output as _mooseng_client_ClientToMasterRmdir__Output } from '../../mooseng/client/ClientToMasterRmdir';
import type { ClientToMasterSeek as _mooseng_client_ClientToMasterSeek, ClientToMasterSeek__Output as _mooseng_client_ClientToMasterSeek__Output } from '../../mooseng/client/ClientToMasterSeek';
import type { ClientToMasterSetAttr as _mooseng_client_ClientToMasterSetAttr, ClientToMasterSetAttr__Output as _mooseng_client_ClientToMasterSetAttr__Output } from '../../mooseng/client/ClientToMasterSetAttr';
import type { ClientToMasterSetGoal as _mooseng_client_ClientToMasterSetGoal, ClientToMasterSetGoal__Output as _mooseng_client_ClientToMasterSetGoal__Output } from '../../mooseng/client/ClientToMasterSetGoal';
import type { ClientToMasterSetLock as _mooseng_client_ClientToMasterSetLock, ClientToMasterSetLock__Output as _mooseng_client_ClientToMasterSetLock__Output } from '../../mooseng/client/ClientToMasterSetLock';
import type { ClientToMasterSetXattr as _mooseng_client_ClientToMasterSetXattr, ClientToMasterSetXattr__Output as _mooseng_client_ClientToMasterSetXattr__Output } from '../../mooseng/client/ClientToMasterSetXattr';
import type { ClientToMasterStatFs as _mooseng_client_ClientToMasterStatFs, ClientToMasterStatFs__Output as _mooseng_client_ClientToMasterStatFs__Output } from '../../mooseng/client/ClientToMasterStatFs';
import type { ClientToMasterSymlink as _mooseng_client_ClientToMasterSymlink, ClientToMasterSymlink__Output as _mooseng_client_ClientToMasterSymlink__Output } from '../../mooseng/client/ClientToMasterSymlink';
import type { ClientToMasterSync as _mooseng_client_ClientToMasterSync, ClientToMasterSync__Output as _mooseng_client_ClientToMasterSync__Output } from '../../mooseng/client/ClientToMasterSync';
import type { ClientToMasterUnlink as _mooseng_client_ClientToMasterUnlink, ClientToMasterUnlink__Output as _mooseng_client_ClientToMasterUnlink__Output } from '../../mooseng/client/ClientToMasterUnlink';
import type { ClientToMasterWriteChunk as _mooseng_client_ClientToMasterWriteChunk, ClientToMasterWriteChunk__Output as _mooseng_client_ClientToMasterWriteChunk__Output } from '../../mooseng/client/ClientToMasterWriteChunk';
import type { Empty as _mooseng_client_Empty, Empty__Output as _mooseng_client_Empty__Output } from '../../mooseng/client/Empty';
import type { MasterToClientAttr as _mooseng_client_MasterToClientAttr, MasterToClientAttr__Output as _mooseng_client_MasterToClientAttr__Output } from '../../mooseng/client/MasterToClientAttr';
import type { MasterToClientCreated as _mooseng_client_MasterToClientCreated, MasterToClientCreated__Output as _mooseng_client_MasterToClientCreated__Output } from '../../mooseng/client/MasterToClientCreated';
import type { MasterToClientDirPage as _mooseng_client_MasterToClientDirPage, MasterToClientDirPage__Output as _mooseng_client_MasterToClientDirPage__Output } from '../../mooseng/client/MasterToClientDirPage';
import type { MasterToClientKeepAlive as _mooseng_client_MasterToClientKeepAlive, MasterToClientKeepAlive__Output as _mooseng_client_MasterToClientKeepAlive__Output } from '../../mooseng/client/MasterToClientKeepAlive';
import type { MasterToClientLock as _mooseng_client_MasterToClientLock, MasterToClientLock__Output as _mooseng_client_MasterToClientLock__Output } from '../../mooseng/client/MasterToClientLock';
import type { MasterToClientReadChunk as _mooseng_client_MasterToClientReadChunk, MasterToClientReadChunk__Output as _mooseng_client_MasterToClientReadChunk__Output } from '../../mooseng/client/MasterToClientReadChunk';
import type { MasterToClientReadLink as _mooseng_client_MasterToClientReadLink, MasterToClientReadLink__Output as _mooseng_client_MasterToClientReadLink__Output } from '../../mooseng/client/MasterToClientReadLink';
import type { MasterToClientReleaseFiles as _mooseng_client_MasterToClientReleaseFiles, MasterToClientReleaseFiles__Output as _mooseng_client_MasterToClientReleaseFiles__Output } from '../../mooseng/client/MasterToClientReleaseFiles';
import type { MasterToClientSeek as _mooseng_client_MasterToClientSeek, MasterToClientSeek__Output as _mooseng_client_MasterToClientSeek__Output } from '../../mooseng/client/MasterToClientSeek';
import type { MasterToClientSession as _mooseng_client_MasterToClientSession, MasterToClientSession__Output as _mooseng_client_MasterToClientSession__Output } from '../../mooseng/client/MasterToClientSession';
import type { MasterToClientSetGoal as _mooseng_client_MasterToClientSetGoal, MasterToClientSetGoal__Output as _mooseng_client_MasterToClientSetGoal__Output } from '../../mooseng/client/MasterToClientSetGoal';
import type { MasterToClientStatFs as _mooseng_client_MasterToClientStatFs, MasterToClientStatFs__Output as _mooseng_client_MasterToClientStatFs__Output } from '../../mooseng/client/MasterToClientStatFs';
import type { MasterToClientWriteChunk as _mooseng_client_MasterToClientWriteChunk, MasterToClientWriteChunk__Output as _mooseng_client_MasterToClientWriteChunk__Output } from '../../mooseng/client/MasterToClientWriteChunk';
import type { MasterToClientXattr as _mooseng_client_MasterToClientXattr, MasterToClientXattr__Output as _mooseng_client_MasterToClientXattr__Output } from '../../mooseng/client/MasterToClientXattr';
import type { MasterToClientXattrNames as _mooseng_client_MasterToClientXattrNames, MasterToClientXattrNames__Output as _mooseng_client_MasterToClientXattrNames__Output } from '../../mooseng/client/MasterToClientXattrNames';

export interface ClientToMasterClient extends grpc.Client {
  CloseSession(argument: _mooseng_client_ClientToMasterCloseSession, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  CloseSession(argument: _mooseng_client_ClientToMasterCloseSession, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  CloseSession(argument: _mooseng_client_ClientToMasterCloseSession, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  CloseSession(argument: _mooseng_client_ClientToMasterCloseSession, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  closeSession(argument: _mooseng_client_ClientToMasterCloseSession, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  closeSession(argument: _mooseng_client_ClientToMasterCloseSession, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  closeSession(argument: _mooseng_client_ClientToMasterCloseSession, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  closeSession(argument: _mooseng_client_ClientToMasterCloseSession, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  
  CommitWrite(argument: _mooseng_client_ClientToMasterCommitWrite, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  CommitWrite(argument: _mooseng_client_ClientToMasterCommitWrite, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  CommitWrite(argument: _mooseng_client_ClientToMasterCommitWrite, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  CommitWrite(argument: _mooseng_client_ClientToMasterCommitWrite, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  commitWrite(argument: _mooseng_client_ClientToMasterCommitWrite, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  commitWrite(argument: _mooseng_client_ClientToMasterCommitWrite, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  commitWrite(argument: _mooseng_client_ClientToMasterCommitWrite, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  commitWrite(argument: _mooseng_client_ClientToMasterCommitWrite, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  
  GetAttr(argument: _mooseng_client_ClientToMasterGetAttr, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  GetAttr(argument: _mooseng_client_ClientToMasterGetAttr, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  GetAttr(argument: _mooseng_client_ClientToMasterGetAttr, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  GetAttr(argument: _mooseng_client_ClientToMasterGetAttr, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  getAttr(argument: _mooseng_client_ClientToMasterGetAttr, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  getAttr(argument: _mooseng_client_ClientToMasterGetAttr, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  getAttr(argument: _mooseng_client_ClientToMasterGetAttr, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  getAttr(argument: _mooseng_client_ClientToMasterGetAttr, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  
  GetLock(argument: _mooseng_client_ClientToMasterGetLock, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientLock__Output>): grpc.ClientUnaryCall;
  GetLock(argument: _mooseng_client_ClientToMasterGetLock, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientLock__Output>): grpc.ClientUnaryCall;
  GetLock(argument: _mooseng_client_ClientToMasterGetLock, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientLock__Output>): grpc.ClientUnaryCall;
  GetLock(argument: _mooseng_client_ClientToMasterGetLock, callback: grpc.requestCallback<_mooseng_client_MasterToClientLock__Output>): grpc.ClientUnaryCall;
  getLock(argument: _mooseng_client_ClientToMasterGetLock, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientLock__Output>): grpc.ClientUnaryCall;
  getLock(argument: _mooseng_client_ClientToMasterGetLock, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientLock__Output>): grpc.ClientUnaryCall;
  getLock(argument: _mooseng_client_ClientToMasterGetLock, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientLock__Output>): grpc.ClientUnaryCall;
  getLock(argument: _mooseng_client_ClientToMasterGetLock, callback: grpc.requestCallback<_mooseng_client_MasterToClientLock__Output>): grpc.ClientUnaryCall;
  
  GetXattr(argument: _mooseng_client_ClientToMasterGetXattr, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattr__Output>): grpc.ClientUnaryCall;
  GetXattr(argument: _mooseng_client_ClientToMasterGetXattr, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattr__Output>): grpc.ClientUnaryCall;
  GetXattr(argument: _mooseng_client_ClientToMasterGetXattr, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattr__Output>): grpc.ClientUnaryCall;
  GetXattr(argument: _mooseng_client_ClientToMasterGetXattr, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattr__Output>): grpc.ClientUnaryCall;
  getXattr(argument: _mooseng_client_ClientToMasterGetXattr, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattr__Output>): grpc.ClientUnaryCall;
  getXattr(argument: _mooseng_client_ClientToMasterGetXattr, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattr__Output>): grpc.ClientUnaryCall;
  getXattr(argument: _mooseng_client_ClientToMasterGetXattr, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattr__Output>): grpc.ClientUnaryCall;
  getXattr(argument: _mooseng_client_ClientToMasterGetXattr, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattr__Output>): grpc.ClientUnaryCall;
  
  KeepAlive(argument: _mooseng_client_ClientToMasterKeepAlive, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientKeepAlive__Output>): grpc.ClientUnaryCall;
  KeepAlive(argument: _mooseng_client_ClientToMasterKeepAlive, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientKeepAlive__Output>): grpc.ClientUnaryCall;
  KeepAlive(argument: _mooseng_client_ClientToMasterKeepAlive, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientKeepAlive__Output>): grpc.ClientUnaryCall;
  KeepAlive(argument: _mooseng_client_ClientToMasterKeepAlive, callback: grpc.requestCallback<_mooseng_client_MasterToClientKeepAlive__Output>): grpc.ClientUnaryCall;
  keepAlive(argument: _mooseng_client_ClientToMasterKeepAlive, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientKeepAlive__Output>): grpc.ClientUnaryCall;
  keepAlive(argument: _mooseng_client_ClientToMasterKeepAlive, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientKeepAlive__Output>): grpc.ClientUnaryCall;
  keepAlive(argument: _mooseng_client_ClientToMasterKeepAlive, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientKeepAlive__Output>): grpc.ClientUnaryCall;
  keepAlive(argument: _mooseng_client_ClientToMasterKeepAlive, callback: grpc.requestCallback<_mooseng_client_MasterToClientKeepAlive__Output>): grpc.ClientUnaryCall;
  
  Link(argument: _mooseng_client_ClientToMasterLink, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Link(argument: _mooseng_client_ClientToMasterLink, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Link(argument: _mooseng_client_ClientToMasterLink, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Link(argument: _mooseng_client_ClientToMasterLink, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  link(argument: _mooseng_client_ClientToMasterLink, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  link(argument: _mooseng_client_ClientToMasterLink, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  link(argument: _mooseng_client_ClientToMasterLink, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  link(argument: _mooseng_client_ClientToMasterLink, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  
  ListXattr(argument: _mooseng_client_ClientToMasterListXattr, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattrNames__Output>): grpc.ClientUnaryCall;
  ListXattr(argument: _mooseng_client_ClientToMasterListXattr, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattrNames__Output>): grpc.ClientUnaryCall;
  ListXattr(argument: _mooseng_client_ClientToMasterListXattr, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattrNames__Output>): grpc.ClientUnaryCall;
  ListXattr(argument: _mooseng_client_ClientToMasterListXattr, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattrNames__Output>): grpc.ClientUnaryCall;
  listXattr(argument: _mooseng_client_ClientToMasterListXattr, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattrNames__Output>): grpc.ClientUnaryCall;
  listXattr(argument: _mooseng_client_ClientToMasterListXattr, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattrNames__Output>): grpc.ClientUnaryCall;
  listXattr(argument: _mooseng_client_ClientToMasterListXattr, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattrNames__Output>): grpc.ClientUnaryCall;
  listXattr(argument: _mooseng_client_ClientToMasterListXattr, callback: grpc.requestCallback<_mooseng_client_MasterToClientXattrNames__Output>): grpc.ClientUnaryCall;
  
  Lookup(argument: _mooseng_client_ClientToMasterLookup, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Lookup(argument: _mooseng_client_ClientToMasterLookup, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Lookup(argument: _mooseng_client_ClientToMasterLookup, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Lookup(argument: _mooseng_client_ClientToMasterLookup, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  lookup(argument: _mooseng_client_ClientToMasterLookup, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  lookup(argument: _mooseng_client_ClientToMasterLookup, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  lookup(argument: _mooseng_client_ClientToMasterLookup, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  lookup(argument: _mooseng_client_ClientToMasterLookup, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  
  Mkdir(argument: _mooseng_client_ClientToMasterMkdir, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Mkdir(argument: _mooseng_client_ClientToMasterMkdir, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Mkdir(argument: _mooseng_client_ClientToMasterMkdir, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Mkdir(argument: _mooseng_client_ClientToMasterMkdir, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  mkdir(argument: _mooseng_client_ClientToMasterMkdir, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  mkdir(argument: _mooseng_client_ClientToMasterMkdir, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  mkdir(argument: _mooseng_client_ClientToMasterMkdir, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  mkdir(argument: _mooseng_client_ClientToMasterMkdir, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  
  Mknod(argument: _mooseng_client_ClientToMasterMknod, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientCreated__Output>): grpc.ClientUnaryCall;
  Mknod(argument: _mooseng_client_ClientToMasterMknod, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientCreated__Output>): grpc.ClientUnaryCall;
  Mknod(argument: _mooseng_client_ClientToMasterMknod, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientCreated__Output>): grpc.ClientUnaryCall;
  Mknod(argument: _mooseng_client_ClientToMasterMknod, callback: grpc.requestCallback<_mooseng_client_MasterToClientCreated__Output>): grpc.ClientUnaryCall;
  mknod(argument: _mooseng_client_ClientToMasterMknod, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientCreated__Output>): grpc.ClientUnaryCall;
  mknod(argument: _mooseng_client_ClientToMasterMknod, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientCreated__Output>): grpc.ClientUnaryCall;
  mknod(argument: _mooseng_client_ClientToMasterMknod, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientCreated__Output>): grpc.ClientUnaryCall;
  mknod(argument: _mooseng_client_ClientToMasterMknod, callback: grpc.requestCallback<_mooseng_client_MasterToClientCreated__Output>): grpc.ClientUnaryCall;
  
  Open(argument: _mooseng_client_ClientToMasterOpen, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Open(argument: _mooseng_client_ClientToMasterOpen, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Open(argument: _mooseng_client_ClientToMasterOpen, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Open(argument: _mooseng_client_ClientToMasterOpen, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  open(argument: _mooseng_client_ClientToMasterOpen, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  open(argument: _mooseng_client_ClientToMasterOpen, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  open(argument: _mooseng_client_ClientToMasterOpen, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  open(argument: _mooseng_client_ClientToMasterOpen, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  
  OpenSession(argument: _mooseng_client_ClientToMasterOpenSession, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientSession__Output>): grpc.ClientUnaryCall;
  OpenSession(argument: _mooseng_client_ClientToMasterOpenSession, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientSession__Output>): grpc.ClientUnaryCall;
  OpenSession(argument: _mooseng_client_ClientToMasterOpenSession, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientSession__Output>): grpc.ClientUnaryCall;
  OpenSession(argument: _mooseng_client_ClientToMasterOpenSession, callback: grpc.requestCallback<_mooseng_client_MasterToClientSession__Output>): grpc.ClientUnaryCall;
  openSession(argument: _mooseng_client_ClientToMasterOpenSession, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientSession__Output>): grpc.ClientUnaryCall;
  openSession(argument: _mooseng_client_ClientToMasterOpenSession, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientSession__Output>): grpc.ClientUnaryCall;
  openSession(argument: _mooseng_client_ClientToMasterOpenSession, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientSession__Output>): grpc.ClientUnaryCall;
  openSession(argument: _mooseng_client_ClientToMasterOpenSession, callback: grpc.requestCallback<_mooseng_client_MasterToClientSession__Output>): grpc.ClientUnaryCall;
  
  ReadChunk(argument: _mooseng_client_ClientToMasterReadChunk, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadChunk__Output>): grpc.ClientUnaryCall;
  ReadChunk(argument: _mooseng_client_ClientToMasterReadChunk, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadChunk__Output>): grpc.ClientUnaryCall;
  ReadChunk(argument: _mooseng_client_ClientToMasterReadChunk, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadChunk__Output>): grpc.ClientUnaryCall;
  ReadChunk(argument: _mooseng_client_ClientToMasterReadChunk, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadChunk__Output>): grpc.ClientUnaryCall;
  readChunk(argument: _mooseng_client_ClientToMasterReadChunk, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadChunk__Output>): grpc.ClientUnaryCall;
  readChunk(argument: _mooseng_client_ClientToMasterReadChunk, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadChunk__Output>): grpc.ClientUnaryCall;
  readChunk(argument: _mooseng_client_ClientToMasterReadChunk, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadChunk__Output>): grpc.ClientUnaryCall;
  readChunk(argument: _mooseng_client_ClientToMasterReadChunk, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadChunk__Output>): grpc.ClientUnaryCall;
  
  ReadDir(argument: _mooseng_client_ClientToMasterReadDir, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientDirPage__Output>): grpc.ClientUnaryCall;
  ReadDir(argument: _mooseng_client_ClientToMasterReadDir, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientDirPage__Output>): grpc.ClientUnaryCall;
  ReadDir(argument: _mooseng_client_ClientToMasterReadDir, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientDirPage__Output>): grpc.ClientUnaryCall;
  ReadDir(argument: _mooseng_client_ClientToMasterReadDir, callback: grpc.requestCallback<_mooseng_client_MasterToClientDirPage__Output>): grpc.ClientUnaryCall;
  readDir(argument: _mooseng_client_ClientToMasterReadDir, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientDirPage__Output>): grpc.ClientUnaryCall;
  readDir(argument: _mooseng_client_ClientToMasterReadDir, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientDirPage__Output>): grpc.ClientUnaryCall;
  readDir(argument: _mooseng_client_ClientToMasterReadDir, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientDirPage__Output>): grpc.ClientUnaryCall;
  readDir(argument: _mooseng_client_ClientToMasterReadDir, callback: grpc.requestCallback<_mooseng_client_MasterToClientDirPage__Output>): grpc.ClientUnaryCall;
  
  ReadLink(argument: _mooseng_client_ClientToMasterReadLink, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadLink__Output>): grpc.ClientUnaryCall;
  ReadLink(argument: _mooseng_client_ClientToMasterReadLink, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadLink__Output>): grpc.ClientUnaryCall;
  ReadLink(argument: _mooseng_client_ClientToMasterReadLink, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadLink__Output>): grpc.ClientUnaryCall;
  ReadLink(argument: _mooseng_client_ClientToMasterReadLink, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadLink__Output>): grpc.ClientUnaryCall;
  readLink(argument: _mooseng_client_ClientToMasterReadLink, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadLink__Output>): grpc.ClientUnaryCall;
  readLink(argument: _mooseng_client_ClientToMasterReadLink, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadLink__Output>): grpc.ClientUnaryCall;
  readLink(argument: _mooseng_client_ClientToMasterReadLink, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadLink__Output>): grpc.ClientUnaryCall;
  readLink(argument: _mooseng_client_ClientToMasterReadLink, callback: grpc.requestCallback<_mooseng_client_MasterToClientReadLink__Output>): grpc.ClientUnaryCall;
  
  Release(argument: _mooseng_client_ClientToMasterRelease, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Release(argument: _mooseng_client_ClientToMasterRelease, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Release(argument: _mooseng_client_ClientToMasterRelease, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Release(argument: _mooseng_client_ClientToMasterRelease, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  release(argument: _mooseng_client_ClientToMasterRelease, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  release(argument: _mooseng_client_ClientToMasterRelease, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  release(argument: _mooseng_client_ClientToMasterRelease, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  release(argument: _mooseng_client_ClientToMasterRelease, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  
  ReleaseFiles(argument: _mooseng_client_ClientToMasterReleaseFiles, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientReleaseFiles__Output>): grpc.ClientUnaryCall;
  ReleaseFiles(argument: _mooseng_client_ClientToMasterReleaseFiles, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientReleaseFiles__Output>): grpc.ClientUnaryCall;
  ReleaseFiles(argument: _mooseng_client_ClientToMasterReleaseFiles, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientReleaseFiles__Output>): grpc.ClientUnaryCall;
  ReleaseFiles(argument: _mooseng_client_ClientToMasterReleaseFiles, callback: grpc.requestCallback<_mooseng_client_MasterToClientReleaseFiles__Output>): grpc.ClientUnaryCall;
  releaseFiles(argument: _mooseng_client_ClientToMasterReleaseFiles, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientReleaseFiles__Output>): grpc.ClientUnaryCall;
  releaseFiles(argument: _mooseng_client_ClientToMasterReleaseFiles, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientReleaseFiles__Output>): grpc.ClientUnaryCall;
  releaseFiles(argument: _mooseng_client_ClientToMasterReleaseFiles, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientReleaseFiles__Output>): grpc.ClientUnaryCall;
  releaseFiles(argument: _mooseng_client_ClientToMasterReleaseFiles, callback: grpc.requestCallback<_mooseng_client_MasterToClientReleaseFiles__Output>): grpc.ClientUnaryCall;
  
  ReleaseLocks(argument: _mooseng_client_ClientToMasterReleaseLocks, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  ReleaseLocks(argument: _mooseng_client_ClientToMasterReleaseLocks, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  ReleaseLocks(argument: _mooseng_client_ClientToMasterReleaseLocks, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  ReleaseLocks(argument: _mooseng_client_ClientToMasterReleaseLocks, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  releaseLocks(argument: _mooseng_client_ClientToMasterReleaseLocks, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  releaseLocks(argument: _mooseng_client_ClientToMasterReleaseLocks, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  releaseLocks(argument: _mooseng_client_ClientToMasterReleaseLocks, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  releaseLocks(argument: _mooseng_client_ClientToMasterReleaseLocks, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  
  RemoveXattr(argument: _mooseng_client_ClientToMasterRemoveXattr, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  RemoveXattr(argument: _mooseng_client_ClientToMasterRemoveXattr, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  RemoveXattr(argument: _mooseng_client_ClientToMasterRemoveXattr, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  RemoveXattr(argument: _mooseng_client_ClientToMasterRemoveXattr, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  removeXattr(argument: _mooseng_client_ClientToMasterRemoveXattr, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  removeXattr(argument: _mooseng_client_ClientToMasterRemoveXattr, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  removeXattr(argument: _mooseng_client_ClientToMasterRemoveXattr, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  removeXattr(argument: _mooseng_client_ClientToMasterRemoveXattr, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  
  Rename(argument: _mooseng_client_ClientToMasterRename, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Rename(argument: _mooseng_client_ClientToMasterRename, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Rename(argument: _mooseng_client_ClientToMasterRename, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Rename(argument: _mooseng_client_ClientToMasterRename, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  rename(argument: _mooseng_client_ClientToMasterRename, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  rename(argument: _mooseng_client_ClientToMasterRename, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  rename(argument: _mooseng_client_ClientToMasterRename, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  rename(argument: _mooseng_client_ClientToMasterRename, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  
  ReportReplica(argument: _mooseng_client_ClientToMasterReportReplica, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  ReportReplica(argument: _mooseng_client_ClientToMasterReportReplica, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  ReportReplica(argument: _mooseng_client_ClientToMasterReportReplica, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  ReportReplica(argument: _mooseng_client_ClientToMasterReportReplica, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  reportReplica(argument: _mooseng_client_ClientToMasterReportReplica, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  reportReplica(argument: _mooseng_client_ClientToMasterReportReplica, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  reportReplica(argument: _mooseng_client_ClientToMasterReportReplica, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  reportReplica(argument: _mooseng_client_ClientToMasterReportReplica, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  
  ResolvePath(argument: _mooseng_client_ClientToMasterResolvePath, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  ResolvePath(argument: _mooseng_client_ClientToMasterResolvePath, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  ResolvePath(argument: _mooseng_client_ClientToMasterResolvePath, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  ResolvePath(argument: _mooseng_client_ClientToMasterResolvePath, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  resolvePath(argument: _mooseng_client_ClientToMasterResolvePath, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  resolvePath(argument: _mooseng_client_ClientToMasterResolvePath, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  resolvePath(argument: _mooseng_client_ClientToMasterResolvePath, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  resolvePath(argument: _mooseng_client_ClientToMasterResolvePath, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  
  Rmdir(argument: _mooseng_client_ClientToMasterRmdir, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Rmdir(argument: _mooseng_client_ClientToMasterRmdir, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Rmdir(argument: _mooseng_client_ClientToMasterRmdir, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Rmdir(argument: _mooseng_client_ClientToMasterRmdir, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  rmdir(argument: _mooseng_client_ClientToMasterRmdir, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  rmdir(argument: _mooseng_client_ClientToMasterRmdir, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  rmdir(argument: _mooseng_client_ClientToMasterRmdir, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  rmdir(argument: _mooseng_client_ClientToMasterRmdir, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  
  Seek(argument: _mooseng_client_ClientToMasterSeek, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientSeek__Output>): grpc.ClientUnaryCall;
  Seek(argument: _mooseng_client_ClientToMasterSeek, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientSeek__Output>): grpc.ClientUnaryCall;
  Seek(argument: _mooseng_client_ClientToMasterSeek, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientSeek__Output>): grpc.ClientUnaryCall;
  Seek(argument: _mooseng_client_ClientToMasterSeek, callback: grpc.requestCallback<_mooseng_client_MasterToClientSeek__Output>): grpc.ClientUnaryCall;
  seek(argument: _mooseng_client_ClientToMasterSeek, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientSeek__Output>): grpc.ClientUnaryCall;
  seek(argument: _mooseng_client_ClientToMasterSeek, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientSeek__Output>): grpc.ClientUnaryCall;
  seek(argument: _mooseng_client_ClientToMasterSeek, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientSeek__Output>): grpc.ClientUnaryCall;
  seek(argument: _mooseng_client_ClientToMasterSeek, callback: grpc.requestCallback<_mooseng_client_MasterToClientSeek__Output>): grpc.ClientUnaryCall;
  
  SetAttr(argument: _mooseng_client_ClientToMasterSetAttr, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  SetAttr(argument: _mooseng_client_ClientToMasterSetAttr, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  SetAttr(argument: _mooseng_client_ClientToMasterSetAttr, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  SetAttr(argument: _mooseng_client_ClientToMasterSetAttr, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  setAttr(argument: _mooseng_client_ClientToMasterSetAttr, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  setAttr(argument: _mooseng_client_ClientToMasterSetAttr, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  setAttr(argument: _mooseng_client_ClientToMasterSetAttr, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  setAttr(argument: _mooseng_client_ClientToMasterSetAttr, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  
  SetGoal(argument: _mooseng_client_ClientToMasterSetGoal, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientSetGoal__Output>): grpc.ClientUnaryCall;
  SetGoal(argument: _mooseng_client_ClientToMasterSetGoal, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientSetGoal__Output>): grpc.ClientUnaryCall;
  SetGoal(argument: _mooseng_client_ClientToMasterSetGoal, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientSetGoal__Output>): grpc.ClientUnaryCall;
  SetGoal(argument: _mooseng_client_ClientToMasterSetGoal, callback: grpc.requestCallback<_mooseng_client_MasterToClientSetGoal__Output>): grpc.ClientUnaryCall;
  setGoal(argument: _mooseng_client_ClientToMasterSetGoal, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientSetGoal__Output>): grpc.ClientUnaryCall;
  setGoal(argument: _mooseng_client_ClientToMasterSetGoal, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientSetGoal__Output>): grpc.ClientUnaryCall;
  setGoal(argument: _mooseng_client_ClientToMasterSetGoal, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientSetGoal__Output>): grpc.ClientUnaryCall;
  setGoal(argument: _mooseng_client_ClientToMasterSetGoal, callback: grpc.requestCallback<_mooseng_client_MasterToClientSetGoal__Output>): grpc.ClientUnaryCall;
  
  SetLock(argument: _mooseng_client_ClientToMasterSetLock, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  SetLock(argument: _mooseng_client_ClientToMasterSetLock, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  SetLock(argument: _mooseng_client_ClientToMasterSetLock, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  SetLock(argument: _mooseng_client_ClientToMasterSetLock, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  setLock(argument: _mooseng_client_ClientToMasterSetLock, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  setLock(argument: _mooseng_client_ClientToMasterSetLock, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  setLock(argument: _mooseng_client_ClientToMasterSetLock, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  setLock(argument: _mooseng_client_ClientToMasterSetLock, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  
  SetXattr(argument: _mooseng_client_ClientToMasterSetXattr, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  SetXattr(argument: _mooseng_client_ClientToMasterSetXattr, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  SetXattr(argument: _mooseng_client_ClientToMasterSetXattr, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  SetXattr(argument: _mooseng_client_ClientToMasterSetXattr, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  setXattr(argument: _mooseng_client_ClientToMasterSetXattr, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  setXattr(argument: _mooseng_client_ClientToMasterSetXattr, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  setXattr(argument: _mooseng_client_ClientToMasterSetXattr, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  setXattr(argument: _mooseng_client_ClientToMasterSetXattr, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  
  StatFs(argument: _mooseng_client_ClientToMasterStatFs, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientStatFs__Output>): grpc.ClientUnaryCall;
  StatFs(argument: _mooseng_client_ClientToMasterStatFs, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientStatFs__Output>): grpc.ClientUnaryCall;
  StatFs(argument: _mooseng_client_ClientToMasterStatFs, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientStatFs__Output>): grpc.ClientUnaryCall;
  StatFs(argument: _mooseng_client_ClientToMasterStatFs, callback: grpc.requestCallback<_mooseng_client_MasterToClientStatFs__Output>): grpc.ClientUnaryCall;
  statFs(argument: _mooseng_client_ClientToMasterStatFs, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientStatFs__Output>): grpc.ClientUnaryCall;
  statFs(argument: _mooseng_client_ClientToMasterStatFs, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientStatFs__Output>): grpc.ClientUnaryCall;
  statFs(argument: _mooseng_client_ClientToMasterStatFs, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientStatFs__Output>): grpc.ClientUnaryCall;
  statFs(argument: _mooseng_client_ClientToMasterStatFs, callback: grpc.requestCallback<_mooseng_client_MasterToClientStatFs__Output>): grpc.ClientUnaryCall;
  
  Symlink(argument: _mooseng_client_ClientToMasterSymlink, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Symlink(argument: _mooseng_client_ClientToMasterSymlink, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Symlink(argument: _mooseng_client_ClientToMasterSymlink, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  Symlink(argument: _mooseng_client_ClientToMasterSymlink, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  symlink(argument: _mooseng_client_ClientToMasterSymlink, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  symlink(argument: _mooseng_client_ClientToMasterSymlink, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  symlink(argument: _mooseng_client_ClientToMasterSymlink, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  symlink(argument: _mooseng_client_ClientToMasterSymlink, callback: grpc.requestCallback<_mooseng_client_MasterToClientAttr__Output>): grpc.ClientUnaryCall;
  
  Sync(argument: _mooseng_client_ClientToMasterSync, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Sync(argument: _mooseng_client_ClientToMasterSync, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Sync(argument: _mooseng_client_ClientToMasterSync, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Sync(argument: _mooseng_client_ClientToMasterSync, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  sync(argument: _mooseng_client_ClientToMasterSync, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  sync(argument: _mooseng_client_ClientToMasterSync, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  sync(argument: _mooseng_client_ClientToMasterSync, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  sync(argument: _mooseng_client_ClientToMasterSync, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  
  Unlink(argument: _mooseng_client_ClientToMasterUnlink, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Unlink(argument: _mooseng_client_ClientToMasterUnlink, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Unlink(argument: _mooseng_client_ClientToMasterUnlink, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  Unlink(argument: _mooseng_client_ClientToMasterUnlink, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  unlink(argument: _mooseng_client_ClientToMasterUnlink, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  unlink(argument: _mooseng_client_ClientToMasterUnlink, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  unlink(argument: _mooseng_client_ClientToMasterUnlink, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  unlink(argument: _mooseng_client_ClientToMasterUnlink, callback: grpc.requestCallback<_mooseng_client_Empty__Output>): grpc.ClientUnaryCall;
  
  WriteChunk(argument: _mooseng_client_ClientToMasterWriteChunk, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientWriteChunk__Output>): grpc.ClientUnaryCall;
  WriteChunk(argument: _mooseng_client_ClientToMasterWriteChunk, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientWriteChunk__Output>): grpc.ClientUnaryCall;
  WriteChunk(argument: _mooseng_client_ClientToMasterWriteChunk, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientWriteChunk__Output>): grpc.ClientUnaryCall;
  WriteChunk(argument: _mooseng_client_ClientToMasterWriteChunk, callback: grpc.requestCallback<_mooseng_client_MasterToClientWriteChunk__Output>): grpc.ClientUnaryCall;
  writeChunk(argument: _mooseng_client_ClientToMasterWriteChunk, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientWriteChunk__Output>): grpc.ClientUnaryCall;
  writeChunk(argument: _mooseng_client_ClientToMasterWriteChunk, metadata: grpc.Metadata, callback: grpc.requestCallback<_mooseng_client_MasterToClientWriteChunk__Output>): grpc.ClientUnaryCall;
  writeChunk(argument: _mooseng_client_ClientToMasterWriteChunk, options: grpc.CallOptions, callback: grpc.requestCallback<_mooseng_client_MasterToClientWriteChunk__Output>): grpc.ClientUnaryCall;
  writeChunk(argument: _mooseng_client_ClientToMasterWriteChunk, callback: grpc.requestCallback<_mooseng_client_MasterToClientWriteChunk__Output>): grpc.ClientUnaryCall;
  
}

export interface ClientToMasterHandlers extends grpc.UntypedServiceImplementation {
  CloseSession: grpc.handleUnaryCall<_mooseng_client_ClientToMasterCloseSession__Output, _mooseng_client_Empty>;
  
  CommitWrite: grpc.handleUnaryCall<_mooseng_client_ClientToMasterCommitWrite__Output, _mooseng_client_MasterToClientAttr>;
  
  GetAttr: grpc.handleUnaryCall<_mooseng_client_ClientToMasterGetAttr__Output, _mooseng_client_MasterToClientAttr>;
  
  GetLock: grpc.handleUnaryCall<_mooseng_client_ClientToMasterGetLock__Output, _mooseng_client_MasterToClientLock>;
  
  GetXattr: grpc.handleUnaryCall<_mooseng_client_ClientToMasterGetXattr__Output, _mooseng_client_MasterToClientXattr>;
  
  KeepAlive: grpc.handleUnaryCall<_mooseng_client_ClientToMasterKeepAlive__Output, _mooseng_client_MasterToClientKeepAlive>;
  
  Link: grpc.handleUnaryCall<_mooseng_client_ClientToMasterLink__Output, _mooseng_client_MasterToClientAttr>;
  
  ListXattr: grpc.handleUnaryCall<_mooseng_client_ClientToMasterListXattr__Output, _mooseng_client_MasterToClientXattrNames>;
  
  Lookup: grpc.handleUnaryCall<_mooseng_client_ClientToMasterLookup__Output, _mooseng_client_MasterToClientAttr>;
  
  Mkdir: grpc.handleUnaryCall<_mooseng_client_ClientToMasterMkdir__Output, _mooseng_client_MasterToClientAttr>;
  
  Mknod: grpc.handleUnaryCall<_mooseng_client_ClientToMasterMknod__Output, _mooseng_client_MasterToClientCreated>;
  
  Open: grpc.handleUnaryCall<_mooseng_client_ClientToMasterOpen__Output, _mooseng_client_MasterToClientAttr>;
  
  OpenSession: grpc.handleUnaryCall<_mooseng_client_ClientToMasterOpenSession__Output, _mooseng_client_MasterToClientSession>;
  
  ReadChunk: grpc.handleUnaryCall<_mooseng_client_ClientToMasterReadChunk__Output, _mooseng_client_MasterToClientReadChunk>;
  
  ReadDir: grpc.handleUnaryCall<_mooseng_client_ClientToMasterReadDir__Output, _mooseng_client_MasterToClientDirPage>;
  
  ReadLink: grpc.handleUnaryCall<_mooseng_client_ClientToMasterReadLink__Output, _mooseng_client_MasterToClientReadLink>;
  
  Release: grpc.handleUnaryCall<_mooseng_client_ClientToMasterRelease__Output, _mooseng_client_Empty>;
  
  ReleaseFiles: grpc.handleUnaryCall<_mooseng_client_ClientToMasterReleaseFiles__Output, _mooseng_client_MasterToClientReleaseFiles>;
  
  ReleaseLocks: grpc.handleUnaryCall<_mooseng_client_ClientToMasterReleaseLocks__Output, _mooseng_client_Empty>;
  
  RemoveXattr: grpc.handleUnaryCall<_mooseng_client_ClientToMasterRemoveXattr__Output, _mooseng_client_Empty>;
  
  Rename: grpc.handleUnaryCall<_mooseng_client_ClientToMasterRename__Output, _mooseng_client_Empty>;
  
  ReportReplica: grpc.handleUnaryCall<_mooseng_client_ClientToMasterReportReplica__Output, _mooseng_client_Empty>;
  
  ResolvePath: grpc.handleUnaryCall<_mooseng_client_ClientToMasterResolvePath__Output, _mooseng_client_MasterToClientAttr>;
  
  Rmdir: grpc.handleUnaryCall<_mooseng_client_ClientToMasterRmdir__Output, _mooseng_client_Empty>;
  
  Seek: grpc.handleUnaryCall<_mooseng_client_ClientToMasterSeek__Output, _mooseng_client_MasterToClientSeek>;
  
  SetAttr: grpc.handleUnaryCall<_mooseng_client_ClientToMasterSetAttr__Output, _mooseng_client_MasterToClientAttr>;
  
  SetGoal: grpc.handleUnaryCall<_mooseng_client_ClientToMasterSetGoal__Output, _mooseng_client_MasterToClientSetGoal>;
  
  SetLock: grpc.handleUnaryCall<_mooseng_client_ClientToMasterSetLock__Output, _mooseng_client_Empty>;
  
  SetXattr: grpc.handleUnaryCall<_mooseng_client_ClientToMasterSetXattr__Output, _mooseng_client_Empty>;
  
  StatFs: grpc.handleUnaryCall<_mooseng_client_ClientToMasterStatFs__Output, _mooseng_client_MasterToClientStatFs>;
  
  Symlink: grpc.handleUnaryCall<_mooseng_client_ClientToMasterSymlink__Output, _mooseng_client_MasterToClientAttr>;
  
  Sync: grpc.handleUnaryCall<_mooseng_client_ClientToMasterSync__Output, _mooseng_client_Empty>;
  
  Unlink: grpc.handleUnaryCall<_mooseng_client_ClientToMasterUnlink__Output, _mooseng_client_Empty>;
  
  WriteChunk: grpc.handleUnaryCall<_mooseng_client_ClientToMasterWriteChunk__Output, _mooseng_client_MasterToClientWriteChunk>;
  
}

export interface ClientToMasterDefinition extends grpc.ServiceDefinition {
  CloseSession: MethodDefinition<_mooseng_client_ClientToMasterCloseSession, _mooseng_client_Empty, _mooseng_client_ClientToMasterCloseSession__Output, _mooseng_client_Empty__Output>
  CommitWrite: MethodDefinition<_mooseng_client_ClientToMasterCommitWrite, _mooseng_client_MasterToClientAttr, _mooseng_client_ClientToMasterCommitWrite__Output, _mooseng_client_MasterToClientAttr__Output>
  GetAttr: MethodDefinition<_mooseng_client_ClientToMasterGetAttr, _mooseng_client_MasterToClientAttr, _mooseng_client_ClientToMasterGetAttr__Output, _mooseng_client_MasterToClientAttr__Output>
  GetLock: MethodDefinition<_mooseng_client_ClientToMasterGetLock, _mooseng_client_MasterToClientLock, _mooseng_client_ClientToMasterGetLock__Output, _mooseng_client_MasterToClientLock__Output>
  GetXattr: MethodDefinition<_mooseng_client_ClientToMasterGetXattr, _mooseng_client_MasterToClientXattr, _mooseng_client_ClientToMasterGetXattr__Output, _mooseng_client_MasterToClientXattr__Output>
  KeepAlive: MethodDefinition<_mooseng_client_ClientToMasterKeepAlive, _mooseng_client_MasterToClientKeepAlive, _mooseng_client_ClientToMasterKeepAlive__Output, _mooseng_client_MasterToClientKeepAlive__Output>
  Link: MethodDefinition<_mooseng_client_ClientToMasterLink, _mooseng_client_MasterToClientAttr, _mooseng_client_ClientToMasterLink__Output, _mooseng_client_MasterToClientAttr__Output>
  ListXattr: MethodDefinition<_mooseng_client_ClientToMasterListXattr, _mooseng_client_MasterToClientXattrNames, _mooseng_client_ClientToMasterListXattr__Output, _mooseng_client_MasterToClientXattrNames__Output>
  Lookup: MethodDefinition<_mooseng_client_ClientToMasterLookup, _mooseng_client_MasterToClientAttr, _mooseng_client_ClientToMasterLookup__Output, _mooseng_client_MasterToClientAttr__Output>
  Mkdir: MethodDefinition<_mooseng_client_ClientToMasterMkdir, _mooseng_client_MasterToClientAttr, _mooseng_client_ClientToMasterMkdir__Output, _mooseng_client_MasterToClientAttr__Output>
  Mknod: MethodDefinition<_mooseng_client_ClientToMasterMknod, _mooseng_client_MasterToClientCreated, _mooseng_client_ClientToMasterMknod__Output, _mooseng_client_MasterToClientCreated__Output>
  Open: MethodDefinition<_mooseng_client_ClientToMasterOpen, _mooseng_client_MasterToClientAttr, _mooseng_client_ClientToMasterOpen__Output, _mooseng_client_MasterToClientAttr__Output>
  OpenSession: MethodDefinition<_mooseng_client_ClientToMasterOpenSession, _mooseng_client_MasterToClientSession, _mooseng_client_ClientToMasterOpenSession__Output, _mooseng_client_MasterToClientSession__Output>
  ReadChunk: MethodDefinition<_mooseng_client_ClientToMasterReadChunk, _mooseng_client_MasterToClientReadChunk, _mooseng_client_ClientToMasterReadChunk__Output, _mooseng_client_MasterToClientReadChunk__Output>
  ReadDir: MethodDefinition<_mooseng_client_ClientToMasterReadDir, _mooseng_client_MasterToClientDirPage, _mooseng_client_ClientToMasterReadDir__Output, _mooseng_client_MasterToClientDirPage__Output>
  ReadLink: MethodDefinition<_mooseng_client_ClientToMasterReadLink, _mooseng_client_MasterToClientReadLink, _mooseng_client_ClientToMasterReadLink__Output, _mooseng_client_MasterToClientReadLink__Output>
  Release: MethodDefinition<_mooseng_client_ClientToMasterRelease, _mooseng_client_Empty, _mooseng_client_ClientToMasterRelease__Output, _mooseng_client_Empty__Output>
  ReleaseFiles: MethodDefinition<_mooseng_client_ClientToMasterReleaseFiles, _mooseng_client_MasterToClientReleaseFiles, _mooseng_client_ClientToMasterReleaseFiles__Output, _mooseng_client_MasterToClientReleaseFiles__Output>
  ReleaseLocks: MethodDefinition<_mooseng_client_ClientToMasterReleaseLocks, _mooseng_client_Empty, _mooseng_client_ClientToMasterReleaseLocks__Output, _mooseng_client_Empty__Output>
  RemoveXattr: MethodDefinition<_mooseng_client_ClientToMasterRemoveXattr, _mooseng_client_Empty, _mooseng_client_ClientToMasterRemoveXattr__Output, _mooseng_client_Empty__Output>
  Rename: MethodDefinition<_mooseng_client_ClientToMasterRename, _mooseng_client_Empty, _mooseng_client_ClientToMasterRename__Output, _mooseng_client_Empty__Output>
  ReportReplica: MethodDefinition<_mooseng_client_ClientToMasterReportReplica, _mooseng_client_Empty, _mooseng_client_ClientToMasterReportReplica__Output, _mooseng_client_Empty__Output>
  ResolvePath: MethodDefinition<_mooseng_client_ClientToMasterResolvePath, _mooseng_client_MasterToClientAttr, _mooseng_client_ClientToMasterResolvePath__Output, _mooseng_client_MasterToClientAttr__Output>
  Rmdir: MethodDefinition<_mooseng_client_ClientToMasterRmdir, _mooseng_client_Empty, _mooseng_client_ClientToMasterRmdir__Output, _mooseng_client_Empty__Output>
  Seek: MethodDefinition<_mooseng_client_ClientToMasterSeek, _mooseng_client_MasterToClientSeek, _mooseng_client_ClientToMasterSeek__Output, _mooseng_client_MasterToClientSeek__Output>
  SetAttr: MethodDefinition<_mooseng_client_ClientToMasterSetAttr, _mooseng_client_MasterToClientAttr, _mooseng_client_ClientToMasterSetAttr__Output, _mooseng_client_MasterToClientAttr__Output>
  SetGoal: MethodDefinition<_mooseng_client_ClientToMasterSetGoal, _mooseng_client_MasterToClientSetGoal, _mooseng_client_ClientToMasterSetGoal__Output, _mooseng_client_MasterToClientSetGoal__Output>
  SetLock: MethodDefinition<_mooseng_client_ClientToMasterSetLock, _mooseng_client_Empty, _mooseng_client_ClientToMasterSetLock__Output, _mooseng_client_Empty__Output>
  SetXattr: MethodDefinition<_mooseng_client_ClientToMasterSetXattr, _mooseng_client_Empty, _mooseng_client_ClientToMasterSetXattr__Output, _mooseng_client_Empty__Output>
  StatFs: MethodDefinition<_mooseng_client_ClientToMasterStatFs, _mooseng_client_MasterToClientStatFs, _mooseng_client_ClientToMasterStatFs__Output, _mooseng_client_MasterToClientStatFs__Output>
  Symlink: MethodDefinition<_mooseng_client_ClientToMasterSymlink, _mooseng_client_MasterToClientAttr, _mooseng_client_ClientToMasterSymlink__Output, _mooseng_client_MasterToClientAttr__Output>
  Sync: MethodDefinition<_mooseng_client_ClientToMasterSync, _mooseng_client_Empty, _mooseng_client_ClientToMasterSync__Output, _mooseng_client_Empty__Output>
  Unlink: MethodDefinition<_mooseng_client_ClientToMasterUnlink, _mooseng_client_Empty, _mooseng_client_ClientToMasterUnlink__Output, _mooseng_client_Empty__Output>
  WriteChunk: MethodDefinition<_mooseng_client_ClientToMasterWriteChunk, _mooseng_client_MasterToClientWriteChunk, _mooseng_client_ClientToMasterWriteChunk__Output, _mooseng_client_MasterToClientWriteChunk__Output>
}
