// Benchmark of the chunkserver data path: bytes through the data plane to one chunkserver and along a chain of
// three, with storage-fs, storage-directio and storage-fs + lz4, next to the same disk's raw write and read in the
// same run. Chunkservers are real `mooseng chunkserver` processes. Run with `npm run bench:chunkserver`
// (`-- --size-mib 256` for a quick run); the last line printed is one JSON object with every figure.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHUNK_SIZE_BYTES, DataPlaneClient, MAX_FRAME_DATA_BYTES, SystemClock } from '@mooseng/core';
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

/** Sequential 1 MiB writes to one file, as the chunkserver's disk would see them, then fdatasync. */
async function rawWrite(dir: string, data: Buffer, direct: boolean): Promise<{ writeMs: number; syncMs: number; readMs: number }> {
  const path = join(dir, direct ? 'raw-direct' : 'raw-buffered');
  const flags = constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | (direct ? constants.O_DIRECT : 0);
  const file = await open(path, flags, 0o644);
  const piece = direct ? allocAligned(MAX_FRAME_DATA_BYTES) : Buffer.allocUnsafe(MAX_FRAME_DATA_BYTES);
  const t0 = performance.now();
  for (let pos = 0; pos < SIZE_BYTES; pos += MAX_FRAME_DATA_BYTES) {
    const at = pos % data.length;
    data.copy(piece, 0, at, at + MAX_FRAME_DATA_BYTES);
    await file.write(piece, 0, MAX_FRAME_DATA_BYTES, pos);
  }
  const writeMs = performance.now() - t0;
  const t1 = performance.now();
  await file.datasync();
  const syncMs = performance.now() - t1;
  const t2 = performance.now();
  for (let pos = 0; pos < SIZE_BYTES; pos += MAX_FRAME_DATA_BYTES) await file.read(piece, 0, MAX_FRAME_DATA_BYTES, pos);
  const readMs = performance.now() - t2;
  await file.close();
  await rm(path, { force: true });
  return { writeMs, syncMs, readMs };
}

interface ServerProcess {
  child: ChildProcess;
  address: string;
  dir: string;
}

async function startServer(root: string, name: string, store: string, compressor: string): Promise<ServerProcess> {
  const dir = join(root, name);
  const port = await freePort();
  const httpPort = await freePort();
  const config = join(root, `${name}.yaml`);
  await writeFile(
    config,
    [
      'role: chunkserver',
      `node: { id: ${name}, dataDir: ${dir} }`,
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
async function eachChunk(chunks: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CHUNKS_IN_FLIGHT }, async () => {
      while (next < chunks) await fn(next++);
    }),
  );
}

interface CaseResult {
  writeMBps: number;
  readMBps: number;
  /** writeMBps / the raw buffered write. */
  writeRatio: number;
  /** readMBps / the raw buffered read of a just-written file (page cache, as the chunkserver's reads here). */
  readRatio: number;
  /** readMBps / the raw O_DIRECT read (what the disk itself delivers). */
  readRatioDirect: number;
}

async function runCase(
  root: string,
  name: string,
  store: string,
  compressor: string,
  replicas: number,
  data: Buffer,
  raw: { writeMBps: number; readMBps: number; directReadMBps: number },
): Promise<CaseResult> {
  const servers: ServerProcess[] = [];
  const client = new DataPlaneClient({ clock: new SystemClock(), timeoutMs: 120_000 });
  try {
    for (let i = 0; i < replicas; i++) servers.push(await startServer(root, `${name}-${i}`, store, compressor));
    const head = servers[0]!.address;
    const chain = servers.slice(1).map((s) => s.address);
    const chunks = Math.max(1, Math.ceil(SIZE_BYTES / CHUNK_SIZE_BYTES));
    const chunkBytes = Math.min(CHUNK_SIZE_BYTES, SIZE_BYTES);
    const body = data.subarray(0, chunkBytes);
    for (let i = 0; i < chunks; i++) await client.create(head, { chunkId: i + 1, version: 1 }, { chain });
    const t0 = performance.now();
    await eachChunk(chunks, (i) => client.write(head, { chunkId: i + 1, version: 1 }, 0, body, { chain }));
    const writeMs = performance.now() - t0;
    let mismatches = 0;
    const t1 = performance.now();
    await eachChunk(chunks, async (i) => {
      for await (const piece of client.readStream(head, { chunkId: i + 1, version: 1 }, 0, chunkBytes)) {
        if (!piece.data.equals(body.subarray(piece.offset, piece.offset + piece.data.length))) mismatches++;
      }
    });
    const readMs = performance.now() - t1;
    if (mismatches > 0) throw new Error(`${name}: ${mismatches} pieces read back differently from what was written`);
    const bytes = chunks * chunkBytes;
    const writeMBps = mbps(bytes, writeMs);
    const readMBps = mbps(bytes, readMs);
    const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;
    const result = {
      writeMBps,
      readMBps,
      writeRatio: ratio(writeMBps, raw.writeMBps),
      readRatio: ratio(readMBps, raw.readMBps),
      readRatioDirect: ratio(readMBps, raw.directReadMBps),
    };
    print(
      `${name.padEnd(16)} write ${String(writeMBps).padStart(7)} MB/s (${result.writeRatio}x raw)   read ${String(readMBps).padStart(7)} MB/s (${result.readRatio}x raw buffered, ${result.readRatioDirect}x raw O_DIRECT)`,
    );
    return result;
  } finally {
    client.close();
    for (const s of servers) await stopServer(s);
  }
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(BASE_DIR, 'mooseng-bench-cs-'));
  try {
    print(`chunkserver benchmark: ${SIZE_BYTES / 1024 / 1024} MiB per case in ${root}`);
    const incompressible = noise(CHUNK_SIZE_BYTES);
    const text = logText(CHUNK_SIZE_BYTES);
    const buffered = await rawWrite(root, incompressible, false);
    const direct = await rawWrite(root, incompressible, true);
    const raw = {
      writeMBps: mbps(SIZE_BYTES, buffered.writeMs),
      writeSyncedMBps: mbps(SIZE_BYTES, buffered.writeMs + buffered.syncMs),
      readMBps: mbps(SIZE_BYTES, buffered.readMs),
      directWriteMBps: mbps(SIZE_BYTES, direct.writeMs),
      directReadMBps: mbps(SIZE_BYTES, direct.readMs),
    };
    print(
      `raw disk         buffered write ${raw.writeMBps} MB/s (${raw.writeSyncedMBps} with fdatasync), read ${raw.readMBps} MB/s; O_DIRECT write ${raw.directWriteMBps} MB/s, read ${raw.directReadMBps} MB/s`,
    );
    const cases: Record<string, CaseResult> = {};
    cases['fs-1'] = await runCase(root, 'fs-1', 'storage-fs', 'none', 1, incompressible, raw);
    cases['fs-chain3'] = await runCase(root, 'fs-chain3', 'storage-fs', 'none', 3, incompressible, raw);
    cases['directio-1'] = await runCase(root, 'directio-1', 'storage-directio', 'none', 1, incompressible, raw);
    cases['directio-chain3'] = await runCase(root, 'directio-chain3', 'storage-directio', 'none', 3, incompressible, raw);
    cases['fs-lz4-1'] = await runCase(root, 'fs-lz4-1', 'storage-fs', 'compression-lz4', 1, text, raw);
    cases['fs-lz4-chain3'] = await runCase(root, 'fs-lz4-chain3', 'storage-fs', 'compression-lz4', 3, text, raw);
    print(JSON.stringify({ sizeMiB: SIZE_BYTES / 1024 / 1024, raw, cases }));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
