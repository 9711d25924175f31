// ClusterState: what `mooseng cluster up` started, in DIR/cluster.json, so status and down work from any shell.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeSpec, TopologyOptions } from './topology';

export interface ClusterState {
  version: 1;
  options: TopologyOptions;
  nodes: Array<NodeSpec & { pid: number | null }>;
  startedAt: string;
}

export function statePath(dir: string): string {
  return join(dir, 'cluster.json');
}

export function readState(dir: string): ClusterState | null {
  const path = statePath(dir);
  if (!existsSync(path)) return null;
  const state = JSON.parse(readFileSync(path, 'utf8')) as ClusterState;
  // A state written before nodes had their own address and namespace: they ran on 127.0.0.1, in the host's.
  for (const n of state.nodes) {
    n.host ??= '127.0.0.1';
    n.netns ??= null;
  }
  return state;
}

/** Written atomically (temp file, rename): a crash mid-write never leaves a torn state file. */
export function writeState(dir: string, state: ClusterState): void {
  mkdirSync(dir, { recursive: true });
  const tmp = `${statePath(dir)}.tmp`;
  // Owner only: it holds the HTTP API token (options.httpApiToken).
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, statePath(dir));
}
