// The chunkserver role: chunk stores on each data directory behind the data plane, watched by the scrubber,
// reported to the masters.
import { join } from 'node:path';
import {
  type ChunkPermitKey,
  type Counter,
  DataPlaneClient,
  type DirectoryUsage,
  IChunkStoreFactory,
  IClock,
  ICompressor,
  IMetrics,
  loadClusterKeys,
  loadNodeTls,
  type MemberProofKey,
  metricsRoute,
  type RoleContext,
  type RoleDefinition,
  RoleHttpServer,
  type RoleStep,
} from '@mooseng/core';
import { ChunkStoreSet } from './chunk-store-set';
import { ChunkserverRuntime } from './chunkserver-runtime';
import { CHUNKSERVER_SECTION_SCHEMA, type ChunkserverSection } from './chunkserver-config';
import { DataPlaneServer, type CorruptionReporter } from './data-plane-server';
import { MasterLink } from './master-link';
import { Scrubber } from './scrubber';

/**
 * Deadline of a request this chunkserver forwards down a chain (or sends to a repair source): shorter than a
 * client's (DATA_PLANE_TIMEOUT_MS), so a hung replica is reported as REPLICA_FAILED before the client gives up.
 */
export const FORWARD_TIMEOUT_MS = 20_000;

/** The step table. Order matters: stores before anything that serves them; masters last, so a registration never
 * advertises a port that is not listening yet. Stopping runs in reverse: masters stop hearing from us first. */
function chunkserverSteps(ctx: RoleContext): RoleStep[] {
  const { config, container, logger } = ctx;
  const section = config.chunkserver as ChunkserverSection;
  const clock = container.resolve<IClock>(IClock);
  // Resolved when the steps start: the plugins step (which registers the metrics plugin) runs after this table is built.
  let metrics: IMetrics = container.resolve<IMetrics>(IMetrics);
  const dataDirs = section.dataDirs.length > 0 ? section.dataDirs : [join(config.node.dataDir, 'disk0')];

  let stores: ChunkStoreSet | null = null;
  let scrubber: Scrubber | null = null;
  let dataPlane: DataPlaneServer | null = null;
  let http: RoleHttpServer | null = null;
  let link: MasterLink | null = null;
  let crcErrors: Counter | null = null;
  // From the cluster secret, when there is one (the data-plane step loads it).
  let permits: ChunkPermitKey | undefined;
  let memberProofs: MemberProofKey | undefined;
  // Made by the data-plane step, once node.tls is read: chain forwards and repair reads dial over TLS with it.
  let peers: DataPlaneClient | null = null;
  const runtime: ChunkserverRuntime = {
    dataAddress: '',
    dataPort: 0,
    httpPort: 0,
    get stores() {
      if (!stores) throw new Error('invariant broken: chunkserver stores are not open');
      return stores;
    },
    get scrub() {
      return scrubber!.status;
    },
    masters: () => link?.states() ?? [],
  };
  // Corruption found by reads or the scrubber goes to the masters once the link is up; it is logged either way.
  const onCorrupt: CorruptionReporter = (ref, blocks, dir, foundBy) => {
    logger.error(`chunk ${ref.chunkId} version ${ref.version} in ${dir} is corrupt (found by ${foundBy})`, { blocks });
    crcErrors?.inc({ found_by: foundBy });
    link?.reportCorrupt(ref, blocks, dir, foundBy);
  };
  return [
    {
      name: 'stores',
      start: async () => {
        metrics = container.resolve<IMetrics>(IMetrics);
        crcErrors = metrics.counter({
          name: 'mooseng_chunkserver_crc_errors_total',
          help: 'Corrupt chunks found (a block CRC or header mismatch), by who found them',
          labelNames: ['found_by'],
        });
        // At 0 from the start: "no CRC error" is a reading, and increase() needs a series to start from.
        for (const foundBy of ['read', 'scrub', 'verify']) crcErrors.inc({ found_by: foundBy }, 0);
        const factory = container.resolve<IChunkStoreFactory>(IChunkStoreFactory);
        const compressor = container.isRegistered(ICompressor, true) ? container.resolve<ICompressor>(ICompressor) : undefined;
        stores = await ChunkStoreSet.open(dataDirs, factory, compressor, logger.child({ component: 'stores' }));
        const chunks = (await stores.list()).length;
        logger.info(`chunk stores open`, { dirs: dataDirs, chunks, compressor: compressor?.algorithm ?? 'none' });
        registerStorageMetrics(metrics, stores);
        container.register(ChunkserverRuntime, { useValue: runtime });
      },
      stop: async () => {
        await stores?.close();
      },
    },
    {
      name: 'scrub',
      start: async () => {
        scrubber = new Scrubber({
          stores: runtime.stores,
          rateMBps: section.scrubRateMBps,
          clock,
          logger: logger.child({ component: 'scrub' }),
          metrics,
          onCorrupt,
        });
        scrubber.start();
      },
      stop: async () => {
        await scrubber?.stop();
      },
    },
    {
      name: 'data-plane',
      start: async () => {
        const keys = await loadClusterKeys(config.node.clusterSecretFile, logger, 'anyone who reaches the data plane can change chunks');
        permits = keys?.permits;
        memberProofs = keys?.memberProofs;
        const tls = await loadNodeTls(config.node.tls, 'node.tls');
        if (tls && section.allowPlainDataPlane)
          logger.warn(
            'chunkserver.allowPlainDataPlane is on: plain data-plane connections are taken, and their permits can be read on the wire',
          );
        // Mutual TLS to other chunkservers: this one shows its own certificate and checks theirs (data-plane-tls.ts).
        peers = new DataPlaneClient({ sender: 'chunkserver', clock, timeoutMs: FORWARD_TIMEOUT_MS, tls: tls ?? undefined });
        dataPlane = new DataPlaneServer({
          tls: tls ? { files: tls, allowPlain: section.allowPlainDataPlane } : undefined,
          permits,
          selfAddress: () => runtime.dataAddress,
          maxConnections: section.maxConnections,
          host: section.host,
          port: section.port,
          stores: runtime.stores,
          peers,
          logger: logger.child({ component: 'data-plane' }),
          metrics,
          clock,
          onCorrupt,
        });
        runtime.dataPort = await dataPlane.start();
        runtime.dataAddress = `${section.advertiseHost}:${runtime.dataPort}`;
        logger.info(`data plane listening on ${section.host}:${runtime.dataPort}${tls ? ' (TLS)' : ''}`, {
          advertised: runtime.dataAddress,
        });
      },
      stop: async () => {
        await dataPlane?.stop();
        peers?.close();
      },
    },
    {
      name: 'http',
      start: async () => {
        http = new RoleHttpServer({
          host: section.host,
          port: section.httpPort,
          logger,
          routes: [
            {
              method: 'GET',
              path: '/health',
              handler: async () => {
                const dirs = await runtime.stores.usage();
                // A full directory still serves what it holds: only failed ones count against the server.
                const usable = dirs.filter((d) => d.state !== 'unusable').length;
                const status = usable === 0 ? 'failed' : dirs.some((d) => d.state !== 'ok') ? 'degraded' : 'ok';
                return {
                  status: usable === 0 ? 503 : 200,
                  json: {
                    status,
                    role: 'chunkserver',
                    node: config.node.id,
                    dataAddress: runtime.dataAddress,
                    chunks: dirs.reduce((n, d) => n + (d.state !== 'unusable' ? d.chunks : 0), 0),
                    dirs,
                    scrub: runtime.scrub,
                    masters: runtime.masters(),
                  },
                };
              },
            },
            metricsRoute(metrics),
          ],
        });
        runtime.httpPort = await http.start();
        logger.info(`HTTP listening on ${section.host}:${runtime.httpPort}`);
      },
      stop: async () => {
        await http?.stop();
      },
    },
    {
      name: 'masters',
      start: async () => {
        const tls = await loadNodeTls(config.node.tls, 'node.tls');
        link = new MasterLink({
          masters: section.masters,
          identity: {
            nodeId: config.node.id,
            clusterId: config.node.clusterId,
            dataAddress: runtime.dataAddress,
            httpPort: runtime.httpPort,
            labels: section.labels,
            memberProof: Buffer.alloc(0),
          },
          stores: runtime.stores,
          heartbeatIntervalMs: section.heartbeatIntervalMs,
          memberProofs,
          tls,
          clock,
          logger: logger.child({ component: 'masters' }),
        });
        link.start();
      },
      stop: async () => {
        await link?.stop();
      },
    },
  ];
}

export const chunkserverRole: RoleDefinition = {
  name: 'chunkserver',
  section: CHUNKSERVER_SECTION_SCHEMA,
  slots: [
    { kind: 'metrics', defaultId: 'metrics-prometheus', optional: true },
    { kind: 'compressor', defaultId: 'none', optional: true },
    { kind: 'chunk-store', defaultId: 'storage-fs', optional: false },
  ],
  environment: [
    // After the common MOOSENG_NODE_ID, so the more specific name wins when both are set.
    { variable: 'MOOSENG_SERVER_ID', path: 'node.id' },
    { variable: 'MOOSENG_LISTEN_PORT', path: 'chunkserver.port' },
    { variable: 'MOOSENG_METRICS_PORT', path: 'chunkserver.httpPort' },
    { variable: 'MOOSENG_MASTER_ADDRS', path: 'chunkserver.masters', list: true },
    { variable: 'MOOSENG_DATA_DIRS', path: 'chunkserver.dataDirs', list: true },
  ],
  steps: chunkserverSteps,
};

/** Per data directory: size, use, chunks and whether it is usable, read from the stores on each scrape. */
function registerStorageMetrics(metrics: IMetrics, stores: ChunkStoreSet): void {
  const perDir = (name: string, help: string, value: (u: DirectoryUsage) => number): void => {
    metrics.gauge({
      name,
      help,
      labelNames: ['dir'],
      collect: async (set) => {
        for (const u of await stores.usage()) set(value(u), { dir: u.dir });
      },
    });
  };
  perDir('mooseng_chunkserver_capacity_bytes', 'Size of the file system holding each data directory', (u) => u.totalBytes);
  perDir('mooseng_chunkserver_used_bytes', 'Bytes taken by chunk files in each data directory', (u) => u.usedBytes);
  perDir('mooseng_chunkserver_free_bytes', 'Bytes still free on the file system of each data directory', (u) => u.freeBytes);
  perDir('mooseng_chunkserver_chunks', 'Chunks stored in each data directory', (u) => u.chunks);
  perDir('mooseng_chunkserver_dir_usable', '1 while a data directory is usable (a full one still serves), 0 after it failed', (u) =>
    u.state !== 'unusable' ? 1 : 0,
  );
}
