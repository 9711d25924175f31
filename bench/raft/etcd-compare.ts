// `npm run bench:raft:etcd [-- --rounds N] [--sync commit|quorum-memory]`: MooseNG's Raft beside etcd 3.4 on this
// machine, both three members on 127.0.0.1 with fsync on, both driven by the same client process (etcd's KV.Put,
// etcd-kv.proto, over one connection) to their leader: 1, 16 and 128 concurrent proposers, each Put a 128-byte key
// and value. Ours serves it on a MooseNG control port and is measured over both of its client transports: framed
// (what MooseNG's clients use by default) and gRPC (what etcd's use), so the table shows what the Raft commit costs
// and what gRPC-js adds on top. Ours in the durability mode named (default: the plugin's, commit; quorum-memory acknowledges as etcd
// does, once a quorum holds the entry with the leader's copy counted before its fsync). Both clusters run for the whole sitting and the levels are interleaved (framed, gRPC, etcd, then the reverse
// ours in the next round), so a change in the machine's load hits both alike. Prints each run, then the median over
// the rounds side by side; the last line is one JSON object.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RAFT_CONFIG_DEFAULTS, RAFT_SYNC_MODES, type RaftSyncMode } from '@mooseng/plugin-replication-raft';
import { ensureEtcd, startEtcdCluster, type EtcdCluster } from './etcd-cluster';
import { kvClient, type KvClient } from './kv-client';
import { COMMAND_BYTES, CONCURRENCY, RUN_MS, runLoad, type LoadResult } from './load';

const KEY_BYTES = 8;
/** What is measured, in this order in odd rounds and the reverse in even ones. */
const TARGETS = ['mooseng', 'mooseng-grpc', 'etcd'] as const;
type Target = (typeof TARGETS)[number];

function parseRounds(argv: string[]): number {
  const at = argv.indexOf('--rounds');
  if (at < 0) return 3;
  const n = Number(argv[at + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--rounds takes a whole number of at least 1, not ${argv[at + 1]}`);
  return n;
}

function parseSync(argv: string[]): RaftSyncMode {
  const at = argv.indexOf('--sync');
  if (at < 0) return RAFT_CONFIG_DEFAULTS.sync;
  const mode = argv[at + 1] as RaftSyncMode;
  if (!RAFT_SYNC_MODES.includes(mode)) throw new Error(`--sync takes one of ${RAFT_SYNC_MODES.join(', ')}, not ${argv[at + 1]}`);
  return mode;
}

/** Starts bench-kv-leader.js (our three nodes behind KV.Put, in mode `sync`); resolves with its address once it serves. */
function startOurs(root: string, sync: RaftSyncMode): Promise<{ address: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(__dirname, 'bench-kv-leader.js'), root, sync], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench-kv-leader exited with ${code}`)));
    child.stdout!.once('data', (chunk: Buffer) => {
      const port = /ready (\d+)/.exec(chunk.toString())?.[1];
      if (port) resolve({ address: `127.0.0.1:${port}`, child });
      else reject(new Error(`bench-kv-leader said ${chunk.toString()}`));
    });
  });
}

async function stopOurs(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function load(client: KvClient, concurrency: number): Promise<LoadResult> {
  const keys = Array.from({ length: concurrency }, (_, i) => Buffer.from(`k${String(i).padStart(KEY_BYTES - 1, '0')}`));
  const value = Buffer.alloc(COMMAND_BYTES - KEY_BYTES, 7);
  return runLoad(concurrency, (proposer) => client.put(keys[proposer], value));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : Number(((s[mid - 1] + s[mid]) / 2).toFixed(2));
}

function summary(runs: LoadResult[]): { proposalsPerSec: number; p50Ms: number; p99Ms: number } {
  return {
    proposalsPerSec: Math.round(median(runs.map((r) => r.proposalsPerSec))),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
  };
}

async function main(): Promise<void> {
  const rounds = parseRounds(process.argv.slice(2));
  const sync = parseSync(process.argv.slice(2));
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const root = mkdtempSync(join(tmpdir(), 'mooseng-raft-etcd-'));
  let etcd: EtcdCluster | null = null;
  let ours: ChildProcess | null = null;
  const clients: KvClient[] = [];
  // Interrupted (Ctrl-C, a timeout's SIGTERM): etcd members do not die with us, so stop them by pid first.
  const onSignal = (signal: NodeJS.Signals): void => {
    void Promise.allSettled([stopOurs(ours), etcd?.stop()]).finally(() => {
      rmSync(root, { recursive: true, force: true });
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const version = ensureEtcd(out);
    mkdirSync(join(root, 'ours'));
    mkdirSync(join(root, 'etcd'));
    const started = await startOurs(join(root, 'ours'), sync);
    ours = started.child;
    etcd = await startEtcdCluster(join(root, 'etcd'), version);
    const targets: Record<Target, KvClient> = {
      mooseng: kvClient(started.address, 'framed'),
      'mooseng-grpc': kvClient(started.address, 'grpc'),
      etcd: kvClient(etcd.leaderAddress, 'grpc'),
    };
    clients.push(...Object.values(targets));
    out(
      `MooseNG Raft (sync ${sync}) vs etcd ${version}: 3 members each on 127.0.0.1, fsync on, KV.Put of ${KEY_BYTES}-byte keys and ` +
        `${COMMAND_BYTES - KEY_BYTES}-byte values to the leader (ours framed and gRPC, etcd gRPC), ${RUN_MS} ms per level, ${rounds} rounds interleaved`,
    );
    const loadBefore = loadavg();
    const runs: Record<Target, Map<number, LoadResult[]>> = { mooseng: new Map(), 'mooseng-grpc': new Map(), etcd: new Map() };
    for (let round = 1; round <= rounds; round++) {
      for (const c of CONCURRENCY) {
        const order = round % 2 ? TARGETS : [...TARGETS].reverse();
        for (const who of order) {
          const r = await load(targets[who], c);
          if (!runs[who].has(c)) runs[who].set(c, []);
          runs[who].get(c)!.push(r);
          out(
            `  round ${round} ${who.padEnd(12)} ${String(c).padStart(3)} proposers: ${r.proposalsPerSec} commits/s, ` +
              `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
          );
        }
      }
    }
    const loadAfter = loadavg();
    out(`load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after`);
    out(
      `median of ${rounds} rounds    MooseNG framed: commits/s  p50 ms  p99 ms | MooseNG gRPC: commits/s  p50 ms  p99 ms | etcd: commits/s  p50 ms  p99 ms`,
    );
    const results = CONCURRENCY.map((c) => ({
      concurrency: c,
      mooseng: summary(runs.mooseng.get(c)!),
      moosengGrpc: summary(runs['mooseng-grpc'].get(c)!),
      etcd: summary(runs.etcd.get(c)!),
    }));
    for (const { concurrency, mooseng: m, moosengGrpc: g, etcd: e } of results) {
      const cols = (s: { proposalsPerSec: number; p50Ms: number; p99Ms: number }): string =>
        `${String(s.proposalsPerSec).padStart(9)} ${String(s.p50Ms).padStart(7)} ${String(s.p99Ms).padStart(7)}`;
      out(`  ${String(concurrency).padStart(3)} proposers                  ${cols(m)} |              ${cols(g)} |      ${cols(e)}`);
    }
    out(
      JSON.stringify({
        bench: 'raft-vs-etcd',
        etcdVersion: version,
        members: 3,
        fsync: true,
        sync,
        commandBytes: COMMAND_BYTES,
        runMs: RUN_MS,
        rounds,
        loadavg: { before: loadBefore, after: loadAfter },
        results,
      }),
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const c of clients) c.close();
    await stopOurs(ours);
    await etcd?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`raft vs etcd bench failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
