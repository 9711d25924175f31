// @mooseng/plugin-storage-fs: chunk stores on buffered file I/O, one per data directory.
import { FSYNC_POLICIES } from '@mooseng/block-store';
import { CORE_API_VERSION, definePlugin, type PluginContext } from '@mooseng/core';
import { FsChunkStoreFactory, type FsChunkStoreConfig } from './fs-chunk-store';

export { FsChunkStoreFactory, type FsChunkStoreConfig } from './fs-chunk-store';
export { BufferedBlockFileIo } from './buffered-block-file';

export const manifest = definePlugin({
  apiVersion: CORE_API_VERSION,
  provides: [
    {
      kind: 'chunk-store',
      id: 'storage-fs',
      roles: ['chunkserver'],
      description: 'Chunk files with a CRC32 per 64 KiB block, written through the page cache',
      configSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          fsync: {
            enum: [...FSYNC_POLICIES],
            default: 'on-close',
            description:
              'When writes reach the disk: always (before each write is acknowledged), on-close (when a chunk is flushed or closed), never (when the kernel decides)',
          },
        },
      },
      create: (ctx: PluginContext<FsChunkStoreConfig>) => new FsChunkStoreFactory(ctx.config, ctx.logger),
    },
  ],
});
