// FUSE layer benchmark: the same in-memory file system mounted behind both bindings (libfuse 3 low-level and
// fuse-native), one after the other in one sitting, with the workload run by a child process. `npm run bench:fuse`.
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

async function main(): Promise<void> {
  const fuse3 = await measure('fuse3', new Fuse3LowLevelMount(silentLogger));
  if (ONLY === 'fuse3') {
    console.log(`FUSE layer, libfuse 3 binding alone: ${JSON.stringify(fuse3)}`);
    return;
  }
  const native = await measure('fuse-native', new FuseNativeMount(silentLogger));
  const row = (label: string, key: keyof Figures, unit: string): string =>
    `${label.padEnd(22)} ${fuse3[key].toFixed(0).padStart(10)} ${native[key].toFixed(0).padStart(12)} ${(fuse3[key] / native[key]).toFixed(2).padStart(8)}x  ${unit}`;
  console.log(`FUSE layer, in-memory backend: ${FILES} files, ${SEQ_MIB} MiB sequential (1 MiB requests from the program)`);
  console.log(`${''.padEnd(22)} ${'fuse3-ll'.padStart(10)} ${'fuse-native'.padStart(12)} ${'ratio'.padStart(9)}`);
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
