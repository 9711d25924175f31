// Topology: the nodes of a local cluster (masters, chunkservers with their disks, clients), their ports by the
// documented port offsets (docs/architecture.md), their directories, and the config file each one runs with.
import { join } from 'node:path';
import { stringify } from 'yaml';

export type NodeRole = 'master' | 'chunkserver' | 'client';

export interface NodeSpec {
  id: string;
  role: NodeRole;
  /** Control API (master), data plane (chunkserver); 0 for clients. */
  port: number;
  /** Raft port (masters only). */
  raftPort: number;
  httpPort: number;
  /** The node's state directory. */
  dataDir: string;
  configPath: string;
  logPath: string;
  /** Chunkserver data directories ("disks"). */
  disks: string[];
  /** Client mount point. */
  mountPoint: string;
  /** The address the node listens on and advertises, and others dial (127.0.0.1 unless `network` says otherwise). */
  host: string;
  /** The network namespace (a name under /run/netns) the node's process runs in; null: the host's own. */
  netns: string | null;
}

export interface TopologyOptions {
  dir: string;
  masters: number;
  chunkservers: number;
  disks: number;
  clients: number;
  clusterId: string;
  /** Port of the first master's control API; the others follow the documented offsets (docs/architecture.md). */
  basePort?: number;
  goal?: number;
  logLevel?: string;
  /** The clients' mount binding (config `plugins: { mount }`); the role's default (mount-fuse3) when absent. */
  mountPlugin?: string;
  /**
   * Per node id, an address and the network namespace the node runs in (tests that cut the network between nodes,
   * test/support/netns.ts); nodes not named run on 127.0.0.1 in the host's namespace.
   */
  network?: Record<string, { host: string; netns: string }>;
  /** More settings of every client's `client:` section (e.g. `{ entryTimeoutMs: 60000 }`), validated as usual. */
  clientSettings?: Record<string, string | number | boolean>;
  /** More settings of every master's `master:` section (e.g. `{ exports: [...] }`), validated as usual. */
  masterSettings?: Record<string, unknown>;
  /** More settings of every master's `replication-raft:` section (e.g. `{ sync: 'quorum-memory' }`), validated as usual. */
  raftSettings?: Record<string, string | number | boolean>;
  /**
   * The masters' HTTP API token (master.httpApiTokens), acting as `httpApiUser`; `cluster up` makes one (it is in
   * cluster.json and the masters' configs, both readable by their owner only).
   */
  httpApiToken?: string;
  /** Who the token acts as: the user who brought the cluster up. */
  httpApiUser?: { uid: number; gids: number[] };
  /**
   * The cluster secret file the masters and chunkservers share (node.clusterSecretFile); `cluster up` makes one in the
   * cluster's directory, readable by its owner only. Absent: the nodes run without a secret.
   */
  clusterSecretFile?: string;
  /**
   * A CA directory (`mooseng certs init`) holding `<node id>.crt/.key` for every node (OU its role): every node then
   * has node.tls, so masters speak Raft over mutual TLS, clients and chunkservers call the masters' control port over
   * TLS, and chunkservers serve the data plane over TLS. `cluster up` makes one in `<dir>/tls`. Absent or '': no TLS.
   */
  tlsDir?: string;
}

/**
 * docs/architecture.md, "Processes and ports": masters 9421/9431/9441 (+1 Raft, +2 HTTP), chunkservers 9420/9450/9460... (+5 HTTP), clients
 * 9427/9437/9447 (HTTP). `basePort` shifts everything by the same amount (for tests and a second cluster).
 */
export function buildTopology(o: TopologyOptions): NodeSpec[] {
  const shift = (o.basePort ?? 9421) - 9421;
  const nodes: NodeSpec[] = [];
  const base = (
    id: string,
    role: NodeRole,
  ): Pick<NodeSpec, 'id' | 'role' | 'dataDir' | 'configPath' | 'logPath' | 'disks' | 'mountPoint' | 'host' | 'netns'> => ({
    id,
    role,
    host: o.network?.[id]?.host ?? '127.0.0.1',
    netns: o.network?.[id]?.netns ?? null,
    dataDir: join(o.dir, 'data', id),
    configPath: join(o.dir, 'config', `${id}.yaml`),
    logPath: join(o.dir, 'logs', `${id}.log`),
    disks: [],
    mountPoint: '',
  });
  for (let i = 0; i < o.masters; i++) {
    const port = 9421 + 10 * i + shift;
    nodes.push({ ...base(`m${i + 1}`, 'master'), port, raftPort: port + 1, httpPort: port + 2 });
  }
  for (let i = 0; i < o.chunkservers; i++) {
    // 9420, then 9450, 9460, ... (9430 and 9440 belong to the second and third masters' neighbourhood)
    const port = (i === 0 ? 9420 : 9440 + 10 * i) + shift;
    const spec = { ...base(`cs${i + 1}`, 'chunkserver'), port, raftPort: 0, httpPort: port + 5 };
    spec.disks = Array.from({ length: o.disks }, (_, d) => join(spec.dataDir, `disk${d + 1}`));
    nodes.push(spec);
  }
  for (let i = 0; i < o.clients; i++) {
    const spec = { ...base(`client${i + 1}`, 'client'), port: 0, raftPort: 0, httpPort: 9427 + 10 * i + shift };
    spec.mountPoint = join(o.dir, 'mnt', `client${i + 1}`);
    nodes.push(spec);
  }
  return nodes;
}

/** The config file of one node: everything explicit, so an operator can read what each node runs with. */
export function nodeConfig(node: NodeSpec, all: readonly NodeSpec[], o: TopologyOptions): string {
  const masters = all.filter((n) => n.role === 'master');
  const masterAddrs = masters.map((m) => `${m.host}:${m.port}`);
  // Masters and chunkservers share the cluster secret; clients never get it.
  const secret = o.clusterSecretFile && node.role !== 'client' ? { clusterSecretFile: o.clusterSecretFile } : {};
  const tls = o.tlsDir
    ? { tls: { caFile: join(o.tlsDir, 'ca.crt'), certFile: join(o.tlsDir, `${node.id}.crt`), keyFile: join(o.tlsDir, `${node.id}.key`) } }
    : {};
  const common = {
    node: { id: node.id, clusterId: o.clusterId, dataDir: node.dataDir, ...secret, ...tls },
    log: { level: o.logLevel ?? 'info', file: node.logPath },
  };
  let doc: Record<string, unknown>;
  switch (node.role) {
    case 'master':
      doc = {
        role: 'master',
        ...common,
        master: {
          host: node.host,
          port: node.port,
          httpPort: node.httpPort,
          advertiseHost: node.host,
          defaultGoal: o.goal ?? 2,
          chunkserverTimeoutMs: 5000,
          sessionTimeoutMs: 15000,
          ...o.masterSettings,
          httpApiTokens: o.httpApiToken
            ? [{ name: 'cluster-up', token: o.httpApiToken, uid: o.httpApiUser?.uid ?? 0, gids: o.httpApiUser?.gids ?? [0] }]
            : [],
        },
        // The consensus plugin's own section holds the membership and its port.
        'replication-raft': {
          host: node.host,
          port: node.raftPort,
          peers: masters.map((m) => `${m.id}=${m.host}:${m.raftPort}`),
          ...o.raftSettings,
        },
      };
      break;
    case 'chunkserver':
      doc = {
        role: 'chunkserver',
        ...common,
        chunkserver: {
          host: node.host,
          port: node.port,
          httpPort: node.httpPort,
          advertiseHost: node.host,
          masters: masterAddrs,
          dataDirs: node.disks,
          labels: { rack: `r${node.id.slice(2)}` },
        },
      };
      break;
    case 'client':
      doc = {
        role: 'client',
        ...common,
        ...(o.mountPlugin ? { plugins: { mount: o.mountPlugin } } : {}),
        client: { masters: masterAddrs, mountPoint: node.mountPoint, httpPort: node.httpPort, ...o.clientSettings },
      };
      break;
  }
  return `# ${node.id}: written by mooseng cluster up\n${stringify(doc)}`;
}
