// `mooseng cluster status`: every node of a local cluster, its process and what it says about itself.
import { join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command';
import { clusterStatus, describePorts, masterStatus } from '../../cluster/local-cluster';

export default class ClusterStatus extends BaseCommand {
  static override description =
    "Show every node of a local cluster (role, pid, ports, health, Raft role and term, chunks and space), then the leader's /status summary (health, chunks, space) and the dashboard address";
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'The cluster directory (default: <data dir>/cluster)' }),
    json: Flags.boolean({ description: 'Print JSON' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ClusterStatus);
    const rows = await clusterStatus(resolve(flags.dir ?? join(this.config.dataDir, 'cluster')));
    const fromMaster = await masterStatus(rows);
    if (flags.json) {
      this.log(JSON.stringify({ nodes: rows, status: fromMaster?.status ?? null }, null, 2));
      return;
    }
    for (const { node, running, health } of rows) {
      const state = !running ? 'stopped' : health ? String(health.status ?? 'ok') : 'not answering';
      let extra = '';
      if (node.role === 'master' && health) extra = `raft ${health.role} term ${health.term} leader ${health.leader ?? '-'}`;
      if (node.role === 'chunkserver' && health) {
        const dirs = (health.dirs as Array<{ usedBytes: number; totalBytes: number; state: string }>) ?? [];
        const used = dirs.reduce((n, d) => n + d.usedBytes, 0);
        extra = `chunks ${health.chunks} used ${(used / 2 ** 20).toFixed(1)} MiB disks ${dirs.filter((d) => d.state === 'ok').length}/${dirs.length} ok`;
      }
      if (node.role === 'client' && health) extra = `mounted ${health.mounted} leader ${health.leader ?? '-'}`;
      this.log(
        `${node.id.padEnd(9)} ${node.role.padEnd(11)} pid ${String(node.pid ?? '-').padEnd(7)} ${state.padEnd(13)} ${describePorts(node).padEnd(48)} ${extra}`,
      );
    }
    const leader = rows.find((r) => r.node.role === 'master' && r.health?.role === 'leader');
    this.log(`leader: ${leader ? leader.node.id : 'none'}`);
    if (fromMaster) for (const line of summarize(fromMaster.status as unknown as ClusterStatusDoc)) this.log(line);
    else this.log('no master answers /status');
    if (fromMaster) this.log(`dashboard: http://127.0.0.1:${fromMaster.from.httpPort}/`);
  }
}

/** The parts of a master's /status this command prints (docs/observability.md has the whole document). */
interface ClusterStatusDoc {
  node: string;
  term: number;
  health?: { score: number; state: string; reasons: string[] };
  files: number;
  chunks: number;
  underGoalChunks: number | null;
  missingChunks: number | null;
  chunkservers: Array<{ alive: boolean; usedBytes: number; totalBytes: number }>;
}

function summarize(s: ClusterStatusDoc): string[] {
  const alive = s.chunkservers.filter((c) => c.alive);
  const used = alive.reduce((n, c) => n + c.usedBytes, 0);
  const total = alive.reduce((n, c) => n + c.totalBytes, 0);
  const figure = (v: number | null): string => (v === null ? '?' : String(v));
  const lines = [];
  if (s.health)
    lines.push(`health: ${s.health.score} ${s.health.state}${s.health.reasons.length > 0 ? ` (${s.health.reasons.join('; ')})` : ''}`);
  lines.push(
    `files ${s.files} · chunks ${s.chunks} (${figure(s.underGoalChunks)} under goal, ${figure(s.missingChunks)} missing) · chunkservers ${alive.length}/${s.chunkservers.length} up · ` +
      `${gib(used)} used of ${gib(total)} (as seen by ${s.node}, term ${s.term})`,
  );
  return lines;
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 3 : 1)} GiB`;
}
