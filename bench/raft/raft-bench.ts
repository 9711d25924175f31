// `npm run bench:raft`: three Raft nodes on this machine (raft-cluster.ts: the leader in this process, two followers
// as separate processes, real gRPC, fsync on), committed proposals per second and p50/p99 commit latency for 1, 16
// and 128 concurrent proposers. The last line is one JSON object with every figure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_BYTES, CONCURRENCY, RUN_MS, runLoad } from './load';
import { startRaftCluster, type RaftBenchCluster } from './raft-cluster';

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'mooseng-raft-bench-'));
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  let cluster: RaftBenchCluster | null = null;
  try {
    cluster = await startRaftCluster(root);
    const { leader } = cluster;
    out(
      `3 nodes (leader in-process, 2 follower processes), gRPC on 127.0.0.1, fsync on, ${COMMAND_BYTES}-byte commands, ${RUN_MS} ms per level`,
    );
    const command = Buffer.alloc(COMMAND_BYTES, 7);
    const results = [];
    for (const c of CONCURRENCY) {
      const r = await runLoad(c, () => leader.propose(command));
      results.push(r);
      out(
        `  ${String(c).padStart(3)} proposers: ${r.proposalsPerSec} commits/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (${r.proposals} proposals)`,
      );
    }
    out(JSON.stringify({ bench: 'raft', nodes: 3, fsync: true, commandBytes: COMMAND_BYTES, runMs: RUN_MS, results }));
  } finally {
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`raft bench failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
