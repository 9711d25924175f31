// Benchmark of the chunkserver data path: bytes through the data plane to one chunkserver and along a chain of
// three, with storage-fs, storage-directio and storage-fs + lz4, next to the same disk's raw write and read, measured
// the same way (same files per chunk, fdatasync at each file's close, page cache dropped before every read phase when
// root), in --rounds rounds (default 3) interleaved: raw, every case, raw, every case ... Figures are medians; ratios
// are the median of each round's ratio to that round's raw figure. CPU-s per GiB is measured from /proc for the
// chunkserver processes and from process.cpuUsage for the client. Chunkservers are real `mooseng chunkserver`
// processes. Run with `npm run bench:chunkserver` (`-- --size-mib 256 --rounds 1` for a quick run, `-- --cases
// fs-1,fs-chain3` for some cases, `-- --dir D` for another disk); the last line printed is one JSON object. The -tls
// cases are the same with node.tls on every chunkserver (a CA made for the run) and the client dialling with the CA:
// what TLS costs the data plane alone, in MB/s and CPU-s per GiB.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { constants, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHUNK_SIZE_BYTES, DataPlaneClient, MAX_FRAME_DATA_BYTES, SystemClock } from '@mooseng/core';
import { initCa, issueCertificate } from 'mooseng/dist/certs/certificate-authority';
import { allocAligned } from '@mooseng/plugin-storage-directio';

const REPO_ROOT = resolve(__dirname, '..', '..');
const CLI_BIN = join(REPO_ROOT, 'cli', 'bin', 'run.js');
/** Bytes moved per case unless --size-mib says otherwise: 1 GiB. */
const DEFAULT_SIZE_MIB = 1024;
/** Chunks written or read at the same time by the client (each already pipelines its 64 frames). */
const CHUNKS_IN_FLIGHT = 2;
/** How long a chunkserver process may take to answer /health. */
const START_TIMEOUT_MS = 20_000;
const MB = 1e6;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const SIZE_BYTES = Number(arg('size-mib') ?? DEFAULT_SIZE_MIB) * 1024 * 1024;
const BASE_DIR = arg('dir') ?? tmpdir();
/** Rounds of raw disk + every case, interleaved; figures are medians over them. */
const ROUNDS = Number(arg('rounds') ?? 3);
/** The kernel's clock ticks per second, the unit of /proc/PID/stat's CPU times. */
const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function print(line: string): void {
  process.stdout.write(line + '\n');
}

function mbps(bytes: number, ms: number): number {
  return Math.round((bytes / MB / (ms / 1000)) * 10) / 10;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

/** Incompressible bytes (xorshift32) for the plain cases. */
function noise(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = 0x9e3779b9;
  for (let i = 0; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  return out;
}

/** Text-like bytes that lz4 roughly halves: lines of log output with varying numbers. */
function logText(length: number): Buffer {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const line = `2026-11-22T03:${String(i % 60).padStart(2, '0')}:00Z chunkserver cs-${i % 7} wrote chunk ${i * 7919} block ${i % 1024} in ${(i * 37) % 1000} us\n`;
    parts.push(line);
    size += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, length);
}

/** Chunk-sized files of the raw run, one per chunk, as the chunkserver's storage-fs would have them. */
function rawPath(dir: string, i: number): string {
  return join(dir, `raw-${i}`);
}

/**
 * The disk's own figures, measured the way the chunkserver uses it so that the ratios mean something: one file per
 * 64 MiB chunk written in 1 MiB pieces and fdatasync'd at close (storage-fs with `fsync: on-close`), CHUNKS_IN_FLIGHT
 * at a time; then read back in 1 MiB pieces with the same parallelism, after the page cache was dropped (as the
 * chunkserver's reads are), or O_DIRECT for `direct`.
 */
async function rawRun(
  dir: string,
  data: Buffer,
  chunks: number,
  chunkBytes: number,
  direct: boolean,
): Promise<{ writeMs: number; readMs: number }> {
  const flags = direct ? constants.O_DIRECT : 0;
  const t0 = performance.now();
  await eachChunk(chunks, async (i) => {
    const file = await open(rawPath(dir, i), constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | flags, 0o644);
    const piece = direct ? allocAligned(MAX_FRAME_DATA_BYTES) : Buffer.allocUnsafe(MAX_FRAME_DATA_BYTES);
    for (let pos = 0; pos < chunkBytes; pos += MAX_FRAME_DATA_BYTES) {
      data.copy(piece, 0, pos, pos + MAX_FRAME_DATA_BYTES);
      await file.write(piece, 0, MAX_FRAME_DATA_BYTES, pos);
    }
    await file.datasync();
    await file.close();
  });
  const writeMs = performance.now() - t0;
  await dropCaches();
  const t1 = performance.now();
  await eachChunk(chunks, async (i) => {
    const file = await open(rawPath(dir, i), constants.O_RDONLY | flags);
    const piece = direct ? allocAligned(MAX_FRAME_DATA_BYTES) : Buffer.allocUnsafe(MAX_FRAME_DATA_BYTES);
    for (let pos = 0; pos < chunkBytes; pos += MAX_FRAME_DATA_BYTES) await file.read(piece, 0, MAX_FRAME_DATA_BYTES, pos);
    await file.close();
  });
  const readMs = performance.now() - t1;
  for (let i = 0; i < chunks; i++) await rm(rawPath(dir, i), { force: true });
  return { writeMs, readMs };
}

/** Whether the page cache can be dropped here (root); without it every read phase reads warm, raw ones too. */
let canDropCaches = true;

/** Writes back and drops the page cache, so that a read phase reads from the disk (needs root). */
async function dropCaches(): Promise<void> {
  if (!canDropCaches) return;
  try {
    spawnSync('sync');
    await writeFile('/proc/sys/vm/drop_caches', '3\n');
  } catch {
    canDropCaches = false;
    print('(cannot drop the page cache: not root. Every read, raw and chunkserver, reads from the page cache.)');
  }
}

/** CPU seconds a process has used so far (user + system), from /proc. */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime is 14th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** The client's (this process's) CPU seconds so far. */
function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

interface ServerProcess {
  child: ChildProcess;
  address: string;
  dir: string;
}

/** The CA of the -tls cases, made once per run in <root>/tls. */
function tlsDir(root: string): string {
  const dir = join(root, 'tls');
  if (!existsSync(join(dir, 'ca.crt'))) initCa(dir, 'bench');
  return dir;
}

async function startServer(root: string, name: string, store: string, compressor: string, tls: boolean): Promise<ServerProcess> {
  const dir = join(root, name);
  let nodeTls = '';
  if (tls) {
    const ca = tlsDir(root);
    const files = issueCertificate(ca, { role: 'chunkserver', name, hosts: ['127.0.0.1'], force: true });
    nodeTls = `, tls: { caFile: ${join(ca, 'ca.crt')}, certFile: ${files.cert}, keyFile: ${files.key} }`;
  }
  const port = await freePort();
  const httpPort = await freePort();
  const config = join(root, `${name}.yaml`);
  await writeFile(
    config,
    [
      'role: chunkserver',
      `node: { id: ${name}, dataDir: ${dir}${nodeTls} }`,
      `log: { level: warn, file: ${join(root, `${name}.log`)} }`,
      `plugins: { chunk-store: ${store}, compressor: ${compressor}, metrics: none }`,
      `${store}: { fsync: on-close }`,
      'chunkserver:',
      '  host: 127.0.0.1',
      `  port: ${port}`,
      `  httpPort: ${httpPort}`,
      `  masters: ["127.0.0.1:${await freePort()}"]`,
      '  scrubRateMBps: 0',
      `  dataDirs: [${join(dir, 'disk0')}]`,
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [CLI_BIN, 'chunkserver', '--config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${httpPort}/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`chunkserver ${name} exited with ${child.exitCode}; see ${join(root, `${name}.log`)}`);
    if (Date.now() > deadline) throw new Error(`chunkserver ${name} did not start within ${START_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, address: `127.0.0.1:${port}`, dir };
}

async function stopServer(server: ServerProcess): Promise<void> {
  if (server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
  }
  await rm(server.dir, { recursive: true, force: true });
}

/** Runs `fn` over chunk indexes with CHUNKS_IN_FLIGHT at a time. */
async function eachChunk(chunks: number, fn: (i: number, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CHUNKS_IN_FLIGHT }, async (_, worker) => {
      while (next < chunks) await fn(next++, worker);
    }),
  );
}

/** One case's figures in one round. */
interface CaseRun {
  writeMBps: number;
  readMBps: number;
  /** CPU seconds per GiB of client data, summed over the case's chunkservers, and the client's. */
  serverCpuPerGiBWrite: number;
  serverCpuPerGiBRead: number;
  clientCpuPerGiBWrite: number;
  clientCpuPerGiBRead: number;
}

interface CaseSpec {
  name: string;
  store: string;
  compressor: string;
  replicas: number;
  text: boolean;
  /** node.tls on the chunkservers, the client dialling with the CA. */
  tls?: boolean;
}

const CASES: CaseSpec[] = [
  { name: 'fs-1', store: 'storage-fs', compressor: 'none', replicas: 1, text: false },
  { name: 'fs-chain3', store: 'storage-fs', compressor: 'none', replicas: 3, text: false },
  { name: 'fs-1-tls', store: 'storage-fs', compressor: 'none', replicas: 1, text: false, tls: true },
  { name: 'fs-chain3-tls', store: 'storage-fs', compressor: 'none', replicas: 3, text: false, tls: true },
  { name: 'directio-1', store: 'storage-directio', compressor: 'none', replicas: 1, text: false },
  { name: 'directio-chain3', store: 'storage-directio', compressor: 'none', replicas: 3, text: false },
  { name: 'fs-lz4-1', store: 'storage-fs', compressor: 'compression-lz4', replicas: 1, text: true },
  { name: 'fs-lz4-chain3', store: 'storage-fs', compressor: 'compression-lz4', replicas: 3, text: true },
];

async function runCase(root: string, spec: CaseSpec, data: Buffer, chunks: number, chunkBytes: number): Promise<CaseRun> {
  const servers: ServerProcess[] = [];
  const tls = spec.tls ? { ca: readFileSync(join(tlsDir(root), 'ca.crt')) } : undefined;
  const client = new DataPlaneClient({ clock: new SystemClock(), timeoutMs: 120_000, tls });
  try {
    for (let i = 0; i < spec.replicas; i++)
      servers.push(await startServer(root, `${spec.name}-${i}`, spec.store, spec.compressor, spec.tls === true));
    const head = servers[0]!.address;
    const chain = servers.slice(1).map((s) => s.address);
    const body = data.subarray(0, chunkBytes);
    const serverCpu = (): number => servers.reduce((sum, s) => sum + processCpuSeconds(s.child.pid!), 0);
    for (let i = 0; i < chunks; i++) await client.create(head, { chunkId: i + 1, version: 1 }, { chain });
    const cpu0 = [serverCpu(), selfCpuSeconds()];
    const t0 = performance.now();
    await eachChunk(chunks, (i) => client.write(head, { chunkId: i + 1, version: 1 }, 0, body, { chain }));
    const writeMs = performance.now() - t0;
    const cpu1 = [serverCpu(), selfCpuSeconds()];
    await dropCaches();
    let mismatches = 0;
    const cpu2 = [serverCpu(), selfCpuSeconds()];
    const t1 = performance.now();
    // As the mount reads: straight into the reader's buffer (readInto), here one per chunk in flight, reused.
    const intos = Array.from({ length: CHUNKS_IN_FLIGHT }, () => Buffer.allocUnsafe(chunkBytes));
    await eachChunk(chunks, async (i, worker) => {
      const into = intos[worker]!;
      const got = await client.readInto(head, { chunkId: i + 1, version: 1 }, 0, into, () => undefined);
      if (got !== chunkBytes || !into.equals(body.subarray(0, chunkBytes))) mismatches++;
    });
    const readMs = performance.now() - t1;
    const cpu3 = [serverCpu(), selfCpuSeconds()];
    if (mismatches > 0) throw new Error(`${spec.name}: ${mismatches} chunks read back differently from what was written`);
    const bytes = chunks * chunkBytes;
    const gib = bytes / 2 ** 30;
    const perGiB = (a: number, b: number): number => round2((b - a) / gib);
    return {
      writeMBps: mbps(bytes, writeMs),
      readMBps: mbps(bytes, readMs),
      serverCpuPerGiBWrite: perGiB(cpu0[0]!, cpu1[0]!),
      serverCpuPerGiBRead: perGiB(cpu2[0]!, cpu3[0]!),
      clientCpuPerGiBWrite: perGiB(cpu0[1]!, cpu1[1]!),
      clientCpuPerGiBRead: perGiB(cpu2[1]!, cpu3[1]!),
    };
  } finally {
    client.close();
    for (const s of servers) await stopServer(s);
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : round2((v[m - 1]! + v[m]!) / 2);
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(BASE_DIR, 'mooseng-bench-cs-'));
  const only = arg('cases')?.split(',');
  const cases = CASES.filter((c) => !only || only.includes(c.name));
  if (cases.length === 0) throw new Error(`--cases names none of ${CASES.map((c) => c.name).join(', ')}`);
  try {
    const chunks = Math.max(1, Math.ceil(SIZE_BYTES / CHUNK_SIZE_BYTES));
    const chunkBytes = Math.min(CHUNK_SIZE_BYTES, SIZE_BYTES);
    print(`chunkserver benchmark: ${(chunks * chunkBytes) / 2 ** 20} MiB per case, ${ROUNDS} rounds interleaved, in ${root}`);
    const incompressible = noise(CHUNK_SIZE_BYTES);
    const text = logText(CHUNK_SIZE_BYTES);
    const rawRuns: Array<{ writeMBps: number; readMBps: number; directWriteMBps: number; directReadMBps: number }> = [];
    const runs: Record<string, CaseRun[]> = Object.fromEntries(cases.map((c) => [c.name, []]));
    const ratios: Record<string, { write: number[]; read: number[] }> = Object.fromEntries(
      cases.map((c) => [c.name, { write: [], read: [] }]),
    );
    for (let round = 1; round <= ROUNDS; round++) {
      const buffered = await rawRun(root, incompressible, chunks, chunkBytes, false);
      const direct = await rawRun(root, incompressible, chunks, chunkBytes, true);
      const raw = {
        writeMBps: mbps(chunks * chunkBytes, buffered.writeMs),
        readMBps: mbps(chunks * chunkBytes, buffered.readMs),
        directWriteMBps: mbps(chunks * chunkBytes, direct.writeMs),
        directReadMBps: mbps(chunks * chunkBytes, direct.readMs),
      };
      rawRuns.push(raw);
      print(
        `round ${round} raw disk        write ${raw.writeMBps} MB/s, read ${raw.readMBps} MB/s (buffered, fdatasync per chunk file, cold reads); O_DIRECT write ${raw.directWriteMBps}, read ${raw.directReadMBps}  load ${loadavg()[0]!.toFixed(1)}`,
      );
      for (const spec of cases) {
        const r = await runCase(root, spec, spec.text ? text : incompressible, chunks, chunkBytes);
        runs[spec.name]!.push(r);
        ratios[spec.name]!.write.push(r.writeMBps / raw.writeMBps);
        ratios[spec.name]!.read.push(r.readMBps / raw.readMBps);
        print(
          `round ${round} ${spec.name.padEnd(16)} write ${String(r.writeMBps).padStart(7)} MB/s (${round2(r.writeMBps / raw.writeMBps)}x raw, ${r.serverCpuPerGiBWrite} server + ${r.clientCpuPerGiBWrite} client CPU-s/GiB)   read ${String(r.readMBps).padStart(7)} MB/s (${round2(r.readMBps / raw.readMBps)}x raw, ${r.serverCpuPerGiBRead} + ${r.clientCpuPerGiBRead} CPU-s/GiB)`,
        );
      }
    }
    const summary = {
      sizeMiB: (chunks * chunkBytes) / 2 ** 20,
      rounds: ROUNDS,
      cacheDropped: canDropCaches,
      raw: {
        writeMBps: median(rawRuns.map((r) => r.writeMBps)),
        readMBps: median(rawRuns.map((r) => r.readMBps)),
        directWriteMBps: median(rawRuns.map((r) => r.directWriteMBps)),
        directReadMBps: median(rawRuns.map((r) => r.directReadMBps)),
      },
      cases: Object.fromEntries(
        cases.map((c) => {
          const rs = runs[c.name]!;
          const pick = (k: keyof CaseRun): number => median(rs.map((r) => r[k]));
          return [
            c.name,
            {
              writeMBps: pick('writeMBps'),
              readMBps: pick('readMBps'),
              // The median of each round's ratio to that round's raw figure: the disk's speed moves between rounds.
              writeRatio: round2(median(ratios[c.name]!.write)),
              readRatio: round2(median(ratios[c.name]!.read)),
              serverCpuPerGiBWrite: pick('serverCpuPerGiBWrite'),
              serverCpuPerGiBRead: pick('serverCpuPerGiBRead'),
              clientCpuPerGiBWrite: pick('clientCpuPerGiBWrite'),
              clientCpuPerGiBRead: pick('clientCpuPerGiBRead'),
            },
          ];
        }),
      ),
    };
    print('');
    print('case             write MB/s  x raw  read MB/s  x raw  server CPU-s/GiB w/r  client CPU-s/GiB w/r   (medians)');
    for (const [name, c] of Object.entries(summary.cases)) {
      print(
        `${name.padEnd(16)} ${String(c.writeMBps).padStart(10)} ${String(c.writeRatio).padStart(6)} ${String(c.readMBps).padStart(10)} ${String(c.readRatio).padStart(6)} ${`${c.serverCpuPerGiBWrite} / ${c.serverCpuPerGiBRead}`.padStart(21)} ${`${c.clientCpuPerGiBWrite} / ${c.clientCpuPerGiBRead}`.padStart(21)}`,
      );
    }
    print(JSON.stringify(summary));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
