// @mooseng/plugin-storage-directio: chunk stores on O_DIRECT with aligned buffers from a small N-API addon.
import { FSYNC_POLICIES } from '@mooseng/block-store';
import { CORE_API_VERSION, definePlugin, type PluginContext } from '@mooseng/core';
import { DirectIoChunkStoreFactory, type DirectIoChunkStoreConfig } from './directio-chunk-store';

export { DirectIoChunkStoreFactory, type DirectIoChunkStoreConfig } from './directio-chunk-store';
export { DirectBlockFileIo } from './direct-block-file';
export { allocAligned, DIRECT_IO_ALIGNMENT_BYTES } from './aligned-memory';

export const manifest = definePlugin({
  apiVersion: CORE_API_VERSION,
  provides: [
    {
      kind: 'chunk-store',
      id: 'storage-directio',
      roles: ['chunkserver'],
      description: 'Chunk files with a CRC32 per 64 KiB block, written with O_DIRECT (bypasses the page cache)',
      configSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          fsync: {
            enum: [...FSYNC_POLICIES],
            default: 'on-close',
            description:
              'When writes are made durable (fdatasync): always (before each write is acknowledged), on-close (when a chunk is flushed or closed), never',
          },
        },
      },
      create: (ctx: PluginContext<DirectIoChunkStoreConfig>) => new DirectIoChunkStoreFactory(ctx.config, ctx.logger),
    },
  ],
});
