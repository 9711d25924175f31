// Shared test helpers: temporary directories, free ports, deadlines, a manual clock, and child processes that are always reaped.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export { MANUAL_CLOCK_EPOCH_MS, ManualClock } from './manual-clock';
export { CorruptingProxy } from './corrupting-proxy';
export { errorCodeOf, errorCodeOfCall } from './error-codes';
export { flipByte } from './flip-byte';

/** The repository root (tests run from dist-test/<area>/...). */
export const REPO_ROOT = resolve(__dirname, '..', '..');
/** The mooseng CLI entry point. */
export const CLI_BIN = join(REPO_ROOT, 'cli', 'bin', 'run.js');

const tempDirs: string[] = [];

/** A fresh temporary directory, removed by `cleanupTempDirs()` (call it in an after hook). */
export function makeTempDir(prefix = 'mooseng-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  while (tempDirs.length > 0) rmSync(tempDirs.pop()!, { recursive: true, force: true });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

/** Polls `probe` until it returns a truthy value or the deadline passes; then throws with `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the mooseng CLI to completion. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mooseng ${args.join(' ')} did not finish in ${options.timeoutMs ?? 30_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** Child processes started by `spawnTracked`; `killTracked()` reaps them (call it in an after hook). */
const tracked = new Set<ChildProcess>();

/** Spawns a long-running process (a node of a test cluster) that `killTracked()` will SIGKILL if still alive. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  tracked.add(child);
  child.on('exit', () => tracked.delete(child));
  return child;
}

export async function killTracked(): Promise<void> {
  await Promise.all(
    [...tracked].map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
  tracked.clear();
}

/** The last `lines` lines of a log file, for failure messages. */
export function tailFile(path: string, lines = 40): string {
  if (!existsSync(path)) return `(no file ${path})`;
  return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
}
