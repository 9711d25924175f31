// The options of a RaftConsensus node in process tests: fast ticks, fsync and lease reads on, real clock and
// randomness, a silent logger; a test names the members, the directory and what it changes.
import { type ConsensusMember, silentLogger, SystemClock, SystemRandom } from '@mooseng/core';
import type { RaftConsensusOptions } from '@mooseng/plugin-replication-raft';

export function testNodeOptions(
  member: ConsensusMember,
  members: ConsensusMember[],
  dir: string,
  changes: Partial<RaftConsensusOptions> = {},
): RaftConsensusOptions {
  return {
    nodeId: member.id,
    clusterId: 'test',
    members,
    listenHost: '127.0.0.1',
    raftPort: Number(member.address.split(':')[1]),
    dir,
    tickIntervalMs: 20,
    electionTicks: 10,
    heartbeatTicks: 2,
    snapshotThresholdEntries: 1000,
    segmentBytes: 64 * 1024,
    maxBatchBytes: 64 * 1024,
    fsync: true,
    leaseReads: true,
    clock: new SystemClock(),
    random: new SystemRandom(),
    logger: silentLogger,
    ...changes,
  };
}
