// `npm run faults -- --seed N --schedules K [--keep-logs DIR]`: seeded fault schedules on a real cluster (3 masters, 3 chunkservers,
// 2 mounts, goal 2; each node in its own network namespace, each chunkserver disk a tmpfs); prints each schedule and
// ends with a totals line. Exit status 1 when any byte was lost. Needs root.
import { cpSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cleanupTempDirs } from '../../support';
import { TestCluster } from '../harness';
import { FAULT_CLUSTER, FaultHarness, type ScheduleResult } from './fault-harness';
import { FAULT_KINDS, type FaultKind } from './fault-schedule';
import { killProbes } from './partition-fault';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--${name} takes a non-negative integer, not ${process.argv[i + 1]}`);
  return v;
}

function stringFlag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function kindsFlag(): readonly FaultKind[] {
  const i = process.argv.indexOf('--kinds');
  if (i < 0) return FAULT_KINDS;
  const kinds = (process.argv[i + 1] ?? '').split(',').filter(Boolean) as FaultKind[];
  for (const k of kinds) if (!FAULT_KINDS.includes(k)) throw new Error(`--kinds: unknown fault "${k}"; known: ${FAULT_KINDS.join(', ')}`);
  return kinds;
}

async function main(): Promise<void> {
  const seed = flag('seed', Date.now() % 1_000_000);
  const schedules = flag('schedules', 5);
  const faults = flag('faults', 4);
  const maxFileBytes = flag('max-file-mib', 8) * 1024 * 1024;
  const kinds = kindsFlag();
  console.log(`faults: seed ${seed}, ${schedules} schedules of ${faults} faults (${kinds.join(', ')}); replay with --seed ${seed}`);
  const cluster = await TestCluster.start(FAULT_CLUSTER);
  console.log(
    `network sandbox ${cluster.network!.runId} (namespaces ${cluster.network!.runId}-*), subnet ${cluster.network!.hostAddress}/24`,
  );
  // Ctrl-C or a kill: no after-hook runs, so the cluster's processes, mounts, namespaces and tmpfs go here.
  const onSignal = (signal: NodeJS.Signals) => {
    console.log(`${signal}: stopping the cluster and removing what it made`);
    killProbes();
    cluster.stopNowSync();
    cleanupTempDirs();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const totals = { schedules: 0, faults: 0, acknowledged: 0, verified: 0, lost: 0 };
  let failed = false;
  try {
    const harness = new FaultHarness(cluster, { seed, faults, maxFileBytes, kinds, log: (l) => console.log(l) });
    for (let i = 0; i < schedules; i++) {
      let r: ScheduleResult;
      const started = Date.now();
      try {
        r = await harness.runSchedule(i);
      } catch (err) {
        console.log(`schedule ${i} (seed ${seed}): ${(err as Error).message}`);
        console.log(cluster.logs());
        failed = true;
        break;
      }
      totals.schedules++;
      totals.faults += r.steps.length;
      totals.acknowledged += r.writesAcknowledged;
      totals.verified += r.bytesVerified;
      totals.lost += r.bytesLost;
      console.log(
        `schedule ${i}: ${r.writesAcknowledged} writes acknowledged, ${r.writesFailed} failed during faults, ${r.readsDuringFaults} reads (${r.readErrorsDuringFaults} errors), ` +
          `back at goal ${r.recoveryMs} ms after the last fault, ${r.bytesVerified} bytes verified, ${r.bytesLost} lost (${Math.round((Date.now() - started) / 1000)} s)`,
      );
      for (const p of r.problems) console.log(`  PROBLEM: ${p}`);
      if (r.problems.length > 0) failed = true;
    }
  } finally {
    await cluster.stop();
    // The whole logs of every node outlive the cluster's temporary directory when asked (a failure's full story).
    const keep = stringFlag('keep-logs');
    if (keep) {
      mkdirSync(keep, { recursive: true });
      for (const n of cluster.state.nodes) cpSync(n.logPath, join(keep, basename(n.logPath)));
      console.log(`logs of every node copied to ${keep} (from ${dirname(cluster.state.nodes[0]!.logPath)})`);
    }
    cleanupTempDirs();
  }
  console.log(
    `faults totals: schedules ${totals.schedules}, faults ${totals.faults}, writes acknowledged ${totals.acknowledged}, bytes verified ${totals.verified}, bytes lost ${totals.lost} (seed ${seed})`,
  );
  process.exit(failed || totals.lost > 0 ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
