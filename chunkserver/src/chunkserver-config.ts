// The `chunkserver:` config section.
import type { JsonSchema } from '@mooseng/core';
import { MAX_DATA_PLANE_CONNECTIONS } from './data-plane-server';

export interface ChunkserverSection {
  host: string;
  /** Data-plane port (framed binary protocol). */
  port: number;
  /** HTTP port: /health, /metrics. */
  httpPort: number;
  /** Host that masters and clients use to reach this chunkserver. */
  advertiseHost: string;
  /** Control API addresses of every master, "host:port". */
  masters: string[];
  /** One store per directory; each usually its own disk. */
  dataDirs: string[];
  /** Failure-domain labels used by placement (rack, zone...). */
  labels: Record<string, string>;
  /** Background scrub rate; 0 turns scrubbing off. */
  scrubRateMBps: number;
  heartbeatIntervalMs: number;
  /** Data-plane connections open at once; more are closed at once. */
  maxConnections: number;
  /** With node.tls: still take plain data-plane connections (while a cluster moves to TLS). Off by default. */
  allowPlainDataPlane: boolean;
}

export const CHUNKSERVER_SECTION_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Chunkserver: stores chunks on its data directories and serves the data plane',
  additionalProperties: false,
  default: {},
  properties: {
    host: { type: 'string', default: '0.0.0.0', description: 'Listen address of the data plane and HTTP port' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 9420, description: 'Data-plane port (env MOOSENG_LISTEN_PORT)' },
    httpPort: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      default: 9425,
      description: 'HTTP port: /health, /metrics (env MOOSENG_METRICS_PORT)',
    },
    advertiseHost: { type: 'string', default: '127.0.0.1', description: 'Address masters and clients use to reach this chunkserver' },
    masters: {
      type: 'array',
      minItems: 1,
      default: ['127.0.0.1:9421'],
      items: { type: 'string', pattern: '^[^\\s:]+:\\d+$' },
      description: 'Control API of every master, host:port (env MOOSENG_MASTER_ADDRS, comma-separated)',
    },
    dataDirs: {
      type: 'array',
      default: [],
      items: { type: 'string', minLength: 1, format: 'path' },
      description: 'Data directories, one per disk; empty = <node.dataDir>/disk0 (env MOOSENG_DATA_DIRS, comma-separated)',
    },
    labels: { type: 'object', default: {}, additionalProperties: { type: 'string' }, description: 'Placement labels, e.g. { rack: r1 }' },
    scrubRateMBps: {
      type: 'number',
      minimum: 0,
      default: 8,
      description: 'Background scrub read rate in MiB/s (a chunk under 1 MiB counts as 1 MiB); 0 turns scrubbing off',
    },
    heartbeatIntervalMs: { type: 'integer', minimum: 100, default: 1000, description: 'Heartbeat period to each master' },
    maxConnections: {
      type: 'integer',
      minimum: 16,
      default: MAX_DATA_PLANE_CONNECTIONS,
      description:
        'Data-plane connections open at once (a mount keeps up to 4 per chunkserver); more are closed at once, so a host that opens them without end cannot run the chunkserver out of files',
    },
    allowPlainDataPlane: {
      type: 'boolean',
      default: false,
      description:
        'With node.tls the data plane speaks TLS and refuses plain connections; true takes plain ones too, on the same port, for a cluster moving to TLS node by node (their permits can then be read and replayed: turn it off once every node has TLS)',
    },
  },
};
