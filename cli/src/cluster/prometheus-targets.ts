// Prometheus for a local cluster: `cluster up` writes the nodes it started as file-discovery targets, next to a copy
// of the project's Prometheus config and rules (examples/prometheus), so one command scrapes the whole cluster:
//   prometheus --config.file=<dir>/prometheus/prometheus.yml --storage.tsdb.path=<dir>/prometheus/data
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeRole, NodeSpec } from './topology';

/** examples/prometheus in a source checkout (cli/dist/cluster → repo root). */
export const EXAMPLE_PROMETHEUS_DIR = join(__dirname, '..', '..', '..', 'examples', 'prometheus');
export const PROMETHEUS_FILES = ['prometheus.yml', 'mooseng-rules.yml'] as const;

export function prometheusDir(clusterDir: string): string {
  return join(clusterDir, 'prometheus');
}

/** One file_sd group per role: the nodes' HTTP endpoints, labelled with the cluster id. */
export function prometheusTargets(nodes: readonly NodeSpec[], clusterId: string): Record<NodeRole, object[]> {
  const group = (role: NodeRole): object[] => {
    const targets = nodes.filter((n) => n.role === role).map((n) => `${n.host}:${n.httpPort}`);
    return targets.length > 0 ? [{ targets, labels: { cluster: clusterId } }] : [];
  };
  return { master: group('master'), chunkserver: group('chunkserver'), client: group('client') };
}

/**
 * Writes <dir>/prometheus/targets/<role>.json (atomically: Prometheus re-reads them when they change) and copies the
 * config and rules when this is a source checkout. Returns the config's path, or null when only targets were written.
 */
export function writePrometheusFiles(clusterDir: string, nodes: readonly NodeSpec[], clusterId: string): string | null {
  const dir = prometheusDir(clusterDir);
  mkdirSync(join(dir, 'targets'), { recursive: true });
  for (const [role, groups] of Object.entries(prometheusTargets(nodes, clusterId))) {
    const path = join(dir, 'targets', `${role}.json`);
    writeFileSync(`${path}.tmp`, JSON.stringify(groups, null, 2) + '\n');
    renameSync(`${path}.tmp`, path);
  }
  if (!PROMETHEUS_FILES.every((f) => existsSync(join(EXAMPLE_PROMETHEUS_DIR, f)))) return null;
  for (const f of PROMETHEUS_FILES) copyFileSync(join(EXAMPLE_PROMETHEUS_DIR, f), join(dir, f));
  return join(dir, 'prometheus.yml');
}
