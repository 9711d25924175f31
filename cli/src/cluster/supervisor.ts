// Supervisor: starts a node as a detached process of the mooseng CLI, waits for its /health, and stops it by pid.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NodeSpec } from './topology';

/** The mooseng entry point, to start nodes with the same build as this command. */
export const CLI_ENTRY = join(__dirname, '..', '..', 'bin', 'run.js');
/** How long a node has to stop after SIGTERM before it is killed. */
export const STOP_GRACE_MS = 10_000;

/** Starts the node's process in the background, its output appended to its log; returns its pid. */
export function startNode(node: NodeSpec): number {
  for (const dir of [node.dataDir, dirname(node.logPath), ...node.disks]) mkdirSync(dir, { recursive: true });
  if (node.mountPoint) {
    try {
      mkdirSync(node.mountPoint, { recursive: true });
    } catch (err) {
      // A dead mount left by a killed client: `mooseng mount` detaches it itself.
      if ((err as NodeJS.ErrnoException).code !== 'ENOTCONN') throw err;
    }
  }
  const out = openSync(node.logPath, 'a');
  const command = node.role === 'client' ? 'mount' : node.role;
  const argv = [process.execPath, CLI_ENTRY, command, '--config', node.configPath];
  // nsenter execs the node in place (same pid, so signals reach it), entering only the network namespace: a client's
  // FUSE mount stays visible in the host's mount namespace.
  if (node.netns) argv.unshift('nsenter', `--net=/run/netns/${node.netns}`, '--');
  const child = spawn(argv[0]!, argv.slice(1), {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${node.id}`);
  return child.pid;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The node's /health answer, or null when it does not answer (yet). */
export async function health(node: NodeSpec, timeoutMs = 1_000): Promise<{ status: number; body: Record<string, unknown> } | null> {
  try {
    const res = await fetch(`http://${node.host}:${node.httpPort}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return null;
  }
}

/** Waits until `ready` holds for the node's health, or throws with the tail of its log when the deadline passes. */
export async function waitHealthy(
  node: NodeSpec,
  pid: number,
  deadlineMs: number,
  ready: (h: { status: number; body: Record<string, unknown> }) => boolean = (h) => h.status === 200,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const h = await health(node);
    if (h && ready(h)) return;
    if (!isRunning(pid)) throw new Error(`${node.id} exited during start-up; last lines of ${node.logPath}:\n${tail(node.logPath)}`);
    if (Date.now() > until)
      throw new Error(
        `${node.id} not healthy after ${deadlineMs} ms (last answer: ${h ? JSON.stringify(h.body) : 'none'}); last lines of ${node.logPath}:\n${tail(node.logPath)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. Idempotent. */
export async function stopProcess(pid: number, graceMs = STOP_GRACE_MS): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!isRunning(pid)) return 'not-running';
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    if (!isRunning(pid)) return 'stopped';
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  while (isRunning(pid)) await new Promise((r) => setTimeout(r, 20));
  return 'killed';
}

export function tail(path: string, lines = 25): string {
  if (!existsSync(path)) return `(no log at ${path})`;
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
