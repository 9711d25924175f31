// mooseng-plugin-zlib: a third-party MooseNG plugin. It uses only @mooseng/core's public API, exactly as any plugin
// published on npm would, and contributes one compressor for chunkservers.
import { CORE_API_VERSION, definePlugin, type PluginContext } from '@mooseng/core';
import { ZlibCompressor } from './zlib-compressor';

export { ZlibCompressor } from './zlib-compressor';

interface ZlibConfig {
  level: number;
}

export const manifest = definePlugin({
  apiVersion: CORE_API_VERSION,
  provides: [
    {
      kind: 'compressor',
      id: 'compression-zlib',
      roles: ['chunkserver'],
      description: 'Per-block deflate (node:zlib): smaller than LZ4, slower',
      configSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          level: { type: 'integer', minimum: 1, maximum: 9, default: 3, description: 'Deflate level: 1 fastest, 9 smallest' },
        },
      },
      create: (ctx: PluginContext<ZlibConfig>) => {
        ctx.logger.info('deflate compression on', { level: ctx.config.level });
        return new ZlibCompressor(ctx.config.level);
      },
    },
  ],
});
