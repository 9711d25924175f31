// The replication-raft config section (schema with defaults) and how it and the master section become options.
import { ErrorCodes, MoosengError, type JsonSchema, type PluginContext } from '@mooseng/core';
import type { ConsensusMember } from '@mooseng/core';
import { RaftConsensus, type RaftConsensusOptions } from './raft-consensus';

/** The replication-raft config section, as RAFT_CONFIG_SCHEMA below describes each setting. */
export interface RaftPluginConfig {
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
 * Defaults give an election timeout of 500–1000 ms (10–20 ticks of 50 ms, randomized), so a dead leader is replaced
 * in about a second, and heartbeats every 100 ms.
 */
export const RAFT_CONFIG_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Raft consensus among the masters',
  additionalProperties: false,
  default: {},
  properties: {
    tickIntervalMs: { type: 'integer', minimum: 5, maximum: 10_000, default: 50, description: 'Length of one Raft tick, in milliseconds' },
    electionTicks: { type: 'integer', minimum: 3, maximum: 1000, default: 10, description: 'Election timeout in ticks (randomized between this and twice this); must exceed heartbeatTicks' },
    heartbeatTicks: { type: 'integer', minimum: 1, maximum: 100, default: 2, description: 'Leader heartbeat interval in ticks' },
    snapshotThresholdEntries: { type: 'integer', minimum: 1, default: 10_000, description: 'Take a snapshot and compact the log after this many applied entries' },
    segmentBytes: { type: 'integer', minimum: 4096, default: 64 * 1024 * 1024, description: 'Size at which a new log segment file is started, in bytes' },
    maxBatchBytes: { type: 'integer', minimum: 1024, default: 1024 * 1024, description: 'Largest batch of entries in one append message, in bytes' },
    fsync: { type: 'boolean', default: true, description: 'fsync the log before acknowledging; turn off only for throwaway test clusters' },
    leaseReads: {
      type: 'boolean',
      default: true,
      description: 'Serve reads on the leader from its lease (a quorum heard from within 80% of the election timeout) instead of a round of heartbeats; assumes the masters\' clocks run at the same rate',
    },
  },
};

/** Parses "id=host:port" peers; the whole list must name this node. */
export function parsePeers(peers: readonly string[], selfId: string, selfAddress: string): ConsensusMember[] {
  if (peers.length === 0) return [{ id: selfId, address: selfAddress }];
  const members = peers.map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0 || eq === p.length - 1) throw new MoosengError(ErrorCodes.CONFIG_INVALID, `master.peers entry "${p}" is not id=host:raftPort`);
    return { id: p.slice(0, eq), address: p.slice(eq + 1) };
  });
  if (new Set(members.map((m) => m.id)).size !== members.length) throw new MoosengError(ErrorCodes.CONFIG_INVALID, 'master.peers names a master id twice');
  if (!members.some((m) => m.id === selfId)) {
    throw new MoosengError(ErrorCodes.CONFIG_INVALID, `master.peers must include this master (node.id "${selfId}"), e.g. ${selfId}=${selfAddress}`);
  }
  return members;
}

/** The master-section settings this plugin reads (a plugin imports core only, so it names them itself). */
interface MasterPeerSettings {
  host?: string;
  raftPort?: number;
  advertiseHost?: string;
  peers?: string[];
}

/** Builds RaftConsensus options from the plugin context: membership and ports from the master section. */
export function consensusOptionsFrom(ctx: PluginContext<RaftPluginConfig>): RaftConsensusOptions {
  const master = (ctx.processConfig as { master?: MasterPeerSettings }).master ?? {};
  const raftPort = master.raftPort ?? 9422;
  const advertiseHost = master.advertiseHost ?? '127.0.0.1';
  const c = ctx.config;
  if (c.heartbeatTicks >= c.electionTicks) {
    throw new MoosengError(ErrorCodes.CONFIG_INVALID, `replication-raft.heartbeatTicks (${c.heartbeatTicks}) must be below electionTicks (${c.electionTicks})`);
  }
  return {
    nodeId: ctx.node.id,
    clusterId: ctx.node.clusterId,
    members: parsePeers(master.peers ?? [], ctx.node.id, `${advertiseHost}:${raftPort}`),
    listenHost: master.host ?? '0.0.0.0',
    raftPort,
    dir: RaftConsensus.dirFor(ctx.node.dataDir),
    tickIntervalMs: c.tickIntervalMs,
    electionTicks: c.electionTicks,
    heartbeatTicks: c.heartbeatTicks,
    snapshotThresholdEntries: c.snapshotThresholdEntries,
    segmentBytes: c.segmentBytes,
    maxBatchBytes: c.maxBatchBytes,
    fsync: c.fsync,
    leaseReads: c.leaseReads,
    clock: ctx.clock,
    random: ctx.random,
    logger: ctx.logger,
    metrics: ctx.metrics,
  };
}
