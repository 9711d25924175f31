// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Attr as _mooseng_client_Attr, Attr__Output as _mooseng_client_Attr__Output } from './mooseng/client/Attr';
import type { ChangeFeedClient as _mooseng_client_ChangeFeedClient, ChangeFeedDefinition as _mooseng_client_ChangeFeedDefinition } from './mooseng/client/ChangeFeed';
import type { ChunkLocation as _mooseng_client_ChunkLocation, ChunkLocation__Output as _mooseng_client_ChunkLocation__Output } from './mooseng/client/ChunkLocation';
import type { ClientToMasterClient as _mooseng_client_ClientToMasterClient, ClientToMasterDefinition as _mooseng_client_ClientToMasterDefinition } from './mooseng/client/ClientToMaster';
import type { ClientToMasterCloseSession as _mooseng_client_ClientToMasterCloseSession, ClientToMasterCloseSession__Output as _mooseng_client_ClientToMasterCloseSession__Output } from './mooseng/client/ClientToMasterCloseSession';
import type { ClientToMasterCommitWrite as _mooseng_client_ClientToMasterCommitWrite, ClientToMasterCommitWrite__Output as _mooseng_client_ClientToMasterCommitWrite__Output } from './mooseng/client/ClientToMasterCommitWrite';
import type { ClientToMasterGetAttr as _mooseng_client_ClientToMasterGetAttr, ClientToMasterGetAttr__Output as _mooseng_client_ClientToMasterGetAttr__Output } from './mooseng/client/ClientToMasterGetAttr';
import type { ClientToMasterGetLock as _mooseng_client_ClientToMasterGetLock, ClientToMasterGetLock__Output as _mooseng_client_ClientToMasterGetLock__Output } from './mooseng/client/ClientToMasterGetLock';
import type { ClientToMasterGetXattr as _mooseng_client_ClientToMasterGetXattr, ClientToMasterGetXattr__Output as _mooseng_client_ClientToMasterGetXattr__Output } from './mooseng/client/ClientToMasterGetXattr';
import type { ClientToMasterKeepAlive as _mooseng_client_ClientToMasterKeepAlive, ClientToMasterKeepAlive__Output as _mooseng_client_ClientToMasterKeepAlive__Output } from './mooseng/client/ClientToMasterKeepAlive';
import type { ClientToMasterLink as _mooseng_client_ClientToMasterLink, ClientToMasterLink__Output as _mooseng_client_ClientToMasterLink__Output } from './mooseng/client/ClientToMasterLink';
import type { ClientToMasterListXattr as _mooseng_client_ClientToMasterListXattr, ClientToMasterListXattr__Output as _mooseng_client_ClientToMasterListXattr__Output } from './mooseng/client/ClientToMasterListXattr';
import type { ClientToMasterLookup as _mooseng_client_ClientToMasterLookup, ClientToMasterLookup__Output as _mooseng_client_ClientToMasterLookup__Output } from './mooseng/client/ClientToMasterLookup';
import type { ClientToMasterMkdir as _mooseng_client_ClientToMasterMkdir, ClientToMasterMkdir__Output as _mooseng_client_ClientToMasterMkdir__Output } from './mooseng/client/ClientToMasterMkdir';
import type { ClientToMasterMknod as _mooseng_client_ClientToMasterMknod, ClientToMasterMknod__Output as _mooseng_client_ClientToMasterMknod__Output } from './mooseng/client/ClientToMasterMknod';
import type { ClientToMasterOpen as _mooseng_client_ClientToMasterOpen, ClientToMasterOpen__Output as _mooseng_client_ClientToMasterOpen__Output } from './mooseng/client/ClientToMasterOpen';
import type { ClientToMasterOpenSession as _mooseng_client_ClientToMasterOpenSession, ClientToMasterOpenSession__Output as _mooseng_client_ClientToMasterOpenSession__Output } from './mooseng/client/ClientToMasterOpenSession';
import type { ClientToMasterReadChunk as _mooseng_client_ClientToMasterReadChunk, ClientToMasterReadChunk__Output as _mooseng_client_ClientToMasterReadChunk__Output } from './mooseng/client/ClientToMasterReadChunk';
import type { ClientToMasterReadDir as _mooseng_client_ClientToMasterReadDir, ClientToMasterReadDir__Output as _mooseng_client_ClientToMasterReadDir__Output } from './mooseng/client/ClientToMasterReadDir';
import type { ClientToMasterReadLink as _mooseng_client_ClientToMasterReadLink, ClientToMasterReadLink__Output as _mooseng_client_ClientToMasterReadLink__Output } from './mooseng/client/ClientToMasterReadLink';
import type { ClientToMasterRelease as _mooseng_client_ClientToMasterRelease, ClientToMasterRelease__Output as _mooseng_client_ClientToMasterRelease__Output } from './mooseng/client/ClientToMasterRelease';
import type { ClientToMasterReleaseFiles as _mooseng_client_ClientToMasterReleaseFiles, ClientToMasterReleaseFiles__Output as _mooseng_client_ClientToMasterReleaseFiles__Output } from './mooseng/client/ClientToMasterReleaseFiles';
import type { ClientToMasterReleaseLocks as _mooseng_client_ClientToMasterReleaseLocks, ClientToMasterReleaseLocks__Output as _mooseng_client_ClientToMasterReleaseLocks__Output } from './mooseng/client/ClientToMasterReleaseLocks';
import type { ClientToMasterRemoveXattr as _mooseng_client_ClientToMasterRemoveXattr, ClientToMasterRemoveXattr__Output as _mooseng_client_ClientToMasterRemoveXattr__Output } from './mooseng/client/ClientToMasterRemoveXattr';
import type { ClientToMasterRename as _mooseng_client_ClientToMasterRename, ClientToMasterRename__Output as _mooseng_client_ClientToMasterRename__Output } from './mooseng/client/ClientToMasterRename';
import type { ClientToMasterReportReplica as _mooseng_client_ClientToMasterReportReplica, ClientToMasterReportReplica__Output as _mooseng_client_ClientToMasterReportReplica__Output } from './mooseng/client/ClientToMasterReportReplica';
import type { ClientToMasterResolvePath as _mooseng_client_ClientToMasterResolvePath, ClientToMasterResolvePath__Output as _mooseng_client_ClientToMasterResolvePath__Output } from './mooseng/client/ClientToMasterResolvePath';
import type { ClientToMasterRmdir as _mooseng_client_ClientToMasterRmdir, ClientToMasterRmdir__Output as _mooseng_client_ClientToMasterRmdir__Output } from './mooseng/client/ClientToMasterRmdir';
import type { ClientToMasterSeek as _mooseng_client_ClientToMasterSeek, ClientToMasterSeek__Output as _mooseng_client_ClientToMasterSeek__Output } from './mooseng/client/ClientToMasterSeek';
import type { ClientToMasterSetAttr as _mooseng_client_ClientToMasterSetAttr, ClientToMasterSetAttr__Output as _mooseng_client_ClientToMasterSetAttr__Output } from './mooseng/client/ClientToMasterSetAttr';
import type { ClientToMasterSetGoal as _mooseng_client_ClientToMasterSetGoal, ClientToMasterSetGoal__Output as _mooseng_client_ClientToMasterSetGoal__Output } from './mooseng/client/ClientToMasterSetGoal';
import type { ClientToMasterSetLock as _mooseng_client_ClientToMasterSetLock, ClientToMasterSetLock__Output as _mooseng_client_ClientToMasterSetLock__Output } from './mooseng/client/ClientToMasterSetLock';
import type { ClientToMasterSetXattr as _mooseng_client_ClientToMasterSetXattr, ClientToMasterSetXattr__Output as _mooseng_client_ClientToMasterSetXattr__Output } from './mooseng/client/ClientToMasterSetXattr';
import type { ClientToMasterStatFs as _mooseng_client_ClientToMasterStatFs, ClientToMasterStatFs__Output as _mooseng_client_ClientToMasterStatFs__Output } from './mooseng/client/ClientToMasterStatFs';
import type { ClientToMasterSymlink as _mooseng_client_ClientToMasterSymlink, ClientToMasterSymlink__Output as _mooseng_client_ClientToMasterSymlink__Output } from './mooseng/client/ClientToMasterSymlink';
import type { ClientToMasterSync as _mooseng_client_ClientToMasterSync, ClientToMasterSync__Output as _mooseng_client_ClientToMasterSync__Output } from './mooseng/client/ClientToMasterSync';
import type { ClientToMasterUnlink as _mooseng_client_ClientToMasterUnlink, ClientToMasterUnlink__Output as _mooseng_client_ClientToMasterUnlink__Output } from './mooseng/client/ClientToMasterUnlink';
import type { ClientToMasterWatchChanges as _mooseng_client_ClientToMasterWatchChanges, ClientToMasterWatchChanges__Output as _mooseng_client_ClientToMasterWatchChanges__Output } from './mooseng/client/ClientToMasterWatchChanges';
import type { ClientToMasterWriteChunk as _mooseng_client_ClientToMasterWriteChunk, ClientToMasterWriteChunk__Output as _mooseng_client_ClientToMasterWriteChunk__Output } from './mooseng/client/ClientToMasterWriteChunk';
import type { Credentials as _mooseng_client_Credentials, Credentials__Output as _mooseng_client_Credentials__Output } from './mooseng/client/Credentials';
import type { DirEntry as _mooseng_client_DirEntry, DirEntry__Output as _mooseng_client_DirEntry__Output } from './mooseng/client/DirEntry';
import type { Empty as _mooseng_client_Empty, Empty__Output as _mooseng_client_Empty__Output } from './mooseng/client/Empty';
import type { EntryChange as _mooseng_client_EntryChange, EntryChange__Output as _mooseng_client_EntryChange__Output } from './mooseng/client/EntryChange';
import type { MasterToClientAttr as _mooseng_client_MasterToClientAttr, MasterToClientAttr__Output as _mooseng_client_MasterToClientAttr__Output } from './mooseng/client/MasterToClientAttr';
import type { MasterToClientChanges as _mooseng_client_MasterToClientChanges, MasterToClientChanges__Output as _mooseng_client_MasterToClientChanges__Output } from './mooseng/client/MasterToClientChanges';
import type { MasterToClientCreated as _mooseng_client_MasterToClientCreated, MasterToClientCreated__Output as _mooseng_client_MasterToClientCreated__Output } from './mooseng/client/MasterToClientCreated';
import type { MasterToClientDirPage as _mooseng_client_MasterToClientDirPage, MasterToClientDirPage__Output as _mooseng_client_MasterToClientDirPage__Output } from './mooseng/client/MasterToClientDirPage';
import type { MasterToClientKeepAlive as _mooseng_client_MasterToClientKeepAlive, MasterToClientKeepAlive__Output as _mooseng_client_MasterToClientKeepAlive__Output } from './mooseng/client/MasterToClientKeepAlive';
import type { MasterToClientLock as _mooseng_client_MasterToClientLock, MasterToClientLock__Output as _mooseng_client_MasterToClientLock__Output } from './mooseng/client/MasterToClientLock';
import type { MasterToClientReadChunk as _mooseng_client_MasterToClientReadChunk, MasterToClientReadChunk__Output as _mooseng_client_MasterToClientReadChunk__Output } from './mooseng/client/MasterToClientReadChunk';
import type { MasterToClientReadLink as _mooseng_client_MasterToClientReadLink, MasterToClientReadLink__Output as _mooseng_client_MasterToClientReadLink__Output } from './mooseng/client/MasterToClientReadLink';
import type { MasterToClientReleaseFiles as _mooseng_client_MasterToClientReleaseFiles, MasterToClientReleaseFiles__Output as _mooseng_client_MasterToClientReleaseFiles__Output } from './mooseng/client/MasterToClientReleaseFiles';
import type { MasterToClientSeek as _mooseng_client_MasterToClientSeek, MasterToClientSeek__Output as _mooseng_client_MasterToClientSeek__Output } from './mooseng/client/MasterToClientSeek';
import type { MasterToClientSession as _mooseng_client_MasterToClientSession, MasterToClientSession__Output as _mooseng_client_MasterToClientSession__Output } from './mooseng/client/MasterToClientSession';
import type { MasterToClientSetGoal as _mooseng_client_MasterToClientSetGoal, MasterToClientSetGoal__Output as _mooseng_client_MasterToClientSetGoal__Output } from './mooseng/client/MasterToClientSetGoal';
import type { MasterToClientStatFs as _mooseng_client_MasterToClientStatFs, MasterToClientStatFs__Output as _mooseng_client_MasterToClientStatFs__Output } from './mooseng/client/MasterToClientStatFs';
import type { MasterToClientWriteChunk as _mooseng_client_MasterToClientWriteChunk, MasterToClientWriteChunk__Output as _mooseng_client_MasterToClientWriteChunk__Output } from './mooseng/client/MasterToClientWriteChunk';
import type { MasterToClientXattr as _mooseng_client_MasterToClientXattr, MasterToClientXattr__Output as _mooseng_client_MasterToClientXattr__Output } from './mooseng/client/MasterToClientXattr';
import type { MasterToClientXattrNames as _mooseng_client_MasterToClientXattrNames, MasterToClientXattrNames__Output as _mooseng_client_MasterToClientXattrNames__Output } from './mooseng/client/MasterToClientXattrNames';
import type { RequestHeader as _mooseng_client_RequestHeader, RequestHeader__Output as _mooseng_client_RequestHeader__Output } from './mooseng/client/RequestHeader';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mooseng: {
    client: {
      Attr: MessageTypeDefinition<_mooseng_client_Attr, _mooseng_client_Attr__Output>
      /**
       * Change notices, leader to client (docs/client.md, "Invalidation"): a session watches, and after each mutation
       * another session applied the leader sends what it changed, so the client drops its caches and the kernel's at once
       * instead of when their timeouts run out. Best effort: a notice can arrive after the change is visible otherwise,
       * and a watcher that falls behind (more than the leader's bound pending) gets one message with resync = true in
       * place of what it missed (drop everything cached). A stream that ends (leader change, restart) may have lost
       * notices too: the client resyncs before it watches again.
       */
      ChangeFeed: SubtypeConstructor<typeof grpc.Client, _mooseng_client_ChangeFeedClient> & { service: _mooseng_client_ChangeFeedDefinition }
      ChunkLocation: MessageTypeDefinition<_mooseng_client_ChunkLocation, _mooseng_client_ChunkLocation__Output>
      ClientToMaster: SubtypeConstructor<typeof grpc.Client, _mooseng_client_ClientToMasterClient> & { service: _mooseng_client_ClientToMasterDefinition }
      ClientToMasterCloseSession: MessageTypeDefinition<_mooseng_client_ClientToMasterCloseSession, _mooseng_client_ClientToMasterCloseSession__Output>
      ClientToMasterCommitWrite: MessageTypeDefinition<_mooseng_client_ClientToMasterCommitWrite, _mooseng_client_ClientToMasterCommitWrite__Output>
      ClientToMasterGetAttr: MessageTypeDefinition<_mooseng_client_ClientToMasterGetAttr, _mooseng_client_ClientToMasterGetAttr__Output>
      ClientToMasterGetLock: MessageTypeDefinition<_mooseng_client_ClientToMasterGetLock, _mooseng_client_ClientToMasterGetLock__Output>
      ClientToMasterGetXattr: MessageTypeDefinition<_mooseng_client_ClientToMasterGetXattr, _mooseng_client_ClientToMasterGetXattr__Output>
      ClientToMasterKeepAlive: MessageTypeDefinition<_mooseng_client_ClientToMasterKeepAlive, _mooseng_client_ClientToMasterKeepAlive__Output>
      ClientToMasterLink: MessageTypeDefinition<_mooseng_client_ClientToMasterLink, _mooseng_client_ClientToMasterLink__Output>
      ClientToMasterListXattr: MessageTypeDefinition<_mooseng_client_ClientToMasterListXattr, _mooseng_client_ClientToMasterListXattr__Output>
      ClientToMasterLookup: MessageTypeDefinition<_mooseng_client_ClientToMasterLookup, _mooseng_client_ClientToMasterLookup__Output>
      ClientToMasterMkdir: MessageTypeDefinition<_mooseng_client_ClientToMasterMkdir, _mooseng_client_ClientToMasterMkdir__Output>
      ClientToMasterMknod: MessageTypeDefinition<_mooseng_client_ClientToMasterMknod, _mooseng_client_ClientToMasterMknod__Output>
      ClientToMasterOpen: MessageTypeDefinition<_mooseng_client_ClientToMasterOpen, _mooseng_client_ClientToMasterOpen__Output>
      ClientToMasterOpenSession: MessageTypeDefinition<_mooseng_client_ClientToMasterOpenSession, _mooseng_client_ClientToMasterOpenSession__Output>
      ClientToMasterReadChunk: MessageTypeDefinition<_mooseng_client_ClientToMasterReadChunk, _mooseng_client_ClientToMasterReadChunk__Output>
      ClientToMasterReadDir: MessageTypeDefinition<_mooseng_client_ClientToMasterReadDir, _mooseng_client_ClientToMasterReadDir__Output>
      ClientToMasterReadLink: MessageTypeDefinition<_mooseng_client_ClientToMasterReadLink, _mooseng_client_ClientToMasterReadLink__Output>
      ClientToMasterRelease: MessageTypeDefinition<_mooseng_client_ClientToMasterRelease, _mooseng_client_ClientToMasterRelease__Output>
      ClientToMasterReleaseFiles: MessageTypeDefinition<_mooseng_client_ClientToMasterReleaseFiles, _mooseng_client_ClientToMasterReleaseFiles__Output>
      ClientToMasterReleaseLocks: MessageTypeDefinition<_mooseng_client_ClientToMasterReleaseLocks, _mooseng_client_ClientToMasterReleaseLocks__Output>
      ClientToMasterRemoveXattr: MessageTypeDefinition<_mooseng_client_ClientToMasterRemoveXattr, _mooseng_client_ClientToMasterRemoveXattr__Output>
      ClientToMasterRename: MessageTypeDefinition<_mooseng_client_ClientToMasterRename, _mooseng_client_ClientToMasterRename__Output>
      ClientToMasterReportReplica: MessageTypeDefinition<_mooseng_client_ClientToMasterReportReplica, _mooseng_client_ClientToMasterReportReplica__Output>
      ClientToMasterResolvePath: MessageTypeDefinition<_mooseng_client_ClientToMasterResolvePath, _mooseng_client_ClientToMasterResolvePath__Output>
      ClientToMasterRmdir: MessageTypeDefinition<_mooseng_client_ClientToMasterRmdir, _mooseng_client_ClientToMasterRmdir__Output>
      ClientToMasterSeek: MessageTypeDefinition<_mooseng_client_ClientToMasterSeek, _mooseng_client_ClientToMasterSeek__Output>
      ClientToMasterSetAttr: MessageTypeDefinition<_mooseng_client_ClientToMasterSetAttr, _mooseng_client_ClientToMasterSetAttr__Output>
      ClientToMasterSetGoal: MessageTypeDefinition<_mooseng_client_ClientToMasterSetGoal, _mooseng_client_ClientToMasterSetGoal__Output>
      ClientToMasterSetLock: MessageTypeDefinition<_mooseng_client_ClientToMasterSetLock, _mooseng_client_ClientToMasterSetLock__Output>
      ClientToMasterSetXattr: MessageTypeDefinition<_mooseng_client_ClientToMasterSetXattr, _mooseng_client_ClientToMasterSetXattr__Output>
      ClientToMasterStatFs: MessageTypeDefinition<_mooseng_client_ClientToMasterStatFs, _mooseng_client_ClientToMasterStatFs__Output>
      ClientToMasterSymlink: MessageTypeDefinition<_mooseng_client_ClientToMasterSymlink, _mooseng_client_ClientToMasterSymlink__Output>
      ClientToMasterSync: MessageTypeDefinition<_mooseng_client_ClientToMasterSync, _mooseng_client_ClientToMasterSync__Output>
      ClientToMasterUnlink: MessageTypeDefinition<_mooseng_client_ClientToMasterUnlink, _mooseng_client_ClientToMasterUnlink__Output>
      ClientToMasterWatchChanges: MessageTypeDefinition<_mooseng_client_ClientToMasterWatchChanges, _mooseng_client_ClientToMasterWatchChanges__Output>
      ClientToMasterWriteChunk: MessageTypeDefinition<_mooseng_client_ClientToMasterWriteChunk, _mooseng_client_ClientToMasterWriteChunk__Output>
      Credentials: MessageTypeDefinition<_mooseng_client_Credentials, _mooseng_client_Credentials__Output>
      DirEntry: MessageTypeDefinition<_mooseng_client_DirEntry, _mooseng_client_DirEntry__Output>
      Empty: MessageTypeDefinition<_mooseng_client_Empty, _mooseng_client_Empty__Output>
      EntryChange: MessageTypeDefinition<_mooseng_client_EntryChange, _mooseng_client_EntryChange__Output>
      MasterToClientAttr: MessageTypeDefinition<_mooseng_client_MasterToClientAttr, _mooseng_client_MasterToClientAttr__Output>
      MasterToClientChanges: MessageTypeDefinition<_mooseng_client_MasterToClientChanges, _mooseng_client_MasterToClientChanges__Output>
      MasterToClientCreated: MessageTypeDefinition<_mooseng_client_MasterToClientCreated, _mooseng_client_MasterToClientCreated__Output>
      MasterToClientDirPage: MessageTypeDefinition<_mooseng_client_MasterToClientDirPage, _mooseng_client_MasterToClientDirPage__Output>
      MasterToClientKeepAlive: MessageTypeDefinition<_mooseng_client_MasterToClientKeepAlive, _mooseng_client_MasterToClientKeepAlive__Output>
      MasterToClientLock: MessageTypeDefinition<_mooseng_client_MasterToClientLock, _mooseng_client_MasterToClientLock__Output>
      MasterToClientReadChunk: MessageTypeDefinition<_mooseng_client_MasterToClientReadChunk, _mooseng_client_MasterToClientReadChunk__Output>
      MasterToClientReadLink: MessageTypeDefinition<_mooseng_client_MasterToClientReadLink, _mooseng_client_MasterToClientReadLink__Output>
      MasterToClientReleaseFiles: MessageTypeDefinition<_mooseng_client_MasterToClientReleaseFiles, _mooseng_client_MasterToClientReleaseFiles__Output>
      MasterToClientSeek: MessageTypeDefinition<_mooseng_client_MasterToClientSeek, _mooseng_client_MasterToClientSeek__Output>
      MasterToClientSession: MessageTypeDefinition<_mooseng_client_MasterToClientSession, _mooseng_client_MasterToClientSession__Output>
      MasterToClientSetGoal: MessageTypeDefinition<_mooseng_client_MasterToClientSetGoal, _mooseng_client_MasterToClientSetGoal__Output>
      MasterToClientStatFs: MessageTypeDefinition<_mooseng_client_MasterToClientStatFs, _mooseng_client_MasterToClientStatFs__Output>
      MasterToClientWriteChunk: MessageTypeDefinition<_mooseng_client_MasterToClientWriteChunk, _mooseng_client_MasterToClientWriteChunk__Output>
      MasterToClientXattr: MessageTypeDefinition<_mooseng_client_MasterToClientXattr, _mooseng_client_MasterToClientXattr__Output>
      MasterToClientXattrNames: MessageTypeDefinition<_mooseng_client_MasterToClientXattrNames, _mooseng_client_MasterToClientXattrNames__Output>
      RequestHeader: MessageTypeDefinition<_mooseng_client_RequestHeader, _mooseng_client_RequestHeader__Output>
    }
  }
}

