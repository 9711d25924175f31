// Re-reading a file through a real mount: a 64 MiB file written and closed, then opened and read whole twice; with
// client.keepCache the second open keeps the kernel's cached pages (the master shows the file unchanged), without
// it the pages are dropped at open and every byte comes from the chunkservers again. One cluster per setting, in
// turn (1 master, 2 chunkservers, 1 mount-fuse3 client). Last line: one JSON object.
// Usage: npm run bench:reread [-- --mib 64 --rounds 2]
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterDown, clusterUp } from 'mooseng/dist/cluster/local-cluster';

const flag = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(v > 0)) throw new Error(`--${name} takes a positive number`);
  return v;
};
const MIB = flag('mib', 64);
const ROUNDS = flag('rounds', 2);
const IO_BYTES = 1024 * 1024;

/** Opens `path`, reads it whole in 1 MiB reads, closes it: MiB/s. */
function readWhole(path: string): number {
  const buf = Buffer.allocUnsafe(IO_BYTES);
  const t0 = performance.now();
  const fd = openSync(path, 'r');
  let total = 0;
  for (let n; (n = readSync(fd, buf, 0, IO_BYTES, null)) > 0;) total += n;
  closeSync(fd);
  if (total !== MIB * IO_BYTES) throw new Error(`read ${total} bytes of ${path}, wrote ${MIB * IO_BYTES}`);
  return MIB / ((performance.now() - t0) / 1000);
}

async function measure(keepCache: boolean, round: number): Promise<{ first: number; second: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'mooseng-reread-'));
  try {
    const state = await clusterUp(
      { dir, masters: 1, chunkservers: 2, disks: 1, clients: 1, clusterId: 'bench', basePort: 27421, clientSettings: { keepCache } },
      () => undefined,
    );
    const mount = state.nodes.find((n) => n.role === 'client')!.mountPoint!;
    const file = join(mount, `reread-${round}`);
    const data = Buffer.alloc(IO_BYTES, 0x6d);
    const fd = openSync(file, 'w');
    for (let i = 0; i < MIB; i++) writeSync(fd, data);
    closeSync(fd);
    return { first: readWhole(file), second: readWhole(file) };
  } finally {
    await clusterDown(dir, () => undefined, false);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: Record<string, { first: number; second: number }[]> = { keepCacheOff: [], keepCacheOn: [] };
  // Interleaved: off, on, off, on ...
  for (let round = 0; round < ROUNDS; round++) {
    for (const keepCache of [false, true]) {
      const r = await measure(keepCache, round);
      results[keepCache ? 'keepCacheOn' : 'keepCacheOff']!.push(r);
      process.stdout.write(
        `# keepCache ${keepCache ? 'on ' : 'off'}: ${MIB} MiB read ${r.first.toFixed(0)} MiB/s, read again ${r.second.toFixed(0)} MiB/s\n`,
      );
    }
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
