// How the plugin context (the replication-raft section and the node) becomes RaftConsensus options.
import { ErrorCodes, MoosengError, type PluginContext } from '@mooseng/core';
import { parsePeers, raftDirFor, type RaftPluginConfig } from './plugin-config';
import type { RaftConsensusOptions } from './raft-consensus';

/** Builds RaftConsensus options from the plugin context: membership, port and every setting from its own section. */
export function consensusOptionsFrom(ctx: PluginContext<RaftPluginConfig>): RaftConsensusOptions {
  const c = ctx.config;
  // Alone, nobody dials this address; it only names the member in the log's bootstrap configuration.
  const selfAddress = `${c.host === '0.0.0.0' ? '127.0.0.1' : c.host}:${c.port}`;
  if (c.heartbeatTicks >= c.electionTicks) {
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `replication-raft.heartbeatTicks (${c.heartbeatTicks}) must be below electionTicks (${c.electionTicks})`,
    );
  }
  return {
    nodeId: ctx.node.id,
    clusterId: ctx.node.clusterId,
    members: parsePeers(c.peers, ctx.node.id, selfAddress),
    listenHost: c.host,
    raftPort: c.port,
    dir: raftDirFor(ctx.node.dataDir),
    clusterSecretFile: ctx.node.clusterSecretFile,
    tls: ctx.node.tls,
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
