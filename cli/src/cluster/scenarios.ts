// Scenarios run against a live local cluster: the seeds' test strategy (`mooseng cluster test`) and the demo
// share these steps. Each step checks real processes, real mounts and the masters' own HTTP answers.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readState, writeState, type ClusterState } from './cluster-state';
import { health, isRunning, startNode, stopProcess, waitHealthy } from './supervisor';

export type ClusterNode = ClusterState['nodes'][number];

/** The fields of the leader's /status (docs/observability.md) that the scenarios read. */
export interface LeaderStatus {
  leader: string;
  term: number;
  files: number;
  chunks: number;
  underGoalChunks: number;
  missingChunks: number;
  chunkservers: Array<{ id: string; alive: boolean; chunks: number; usedBytes: number }>;
}

export class ClusterScenario {
  constructor(
    readonly dir: string,
    readonly state: ClusterState,
  ) {}

  static load(dir: string): ClusterScenario {
    const state = readState(dir);
    if (!state) throw new Error(`no cluster state in ${dir}; start one with: mooseng cluster up --dir ${dir}`);
    return new ClusterScenario(dir, state);
  }

  nodes(role: ClusterNode['role']): ClusterNode[] {
    return this.state.nodes.filter((n) => n.role === role);
  }

  running(role: ClusterNode['role']): ClusterNode[] {
    return this.nodes(role).filter((n) => n.pid !== null && isRunning(n.pid));
  }

  /** Every running node answers /health with 200. */
  async unhealthy(): Promise<string[]> {
    const bad: string[] = [];
    for (const n of this.state.nodes) {
      const h = n.pid !== null && isRunning(n.pid) ? await health(n) : null;
      if (!h || h.status !== 200) bad.push(n.id);
    }
    return bad;
  }

  /** The masters' view of the leader: the id every running master agrees on, or null. */
  async leader(): Promise<{ id: string | null; leaders: string[]; term: number }> {
    const answers = await Promise.all(this.running('master').map(async (m) => ({ m, h: await health(m) })));
    const leaders = answers.filter((a) => a.h?.body.role === 'leader').map((a) => a.m.id);
    const named = new Set(answers.map((a) => a.h?.body.leader).filter((x): x is string => typeof x === 'string'));
    const term = Math.max(0, ...answers.map((a) => Number(a.h?.body.term ?? 0)));
    return { id: leaders.length === 1 && named.size === 1 && named.has(leaders[0]!) ? leaders[0]! : null, leaders, term };
  }

  async waitForLeader(deadlineMs: number, not?: string): Promise<{ id: string; ms: number }> {
    const t0 = Date.now();
    for (;;) {
      const { id } = await this.leader();
      if (id && id !== not) return { id, ms: Date.now() - t0 };
      if (Date.now() - t0 > deadlineMs) throw new Error(`no leader${not ? ` other than ${not}` : ''} within ${deadlineMs} ms`);
      await sleep(25);
    }
  }

  /** The leader's /status. */
  async status(): Promise<LeaderStatus> {
    const { id } = await this.leader();
    const m = this.nodes('master').find((n) => n.id === id);
    if (!m) throw new Error('no leader to ask for /status');
    const res = await fetch(`http://127.0.0.1:${m.httpPort}/status`);
    return (await res.json()) as LeaderStatus;
  }

  async stop(id: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const n = this.node(id);
    if (n.pid === null) return;
    if (signal === 'SIGKILL') process.kill(n.pid, 'SIGKILL');
    await stopProcess(n.pid);
    n.pid = null;
    writeState(this.dir, this.state);
  }

  async start(id: string, ready?: (h: { status: number; body: Record<string, unknown> }) => boolean): Promise<void> {
    const n = this.node(id);
    n.pid = startNode(n);
    writeState(this.dir, this.state);
    await waitHealthy(n, n.pid, 60_000, ready);
  }

  node(id: string): ClusterNode {
    const n = this.state.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Writes `bytes` random bytes to `name` through a client's mount; returns the content's digest. */
  writeFile(client: ClusterNode, name: string, bytes: number): string {
    const data = randomBytes(bytes);
    writeFileSync(join(client.mountPoint, name), data);
    return digest(data);
  }

  readDigest(client: ClusterNode, name: string): string {
    return digest(readFileSync(join(client.mountPoint, name)));
  }

  /** Waits until the leader reports no chunk under its goal or missing, with `deadServer` seen as dead. */
  async waitForGoals(deadlineMs: number, deadServer?: string): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const s = await this.status().catch(() => null);
      const deadSeen = !deadServer || s?.chunkservers?.some((c) => c.id === deadServer && !c.alive);
      if (s && deadSeen && s.underGoalChunks === 0 && s.missingChunks === 0) return Date.now() - t0;
      if (Date.now() - t0 > deadlineMs) {
        throw new Error(
          `chunks not back to goal within ${deadlineMs} ms (under goal ${s?.underGoalChunks}, missing ${s?.missingChunks}, ${deadServer} seen dead: ${Boolean(deadSeen)})`,
        );
      }
      await sleep(500);
    }
  }
}

export function digest(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface StepResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

/** Runs named steps in order, reporting each as it finishes; a failed step does not stop the others. */
export async function runSteps(steps: Array<[string, () => Promise<string>]>, report: (r: StepResult) => void): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const [name, run] of steps) {
    const t0 = Date.now();
    let r: StepResult;
    try {
      r = { name, ok: true, detail: await run(), ms: Date.now() - t0 };
    } catch (err) {
      r = { name, ok: false, detail: (err as Error).message, ms: Date.now() - t0 };
    }
    results.push(r);
    report(r);
  }
  return results;
}

/** The seeds' test strategy, step by step. Leaves the cluster running with every node up again. */
export function seedSteps(c: ClusterScenario): Array<[string, () => Promise<string>]> {
  const clients = () => c.running('client');
  const check = (cond: boolean, message: string): void => {
    if (!cond) throw new Error(message);
  };
  let oldLeader = '';
  let victim = '';
  return [
    [
      'all nodes healthy',
      async () => {
        const bad = await c.unhealthy();
        check(bad.length === 0, `not healthy: ${bad.join(', ')}`);
        return `${c.state.nodes.length} nodes`;
      },
    ],
    [
      'exactly one leader',
      async () => {
        const l = await c.leader();
        check(l.id !== null, `leaders: [${l.leaders.join(', ')}]`);
        return `${l.id} (term ${l.term})`;
      },
    ],
    [
      'a file written on client-1 reads back identical on every other client',
      async () => {
        const [first, ...others] = clients();
        check(first !== undefined && others.length > 0, 'needs at least two clients');
        const sum = c.writeFile(first!, 'seed-cross-client.bin', 3 * 1024 * 1024 + 11);
        for (const o of others) check(c.readDigest(o, 'seed-cross-client.bin') === sum, `${o.id} read different bytes`);
        return `3 MiB, sha256 ${sum.slice(0, 12)}… on ${others.map((o) => o.id).join(', ')}`;
      },
    ],
    [
      'stop the leader master: a new leader within 2 s, and writes continue',
      async () => {
        oldLeader = (await c.waitForLeader(5_000)).id;
        const killedAt = Date.now();
        const stopping = c.stop(oldLeader, 'SIGTERM');
        const next = await c.waitForLeader(10_000, oldLeader);
        await stopping;
        const ms = next.ms;
        check(ms < 2_000, `new leader ${next.id} only after ${ms} ms`);
        const sum = c.writeFile(clients()[0]!, 'seed-after-failover.bin', 1024 * 1024);
        check(c.readDigest(clients()[clients().length - 1]!, 'seed-after-failover.bin') === sum, 'write after failover did not read back');
        return `${oldLeader} stopped; ${next.id} leads after ${ms} ms (${Date.now() - killedAt} ms incl. stop); a write went through`;
      },
    ],
    [
      'restart it: it rejoins as a follower',
      async () => {
        await c.start(oldLeader);
        const h = await health(c.node(oldLeader));
        const l = await c.leader();
        check(h?.body.role === 'follower', `${oldLeader} is ${String(h?.body.role)}`);
        check(l.id !== null && l.id !== oldLeader, `leader is ${l.id}`);
        return `${oldLeader} follows ${l.id}`;
      },
    ],
    [
      'restart a chunkserver: its data is still served',
      async () => {
        const cs = c.running('chunkserver')[0]!;
        const sum = c.writeFile(clients()[0]!, 'seed-cs-restart.bin', 2 * 1024 * 1024);
        await c.stop(cs.id, 'SIGTERM');
        await c.start(cs.id);
        check(c.readDigest(clients()[clients().length - 1]!, 'seed-cs-restart.bin') === sum, 'file changed after the restart');
        return `${cs.id} restarted; file intact`;
      },
    ],
    [
      'SIGKILL a chunkserver: every chunk returns to its goal on the others',
      async () => {
        victim = c.running('chunkserver')[c.running('chunkserver').length - 1]!.id;
        const sum = c.writeFile(clients()[0]!, 'seed-before-kill.bin', 8 * 1024 * 1024);
        await c.stop(victim, 'SIGKILL');
        const ms = await c.waitForGoals(120_000, victim);
        check(c.readDigest(clients()[clients().length - 1]!, 'seed-before-kill.bin') === sum, 'file changed after the kill');
        const s = await c.status();
        return `${victim} killed; ${s.chunks} chunks at goal after ${ms} ms`;
      },
    ],
    [
      'concurrent writes from every client to different files all read back',
      async () => {
        const cs = clients();
        const sums = await Promise.all(
          cs.map(async (cl, i) => {
            const sums: string[] = [];
            for (let k = 0; k < 5; k++) sums.push(c.writeFile(cl, `seed-concurrent-${i}-${k}.bin`, 256 * 1024 + i));
            return sums;
          }),
        );
        for (let i = 0; i < cs.length; i++)
          for (let k = 0; k < 5; k++)
            check(
              c.readDigest(cs[(i + 1) % cs.length]!, `seed-concurrent-${i}-${k}.bin`) === sums[i]![k],
              `client${i + 1} file ${k} differs`,
            );
        return `${cs.length} clients × 5 files`;
      },
    ],
    [
      'bring the killed chunkserver back',
      async () => {
        if (!victim) return 'nothing to restart';
        await c.start(victim);
        return `${victim} running again`;
      },
    ],
  ];
}
