// Network partitions of one node of an isolated test cluster (each node in its own network namespace): the node is
// cut off from every other node and from the harness, then joined again. Cutting off the leader also checks that it
// steps down and that a proposal it takes while cut off is never acknowledged.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestCluster } from '../harness';
import type { ProbeOutcome } from './partition-probe';

/** How long a cut-off leader may go on calling itself leader (Raft's check-quorum: an election timeout or two). */
export const STEP_DOWN_DEADLINE_MS = 10_000;
/** How long the probe has to open its session with the leader before the cut (the probe is skipped otherwise). */
export const PROBE_READY_DEADLINE_MS = 10_000;
/** How long the probe's mkdir waits for the cut-off leader's answer; no answer is a refusal. */
export const PROBE_ANSWER_DEADLINE_MS = 5_000;
/** How often a cut-off node's status is asked from inside its namespace. */
const STATUS_POLL_MS = 200;

/** A fault as the harness applies it: who it hit, and how to heal it. */
export interface AppliedFault {
  victim: string;
  undo: () => Promise<void>;
}

/** What `/status` of a master says of its role, asked from inside its own namespace (which a cut leaves reachable). */
export async function statusFromInside(cluster: TestCluster, id: string): Promise<{ role?: string; leader?: string | null } | null> {
  const node = cluster.node(id);
  const url = `http://${node.host}:${node.httpPort}/status`;
  const script = `fetch(${JSON.stringify(url)},{signal:AbortSignal.timeout(1000)}).then(r=>r.text()).then(t=>process.stdout.write(t),()=>{})`;
  const [command, ...args] = [...sandboxOf(cluster).enter(id), process.execPath, '-e', script];
  const out = await new Promise<string>((resolve) =>
    execFile(command!, args, { timeout: 5_000 }, (_err, stdout) => resolve(String(stdout ?? ''))),
  );
  try {
    return JSON.parse(out) as { role?: string; leader?: string | null };
  } catch {
    return null;
  }
}

function sandboxOf(cluster: TestCluster): NonNullable<TestCluster['network']> {
  if (!cluster.network) throw new Error('partition faults need an isolated cluster (TestCluster.start({ isolated: true }))');
  return cluster.network;
}

/** Cuts one node off (a follower master, a chunkserver, a mount's client) until the undo. */
export function cutOff(cluster: TestCluster, id: string): AppliedFault {
  const network = sandboxOf(cluster);
  network.cutOff(id);
  return { victim: id, undo: async () => network.heal(id) };
}

/**
 * Cuts the leader off. Before the cut a probe inside its namespace opens a session with it; after the cut the probe
 * asks it for `probeName` (a mkdir). The undo waits, before healing, until the old leader no longer calls itself
 * leader and the probe has its answer (or its time is up): a problem is recorded when it does not step down in time
 * or acknowledges the mkdir.
 */
export async function cutOffLeader(
  cluster: TestCluster,
  leader: string,
  probeName: string,
  problems: string[],
  log: (line: string) => void = () => undefined,
): Promise<AppliedFault> {
  const network = sandboxOf(cluster);
  const node = cluster.node(leader);
  const probe = await startProbe(cluster, leader, `${node.host}:${node.port}`, probeName);
  const wasLeader = (await statusFromInside(cluster, leader))?.role === 'leader';
  network.cutOff(leader);
  const cutAt = Date.now();
  const answer = probe ? probe.ask() : Promise.resolve(null);
  return {
    victim: `${leader}${wasLeader ? '' : ' (no longer leader at the cut)'}${probe ? '' : ' (probe did not start)'}`,
    undo: async () => {
      try {
        if (wasLeader) {
          let role: string | undefined = 'leader';
          while (Date.now() - cutAt < STEP_DOWN_DEADLINE_MS) {
            role = (await statusFromInside(cluster, leader))?.role;
            if (role !== undefined && role !== 'leader') break;
            await sleep(STATUS_POLL_MS);
          }
          if (role === 'leader' || role === undefined)
            problems.push(
              `${leader}, cut off while leader, ${role === 'leader' ? 'still called itself leader' : 'did not answer from inside its namespace'} ${STEP_DOWN_DEADLINE_MS} ms after the cut`,
            );
        }
        const outcome = await answer;
        log(
          `  probe ${probeName} asked of cut-off ${leader}: ${outcome ? `${outcome.outcome}${outcome.code ? ` (${outcome.code})` : ''}` : 'no answer'}`,
        );
        if (outcome?.outcome === 'acknowledged')
          problems.push(
            `${leader}, cut off from its quorum, acknowledged the probe's mkdir ${probeName}, which it could not have committed`,
          );
      } finally {
        probe?.kill();
        network.heal(leader);
      }
    },
  };
}

/** Probes still running, for killProbes(). */
const liveProbes = new Set<ChildProcess>();

/** SIGKILL of every probe still running (a signal handler's cleanup: undo kills each one otherwise). */
export function killProbes(): void {
  for (const child of liveProbes) child.kill('SIGKILL');
  liveProbes.clear();
}

interface RunningProbe {
  /** Sends the mkdir; resolves with the probe's answer, or null when none came in PROBE_ANSWER_DEADLINE_MS. */
  ask(): Promise<ProbeOutcome | null>;
  kill(): void;
}

/** Starts the probe inside the master's namespace; null when it could not open its session in time. */
async function startProbe(cluster: TestCluster, id: string, address: string, name: string): Promise<RunningProbe | null> {
  const [command, ...args] = [...sandboxOf(cluster).enter(id), process.execPath, join(__dirname, 'partition-probe.js'), address, name];
  const child: ChildProcess = spawn(command!, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, ...cluster.adminEnv() } });
  liveProbes.add(child);
  child.once('exit', () => liveProbes.delete(child));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const lines = createInterface({ input: child.stdout! });
  const next = (deadlineMs: number) =>
    new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => done(null), deadlineMs);
      const onLine = (l: string) => done(l);
      const onClose = () => done(null);
      function done(v: string | null): void {
        clearTimeout(timer);
        lines.off('line', onLine);
        lines.off('close', onClose);
        resolve(v);
      }
      lines.on('line', onLine);
      lines.once('close', onClose);
    });
  if ((await next(PROBE_READY_DEADLINE_MS)) !== 'ready') {
    kill();
    return null;
  }
  return {
    ask: async () => {
      child.stdin!.write('go\n');
      const line = await next(PROBE_ANSWER_DEADLINE_MS);
      try {
        return line ? (JSON.parse(line) as ProbeOutcome) : null;
      } catch {
        return null;
      }
    },
    kill,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
