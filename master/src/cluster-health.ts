// The cluster's health in one figure and a few words, as /status, the web dashboard and `mooseng cluster status`
// show it. The score follows the same formula as the Prometheus "cluster health score" query in
// docs/observability.md, so the page and Grafana agree: the share of nodes that answer, times the share of chunks
// that still have a replica, times a half-weight penalty for chunks below their goal.

export interface HealthInput {
  leader: string | null;
  /** Masters in the consensus group; `reachable` is null where this master cannot tell (it is not the leader). */
  masters: Array<{ id: string; reachable: boolean | null }>;
  chunkservers: Array<{ id: string; alive: boolean; dirs: Array<{ dir: string; usable: boolean }> }>;
  chunks: number;
  /** Null on a follower: only the leader classifies chunks. */
  missingChunks: number | null;
  underGoalChunks: number | null;
}

export type HealthState = 'healthy' | 'degraded' | 'critical';

export interface ClusterHealth {
  /** 0 (down) to 100 (everything answers, every chunk at its goal). */
  score: number;
  state: HealthState;
  /** Why it is not healthy, most serious first; empty when healthy. */
  reasons: string[];
}

export function assessHealth(h: HealthInput): ClusterHealth {
  const critical: string[] = [];
  const degraded: string[] = [];
  if (!h.leader) critical.push('no master leader: the file system cannot change');

  const unreachableMasters = h.masters.filter((m) => m.reachable === false);
  const quorum = Math.floor(h.masters.length / 2) + 1;
  if (h.masters.length - unreachableMasters.length < quorum)
    critical.push(`only ${h.masters.length - unreachableMasters.length} of ${h.masters.length} masters answer`);
  else if (unreachableMasters.length > 0)
    degraded.push(`${plural(unreachableMasters.length, 'master')} not answering: ${ids(unreachableMasters)}`);

  const deadServers = h.chunkservers.filter((s) => !s.alive);
  if (h.chunkservers.length > 0 && deadServers.length === h.chunkservers.length) critical.push('no chunkserver answers');
  else if (deadServers.length > 0) degraded.push(`${plural(deadServers.length, 'chunkserver')} down: ${ids(deadServers)}`);
  const failedDirs = h.chunkservers.flatMap((s) => (s.alive ? s.dirs.filter((d) => !d.usable).map((d) => `${s.id}:${d.dir}`) : []));
  if (failedDirs.length > 0) degraded.push(`${plural(failedDirs.length, 'disk')} failed: ${failedDirs.join(', ')}`);

  const missing = h.missingChunks ?? 0;
  const underGoal = h.underGoalChunks ?? 0;
  if (missing > 0) critical.push(`${plural(missing, 'chunk')} with no live replica: their files cannot be read`);
  if (underGoal > 0) degraded.push(`${plural(underGoal, 'chunk')} below their goal (being copied)`);

  const nodes = h.masters.length + h.chunkservers.length;
  const answering = h.masters.length - unreachableMasters.length + h.chunkservers.length - deadServers.length;
  const chunks = Math.max(h.chunks, 1);
  const score = h.leader ? 100 * (nodes > 0 ? answering / nodes : 1) * (1 - missing / chunks) * (1 - (0.5 * underGoal) / chunks) : 0;
  const state: HealthState = critical.length > 0 ? 'critical' : degraded.length > 0 ? 'degraded' : 'healthy';
  return { score: Math.round(score * 10) / 10, state, reasons: [...critical, ...degraded] };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function ids(items: Array<{ id: string }>): string {
  return items.map((i) => i.id).join(', ');
}
