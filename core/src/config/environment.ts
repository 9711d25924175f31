// The MOOSENG_* environment variables every role reads; each role's definition adds its own (docs/configuration.md).
/** One MOOSENG_* variable and the config path it sets. */
export interface EnvBinding {
  variable: string;
  /** Dotted config path the variable sets, e.g. `chunkserver.dataDirs`. */
  path: string;
  /** Comma-separated lists become arrays. */
  list?: boolean;
}

/**
 * The variables of the sections every process has (node, log). Precedence is flag > environment > config file >
 * default; a role's own bindings are applied after these, so a more specific variable (the chunkserver's
 * MOOSENG_SERVER_ID) wins over MOOSENG_NODE_ID when both are set.
 */
export const COMMON_ENV_BINDINGS: readonly EnvBinding[] = [
  { variable: 'MOOSENG_NODE_ID', path: 'node.id' },
  { variable: 'MOOSENG_CLUSTER_ID', path: 'node.clusterId' },
  { variable: 'MOOSENG_CLUSTER_SECRET_FILE', path: 'node.clusterSecretFile' },
  { variable: 'MOOSENG_LOG_LEVEL', path: 'log.level' },
];
