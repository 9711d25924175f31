// The benchmarks' load: `concurrency` proposers, each issuing its next request as soon as the last one returns, for
// a warm-up and then a measured run; commits per second and the latency percentiles of the measured run.
import { performance } from 'node:perf_hooks';

/** How long each concurrency level runs, after its warm-up. */
export const RUN_MS = 4_000;
export const WARMUP_MS = 500;
export const CONCURRENCY = [1, 16, 128];
/** Bytes per proposed command (about a metadata operation). */
export const COMMAND_BYTES = 128;

export interface LoadResult {
  concurrency: number;
  proposalsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  proposals: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `concurrency` loops of `request(proposer)` (proposer = 0..concurrency-1) and measures them. */
export async function runLoad(concurrency: number, request: (proposer: number) => Promise<unknown>): Promise<LoadResult> {
  const latencies: number[] = [];
  let recording = false;
  let stop = false;
  const proposer = async (id: number): Promise<void> => {
    while (!stop) {
      const t = performance.now();
      await request(id);
      if (recording) latencies.push(performance.now() - t);
    }
  };
  // A failed request stops the run and fails it once every proposer has returned (not as an unhandled rejection
  // mid-run, which would end the process before its clusters are stopped).
  let failure: { error: unknown } | null = null;
  const all = Array.from({ length: concurrency }, (_, id) =>
    proposer(id).catch((error: unknown) => {
      failure ??= { error };
      stop = true;
    }),
  );
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  recording = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, RUN_MS));
  recording = false;
  const elapsed = performance.now() - started;
  stop = true;
  await Promise.all(all);
  if (failure) throw (failure as { error: unknown }).error;
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    proposals: latencies.length,
    proposalsPerSec: Math.round((latencies.length / elapsed) * 1000),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
  };
}
