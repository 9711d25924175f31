// Round trips per file operation through a real mount: a cluster started like `mooseng cluster up` (1 or 3 masters,
// 1 chunkserver, 1 mount), each operation of fsbench's metadata phases done N times with plain syscalls, and the
// counters read from /metrics around each phase: FUSE requests the client served (by operation), ClientToMaster
// calls the leader served (by method) and Raft proposals and log writes (fsync batches) on the leader. Prints the
// per-operation averages; the last line is one JSON object.
// Usage: npm run bench:round-trips [-- --masters 3] [-- --files 200]
import { execFileSync } from 'node:child_process';
import { closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterDown, clusterUp } from 'mooseng/dist/cluster/local-cluster';
import type { ClusterState } from 'mooseng/dist/cluster/cluster-state';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(v > 0) || !Number.isInteger(v)) throw new Error(`--${name} takes a positive whole number`);
  return v;
}
const masters = flag('masters', 1);
const files = flag('files', 200);

type Counts = Map<string, number>;

/** Sums of the Prometheus samples of the named metrics, keyed `metric{label=value}` by the one label that matters. */
async function scrape(url: string): Promise<Counts> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).text();
  const out: Counts = new Map();
  const add = (key: string, v: number): void => void out.set(key, (out.get(key) ?? 0) + v);
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m) continue;
    const [, name, labels = '', value] = m;
    const label = (key: string): string => new RegExp(`${key}="([^"]*)"`).exec(labels)?.[1] ?? '';
    const v = Number(value);
    if (name === 'mooseng_operations_total') add(`fuse:${label('operation')}`, v);
    else if (name === 'mooseng_master_requests_total') add(`rpc:${label('method')}`, v);
    else if (name === 'mooseng_raft_proposals_total') add(`raft:proposals`, v);
    else if (name === 'mooseng_raft_log_write_seconds_count') add(`raft:log-writes`, v);
  }
  return out;
}

/** What changed between two scrapes, per operation done. */
function perOp(before: Counts, after: Counts, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0) out[k] = Number((d / n).toFixed(2));
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mooseng-trips-'));
  let state: ClusterState | undefined;
  const results: Record<string, Record<string, number>> = {};
  try {
    state = await clusterUp(
      { dir, masters, chunkservers: 1, disks: 1, clients: 1, goal: 1, clusterId: 'trips', basePort: 27421 },
      () => undefined,
    );
    const client = state.nodes.find((n) => n.role === 'client')!;
    const masterNodes = state.nodes.filter((n) => n.role === 'master');
    const counts = async (): Promise<Counts> => {
      const all = await Promise.all([client, ...masterNodes].map((n) => scrape(`http://${n.host}:${n.httpPort}/metrics`)));
      // Followers serve no client calls and their proposals are the leader's entries again: the leader's counts
      // only (the master that served the most calls).
      const served = (c: Counts): number => [...c].reduce((n, [k, v]) => (k.startsWith('rpc:') ? n + v : n), 0);
      const leader = all.slice(1).reduce((best, c) => (served(c) > served(best) ? c : best));
      const merged: Counts = new Map(all[0]);
      for (const [k, v] of leader) merged.set(k, v);
      return merged;
    };
    const work = join(client.mountPoint, 'trips');
    mkdirSync(work);
    const name = (i: number): string => join(work, `f${i}`);
    const phase = async (label: string, run: () => void, n = files): Promise<void> => {
      const before = await counts();
      run();
      // Releases are sent after close(2) returns; give them a moment to be counted.
      await new Promise((r) => setTimeout(r, 500));
      results[label] = perOp(before, await counts(), n);
      process.stdout.write(`# ${masters} master(s), ${label}: ${JSON.stringify(results[label])}\n`);
    };
    await phase('create (open O_CREAT|O_EXCL, close)', () => {
      for (let i = 0; i < files; i++) closeSync(openSync(name(i), 'wx'));
    });
    await phase('stat', () => {
      for (let i = 0; i < files; i++) statSync(name(i));
    });
    await phase('ls -l (per file)', () => void execFileSync('ls', ['-l', work], { stdio: 'ignore' }));
    await phase('unlink', () => {
      for (let i = 0; i < files; i++) unlinkSync(name(i));
    });
    const block = Buffer.alloc(4096, 7);
    await phase('small file (open O_CREAT|O_TRUNC, write 4 KiB, close)', () => {
      for (let i = 0; i < files; i++) {
        const fd = openSync(name(i), 'w');
        writeSync(fd, block);
        closeSync(fd);
      }
    });
    await phase('stat of a missing name', () => {
      for (let i = 0; i < files; i++) {
        try {
          lstatSync(join(work, `missing${i % 10}`));
        } catch {
          /* expected */
        }
      }
    });
  } finally {
    if (state) await clusterDown(dir, () => undefined, false);
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify({ masters, files, results }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
