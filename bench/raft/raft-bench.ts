// `npm run bench:raft`: three Raft nodes on this machine (the leader in this process, two followers as separate
// processes, real gRPC, fsync on), committed proposals per second and p50/p99 commit latency for 1, 16 and 128
// concurrent proposers. The last line is one JSON object with every figure.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RaftConsensus } from '@mooseng/plugin-replication-raft';
import { benchOptions } from './bench-options';
import { CounterStateMachine } from './counter-state-machine';

/** How long each concurrency level runs, after its warm-up. */
const RUN_MS = 4_000;
const WARMUP_MS = 500;
const CONCURRENCY = [1, 16, 128];
/** Bytes per proposed command (about a metadata operation). */
const COMMAND_BYTES = 128;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(
  leader: RaftConsensus,
  concurrency: number,
): Promise<{ concurrency: number; proposalsPerSec: number; p50Ms: number; p99Ms: number; proposals: number }> {
  const command = Buffer.alloc(COMMAND_BYTES, 7);
  const latencies: number[] = [];
  let recording = false;
  let stop = false;
  const proposer = async (): Promise<void> => {
    while (!stop) {
      const t = performance.now();
      await leader.propose(command);
      if (recording) latencies.push(performance.now() - t);
    }
  };
  const all = Array.from({ length: concurrency }, proposer);
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  recording = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, RUN_MS));
  recording = false;
  const elapsed = performance.now() - started;
  stop = true;
  await Promise.all(all);
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    proposals: latencies.length,
    proposalsPerSec: Math.round((latencies.length / elapsed) * 1000),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
  };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'mooseng-raft-bench-'));
  const children: ChildProcess[] = [];
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  let leader: RaftConsensus | null = null;
  try {
    const self = { id: 'b1', address: `127.0.0.1:${await freePort()}` };
    // The leader starts as a cluster of one and adds the followers, so it stays the leader for the whole run.
    leader = new RaftConsensus(benchOptions(self, [self], join(root, 'b1')));
    await leader.start(new CounterStateMachine());
    while (leader.status().role !== 'leader') await new Promise((r) => setTimeout(r, 10));
    for (const id of ['b2', 'b3']) {
      const address = `127.0.0.1:${await freePort()}`;
      const child = spawn(process.execPath, [join(__dirname, 'bench-follower.js'), id, address, self.id, self.address, join(root, id)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`follower ${id} exited with ${code}`)));
        child.stdout!.once('data', () => resolve());
      });
      await leader.addMember({ id, address });
    }
    out(
      `3 nodes (leader in-process, 2 follower processes), gRPC on 127.0.0.1, fsync on, ${COMMAND_BYTES}-byte commands, ${RUN_MS} ms per level`,
    );
    const results = [];
    for (const c of CONCURRENCY) {
      const r = await measure(leader, c);
      results.push(r);
      out(
        `  ${String(c).padStart(3)} proposers: ${r.proposalsPerSec} commits/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (${r.proposals} proposals)`,
      );
    }
    out(JSON.stringify({ bench: 'raft', nodes: 3, fsync: true, commandBytes: COMMAND_BYTES, runMs: RUN_MS, results }));
  } finally {
    await leader?.stop();
    for (const child of children) {
      child.stdin?.end();
      child.kill('SIGTERM');
    }
    await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))));
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`raft bench failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
