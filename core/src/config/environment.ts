// The MOOSENG_* environment variables (DESIGN.md section 1) and the config paths they set.
import type { RoleName } from '../plugins/manifest';

export interface EnvBinding {
  variable: string;
  /** Dotted config path, per role; a role missing here ignores the variable. */
  paths: Partial<Record<RoleName, string>>;
  /** Comma-separated lists become arrays. */
  list?: boolean;
}

/**
 * Precedence is flag > environment > config file > default. Chunkservers read MOOSENG_SERVER_ID after
 * MOOSENG_NODE_ID, so the more specific one wins when both are set.
 */
export const ENV_BINDINGS: readonly EnvBinding[] = [
  { variable: 'MOOSENG_NODE_ID', paths: { master: 'node.id', chunkserver: 'node.id', client: 'node.id' } },
  { variable: 'MOOSENG_SERVER_ID', paths: { chunkserver: 'node.id' } },
  { variable: 'MOOSENG_CLUSTER_ID', paths: { master: 'node.clusterId', chunkserver: 'node.clusterId', client: 'node.clusterId' } },
  { variable: 'MOOSENG_LOG_LEVEL', paths: { master: 'log.level', chunkserver: 'log.level', client: 'log.level' } },
  { variable: 'MOOSENG_RAFT_PEERS', paths: { master: 'master.peers' }, list: true },
  { variable: 'MOOSENG_LISTEN_PORT', paths: { master: 'master.port', chunkserver: 'chunkserver.port' } },
  { variable: 'MOOSENG_GRPC_PORT', paths: { master: 'master.port' } },
  { variable: 'MOOSENG_METRICS_PORT', paths: { master: 'master.httpPort', chunkserver: 'chunkserver.httpPort', client: 'client.httpPort' } },
  { variable: 'MOOSENG_MASTER_ADDRS', paths: { chunkserver: 'chunkserver.masters', client: 'client.masters' }, list: true },
  { variable: 'MOOSENG_DATA_DIRS', paths: { chunkserver: 'chunkserver.dataDirs' }, list: true },
  { variable: 'MOOSENG_MOUNT_POINT', paths: { client: 'client.mountPoint' } },
  { variable: 'MOOSENG_CACHE_SIZE_MB', paths: { client: 'client.cacheSizeMb' } },
];
