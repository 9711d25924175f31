// The benchmarks' Raft cluster: three nodes on this machine, the leader in the calling process and two followers as
// separate processes (bench-follower.ts), real gRPC on 127.0.0.1, fsync on, the plugin's defaults.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ErrorCodes, type ConsensusMember, type MoosengError } from '@mooseng/core';
import { RAFT_CONFIG_DEFAULTS, RaftConsensus, type RaftSyncMode } from '@mooseng/plugin-replication-raft';
import { benchOptions } from './bench-options';
import { CounterStateMachine } from './counter-state-machine';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitToLead(node: RaftConsensus): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (node.status().role !== 'leader') {
    if (Date.now() > deadline) throw new Error(`${node.nodeId} did not lead again within 10 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Adds a member, again if need be: on a loaded machine a follower process that has just started can take longer
 * than an election timeout to answer, and the leader of two then steps down (check-quorum) and wins again. The
 * change may have survived in its log; then it is done.
 */
async function addMember(leader: RaftConsensus, member: ConsensusMember): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await leader.addMember(member);
      return;
    } catch (err) {
      const code = (err as MoosengError).code;
      if (attempt >= 5 || (code !== ErrorCodes.PROPOSAL_DROPPED && code !== ErrorCodes.NOT_LEADER)) throw err;
      await waitToLead(leader);
      if (leader.status().members.some((m) => m.id === member.id)) return;
    }
  }
}

export interface RaftBenchCluster {
  leader: RaftConsensus;
  /** Stops the leader and the follower processes (by their pids); safe to call after a failed start. */
  stop(): Promise<void>;
}

/**
 * Starts the three nodes with their files under `root`, in durability mode `sync` (the plugin's default unless
 * given); the leader stays the leader for the whole run.
 */
export async function startRaftCluster(root: string, sync: RaftSyncMode = RAFT_CONFIG_DEFAULTS.sync): Promise<RaftBenchCluster> {
  const children: ChildProcess[] = [];
  let leader: RaftConsensus | null = null;
  const stop = async (): Promise<void> => {
    await leader?.stop();
    for (const child of children) {
      child.stdin?.end();
      child.kill('SIGTERM');
    }
    await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))));
  };
  try {
    const self = { id: 'b1', address: `127.0.0.1:${await freePort()}` };
    // The leader starts as a cluster of one and adds the followers, so it stays the leader.
    leader = new RaftConsensus(benchOptions(self, [self], join(root, 'b1'), sync));
    await leader.start(new CounterStateMachine());
    await waitToLead(leader);
    for (const id of ['b2', 'b3']) {
      const address = `127.0.0.1:${await freePort()}`;
      const child = spawn(
        process.execPath,
        [join(__dirname, 'bench-follower.js'), id, address, self.id, self.address, join(root, id), sync],
        {
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      );
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`follower ${id} exited with ${code}`)));
        child.stdout!.once('data', () => resolve());
      });
      await addMember(leader, { id, address });
    }
    return { leader, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
