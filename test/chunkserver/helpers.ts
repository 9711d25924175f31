// Helpers of the chunkserver tests: the real plugins in a registry, chunkserver role instances on free ports, data.
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { expect } from 'chai';
import { ChunkserverRuntime } from '@mooseng/chunkserver';
import {
  PluginRegistry,
  StreamLogger,
  assembleRole,
  loadConfig,
  isMoosengError,
  silentLogger,
  type ErrorCode,
  type ILogger,
  type LoadedPlugin,
  type PluginManifest,
  type RoleInstance,
} from '@mooseng/core';
import { chunkserverRole } from '@mooseng/chunkserver';
import { manifest as fsManifest } from '@mooseng/plugin-storage-fs';
import { manifest as directioManifest } from '@mooseng/plugin-storage-directio';
import { manifest as lz4Manifest } from '@mooseng/plugin-compression-lz4';
import { manifest as prometheusManifest } from '@mooseng/plugin-metrics-prometheus';
import { freePort, makeTempDir } from '../support';

export { flipByte } from '../support';

/** The one role these tests run. */
const ROLES = { chunkserver: chunkserverRole };

function loaded(name: string, manifest: PluginManifest): LoadedPlugin {
  return { name, version: '0.1.0', root: `/virtual/${name}`, manifest };
}

/** The first-party plugins a chunkserver uses, as discovery would load them. */
export function chunkserverRegistry(): PluginRegistry {
  return PluginRegistry.build([
    loaded('@mooseng/plugin-storage-fs', fsManifest),
    loaded('@mooseng/plugin-storage-directio', directioManifest),
    loaded('@mooseng/plugin-compression-lz4', lz4Manifest),
    loaded('@mooseng/plugin-metrics-prometheus', prometheusManifest),
  ]);
}

/** Logs to stderr when MOOSENG_TEST_LOG is set (debugging a failure), silent otherwise. */
export function testLogger(): ILogger {
  return process.env.MOOSENG_TEST_LOG ? new StreamLogger({ level: 'debug' }) : silentLogger;
}

export interface ChunkserverOptions {
  store?: 'storage-fs' | 'storage-directio';
  compressor?: 'compression-lz4' | 'none';
  dataDirs?: string[];
  /** Masters to register with; by default one free port nobody listens on. */
  masters?: string[];
  scrubRateMBps?: number;
  heartbeatIntervalMs?: number;
  metrics?: 'metrics-prometheus' | 'none';
  fsync?: 'always' | 'on-close' | 'never';
  /** chunkserver.maxConnections. */
  maxConnections?: number;
  /** node.clusterSecretFile: changes then need the leader's permit. */
  clusterSecretFile?: string;
  /** node.id; a free-port name unless given (a TLS test names it as its certificate does). */
  id?: string;
  /** node.tls: the data plane then speaks TLS. */
  tls?: { caFile: string; certFile: string; keyFile: string };
  /** chunkserver.allowPlainDataPlane. */
  allowPlainDataPlane?: boolean;
}

export interface RunningChunkserver {
  role: RoleInstance;
  runtime: ChunkserverRuntime;
  address: string;
  httpUrl: string;
  dataDirs: string[];
  stop(): Promise<void>;
}

/** Starts a chunkserver role instance in this process on free ports. */
export async function startChunkserver(options: ChunkserverOptions = {}): Promise<RunningChunkserver> {
  const registry = chunkserverRegistry();
  const base = makeTempDir('mooseng-cs-');
  const dataDirs = options.dataDirs ?? [join(base, 'disk0')];
  for (const d of dataDirs) {
    try {
      mkdirSync(d, { recursive: true });
    } catch {
      // a directory a test wants broken
    }
  }
  const masters = options.masters ?? [`127.0.0.1:${await freePort()}`];
  const store = options.store ?? 'storage-fs';
  const config = loadConfig(
    {
      role: 'chunkserver',
      env: {},
      text: JSON.stringify({
        role: 'chunkserver',
        node: {
          id: options.id ?? `cs-${await freePort()}`,
          dataDir: base,
          ...(options.clusterSecretFile ? { clusterSecretFile: options.clusterSecretFile } : {}),
          ...(options.tls ? { tls: options.tls } : {}),
        },
        plugins: { 'chunk-store': store, compressor: options.compressor ?? 'none', metrics: options.metrics ?? 'metrics-prometheus' },
        [store]: { fsync: options.fsync ?? 'on-close' },
        chunkserver: {
          host: '127.0.0.1',
          port: await freePort(),
          httpPort: await freePort(),
          advertiseHost: '127.0.0.1',
          masters,
          dataDirs,
          scrubRateMBps: options.scrubRateMBps ?? 0,
          heartbeatIntervalMs: options.heartbeatIntervalMs ?? 200,
          ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
          ...(options.allowPlainDataPlane !== undefined ? { allowPlainDataPlane: options.allowPlainDataPlane } : {}),
        },
      }),
    },
    registry,
    ROLES,
  );
  const role = assembleRole({ config, registry, roles: ROLES, logger: testLogger() });
  await role.start();
  const runtime = role.resolve<ChunkserverRuntime>(ChunkserverRuntime);
  return {
    role,
    runtime,
    address: runtime.dataAddress,
    httpUrl: `http://127.0.0.1:${runtime.httpPort}`,
    dataDirs,
    stop: () => role.stop(),
  };
}

/** Deterministic pseudo-random bytes (xorshift32), so a failure reproduces. */
export function randomBytes(length: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Compressible bytes: repeated text. */
export function textBytes(length: number): Buffer {
  const line = Buffer.from('MooseNG stores chunks of 64 MiB in blocks of 64 KiB, each with its own CRC32.\n');
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i += line.length) line.copy(out, i, 0, Math.min(line.length, length - i));
  return out;
}

/** Mounts a tmpfs of `size` (e.g. "4m") on a fresh directory; returns it. Needs root. */
export function mountTmpfs(size: string): string {
  const dir = makeTempDir('mooseng-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return dir;
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  }
}

/** Awaits `p` and checks it failed with a MoosengError of `code`; returns the error. */
export async function expectCode(
  p: Promise<unknown>,
  code: ErrorCode,
): Promise<Error & { code: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    expect(isMoosengError(err), `expected a MoosengError ${code}, got ${String(err)}`).to.equal(true);
    expect((err as { code: string }).code, (err as Error).message).to.equal(code);
    return err as Error & { code: string; details: Record<string, unknown> };
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}
