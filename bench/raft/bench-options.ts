// RaftConsensus options shared by the benchmark's leader and follower processes: the plugin's defaults (fsync on)
// but the durability mode, taken from RAFT_CONFIG_DEFAULTS so a setting added to the plugin reaches the benchmark too.
import { silentLogger, SystemClock, SystemRandom, type ConsensusMember } from '@mooseng/core';
import { RAFT_CONFIG_DEFAULTS, type RaftConsensusOptions, type RaftSyncMode } from '@mooseng/plugin-replication-raft';

/**
 * Options for the node `self` of a benchmark cluster that boots from `bootstrap`, keeping its files in `dir`, in
 * durability mode `sync` (the plugin's default unless given).
 */
export function benchOptions(
  self: ConsensusMember,
  bootstrap: ConsensusMember[],
  dir: string,
  sync: RaftSyncMode = RAFT_CONFIG_DEFAULTS.sync,
): RaftConsensusOptions {
  return {
    ...RAFT_CONFIG_DEFAULTS,
    sync,
    nodeId: self.id,
    clusterId: 'bench',
    members: bootstrap,
    listenHost: '127.0.0.1',
    raftPort: Number(self.address.split(':')[1]),
    dir,
    clock: new SystemClock(),
    random: new SystemRandom(),
    logger: silentLogger,
  };
}
