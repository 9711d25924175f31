// `npm run bench:raft [-- --sync commit|quorum-memory|commit,quorum-memory]`: three Raft nodes on this machine
// (raft-cluster.ts: the leader in this process, two followers as separate processes, real gRPC, fsync on) per
// durability mode named (default: the plugin's default, commit), committed proposals per second and p50/p99 commit
// latency for 1, 16 and 128 concurrent proposers. With two modes both clusters run side by side and the levels
// alternate between them, so both see the same machine. The last line is one JSON object with every figure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RAFT_CONFIG_DEFAULTS, RAFT_SYNC_MODES, type RaftSyncMode } from '@mooseng/plugin-replication-raft';
import { COMMAND_BYTES, CONCURRENCY, RUN_MS, runLoad, type LoadResult } from './load';
import { startRaftCluster, type RaftBenchCluster } from './raft-cluster';

/** The modes --sync names (comma-separated), or the default; exits with what is wrong on a bad value. */
function syncModes(): RaftSyncMode[] {
  const i = process.argv.indexOf('--sync');
  if (i < 0) return [RAFT_CONFIG_DEFAULTS.sync];
  const named = (process.argv[i + 1] ?? '').split(',').filter((m) => m !== '');
  const bad = named.filter((m) => !RAFT_SYNC_MODES.includes(m as RaftSyncMode));
  if (named.length === 0 || bad.length > 0) {
    process.stderr.write(
      `raft bench: --sync ${process.argv[i + 1] ?? ''}: expected ${RAFT_SYNC_MODES.join(', ')} or both, comma-separated, e.g. --sync commit,quorum-memory\n`,
    );
    process.exit(2);
  }
  return [...new Set(named)] as RaftSyncMode[];
}

async function main(): Promise<void> {
  const modes = syncModes();
  const root = mkdtempSync(join(tmpdir(), 'mooseng-raft-bench-'));
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const clusters: RaftBenchCluster[] = [];
  try {
    for (const mode of modes) clusters.push(await startRaftCluster(join(root, mode), mode));
    out(
      `3 nodes per mode (leader in-process, 2 follower processes), gRPC on 127.0.0.1, fsync on, ${COMMAND_BYTES}-byte commands, ${RUN_MS} ms per level`,
    );
    const command = Buffer.alloc(COMMAND_BYTES, 7);
    const results: Record<string, LoadResult[]> = {};
    for (const c of CONCURRENCY) {
      for (let m = 0; m < modes.length; m++) {
        const leader = clusters[m].leader;
        const r = await runLoad(c, () => leader.propose(command));
        (results[modes[m]] ??= []).push(r);
        out(
          `  sync ${modes[m].padEnd(13)} ${String(c).padStart(3)} proposers: ${r.proposalsPerSec} commits/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (${r.proposals} proposals)`,
        );
      }
    }
    out(JSON.stringify({ bench: 'raft', nodes: 3, fsync: true, commandBytes: COMMAND_BYTES, runMs: RUN_MS, results }));
  } finally {
    for (const cluster of clusters) await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`raft bench failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
