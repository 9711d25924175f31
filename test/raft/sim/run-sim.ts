// `npm run sim -- --seeds N [--seed S] [--sync commit|quorum-memory] [--trace]`: runs N seeds (from S, default 1) with
// the hosts in that durability mode (default commit), prints each failing seed, replays the first failure with its
// trace, and ends with one line: how many seeds ran and how many had violations.
import { RAFT_SYNC_MODES, type RaftSyncMode } from '@mooseng/plugin-replication-raft';
import { runSeed } from './sim-world';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const single = arg('seed');
  const seeds = Number(arg('seeds') ?? (single !== undefined ? 1 : 100));
  const first = Number(single ?? 1);
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const sync = (arg('sync') ?? 'commit') as RaftSyncMode;
  if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(first) || !RAFT_SYNC_MODES.includes(sync)) {
    process.stderr.write(`usage: run-sim --seeds N [--seed S] [--sync ${RAFT_SYNC_MODES.join('|')}] [--trace]\n`);
    if (!RAFT_SYNC_MODES.includes(sync)) process.stderr.write(`--sync ${sync}: expected one of ${RAFT_SYNC_MODES.join(', ')}\n`);
    return 2;
  }
  let failed = 0;
  let firstFailure: number | null = null;
  const started = Date.now();
  for (let s = first; s < first + seeds; s++) {
    const result = await runSeed(s, { sync });
    if (result.violations.length > 0) {
      failed++;
      firstFailure ??= s;
      out(`seed ${s} FAILED: ${result.violations.join('; ')} (replay: npm run sim -- --seed ${s} --sync ${sync} --trace)`);
    } else if (process.argv.includes('--trace')) {
      out(`seed ${s} ok ${JSON.stringify(result.stats)}`);
    }
  }
  if (firstFailure !== null) {
    // Replay the first failure: the same seed gives the same run, now with a longer trace.
    const replay = await runSeed(firstFailure, { traceLines: 600, sync });
    out(`replay of seed ${firstFailure} (npm run sim -- --seed ${firstFailure} --sync ${sync}):`);
    for (const line of replay.trace) out(`  ${line}`);
    out(`  violations: ${replay.violations.join('; ')}`);
  }
  out(`${seeds} seeds ran in ${((Date.now() - started) / 1000).toFixed(1)} s, ${failed} with violations`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`simulation crashed: ${(err as Error).stack}\n`);
    process.exitCode = 2;
  },
);
