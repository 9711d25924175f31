// FUSE layer benchmark: the same in-memory file system mounted behind both bindings (libfuse 3 low-level and
// fuse-native), alternately in one sitting, each run in a fresh process, the workload in a child of it.
// `npm run bench:fuse` (BENCH_FUSE_ROUNDS, BENCH_FUSE_FILES, BENCH_FUSE_MIB).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type IMount, silentLogger } from '@mooseng/core';
import { Fuse3LowLevelMount } from '@mooseng/plugin-mount-fuse3';
import { FuseNativeMount } from '@mooseng/plugin-mount-fuse-native';
import { MemoryFileSystem } from './memory-fs';

const run = promisify(execFile);
/** Files created, statted and unlinked per binding. */
const FILES = Number(process.env.BENCH_FUSE_FILES ?? 5000);
/** MiB written and read sequentially per binding. */
const SEQ_MIB = Number(process.env.BENCH_FUSE_MIB ?? 512);
/** `fuse3`: measure the libfuse 3 binding alone (the AddressSanitizer run, plugins/mount-fuse3/scripts/test-asan.sh). */
const ONLY = process.env.BENCH_FUSE_ONLY;

interface Figures {
  creates: number;
  stats: number;
  unlinks: number;
  writeMiBs: number;
  readMiBs: number;
}

async function measure(name: string, mount: IMount): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), `mooseng-bench-${name}-`));
  await mount.mount(dir, new MemoryFileSystem(), {
    fsname: `bench-${name}`,
    readOnly: false,
    defaultPermissions: false,
    allowOther: false,
  });
  try {
    const { stdout } = await run(process.execPath, [join(__dirname, 'workload.js'), dir, String(FILES), String(SEQ_MIB)], {
      maxBuffer: 1 << 20,
    });
    return JSON.parse(stdout) as Figures;
  } finally {
    await mount.unmount();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rounds of the pair (each binding once per round, alternating, each in a fresh process). */
const ROUNDS = Number(process.env.BENCH_FUSE_ROUNDS ?? 2);
type Binding = 'fuse3' | 'fuse-native';

/**
 * One binding measured in a process of its own, so neither inherits the other's heap (the backend holds
 * SEQ_MIB of pages; a second mount in the same process would reuse memory the first paid to fault in).
 */
async function measureApart(binding: Binding): Promise<Figures> {
  const { stdout } = await run(process.execPath, [__filename, '--one', binding], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Figures;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const one = process.argv.indexOf('--one');
  if (one >= 0) {
    const binding = process.argv[one + 1] as Binding;
    const mount = binding === 'fuse3' ? new Fuse3LowLevelMount(silentLogger) : new FuseNativeMount(silentLogger);
    process.stdout.write(`${JSON.stringify(await measure(binding, mount))}\n`);
    return;
  }
  if (ONLY === 'fuse3') {
    const fuse3 = await measure('fuse3', new Fuse3LowLevelMount(silentLogger));
    console.log(`FUSE layer, libfuse 3 binding alone: ${JSON.stringify(fuse3)}`);
    return;
  }
  const runs: Record<Binding, Figures[]> = { fuse3: [], 'fuse-native': [] };
  // A B A B ...: the machine's load moves; alternating spreads it over both.
  for (let r = 0; r < ROUNDS; r++) for (const b of ['fuse3', 'fuse-native'] as const) runs[b].push(await measureApart(b));
  const med = (b: Binding, key: keyof Figures): number => median(runs[b].map((f) => f[key]));
  const each = (b: Binding, key: keyof Figures): string => runs[b].map((f) => f[key].toFixed(0)).join('/');
  const row = (label: string, key: keyof Figures, unit: string): string =>
    `${label.padEnd(18)} ${med('fuse3', key).toFixed(0).padStart(8)} ${med('fuse-native', key).toFixed(0).padStart(12)} ${(med('fuse3', key) / med('fuse-native', key)).toFixed(2).padStart(7)}x  ${unit.padEnd(6)} runs ${each('fuse3', key)} | ${each('fuse-native', key)}`;
  console.log(
    `FUSE layer, in-memory backend: ${FILES} files, ${SEQ_MIB} MiB sequential (1 MiB requests from the program), medians of ${ROUNDS} alternating rounds, one process per run`,
  );
  console.log(`${''.padEnd(18)} ${'fuse3-ll'.padStart(8)} ${'fuse-native'.padStart(12)} ${'ratio'.padStart(8)}`);
  console.log(row('creates', 'creates', 'per s'));
  console.log(row('stats', 'stats', 'per s'));
  console.log(row('unlinks', 'unlinks', 'per s'));
  console.log(row('sequential write', 'writeMiBs', 'MiB/s'));
  console.log(row('sequential read', 'readMiBs', 'MiB/s'));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
