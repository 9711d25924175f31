// The client role: a FUSE mount. Steps: HTTP (/health, /metrics) → a session with the master leader → the mount
// (through whichever IMount the `mount` slot chose: mount-fuse3 by default, mount-fuse-native as the fallback).
import { hostname } from 'node:os';
import {
  DataPlaneClient,
  type DialTls,
  ErrorCodes,
  IClock,
  IMetrics,
  IMount,
  loadDialTls,
  metricsRoute,
  MoosengError,
  type RoleContext,
  type RoleDefinition,
  RoleHttpServer,
  type RoleStep,
} from '@mooseng/core';
import { CLIENT_SECTION_SCHEMA, type ClientSection, subdirOf } from './client-config';
import { blockCacheGauge, cacheStats, writeBackGauges } from './cache-stats';
import { BlockCache } from './block-cache';
import { READ_AHEAD_MAX_BYTES } from './read-ahead';
import { FileLocks } from './file-locks';
import { FileIo } from './file-io';
import { FileSystemClient } from './file-system-client';
import { CallerGroups } from './caller-credentials';
import { ClientFileSystemOperations } from './file-system-operations';
import { MasterClient } from './master-client';
import { ChangeWatcher } from './change-watcher';

function clientSteps(context: RoleContext): RoleStep[] {
  const section = context.config.client as ClientSection;
  const clock = context.container.resolve<IClock>(IClock);
  const logger = context.logger;
  let http: RoleHttpServer | null = null;
  let master: MasterClient | null = null;
  let tls: DialTls | null = null;
  let data: DataPlaneClient | null = null;
  let mount: IMount | null = null;
  let watcher: ChangeWatcher | null = null;
  let fileSystem: FileSystemClient | null = null;
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
                json: {
                  role: 'client',
                  node: context.config.node.id,
                  mounted: mount !== null,
                  binding: mount?.binding ?? null,
                  mountPoint: section.mountPoint,
                  session: session?.sessionId ?? null,
                  leader: master?.currentLeader ?? null,
                },
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
        // node.tls: the masters over TLS; a client may have the CA alone (it then shows no certificate).
        tls = await loadDialTls(context.config.node.tls, 'node.tls');
        master = new MasterClient({
          masters: section.masters,
          logger,
          clock,
          sessionInfo: `mount ${section.mountPoint}`,
          host: hostname(),
          password: section.password,
          subdir: subdirOf(section),
          transport: section.controlTransport,
          tls,
        });
        session = await master.connect({ signal: context.signal });
        if (session.clusterId !== context.config.node.clusterId) {
          throw new MoosengError(
            ErrorCodes.CONFIG_INVALID,
            `the masters serve cluster "${session.clusterId}", but this client is configured for "${context.config.node.clusterId}" (node.clusterId)`,
          );
        }
        logger.info('session open', { session: session.sessionId, leader: master.currentLeader });
      },
      stop: async () => master?.close(),
    },
    {
      name: 'mount',
      start: async () => {
        // With node.tls (the CA alone will do), chunkservers are dialled over TLS and their certificates checked.
        data = new DataPlaneClient({ clock, tls: (await loadDialTls(context.config.node.tls, 'node.tls')) ?? undefined });
        const metrics = context.container.resolve<IMetrics>(IMetrics);
        const countCache = cacheStats(metrics);
        const cacheBytes = section.cacheSizeMb * 1024 * 1024;
        const blocks = cacheBytes > 0 ? new BlockCache(cacheBytes, (hit) => countCache('block', hit)) : null;
        if (blocks) blockCacheGauge(metrics, () => blocks.bytesHeld);
        const fs = (fileSystem = new FileSystemClient(master!, new FileIo(master!, data, clock, logger, countCache, blocks), {
          attrTtlMs: section.attrTimeoutMs,
          metadataTtlMs: section.metadataCacheMs || section.attrTimeoutMs,
          writeBufferBytes: section.writeBufferMb * 1024 * 1024,
          writeBack: section.writeBack,
          clock,
          logger,
          countCache,
          // An eighth of the cache at most: a sequential reader's windows must not push each other out.
          readAheadMaxBytes: Math.min(READ_AHEAD_MAX_BYTES, Math.floor(cacheBytes / 8)),
        }));
        writeBackGauges(metrics, () => fs.writeBackBytes);
        const ops = new ClientFileSystemOperations(
          fs,
          new CallerGroups(() => clock.monotonic()),
          { entryTimeoutMs: section.entryTimeoutMs, attrTimeoutMs: section.attrTimeoutMs, negativeTimeoutMs: section.negativeTimeoutMs },
          metrics,
          logger,
          new FileLocks(master!, clock),
        );
        const m = context.container.resolve<IMount>(IMount);
        const subdir = subdirOf(section);
        await m.mount(section.mountPoint, ops, {
          // The masters ride in the fsname ("+"-separated: a comma would split the mount options), and the
          // subdirectory after them as NFS writes host:/path, so admin commands given a path on the mount know
          // where to go and which path of the file system it is.
          fsname: `mooseng:${section.masters.join('+')}${subdir === '' ? '' : `:${subdir}`}`,
          readOnly: section.readOnly,
          defaultPermissions: true,
          allowOther: true,
          keepCache: section.keepCache,
          kernelWritebackCache: section.kernelWritebackCache,
          busyPollUs: section.fuseBusyPollUs,
        });
        mount = m;
        logger.info('mounted', { mountPoint: section.mountPoint, binding: m.binding });
        // Other clients' changes, dropped from this client's caches and (where the binding can) the kernel's at once.
        const kernel = m.kernelCache;
        watcher = new ChangeWatcher({
          master: master!,
          masters: section.masters,
          tls,
          clock,
          logger,
          listener: {
            changed: (notice) => {
              fs.changed(notice.inodes, notice.entries);
              if (!kernel) return;
              for (const ino of notice.inodes) void kernel.invalidateInode(ino);
              for (const e of notice.entries) void kernel.invalidateEntry(e.parent, e.name);
            },
            resync: () => {
              fs.resync();
              if (kernel) void kernel.invalidateAllInodes();
            },
            lost: () => {
              fs.feedLost();
              if (kernel) void kernel.invalidateAllInodes();
            },
          },
        });
        watcher.start();
      },
      stop: async () => {
        watcher?.stop();
        watcher = null;
        await mount?.unmount();
        mount = null;
        // Before the session closes (the next step to stop): the master would release them then anyway, but a
        // session that fails to close would keep them open until it expires.
        await fileSystem?.settleReleases();
        fileSystem = null;
        data?.close();
      },
    },
  ];
}

export const clientRole: RoleDefinition = {
  name: 'client',
  section: CLIENT_SECTION_SCHEMA,
  slots: [
    { kind: 'metrics', defaultId: 'metrics-prometheus', optional: true },
    { kind: 'mount', defaultId: 'mount-fuse3', optional: false },
  ],
  environment: [
    { variable: 'MOOSENG_METRICS_PORT', path: 'client.httpPort' },
    { variable: 'MOOSENG_MASTER_ADDRS', path: 'client.masters', list: true },
    { variable: 'MOOSENG_MOUNT_POINT', path: 'client.mountPoint' },
    { variable: 'MOOSENG_SUBDIR', path: 'client.subdir' },
    { variable: 'MOOSENG_CACHE_SIZE_MB', path: 'client.cacheSizeMb' },
    { variable: 'MOOSENG_KEEP_CACHE', path: 'client.keepCache' },
    { variable: 'MOOSENG_KERNEL_WRITEBACK_CACHE', path: 'client.kernelWritebackCache' },
    { variable: 'MOOSENG_FUSE_BUSY_POLL_US', path: 'client.fuseBusyPollUs' },
    { variable: 'MOOSENG_WRITE_BACK', path: 'client.writeBack' },
    { variable: 'MOOSENG_CONTROL_TRANSPORT', path: 'client.controlTransport' },
    { variable: 'MOOSENG_PASSWORD', path: 'client.password' },
  ],
  steps: clientSteps,
};
