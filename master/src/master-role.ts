// The master role: namespace and chunk map on IConsensus. Steps: state machine → consensus (join the masters) →
// control API (clients and chunkservers) → HTTP → repair loop → session expiry. They stop in reverse: the leader-only
// loops first, the consensus last, so nothing proposes into a stopped log.
import {
  type ChunkPermitKey,
  callerOfGrpcCall,
  chunkserverToMasterService,
  changeFeedService,
  CLIENT_TO_MASTER_SERVICE,
  clientToMasterService,
  ControlPort,
  DataPlaneClient,
  FramedControlServer,
  IClock,
  IConsensus,
  IMetrics,
  IPlacement,
  loadClusterKeys,
  loadNodeTls,
  type MemberProofKey,
  MoosengError,
  ErrorCodes,
  type NodeTls,
  type RoleContext,
  type RoleDefinition,
  RoleHttpServer,
  type RoleStep,
} from '@mooseng/core';
import { ChunkOperations } from './chunk-operations';
import { ChunkLocations } from './chunks/chunk-locations';
import { ChunkserverRegistry } from './chunkserver-registry';
import { ChangeFeed } from './change-feed';
import { ClientApi } from './client-api';
import { EventJournal, journalingLogger } from './event-journal';
import { MASTER_SECTION_SCHEMA, type MasterSection } from './master-config';
import { LeaderTenure } from './leader-tenure';
import { GrantPermits } from './grant-permits';
import { SessionKeys } from './session-keys';
import { Exports } from './exports';
import { masterHttpRoutes } from './master-http-api';
import { MetadataService } from './metadata-service';
import { NamespaceStateMachine } from './namespace/namespace-state-machine';
import { RepairLoop } from './repair-loop';
import { SessionReaper } from './session-reaper';
import { newSessionId } from './session-ids';
import { noticeFor } from './session-roots';

function masterSteps(context: RoleContext): RoleStep[] {
  const { config, container } = context;
  const section = config.master as MasterSection;
  const clock = container.resolve<IClock>(IClock);
  // What the master logs at info and above is also its recent-events list on /status and the dashboard (start-up
  // lines about ports go to context.logger, the log alone: they are not news to an operator looking at the page).
  const events = new EventJournal(() => clock.now());
  const logger = journalingLogger(context.logger, events);
  const locations = new ChunkLocations();
  const state = new NamespaceStateMachine({
    defaultGoal: section.defaultGoal,
    // A hint, on every master, of where granted chunks went; registrations and heartbeats correct it.
    onChunkGranted: (chunkId, version, servers) => {
      for (const id of servers) locations.addReplica(id, chunkId, version);
    },
  });
  // From the cluster secret (node.clusterSecretFile), loaded by the control-api step: the leader signs its own
  // chunkserver commands and clients' write grants with `permits`, and checks registrations with `memberProofs`.
  let permits: ChunkPermitKey | undefined;
  let memberProofs: MemberProofKey | undefined;
  // The leader drives chunkservers (versions, cuts, copies, deletes) over the same data plane clients use; made by
  // the control-api step once node.tls is read (with it, over TLS, showing this master's certificate).
  let data: DataPlaneClient | null = null;
  // Plugins (the metrics one among them) are built by the step before these: resolved when the first one starts.
  let metrics: IMetrics;
  let consensus: IConsensus;
  let metadata: MetadataService;
  let registry: ChunkserverRegistry;
  let repair: RepairLoop;
  let sessions: SessionReaper;
  // Since when this master leads: chunk requests of a young leader wait for the chunkservers to register.
  const tenure = new LeaderTenure(clock, section.chunkserverTimeoutMs);
  let control: ControlPort | null = null;
  let changes: ChangeFeed | null = null;
  let http: RoleHttpServer | null = null;
  // node.tls, loaded by the control-api step: the control port speaks TLS with it, and HTTP too when master.httpTls.
  let tls: NodeTls | null = null;

  return [
    {
      name: 'consensus',
      start: async () => {
        metrics = container.resolve<IMetrics>(IMetrics);
        consensus = container.resolve<IConsensus>(IConsensus);
        await consensus.start(state, { signal: context.signal });
        metadata = new MetadataService(consensus, state, clock);
        let knewLeader = false;
        consensus.onLeadershipChange((e) => {
          // An election before any leader was known is just start-up; one after is a leader lost.
          if (e.isSelf) logger.info('this master is now the leader', { term: e.term });
          else if (e.leaderId) logger.info('leader changed', { term: e.term, leader: e.leaderId });
          else if (knewLeader) logger.warn('leader lost: election under way', { term: e.term });
          knewLeader ||= e.leaderId !== null;
          // A new leader wants the exact replica map: every chunkserver's next heartbeat is refused, so it registers
          // again with its full chunk list (what the old leader did to replicas never reached this master's map).
          if (e.isSelf) registry?.requireReregistration();
          tenure.changed(e.isSelf);
        });
      },
      stop: async () => consensus?.stop(),
    },
    {
      name: 'control-api',
      start: async () => {
        const placement = container.resolve<IPlacement>(IPlacement);
        const keys = await loadClusterKeys(config.node.clusterSecretFile, logger, 'any host can register as a chunkserver');
        permits = keys?.permits;
        memberProofs = keys?.memberProofs;
        tls = await loadNodeTls(config.node.tls, 'node.tls');
        if (!tls && (section.httpTls || section.allowPlainControl))
          throw new MoosengError(
            ErrorCodes.CONFIG_INVALID,
            `master.${section.httpTls ? 'httpTls' : 'allowPlainControl'} needs node.tls (the CA, this master's certificate and key: mooseng certs issue --role master)`,
          );
        if (!tls)
          logger.warn(
            'the control port speaks plain TCP (no node.tls): anyone on the path reads and changes what clients and chunkservers send',
          );
        else if (section.allowPlainControl)
          logger.warn(
            'master.allowPlainControl is on: the control port takes plain connections too, and chunkservers without a certificate; turn it off once every node has node.tls',
          );
        data = new DataPlaneClient({
          clock,
          tls: tls ?? undefined,
          signer: (req, targets) => permits?.forRequest(req, targets, clock.now()),
        });
        registry = new ChunkserverRegistry({
          memberProofs,
          requireCertificates: tls !== null && !section.allowPlainControl,
          masterId: config.node.id,
          clusterId: config.node.clusterId,
          clock,
          logger: logger.child({ component: 'registry' }),
          locations,
          timeoutMs: section.chunkserverTimeoutMs,
          newSession: newSessionId,
          // Every master marks the copy; the leader also deletes it once good copies elsewhere reach the goal.
          onCorrupt: (server, chunkId, version) =>
            void ops
              .corrupt(server, chunkId, version)
              .catch((err) => logger.warn('handling a corrupt replica failed', { chunkId, server, err: (err as Error).message })),
        });
        const ops = new ChunkOperations(metadata, locations, registry, data, logger.child({ component: 'chunk-ops' }), clock, tenure, {
          newChunkPoolSize: section.newChunkPoolSize,
          metrics,
        });
        repair = new RepairLoop({
          metadata,
          locations,
          registry,
          placement,
          ops,
          clock,
          metrics,
          logger: logger.child({ component: 'repair' }),
          graceMs: section.chunkserverTimeoutMs,
        });
        sessions = new SessionReaper({
          metadata,
          clock,
          logger: logger.child({ component: 'sessions' }),
          timeoutMs: section.sessionTimeoutMs,
        });
        const sessionKeys = new SessionKeys(keys?.secret ?? null, keys?.retired);
        const clientApi = new ClientApi({
          metadata,
          registry,
          locations,
          placement,
          chunkOps: ops,
          permits: new GrantPermits(permits, clock),
          sessionKeys,
          clock,
          exports: new Exports(section.exports),
          tenure,
          metrics,
          clusterId: config.node.clusterId,
          logger: logger.child({ component: 'client-api' }),
          onSessionSeen: (id) => sessions.seen(id),
          onServed: (method, request) => changes?.published(method, request),
          sessionTimeoutMs: section.sessionTimeoutMs,
        });
        changes = new ChangeFeed(
          () => metadata.isLeader(),
          logger.child({ component: 'change-feed' }),
          clock,
          sessionKeys,
          (call) => clientApi.bindingOf(callerOfGrpcCall(call)),
          (sessionId, notice) => noticeFor(metadata.state, sessionId, notice),
        );
        // One port, two transports (docs/protocol.md): clients' unary calls on the framed one by default, on gRPC
        // when a client asks for it; the change feed and chunkservers on gRPC.
        control = await ControlPort.start({
          host: section.host,
          port: section.port,
          grpcServices: [
            { definition: clientToMasterService().service, implementation: clientApi.service() },
            { definition: changeFeedService().service, implementation: changes.service() },
            { definition: chunkserverToMasterService().service, implementation: registry.service() },
          ],
          framed: new FramedControlServer({
            definition: clientToMasterService().service,
            dispatch: clientApi.dispatch(),
            serviceName: CLIENT_TO_MASTER_SERVICE,
            logger: logger.child({ component: 'framed-control' }),
          }),
          logger: logger.child({ component: 'control-port' }),
          tls: tls ?? undefined,
          allowPlain: section.allowPlainControl,
        });
        context.logger.info('control API listening', {
          port: control.port,
          transports: 'grpc, framed',
          tls: tls ? (section.allowPlainControl ? 'on, plain taken too' : 'on') : 'off',
        });
      },
      stop: async () => {
        changes?.close();
        await control?.stop();
        data?.close();
      },
    },
    {
      name: 'http',
      start: async () => {
        registerMasterMetrics(metrics, { consensus, state, repair, registry, control: control! });
        http = new RoleHttpServer({
          host: section.host,
          port: section.httpPort,
          logger,
          tokens: section.httpApiTokens,
          tokensSetting: 'master.httpApiTokens',
          tls: section.httpTls && tls ? { cert: tls.cert, key: tls.key } : undefined,
          routes: masterHttpRoutes({
            nodeId: config.node.id,
            clusterId: config.node.clusterId,
            consensus,
            metadata,
            registry,
            repair,
            metrics,
            events,
            now: () => clock.now(),
          }),
        });
        context.logger.info('HTTP listening', { port: await http.start() });
      },
      stop: async () => http?.stop(),
    },
    {
      name: 'repair',
      start: async () => repair.start(),
      stop: async () => repair?.stop(),
    },
    {
      name: 'session-expiry',
      start: async () => sessions.start(),
      stop: async () => sessions?.stop(),
    },
  ];
}

/** The master's gauges, read on each scrape (docs/observability.md lists them with the example queries). */
function registerMasterMetrics(
  metrics: IMetrics,
  parts: { consensus: IConsensus; state: NamespaceStateMachine; repair: RepairLoop; registry: ChunkserverRegistry; control: ControlPort },
): void {
  const { consensus, state, repair, registry, control } = parts;
  const isLeader = (): boolean => consensus.status().role === 'leader';
  metrics.gauge({ name: 'mooseng_master_up', help: '1 while this master runs', collect: (set) => set(1) });
  metrics.gauge({ name: 'mooseng_master_role', help: '1 on the leader, 0 elsewhere', collect: (set) => set(isLeader() ? 1 : 0) });
  metrics.gauge({ name: 'mooseng_master_term', help: 'Current consensus term', collect: (set) => set(consensus.status().term) });
  metrics.gauge({ name: 'mooseng_master_files', help: 'Regular files in the namespace', collect: (set) => set(state.statfs().files) });
  metrics.gauge({
    name: 'mooseng_master_directories',
    help: 'Directories in the namespace',
    collect: (set) => set(state.statfs().directories),
  });
  metrics.gauge({
    name: 'mooseng_master_file_bytes',
    help: "Sum of the regular files' lengths",
    collect: (set) => set(state.statfs().fileBytes),
  });
  metrics.gauge({ name: 'mooseng_master_chunks', help: 'Chunks in the chunk map', collect: (set) => set(state.tree.chunkTable.size) });
  metrics.gauge({
    name: 'mooseng_master_chunkservers',
    help: 'Chunkservers known to this master, by state',
    labelNames: ['state'],
    collect: (set) => {
      const servers = registry.list();
      const alive = servers.filter((s) => s.alive).length;
      set(alive, { state: 'alive' });
      set(servers.length - alive, { state: 'dead' });
    },
  });
  metrics.gauge({
    name: 'mooseng_master_control_connections',
    help: 'Open connections to the control port, by transport (grpc: chunkservers, change feeds, gRPC clients; framed: clients)',
    labelNames: ['transport'],
    collect: (set) => {
      for (const [transport, open] of Object.entries(control.connections())) set(open, { transport });
    },
  });
  // Only the leader classifies chunks; a follower exports no series rather than an old term's figures, so sum()
  // over all masters is the leader's figure.
  const leaderOnly = (name: string, help: string, figure: () => number): void => {
    metrics.gauge({
      name,
      help: `${help} (leader only)`,
      collect: (set) => {
        if (isLeader()) set(figure());
      },
    });
  };
  leaderOnly('mooseng_master_under_goal_chunks', 'Chunks with fewer live replicas than their goal', () => repair.figures.underGoal);
  leaderOnly('mooseng_master_over_goal_chunks', 'Chunks with more live replicas than their goal', () => repair.figures.overGoal);
  leaderOnly('mooseng_master_missing_chunks', 'Chunks with no live replica', () => repair.figures.missing);
  leaderOnly('mooseng_master_replication_queue', 'Chunks waiting for (or in) a copy toward their goal', () => repair.figures.underGoal);
}

export const masterRole: RoleDefinition = {
  name: 'master',
  section: MASTER_SECTION_SCHEMA,
  slots: [
    { kind: 'metrics', defaultId: 'metrics-prometheus', optional: true },
    { kind: 'placement', defaultId: 'placement-hrw', optional: false },
    { kind: 'consensus', defaultId: 'replication-raft', optional: false },
  ],
  environment: [
    { variable: 'MOOSENG_LISTEN_PORT', path: 'master.port' },
    { variable: 'MOOSENG_GRPC_PORT', path: 'master.port' },
    { variable: 'MOOSENG_METRICS_PORT', path: 'master.httpPort' },
  ],
  steps: masterSteps,
};
