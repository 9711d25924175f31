// The shape of a validated process config: core sections plus one section per plugin id.
import type { ContributionKind, RoleName } from '../plugins/manifest';
import type { LogLevel } from '../contracts/logger';
import type { JsonSchema } from './json-schema';

export interface NodeSection {
  /** This node's id: unique in the cluster, stable across restarts (the Raft member id on masters). */
  id: string;
  clusterId: string;
  /** Where the node keeps its state (master: Raft log and snapshots). */
  dataDir: string;
  /** The cluster secret masters and chunkservers share (docs/security.md); '' for none. Clients have no use for it. */
  clusterSecretFile: string;
  /** This node's TLS files (docs/security.md); every one '' for none (a client may set caFile alone). */
  tls: NodeTlsFiles;
}

/** A node's TLS files: the cluster CA, its certificate (from `mooseng certs issue`) and its key. */
export interface NodeTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface LogSection {
  level: LogLevel;
  format: 'text' | 'json';
  /** Log file; stderr when empty. */
  file: string;
}

/** Which contribution serves each extension point ("none" turns an optional one off). */
export type PluginSelection = Partial<Record<ContributionKind, string>>;

/** A fully validated config: every default filled in, every override applied. */
export interface ProcessConfig {
  role: RoleName;
  node: NodeSection;
  log: LogSection;
  plugins: PluginSelection;
  /** The role's own section and every plugin section, by name. */
  [section: string]: unknown;
}

export const NODE_SECTION_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Identity of this node',
  additionalProperties: false,
  default: {},
  properties: {
    id: {
      type: 'string',
      minLength: 1,
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      description: 'Unique, stable node id (env MOOSENG_NODE_ID; chunkservers also MOOSENG_SERVER_ID). Default: <role>-<hostname>',
    },
    clusterId: {
      type: 'string',
      minLength: 1,
      default: 'mooseng',
      description: 'Cluster name; nodes of different clusters refuse each other (env MOOSENG_CLUSTER_ID)',
    },
    dataDir: { type: 'string', minLength: 1, description: 'State directory of this node. Default: ./mooseng-data/<node id>' },
    clusterSecretFile: {
      type: 'string',
      default: '',
      format: 'path',
      description:
        "Masters and chunkservers: file holding the cluster secret, the same on every one of them and never on clients. The leader then signs its chunkserver commands and clients' write grants, chunkservers take changes only with such a permit, masters admit only chunkservers and Raft peers that prove they have it. Empty: no secret, anyone who reaches the ports may (env MOOSENG_CLUSTER_SECRET_FILE; docs/security.md)",
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'TLS with the cluster CA (`mooseng certs init` / `certs issue`): masters speak Raft to each other over mutual TLS and take TLS only on the control port; chunkservers serve the data plane over TLS only; clients, chunkservers and masters dial each other over TLS, checking certificates. All three files, or none; a client may name caFile alone (it then shows no certificate)',
      properties: {
        caFile: { type: 'string', default: '', format: 'path', description: 'The cluster CA certificate (ca.crt)' },
        certFile: { type: 'string', default: '', format: 'path', description: "This node's certificate, CN = node.id, OU = its role" },
        keyFile: { type: 'string', default: '', format: 'path', description: "This node's private key (mode 0600)" },
      },
    },
  },
};

export const LOG_SECTION_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Logging',
  additionalProperties: false,
  default: {},
  properties: {
    level: {
      enum: ['debug', 'info', 'warn', 'error', 'silent'],
      default: 'info',
      description: 'Least severe level written (env MOOSENG_LOG_LEVEL)',
    },
    format: { enum: ['text', 'json'], default: 'text', description: 'text for people, json for log shippers' },
    file: { type: 'string', default: '', description: 'Append logs to this file; empty means stderr' },
  },
};
