// @mooseng/plugin-compression-lz4: per-block LZ4 compression on the chunkserver, transparent to clients.
import { CORE_API_VERSION, definePlugin } from '@mooseng/core';
import { Lz4Compressor } from './lz4-compressor';

export { Lz4Compressor } from './lz4-compressor';

export const manifest = definePlugin({
  apiVersion: CORE_API_VERSION,
  provides: [
    {
      kind: 'compressor',
      id: 'compression-lz4',
      roles: ['chunkserver'],
      description: 'LZ4 per 64 KiB block (lz4-napi); blocks that do not shrink are stored raw',
      configSchema: { type: 'object', additionalProperties: false, properties: {} },
      create: () => new Lz4Compressor(),
    },
  ],
});
