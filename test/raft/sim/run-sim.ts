// `npm run sim -- --seeds N [--seed S] [--trace]`: runs N seeds (from S, default 1), prints each failing seed, replays
// the first failure with its trace, and ends with one line: how many seeds ran and how many had violations.
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
  if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(first)) {
    process.stderr.write('usage: run-sim --seeds N [--seed S] [--trace]\n');
    return 2;
  }
  let failed = 0;
  let firstFailure: number | null = null;
  const started = Date.now();
  for (let s = first; s < first + seeds; s++) {
    const result = await runSeed(s);
    if (result.violations.length > 0) {
      failed++;
      firstFailure ??= s;
      out(`seed ${s} FAILED: ${result.violations.join('; ')} (replay: npm run sim -- --seed ${s} --trace)`);
    } else if (process.argv.includes('--trace')) {
      out(`seed ${s} ok ${JSON.stringify(result.stats)}`);
    }
  }
  if (firstFailure !== null) {
    // Replay the first failure: the same seed gives the same run, now with a longer trace.
    const replay = await runSeed(firstFailure, { traceLines: 600 });
    out(`replay of seed ${firstFailure} (npm run sim -- --seed ${firstFailure}):`);
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
