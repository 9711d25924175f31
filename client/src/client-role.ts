// The client role: a FUSE mount. Steps: HTTP (/health, /metrics) → a session with the master leader → the mount.
import { hostname } from 'node:os';
import { DataPlaneClient, ErrorCodes, IClock, IMetrics, metricsRoute, MoosengError, type RoleContext, type RoleDefinition, RoleHttpServer, type RoleStep } from '@mooseng/core';
import { CLIENT_SECTION_SCHEMA, type ClientSection } from './client-config';
import { cacheStats } from './cache-stats';
import { FileIo } from './file-io';
import { FileSystemClient } from './file-system-client';
import { CallerGroups } from './caller-credentials';
import { fuseOperations } from './fuse-operations';
import { FuseMount } from './fuse-mount';
import { MasterClient } from './master-client';

function clientSteps(context: RoleContext): RoleStep[] {
  const section = context.config.client as ClientSection;
  const clock = context.container.resolve<IClock>(IClock);
  const logger = context.logger;
  let http: RoleHttpServer | null = null;
  let master: MasterClient | null = null;
  let data: DataPlaneClient | null = null;
  let mount: FuseMount | null = null;
  let session: { sessionId: number; clusterId: string } | null = null;

  return [
    {
      name: 'http',
      start: async () => {
        const metrics = context.container.resolve<IMetrics>(IMetrics);
        http = new RoleHttpServer({
          host: '0.0.0.0',
          port: section.httpPort,
          logger,
          routes: [
            {
              method: 'GET',
              path: '/health',
              handler: () => ({
                status: mount ? 200 : 503,
                json: { role: 'client', node: context.config.node.id, mounted: mount !== null, mountPoint: section.mountPoint, session: session?.sessionId ?? null, leader: master?.currentLeader ?? null },
              }),
            },
            metricsRoute(metrics),
          ],
        });
        const port = await http.start();
        logger.info('HTTP listening', { port });
      },
      stop: async () => http?.stop(),
    },
    {
      name: 'master-session',
      start: async () => {
        if (!section.mountPoint) {
          throw new MoosengError(ErrorCodes.CONFIG_INVALID, 'no mount point: pass one (mooseng mount MOUNTPOINT) or set client.mountPoint');
        }
        master = new MasterClient({ masters: section.masters, logger, clock, sessionInfo: `mount ${section.mountPoint}`, host: hostname() });
        session = await master.connect({ signal: context.signal });
        if (session.clusterId !== context.config.node.clusterId) {
          throw new MoosengError(ErrorCodes.CONFIG_INVALID, `the masters serve cluster "${session.clusterId}", but this client is configured for "${context.config.node.clusterId}" (node.clusterId)`);
        }
        logger.info('session open', { session: session.sessionId, leader: master.currentLeader });
      },
      stop: async () => master?.close(),
    },
    {
      name: 'mount',
      start: async () => {
        data = new DataPlaneClient({ clock });
        const metrics = context.container.resolve<IMetrics>(IMetrics);
        const countCache = cacheStats(metrics);
        const fs = new FileSystemClient(master!, new FileIo(master!, data, clock, logger, countCache), {
          attrTtlMs: section.attrTimeoutMs,
          writeBufferBytes: section.writeBufferMb * 1024 * 1024,
          clock,
          logger,
          countCache,
        });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const Fuse = require('fuse-native') as { getCaller?: () => { uid: number; gid: number; pid: number } };
        if (typeof Fuse.getCaller !== 'function') {
          throw new MoosengError(ErrorCodes.INTERNAL, 'fuse-native lacks getCaller(): its patch was not applied; run `npm install` (postinstall applies patches/)');
        }
        const caller = { getCaller: Fuse.getCaller, groups: new CallerGroups(() => clock.monotonic()) };
        const m = new FuseMount(section.mountPoint, fuseOperations(fs, metrics, logger, caller), {
          // The masters ride in the fsname ("+"-separated: a comma would split the mount options), so admin
          // commands given a path on the mount know where to go.
          fsname: `mooseng:${section.masters.join('+')}`,
          attrTimeoutSec: section.attrTimeoutMs / 1000,
          entryTimeoutSec: section.entryTimeoutMs / 1000,
          readOnly: section.readOnly,
          defaultPermissions: true,
          allowOther: true,
        });
        await m.mount();
        mount = m;
        logger.info('mounted', { mountPoint: section.mountPoint });
      },
      stop: async () => {
        await mount?.unmount();
        mount = null;
        data?.close();
      },
    },
  ];
}

export const clientRole: RoleDefinition = {
  name: 'client',
  section: CLIENT_SECTION_SCHEMA,
  slots: [{ kind: 'metrics', defaultId: 'metrics-prometheus', optional: true }],
  environment: [
    { variable: 'MOOSENG_METRICS_PORT', path: 'client.httpPort' },
    { variable: 'MOOSENG_MASTER_ADDRS', path: 'client.masters', list: true },
    { variable: 'MOOSENG_MOUNT_POINT', path: 'client.mountPoint' },
    { variable: 'MOOSENG_CACHE_SIZE_MB', path: 'client.cacheSizeMb' },
  ],
  steps: clientSteps,
};
