// The replication-raft config section (its settings, defaults and schema), the peer list format and where a node
// keeps its Raft files. A leaf module: the host and the manifest import it, it imports neither.
import { join } from 'node:path';
import { ErrorCodes, MoosengError, type ConsensusMember, type JsonSchema } from '@mooseng/core';

/** The replication-raft config section, as RAFT_CONFIG_SCHEMA below describes each setting. */
export interface RaftPluginConfig {
  /** Every master of the cluster as "id=host:port" (its Raft port), this one included; empty: a cluster of one. */
  peers: string[];
  /** Port for Raft peer traffic. */
  port: number;
  /** Address the Raft port listens on. */
  host: string;
  tickIntervalMs: number;
  electionTicks: number;
  heartbeatTicks: number;
  snapshotThresholdEntries: number;
  segmentBytes: number;
  maxBatchBytes: number;
  fsync: boolean;
  leaseReads: boolean;
}

/**
 * Every setting's default, in one place for the schema and for hosts built outside the plugin loader (the
 * benchmark), so a new setting cannot be forgotten there. An election timeout of 500–1000 ms (10–20 ticks of 50 ms,
 * randomized) replaces a dead leader in about a second; heartbeats go every 100 ms.
 */
export const RAFT_CONFIG_DEFAULTS: Readonly<RaftPluginConfig> = Object.freeze({
  peers: [] as string[],
  port: 9422,
  host: '0.0.0.0',
  tickIntervalMs: 50,
  electionTicks: 10,
  heartbeatTicks: 2,
  snapshotThresholdEntries: 10_000,
  segmentBytes: 64 * 1024 * 1024,
  maxBatchBytes: 1024 * 1024,
  fsync: true,
  leaseReads: true,
});

const D = RAFT_CONFIG_DEFAULTS;

/** The replication-raft section's JSON schema, defaults from RAFT_CONFIG_DEFAULTS. */
export const RAFT_CONFIG_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Raft consensus among the masters',
  additionalProperties: false,
  default: {},
  properties: {
    peers: {
      type: 'array',
      default: [],
      items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*=[^\\s:]+:\\d+$' },
      description: 'All masters as id=host:raftPort, this one included; empty = a single master (env MOOSENG_RAFT_PEERS, comma-separated)',
    },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: D.port, description: 'Port for Raft peer traffic between the masters' },
    host: { type: 'string', default: D.host, description: 'Address the Raft port listens on' },
    tickIntervalMs: {
      type: 'integer',
      minimum: 5,
      maximum: 10_000,
      default: D.tickIntervalMs,
      description: 'Length of one Raft tick, in milliseconds',
    },
    electionTicks: {
      type: 'integer',
      minimum: 3,
      maximum: 1000,
      default: D.electionTicks,
      description: 'Election timeout in ticks (randomized between this and twice this); must exceed heartbeatTicks',
    },
    heartbeatTicks: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: D.heartbeatTicks,
      description: 'Leader heartbeat interval in ticks',
    },
    snapshotThresholdEntries: {
      type: 'integer',
      minimum: 1,
      default: D.snapshotThresholdEntries,
      description: 'Take a snapshot and compact the log after this many applied entries',
    },
    segmentBytes: {
      type: 'integer',
      minimum: 4096,
      default: D.segmentBytes,
      description: 'Size at which a new log segment file is started, in bytes',
    },
    maxBatchBytes: {
      type: 'integer',
      minimum: 1024,
      default: D.maxBatchBytes,
      description: 'Largest batch of entries in one append message, in bytes',
    },
    fsync: {
      type: 'boolean',
      default: D.fsync,
      description: 'fsync the log before acknowledging; turn off only for throwaway test clusters',
    },
    leaseReads: {
      type: 'boolean',
      default: D.leaseReads,
      description:
        "Serve reads on the leader from its lease (a quorum heard from within 80% of the election timeout) instead of a round of heartbeats; assumes the masters' clocks run at the same rate",
    },
  },
};

/** Parses "id=host:port" peers; the whole list must name this node. */
export function parsePeers(peers: readonly string[], selfId: string, selfAddress: string): ConsensusMember[] {
  if (peers.length === 0) return [{ id: selfId, address: selfAddress }];
  const members = peers.map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0 || eq === p.length - 1)
      throw new MoosengError(ErrorCodes.CONFIG_INVALID, `replication-raft.peers entry "${p}" is not id=host:raftPort`);
    return { id: p.slice(0, eq), address: p.slice(eq + 1) };
  });
  if (new Set(members.map((m) => m.id)).size !== members.length)
    throw new MoosengError(ErrorCodes.CONFIG_INVALID, 'replication-raft.peers names a master id twice');
  if (!members.some((m) => m.id === selfId)) {
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `replication-raft.peers must include this master (node.id "${selfId}"), e.g. ${selfId}=${selfAddress}`,
    );
  }
  return members;
}

/** Where a node's log segments and snapshot live, under its data directory. */
export function raftDirFor(dataDir: string): string {
  return join(dataDir, 'raft');
}
