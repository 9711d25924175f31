// How the plugin context (the replication-raft section, the master section, the node) becomes RaftConsensus options.
import { ErrorCodes, MoosengError, type PluginContext } from '@mooseng/core';
import { parsePeers, raftDirFor, type RaftPluginConfig } from './plugin-config';
import type { RaftConsensusOptions } from './raft-consensus';

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
    dir: raftDirFor(ctx.node.dataDir),
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
