// @mooseng/plugin-placement-hrw: the default chunk placement, weighted rendezvous hashing across failure domains.
import { CORE_API_VERSION, definePlugin, type PluginContext } from '@mooseng/core';
import { HrwPlacement, type HrwPlacementOptions } from './hrw-placement';

export { HrwPlacement } from './hrw-placement';

export const manifest = definePlugin({
  apiVersion: CORE_API_VERSION,
  provides: [
    {
      kind: 'placement',
      id: 'placement-hrw',
      roles: ['master'],
      description: 'Weighted rendezvous hashing by chunk id, weighted by free space, replicas spread across racks',
      configSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          domainLabel: {
            type: 'string',
            default: 'rack',
            description: 'Chunkserver label naming a failure domain; replicas go to distinct domains when possible',
          },
          minFreeBytes: {
            type: 'integer',
            minimum: 0,
            default: 268435456,
            description: 'Servers with less free space receive no new replicas (default 256 MiB)',
          },
        },
      },
      create: (ctx: PluginContext<HrwPlacementOptions>) => new HrwPlacement(ctx.config),
    },
  ],
});
