// @mooseng/plugin-replication-raft: the manifest contributing RaftConsensus, plus the pure Raft core and WAL codec
// for other hosts and simulations. Importing it has no side effects.
import { CORE_API_VERSION, definePlugin, type IConsensus, type PluginContext } from '@mooseng/core';
import { RaftConsensus } from './raft-consensus';
import { RAFT_CONFIG_SCHEMA, type RaftPluginConfig } from './plugin-config';
import { consensusOptionsFrom } from './plugin-options';

export * from './core/types';
export * from './core/raft-node';
export * from './core/raft-log';
export * from './core/membership';
export * from './storage/wal-records';
export * from './storage/wal-replay';
export * from './storage/segment-wal';
export * from './storage/snapshot-file';
export * from './storage/file-system';
export * from './storage/node-file-system';
export * from './transport/transport';
export * from './transport/grpc-transport';
export * from './raft-consensus';
export * from './plugin-config';
export * from './plugin-options';

/** The plugin manifest: contributes the `replication-raft` consensus for masters. */
export const manifest = definePlugin({
  apiVersion: CORE_API_VERSION,
  provides: [
    {
      kind: 'consensus',
      id: 'replication-raft',
      roles: ['master'],
      description: 'Raft consensus (pre-vote, check-quorum, ReadIndex, snapshots) with a segmented, fsynced log and gRPC peers',
      configSchema: RAFT_CONFIG_SCHEMA,
      environment: [{ variable: 'MOOSENG_RAFT_PEERS', path: 'replication-raft.peers', list: true }],
      create(ctx: PluginContext<RaftPluginConfig>): IConsensus {
        return new RaftConsensus(consensusOptionsFrom(ctx));
      },
      async dispose(service: unknown): Promise<void> {
        await (service as RaftConsensus).stop();
      },
    },
  ],
});
