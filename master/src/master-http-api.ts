// The master's HTTP routes: the web dashboard, /health, /status, /metrics and the /api/v1 REST API (file-system
// stat/create, chunkservers).
import {
  ErrorCodes,
  type HttpRoute,
  type IConsensus,
  type IMetrics,
  metricsRoute,
  MoosengError,
  parseFsPath,
  S_IFDIR,
  S_IFREG,
} from '@mooseng/core';
import type { ChunkserverRegistry } from './chunkserver-registry';
import { assessHealth } from './cluster-health';
import { dashboardRoutes } from './dashboard-routes';
import type { EventJournal } from './event-journal';
import { wireAttr } from './client-api';
import type { MetadataService } from './metadata-service';
import type { Credentials } from './namespace/commands';
import type { RepairLoop } from './repair-loop';

/** The REST API acts as root: it is an operator's interface, served on the master's HTTP port only. */
const ADMIN: Credentials = { uid: 0, gids: [0] };

export interface MasterHttpApiOptions {
  nodeId: string;
  clusterId: string;
  consensus: IConsensus;
  metadata: MetadataService;
  registry: ChunkserverRegistry;
  repair: RepairLoop;
  metrics: IMetrics;
  events: EventJournal;
  /** Wall-clock now, epoch ms. */
  now: () => number;
}

/** What /status reports (docs/observability.md); `mooseng cluster status` and the dashboard read the same. */
export function clusterStatus(o: MasterHttpApiOptions): object {
  const raft = o.consensus.status();
  const stats = o.metadata.state.statfs();
  const isLeader = raft.role === 'leader';
  const progress = new Map((raft.followers ?? []).map((f) => [f.id, f]));
  const masters = raft.members.map((m) => ({
    id: m.id,
    address: m.address,
    leader: m.id === raft.leaderId,
    self: m.id === o.nodeId,
    // Only the leader hears from every member; it answers for itself.
    matchIndex: !isLeader ? null : m.id === o.nodeId ? raft.lastIndex : (progress.get(m.id)?.matchIndex ?? null),
    reachable: !isLeader ? null : m.id === o.nodeId ? true : (progress.get(m.id)?.reachable ?? false),
  }));
  const chunkservers = chunkserverRows(o.registry);
  const chunks = o.metadata.state.tree.chunkTable.size;
  // Only the leader runs the repair scan: a follower's figures would be those of an old term, so it gives none.
  const figures = o.repair.figures;
  const fromLeader = <T>(v: T): T | null => (isLeader ? v : null);
  return {
    cluster: o.clusterId,
    node: o.nodeId,
    role: raft.role,
    term: raft.term,
    leader: raft.leaderId,
    commitIndex: raft.commitIndex,
    appliedIndex: raft.appliedIndex,
    durableIndex: raft.durableIndex ?? null,
    generatedAt: o.now(),
    health: assessHealth({
      leader: raft.leaderId,
      masters,
      chunkservers,
      chunks,
      missingChunks: fromLeader(figures.missing),
      underGoalChunks: fromLeader(figures.underGoal),
    }),
    masters,
    chunkservers,
    files: stats.files,
    directories: stats.directories,
    inodes: stats.inodes,
    fileBytes: stats.fileBytes,
    chunks,
    sessions: o.metadata.state.sessions.size,
    locks: o.metadata.state.locks.size,
    underGoalChunks: fromLeader(figures.underGoal),
    overGoalChunks: fromLeader(figures.overGoal),
    missingChunks: fromLeader(figures.missing),
    replicationQueue: fromLeader(figures.underGoal),
    repairFiguresFrom: isLeader ? 'this master' : 'the leader only',
    events: o.events.recent(),
  };
}

/** The chunkservers as /status and /api/v1/chunkservers report them. */
function chunkserverRows(registry: ChunkserverRegistry) {
  return registry.list().map((s) => ({
    id: s.id,
    address: s.address,
    alive: s.alive,
    labels: s.labels,
    totalBytes: s.totalBytes,
    usedBytes: s.usedBytes,
    freeBytes: s.freeBytes,
    chunks: s.chunks,
    dirs: s.dirs.map((d) => ({ dir: d.dir, usable: d.usable, error: d.error || undefined })),
  }));
}

export function masterHttpRoutes(o: MasterHttpApiOptions): HttpRoute[] {
  const body = (b: unknown): Record<string, unknown> => {
    if (typeof b !== 'object' || b === null || Array.isArray(b))
      throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, 'the request body must be a JSON object');
    return b as Record<string, unknown>;
  };
  const pathOf = (b: Record<string, unknown>): string => `/${parseFsPath(b.path).join('/')}`;
  return [
    {
      method: 'GET',
      path: '/health',
      // `?leader`: 200 only on the leader (503 on followers), for a load balancer or a script that wants the leader.
      handler: (req) => {
        const s = o.consensus.status();
        const healthy = req.query.has('leader') ? s.role === 'leader' : Boolean(s.leaderId);
        return {
          status: healthy ? 200 : 503,
          json: { status: s.leaderId ? 'ok' : 'no-leader', node: o.nodeId, role: s.role, term: s.term, leader: s.leaderId },
        };
      },
    },
    { method: 'GET', path: '/status', handler: () => ({ json: clusterStatus(o) }) },
    { method: 'GET', path: '/api/v1/chunkservers', handler: () => ({ json: { chunkservers: chunkserverRows(o.registry) } }) },
    {
      method: 'POST',
      path: '/api/v1/filesystem/stat',
      handler: async (req) => {
        const path = pathOf(body(req.body));
        const attr = await o.metadata.read((s) => s.resolve(path, ADMIN, { followFinal: false }));
        return { json: { path, ...wireAttr(attr) } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1/filesystem/create',
      access: 'write',
      handler: async (req) => {
        // As the token's identity (the server checks every token route has one): its permissions, its ownership.
        const cred: Credentials = { uid: req.identity!.uid, gids: req.identity!.gids };
        const b = body(req.body);
        const path = pathOf(b);
        const type = b.type ?? 'file';
        if (type !== 'file' && type !== 'directory')
          throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, 'type must be "file" or "directory"');
        const perm = typeof b.mode === 'number' ? b.mode & 0o7777 : type === 'file' ? 0o644 : 0o755;
        if (path === '/') throw new MoosengError(ErrorCodes.EEXIST, 'the root directory exists');
        const { parent, name } = await o.metadata.read((s) => s.resolveParent(path, cred));
        const r = await o.metadata.mutate(
          { sessionId: 0, requestId: 0 },
          type === 'file'
            ? { op: 'mknod', parent, name, mode: S_IFREG | perm, rdev: 0, open: false, cred }
            : { op: 'mkdir', parent, name, mode: S_IFDIR | perm, cred },
        );
        if (r.kind !== 'attr') throw new Error(`invariant broken: create returned ${r.kind}`);
        return { status: 201, json: { path, ...wireAttr(r.attr) } };
      },
    },
    metricsRoute(o.metrics),
    ...dashboardRoutes(),
  ];
}
