// LocalCluster: brings a topology up as processes on this host and down again, in dependency order: masters
// first (they elect a leader), then chunkservers (they register), then clients (they mount).
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { caFiles, initCa, issueCertificate, nodeFiles } from '../certs/certificate-authority';
import { readState, writeState, type ClusterState } from './cluster-state';
import { writePrometheusFiles } from './prometheus-targets';
import { health, isRunning, startNode, stopProcess, waitHealthy } from './supervisor';
import { buildTopology, nodeConfig, type NodeSpec, type TopologyOptions } from './topology';

/** How long each group of nodes has to become healthy. */
export const START_DEADLINE_MS = 60_000;

export type Progress = (line: string) => void;

/**
 * The cluster secret masters and chunkservers share (docs/security.md): kept in the cluster's directory across
 * restarts, made once (32 random bytes), readable by its owner only.
 */
function ensureClusterSecret(dir: string): string {
  const path = join(resolve(dir), 'cluster-secret');
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(path, 0o600);
  return path;
}

/**
 * The cluster CA and a certificate for every node, its role as OU (masters for Raft over mutual TLS and the control
 * port, chunkservers for the data plane and to call it, clients to call both), made once in `tlsDir`; a node whose certificate is there already
 * keeps it, so restarts and `cluster up` again change nothing.
 */
function ensureNodeCertificates(tlsDir: string, clusterId: string, nodes: readonly NodeSpec[]): void {
  if (!existsSync(caFiles(tlsDir).cert)) initCa(tlsDir, clusterId);
  for (const node of nodes) {
    const hosts = [...new Set([node.host, '127.0.0.1', 'localhost'])];
    const { cert } = nodeFiles(tlsDir, node.id);
    // Kept when it still names the node and its host (one from an older build may lack the node id among its names).
    if (existsSync(cert) && [node.id, node.host].every((n) => certificateNames(cert).includes(n))) continue;
    issueCertificate(tlsDir, { role: node.role, name: node.id, hosts, force: true });
  }
}

/** The DNS names and IP addresses a certificate is for (its subjectAltName). */
function certificateNames(certFile: string): string[] {
  const names = new X509Certificate(readFileSync(certFile)).subjectAltName ?? '';
  return names.split(', ').map((n) => n.replace(/^(DNS|IP Address):/, ''));
}

export async function clusterUp(options: TopologyOptions, progress: Progress): Promise<ClusterState> {
  const existing = readState(options.dir);
  if (existing && existing.nodes.some((n) => n.pid !== null && isRunning(n.pid))) {
    throw new Error(`a cluster is already running from ${options.dir}; stop it first with: mooseng cluster down --dir ${options.dir}`);
  }
  const wanted = options.basePort ?? 9421;
  const base = await freeBlock(options, wanted);
  if (base !== wanted) progress(`ports from ${wanted} are in use; using the block from ${base} instead`);
  options = {
    ...options,
    basePort: base,
    // The masters' HTTP API token, acting as whoever brings the cluster up (root only when root does).
    httpApiToken: options.httpApiToken ?? randomBytes(24).toString('base64url'),
    httpApiUser: options.httpApiUser ?? { uid: process.getuid?.() ?? 0, gids: [process.getgid?.() ?? 0] },
    clusterSecretFile: options.clusterSecretFile ?? ensureClusterSecret(options.dir),
    tlsDir: options.tlsDir ?? join(resolve(options.dir), 'tls'),
  };
  const nodes = buildTopology(options);
  // tlsDir '' (cluster up --no-tls): no TLS anywhere.
  if (options.tlsDir) ensureNodeCertificates(options.tlsDir, options.clusterId, nodes);
  const state: ClusterState = { version: 1, options, nodes: nodes.map((n) => ({ ...n, pid: null })), startedAt: new Date().toISOString() };
  for (const node of nodes) {
    mkdirSync(dirname(node.configPath), { recursive: true });
    // Owner only: a master's config holds the HTTP API token.
    writeFileSync(node.configPath, nodeConfig(node, nodes, options), { mode: 0o600 });
    chmodSync(node.configPath, 0o600);
  }
  writeState(options.dir, state);
  writePrometheusFiles(options.dir, nodes, options.clusterId);
  const start = async (
    role: NodeSpec['role'],
    ready?: (h: { status: number; body: Record<string, unknown> }) => boolean,
  ): Promise<void> => {
    const group = state.nodes.filter((n) => n.role === role);
    for (const node of group) {
      node.pid = startNode(node);
      writeState(options.dir, state);
    }
    await Promise.all(group.map((node) => waitHealthy(node, node.pid!, START_DEADLINE_MS, ready)));
    for (const node of group)
      progress(`✓ ${node.id.padEnd(9)} ${role.padEnd(11)} pid ${String(node.pid).padEnd(7)} ${describePorts(node)}`);
  };
  try {
    await start('master', (h) => h.status === 200 && typeof h.body.leader === 'string');
    await start(
      'chunkserver',
      (h) =>
        h.status === 200 && Array.isArray(h.body.masters) && (h.body.masters as Array<{ registered: boolean }>).every((m) => m.registered),
    );
    await start('client');
  } catch (err) {
    progress(`✗ start-up failed; stopping what was started`);
    await clusterDown(options.dir, progress, false);
    throw err;
  }
  return state;
}

/** Every port a topology would use. */
function portsOf(options: TopologyOptions): number[] {
  return buildTopology(options)
    .flatMap((n) => [n.port, n.raftPort, n.httpPort])
    .filter((p) => p > 0);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** `wanted` when all of the topology's ports are free there, else the next block (steps of 1000) that is. */
async function freeBlock(options: TopologyOptions, wanted: number): Promise<number> {
  for (let base = wanted; base < 60_000; base += 1000) {
    const ports = portsOf({ ...options, basePort: base });
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error(`no free block of ports from ${wanted} up; stop what uses them or pass --base-port`);
}

export async function clusterDown(dir: string, progress: Progress, purge: boolean): Promise<void> {
  const state = readState(dir);
  if (!state) {
    progress(`no cluster state in ${dir}: nothing to stop`);
    return;
  }
  // Clients first (unmount), then chunkservers, then masters: the reverse of start-up.
  for (const role of ['client', 'chunkserver', 'master'] as const) {
    await Promise.all(
      state.nodes
        .filter((n) => n.role === role)
        .map(async (node) => {
          const result = node.pid === null ? 'not-running' : await stopProcess(node.pid);
          if (node.mountPoint) unmountIfMounted(node.mountPoint);
          node.pid = null;
          progress(`${result === 'not-running' ? '-' : '✓'} ${node.id.padEnd(9)} ${result}`);
        }),
    );
  }
  writeState(dir, state);
  if (purge) {
    execFileSync('rm', ['-rf', '--one-file-system', dir]);
    progress(`removed ${dir}`);
  }
}

/** One row per node, with what its /health says. */
export async function clusterStatus(
  dir: string,
): Promise<Array<{ node: ClusterState['nodes'][number]; running: boolean; health: Record<string, unknown> | null }>> {
  const state = readState(dir);
  if (!state) throw new Error(`no cluster state in ${dir}; start one with: mooseng cluster up --dir ${dir}`);
  return Promise.all(
    state.nodes.map(async (node) => {
      const running = node.pid !== null && isRunning(node.pid);
      return { node, running, health: running ? ((await health(node))?.body ?? null) : null };
    }),
  );
}

/**
 * The cluster as the masters see it: GET /status of the leader (of any running master when none says it leads), the
 * same document the web dashboard shows. Null when no master answers.
 */
export async function masterStatus(
  rows: Awaited<ReturnType<typeof clusterStatus>>,
): Promise<{ from: NodeSpec; status: Record<string, unknown> } | null> {
  const masters = rows.filter((r) => r.node.role === 'master' && r.health);
  masters.sort((a, b) => Number(b.health!.role === 'leader') - Number(a.health!.role === 'leader'));
  for (const { node } of masters) {
    try {
      const res = await fetch(`http://${node.host}:${node.httpPort}/status`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return { from: node, status: (await res.json()) as Record<string, unknown> };
    } catch {
      /* try the next master */
    }
  }
  return null;
}

export function describePorts(node: NodeSpec): string {
  switch (node.role) {
    case 'master':
      return `control :${node.port}  raft :${node.raftPort}  http :${node.httpPort}`;
    case 'chunkserver':
      return `data :${node.port}  http :${node.httpPort}  disks ${node.disks.length}`;
    case 'client':
      return `http :${node.httpPort}  mount ${node.mountPoint}`;
  }
}

function unmountIfMounted(mountPoint: string): void {
  try {
    execFileSync('fusermount', ['-uz', mountPoint], { stdio: 'ignore' });
  } catch {
    // not mounted: nothing to do
  }
}
