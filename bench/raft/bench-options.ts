// RaftConsensus options shared by the benchmark's leader and follower processes (defaults of the plugin, fsync on).
import { silentLogger, SystemClock, SystemRandom, type ConsensusMember } from '@mooseng/core';
import type { RaftConsensusOptions } from '@mooseng/plugin-replication-raft';

export function benchOptions(self: ConsensusMember, bootstrap: ConsensusMember[], dir: string): RaftConsensusOptions {
  return {
    nodeId: self.id,
    clusterId: 'bench',
    members: bootstrap,
    listenHost: '127.0.0.1',
    raftPort: Number(self.address.split(':')[1]),
    dir,
    tickIntervalMs: 50,
    electionTicks: 10,
    heartbeatTicks: 2,
    snapshotThresholdEntries: 10_000,
    segmentBytes: 64 * 1024 * 1024,
    maxBatchBytes: 1024 * 1024,
    fsync: true,
    clock: new SystemClock(),
    random: new SystemRandom(),
    logger: silentLogger,
  };
}
