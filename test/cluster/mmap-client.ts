// Drives test/cluster/mmap-helper.py, a python3 process that reads and writes a file through mmap(2) (Node has no
// mmap), one JSON request per line; a helper killed by SIGBUS or anything else is reported and started afresh.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../support';

/** The helper script, read from the source tree (tsc does not copy it to dist-test/). */
export const MMAP_HELPER_SCRIPT = join(REPO_ROOT, 'test', 'cluster', 'mmap-helper.py');

/** An mmap access that failed: `code` is the errno name (EIO, ...) or the signal that killed the helper (SIGBUS). */
export class MmapError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Waiter {
  resolve: (reply: Record<string, unknown>) => void;
  reject: (err: Error) => void;
}

/** One helper process holding at most one open file; requests are answered in order. */
export class MmapClient {
  private child: ChildProcess | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  /** The path the helper has open, or null (none, or the helper died and forgot it). */
  openPath: string | null = null;

  /** Opens `path` O_RDWR in the helper (closing what it had open), starting the helper when needed. */
  async open(path: string): Promise<void> {
    await this.request({ op: 'open', path });
    this.openPath = path;
  }

  /** Closes the helper's fd (flush and release on the mount); the process stays for later requests. */
  async close(): Promise<void> {
    if (this.child === null || this.openPath === null) return;
    this.openPath = null;
    await this.request({ op: 'close' });
  }

  /** Copies `length` bytes at `offset` out of a shared read-only mapping. */
  async read(offset: number, length: number): Promise<Buffer> {
    const reply = await this.request({ op: 'read', offset, length });
    return Buffer.from(reply.data as string, 'base64');
  }

  /** Stores `data` at `offset` through a shared writable mapping, then msync(MS_SYNC)s it. */
  async write(offset: number, data: Buffer): Promise<void> {
    await this.request({ op: 'write', offset, data: data.toString('base64') });
  }

  /** Ends the helper process (its fd closes with it). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    this.openPath = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.stdin!.end();
      // A helper stuck in a page fault on a dead mount does not read stdin: kill it after a moment.
      setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
    });
  }

  private start(): ChildProcess {
    const child = spawn('python3', [MMAP_HELPER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const reply = JSON.parse(line) as Record<string, unknown>;
      const w = this.waiting.get(reply.id as number);
      if (!w) return;
      this.waiting.delete(reply.id as number);
      if (reply.ok) w.resolve(reply);
      else w.reject(new MmapError(String(reply.errno), `mmap helper: ${String(reply.errno)}: ${String(reply.message)}`));
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) {
        this.child = null;
        this.openPath = null;
      }
      const why = signal ?? `exit ${code}`;
      for (const w of this.waiting.values())
        w.reject(new MmapError(signal ?? 'EXIT', `mmap helper died (${why})${stderr ? `: ${stderr.trim()}` : ''}`));
      this.waiting.clear();
    });
    child.stdin!.on('error', () => undefined); // a dead helper's pipe: the exit handler reports it
    return child;
  }

  private request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.child ??= this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child!.stdin!.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }
}
