// The master role: namespace and chunk map on IConsensus. Steps: state machine → consensus (join the masters) →
// control API (clients and chunkservers) → HTTP → repair loop. They stop in reverse: the repair loop first, the
// consensus last, so nothing proposes into a stopped log.
import { IClock } from '../../contracts/clock';
import { IConsensus } from '../../contracts/consensus';
import { IMetrics } from '../../contracts/metrics';
import { IPlacement } from '../../contracts/placement';
import { IRandom } from '../../contracts/random';
import { RoleHttpServer } from '../../http/http-server';
import { DataPlaneClient } from '../../protocol/data-plane-client';
import { startGrpcServer, stopGrpcServer } from '../../protocol/grpc-server';
import { serviceOf } from '../../protocol/proto-files';
import type { RoleContext } from '../role-context';
import type { RoleDefinition, RoleStep } from '../role-definition';
import { ChunkOperations } from './chunk-operations';
import { ChunkLocations } from './chunks/chunk-locations';
import { ChunkserverRegistry } from './chunkserver-registry';
import { ClientApi } from './client-api';
import { MASTER_SECTION_SCHEMA, type MasterSection } from './master-config';
import { masterHttpRoutes } from './master-http-api';
import { MetadataService } from './metadata-service';
import { NamespaceStateMachine } from './namespace/namespace-state-machine';
import { RepairLoop } from './repair-loop';

function masterSteps(context: RoleContext): RoleStep[] {
  const { config, container, logger } = context;
  const section = config.master as MasterSection;
  const clock = container.resolve<IClock>(IClock);
  const random = container.resolve<IRandom>(IRandom);
  const locations = new ChunkLocations();
  const state = new NamespaceStateMachine({
    defaultGoal: section.defaultGoal,
    // A hint, on every master, of where granted chunks went; registrations and heartbeats correct it.
    onChunkGranted: (chunkId, version, servers) => {
      for (const id of servers) locations.addReplica(id, chunkId, version);
    },
  });
  // The leader drives chunkservers (versions, cuts, copies, deletes) over the same data plane clients use.
  const data = new DataPlaneClient({ clock });
  let consensus: IConsensus;
  let metadata: MetadataService;
  let registry: ChunkserverRegistry;
  let repair: RepairLoop;
  let grpcServer: Awaited<ReturnType<typeof startGrpcServer>>['server'] | null = null;
  let http: RoleHttpServer | null = null;

  return [
    {
      name: 'consensus',
      start: async () => {
        consensus = container.resolve<IConsensus>(IConsensus);
        await consensus.start(state, { signal: context.signal });
        metadata = new MetadataService(consensus, state, clock);
        consensus.onLeadershipChange((e) => {
          logger.info(e.isSelf ? 'this master is now the leader' : 'leader changed', { term: e.term, leader: e.leaderId });
          // A new leader wants the exact replica map: every chunkserver's next heartbeat is refused, so it registers
          // again with its full chunk list (what the old leader did to replicas never reached this master's map).
          if (e.isSelf) registry?.requireReregistration();
        });
      },
      stop: async () => consensus?.stop(),
    },
    {
      name: 'control-api',
      start: async () => {
        const placement = container.resolve<IPlacement>(IPlacement);
        registry = new ChunkserverRegistry({
          masterId: config.node.id,
          clusterId: config.node.clusterId,
          clock,
          logger: logger.child({ component: 'registry' }),
          locations,
          timeoutMs: section.chunkserverTimeoutMs,
          newSession: () => 1 + random.int(2 ** 47),
        });
        const ops = new ChunkOperations(metadata, locations, registry, data, logger.child({ component: 'chunk-ops' }));
        repair = new RepairLoop({ metadata, locations, registry, placement, ops, clock, logger: logger.child({ component: 'repair' }), graceMs: section.chunkserverTimeoutMs });
        const clientApi = new ClientApi({ metadata, registry, locations, placement, chunkOps: ops, random, clusterId: config.node.clusterId, logger: logger.child({ component: 'client-api' }) });
        const started = await startGrpcServer(section.host, section.port, [
          { definition: serviceOf('client.proto', 'mooseng.client.ClientToMaster').service, implementation: clientApi.service() },
          { definition: serviceOf('chunkserver.proto', 'mooseng.chunkserver.ChunkserverToMaster').service, implementation: registry.service() },
        ]);
        grpcServer = started.server;
        logger.info('control API listening', { port: started.port });
      },
      stop: async () => {
        if (grpcServer) await stopGrpcServer(grpcServer);
        data.close();
      },
    },
    {
      name: 'http',
      start: async () => {
        const metrics = container.resolve<IMetrics>(IMetrics);
        registerMasterMetrics(metrics, () => ({ consensus, state, repair }));
        http = new RoleHttpServer({
          host: section.host,
          port: section.httpPort,
          logger,
          routes: masterHttpRoutes({ nodeId: config.node.id, clusterId: config.node.clusterId, consensus, metadata, registry, repair, metrics }),
        });
        logger.info('HTTP listening', { port: await http.start() });
      },
      stop: async () => http?.stop(),
    },
    {
      name: 'repair',
      start: async () => repair.start(),
      stop: async () => repair?.stop(),
    },
  ];
}

/** The seeds' master metrics, read on each scrape. */
function registerMasterMetrics(metrics: IMetrics, parts: () => { consensus: IConsensus; state: NamespaceStateMachine; repair: RepairLoop }): void {
  metrics.gauge({ name: 'mooseng_master_up', help: '1 while this master runs', collect: (set) => set(1) });
  metrics.gauge({ name: 'mooseng_master_role', help: '1 on the leader, 0 elsewhere', collect: (set) => set(parts().consensus.status().role === 'leader' ? 1 : 0) });
  metrics.gauge({ name: 'mooseng_master_term', help: 'Current consensus term', collect: (set) => set(parts().consensus.status().term) });
  metrics.gauge({ name: 'mooseng_master_files', help: 'Regular files in the namespace', collect: (set) => set(parts().state.statfs().files) });
  metrics.gauge({ name: 'mooseng_master_chunks', help: 'Chunks in the chunk map', collect: (set) => set(parts().state.tree.chunkTable.size) });
  metrics.gauge({ name: 'mooseng_master_under_goal_chunks', help: 'Chunks with fewer live replicas than their goal (leader only)', collect: (set) => set(parts().repair.figures.underGoal) });
  metrics.gauge({ name: 'mooseng_master_missing_chunks', help: 'Chunks with no live replica (leader only)', collect: (set) => set(parts().repair.figures.missing) });
}

export const masterRole: RoleDefinition = {
  name: 'master',
  section: MASTER_SECTION_SCHEMA,
  slots: [
    { kind: 'metrics', defaultId: 'metrics-prometheus', optional: true },
    { kind: 'placement', defaultId: 'placement-hrw', optional: false },
    { kind: 'consensus', defaultId: 'replication-raft', optional: false },
  ],
  steps: masterSteps,
};
