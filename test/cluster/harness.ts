// A real local cluster for integration tests: processes started through the same code as `mooseng cluster up`, on
// a port range found free, torn down (processes killed, mounts detached, files removed) in after-hooks.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { controlTransportOf, MasterClient, type CallerCredentials } from '@mooseng/client';
import { ChunkPermitKey, DataPlaneClient, type DialTls, loadClusterSecret, silentLogger, SystemClock } from '@mooseng/core';
import { clusterDown, clusterUp } from 'mooseng/dist/cluster/local-cluster';
import { writeState, type ClusterState } from 'mooseng/dist/cluster/cluster-state';
import { startNode, stopProcess, waitHealthy } from 'mooseng/dist/cluster/supervisor';
import { buildTopology, type NodeSpec, type TopologyOptions } from 'mooseng/dist/cluster/topology';
import { makeTempDir, tailFile } from '../support';
import { NetworkSandbox } from '../support/netns';

export const ROOT: CallerCredentials = { uid: 0, gids: [0] };

/**
 * MOOSENG_TEST_CONTROL_TRANSPORT=framed|grpc runs every client of the cluster tests on that control transport: the
 * harness's master clients, and (through MOOSENG_CONTROL_TRANSPORT, which every process started from here inherits)
 * the mounts and the CLI's admin commands. Unset: the default (framed).
 */
export const TEST_CONTROL_TRANSPORT = controlTransportOf(process.env.MOOSENG_TEST_CONTROL_TRANSPORT, 'MOOSENG_TEST_CONTROL_TRANSPORT');
if (process.env.MOOSENG_TEST_CONTROL_TRANSPORT) process.env.MOOSENG_CONTROL_TRANSPORT = TEST_CONTROL_TRANSPORT;

/** MOOSENG_TEST_TLS=off runs the cluster tests without TLS (`cluster up --no-tls`); on by default, as `cluster up` is. */
export const TEST_TLS = process.env.MOOSENG_TEST_TLS !== 'off';

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** How long a request to a node's HTTP port may take before it counts as no answer (a cut or paused node never answers). */
export const NODE_HTTP_TIMEOUT_MS = 10_000;

/** What a test cluster is made of, beyond its shape. */
export interface TestClusterExtras {
  /**
   * Each node in its own network namespace on a private bridge (test/support/netns.ts), so one can be cut off for
   * real (`cluster.network.cutOff(id)`). Needs root.
   */
  isolated?: boolean;
  /** Each chunkserver data directory on a tmpfs of this size ("1g"), so a test can fill it. Needs root. */
  tmpfsDisks?: string;
  /**
   * TLS on every control link, as `cluster up` makes it (the default; MOOSENG_TEST_TLS=off turns it off for every
   * test that does not say): false runs the cluster without a CA, as a hand-written config without node.tls.
   */
  tls?: boolean;
}

/** A base port whose whole port block (docs/architecture.md) (base-1 .. base+60) is free right now. */
export async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below 32768, where Linux's ephemeral ports begin (ip_local_port_range): a block found free above it could be
    // taken by any outgoing connection before the nodes bind it (a chunkserver once failed to start so, port 39920).
    const base = 20_000 + Math.floor(Math.random() * 120) * 100 + 21;
    let free = true;
    for (let p = base - 1; p <= base + 60 && free; p++) free = await portFree(p);
    if (free) return base;
  }
  throw new Error('no free port block found');
}

export class TestCluster {
  state!: ClusterState;
  private clients: MasterClient[] = [];
  /** The network namespaces of an isolated cluster; null when every node runs on 127.0.0.1. */
  network: NetworkSandbox | null = null;
  /** The tmpfs mounts under the data directories, unmounted by stop(). */
  private readonly tmpfsMounts: string[] = [];
  readonly clock = new SystemClock();
  /** The cluster's permit key (from the secret `cluster up` made), for tests that act as the leader on chunkservers. */
  private permits: ChunkPermitKey | null = null;
  /** What a test dials the chunkservers with: the cluster CA when the cluster runs TLS, else undefined (plain). */
  dataTls: DialTls | undefined;
  private dataClient: DataPlaneClient | null = null;

  /**
   * A data-plane client that, like the leader, signs the commands it sends without a permit of their own (a test
   * acting as the master); clients' writes carry their grants' permits as usual. Over TLS when the cluster is.
   */
  get data(): DataPlaneClient {
    this.dataClient ??= new DataPlaneClient({
      clock: this.clock,
      tls: this.dataTls,
      signer: (req, targets) => this.permits?.forRequest(req, targets, this.clock.now()),
    });
    return this.dataClient;
  }

  private constructor(readonly options: TopologyOptions) {}

  static async start(
    shape: Partial<
      Pick<
        TopologyOptions,
        'masters' | 'chunkservers' | 'disks' | 'clients' | 'goal' | 'clientSettings' | 'masterSettings' | 'raftSettings' | 'logLevel'
      >
    > &
      TestClusterExtras,
  ): Promise<TestCluster> {
    const { isolated, tmpfsDisks, tls = TEST_TLS, ...topology } = shape;
    const dir = makeTempDir('mooseng-cluster-');
    // mkdtemp makes it 0700; other users must reach the mount points below it (permission tests run as uid 1000).
    chmodSync(dir, 0o755);
    // MOOSENG_TEST_MOUNT=mount-fuse-native runs the mounting tests on the fallback binding.
    const mountPlugin = process.env.MOOSENG_TEST_MOUNT || undefined;
    // MOOSENG_TEST_WRITE_BACK=on|off runs the mounting tests with the client's write-back cache on or off (a test's
    // own clientSettings win).
    const writeBackEnv = process.env.MOOSENG_TEST_WRITE_BACK;
    if (writeBackEnv === 'on' || writeBackEnv === 'off')
      topology.clientSettings = { writeBack: writeBackEnv === 'on', ...topology.clientSettings };
    const cluster = new TestCluster({
      dir,
      masters: 1,
      chunkservers: 2,
      disks: 1,
      clients: 0,
      clusterId: 'test',
      basePort: await freeBasePort(),
      mountPlugin,
      // cluster up makes the CA and every node's certificate in <dir>/tls unless told '' (no TLS).
      ...(tls ? {} : { tlsDir: '' }),
      ...topology,
    });
    try {
      const nodes = buildTopology(cluster.options);
      if (isolated) {
        cluster.network = NetworkSandbox.create(nodes.map((n) => n.id));
        cluster.options.network = Object.fromEntries(cluster.network.list().map((h) => [h.id, { host: h.address, netns: h.namespace }]));
      }
      if (tmpfsDisks) {
        for (const disk of nodes.flatMap((n) => n.disks)) {
          mkdirSync(disk, { recursive: true });
          execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${tmpfsDisks}`, 'tmpfs', disk]);
          cluster.tmpfsMounts.push(disk);
        }
      }
      cluster.state = await clusterUp(cluster.options, () => undefined);
      const { tlsDir } = cluster.state.options;
      if (tlsDir) cluster.dataTls = { ca: readFileSync(join(tlsDir, 'ca.crt')) };
      const secretFile = cluster.state.options.clusterSecretFile;
      if (secretFile) cluster.permits = new ChunkPermitKey((await loadClusterSecret(secretFile, 'test cluster')).secret);
    } catch (err) {
      // clusterUp stopped what it started; what was made for it goes too.
      cluster.releaseHostResources();
      throw err;
    }
    return cluster;
  }

  nodes(role: NodeSpec['role']): Array<ClusterState['nodes'][number]> {
    return this.state.nodes.filter((n) => n.role === role);
  }

  node(id: string): ClusterState['nodes'][number] {
    const n = this.state.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  masterAddresses(): string[] {
    return this.nodes('master').map((m) => `${m.host}:${m.port}`);
  }

  /** The cluster CA file when the cluster runs TLS, else null. */
  caFile(): string | null {
    const dir = this.state.options.tlsDir;
    return dir ? join(dir, 'ca.crt') : null;
  }

  /** What a client of this cluster dials its masters with: the CA alone when it runs TLS (no certificate), else null. */
  dialTls(): DialTls | null {
    const ca = this.caFile();
    return ca ? { ca: readFileSync(ca) } : null;
  }

  /** The environment the CLI's admin commands need to reach this cluster's masters (the CA when it runs TLS). */
  adminEnv(): NodeJS.ProcessEnv {
    const ca = this.caFile();
    return ca ? { MOOSENG_CA_FILE: ca } : {};
  }

  /**
   * A connected master client (closed by stop()), on the tests' control transport unless `transport` names one,
   * over TLS with the cluster CA (and no certificate) when the cluster runs TLS.
   */
  async client(
    transport = TEST_CONTROL_TRANSPORT,
    options: { password?: string; tls?: DialTls; subdir?: string } = {},
  ): Promise<MasterClient> {
    const c = new MasterClient({
      masters: this.masterAddresses(),
      logger: silentLogger,
      clock: this.clock,
      sessionInfo: 'test',
      host: hostname(),
      transport,
      tls: options.tls ?? this.dialTls(),
      password: options.password,
      subdir: options.subdir,
    });
    // Kept for stop() only once connected: a refused connect leaves nothing to close.
    try {
      await c.connect();
    } catch (err) {
      await c.close();
      throw err;
    }
    this.clients.push(c);
    return c;
  }

  async http(nodeId: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const node = this.node(nodeId);
    const signal = AbortSignal.timeout(NODE_HTTP_TIMEOUT_MS);
    const res = await fetch(
      `http://${node.host}:${node.httpPort}${path}`,
      body === undefined
        ? { signal }
        : {
            method: 'POST',
            body: typeof body === 'string' ? body : JSON.stringify(body),
            headers: { 'content-type': 'application/json', authorization: `Bearer ${this.state.options.httpApiToken}` },
            signal,
          },
    );
    return { status: res.status, json: await res.json().catch(() => null) };
  }

  /** SIGKILL (crash) or SIGTERM (clean stop) of one node. */
  async stopNode(id: string, how: 'kill' | 'term' = 'term'): Promise<void> {
    const node = this.node(id);
    if (node.pid === null) return;
    if (how === 'kill') {
      process.kill(node.pid, 'SIGKILL');
      await stopProcess(node.pid, 5_000);
    } else {
      await stopProcess(node.pid);
    }
    node.pid = null;
    writeState(this.options.dir, this.state);
  }

  /** Starts a stopped node again with the same config and data, and waits for it to be healthy. */
  async restartNode(id: string, ready?: (h: { status: number; body: Record<string, unknown> }) => boolean): Promise<void> {
    const node = this.node(id);
    node.pid = startNode(node);
    // Recorded at once, so `cluster down` in the after-hook stops it even if this start fails.
    writeState(this.options.dir, this.state);
    await waitHealthy(node, node.pid, 30_000, ready);
  }

  /** The master that /status of a live master names leader, once one does (within `timeoutMs`). */
  async leader(timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const m of this.nodes('master')) {
        if (m.pid === null) continue;
        const leader = ((await this.http(m.id, '/status').catch(() => null))?.json as { leader?: string } | null)?.leader;
        if (leader && this.nodes('master').some((x) => x.id === leader && x.pid !== null)) return leader;
      }
      if (Date.now() > deadline) throw new Error(`no live master named a live leader within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The last lines of every node's log, for a failed test's message. */
  logs(): string {
    return this.state.nodes.map((n) => `--- ${n.id} (${n.logPath})\n${tailFile(n.logPath, 30)}`).join('\n');
  }

  async stop(): Promise<void> {
    try {
      for (const c of this.clients) await c.close().catch(() => undefined);
      this.dataClient?.close();
      await clusterDown(this.options.dir, () => undefined, false);
    } finally {
      this.unmountClients();
      this.releaseHostResources();
    }
  }

  /**
   * For a signal handler, where nothing asynchronous runs any more: SIGKILL of this cluster's nodes (by their pids),
   * then the mounts, namespaces and tmpfs this cluster made.
   */
  stopNowSync(): void {
    for (const n of this.state?.nodes ?? []) {
      if (n.pid === null) continue;
      try {
        process.kill(n.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    this.unmountClients();
    this.releaseHostResources();
  }

  private unmountClients(): void {
    for (const n of (this.state?.nodes ?? []).filter((x) => x.role === 'client')) {
      try {
        execFileSync('fusermount', ['-uz', n.mountPoint], { stdio: 'ignore' });
      } catch {
        /* not mounted */
      }
    }
  }

  /** The namespaces and tmpfs mounts made for this cluster; its processes must be gone. */
  private releaseHostResources(): void {
    this.network?.destroy();
    while (this.tmpfsMounts.length > 0) {
      const dir = this.tmpfsMounts.pop()!;
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' });
      } catch {
        // still busy (a process of ours not reaped yet): detach it now, freed once the last user goes
        try {
          execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
        } catch {
          /* not mounted */
        }
      }
    }
  }
}

export function joinPath(...parts: string[]): string {
  return join(...parts);
}
