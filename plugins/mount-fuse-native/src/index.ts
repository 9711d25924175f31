// @mooseng/plugin-mount-fuse-native: the fallback mount, on fuse-native (libfuse 2's high-level, path-based API).
import { CORE_API_VERSION, definePlugin, type PluginContext } from '@mooseng/core';
import { FuseNativeMount } from './fuse-native-mount';

export { FuseNativeMount, FUSE_MAX_REQUEST_BYTES } from './fuse-native-mount';
export { pathOperations, PathResolver } from './path-operations';

export const manifest = definePlugin({
  apiVersion: CORE_API_VERSION,
  provides: [
    {
      kind: 'mount',
      id: 'mount-fuse-native',
      roles: ['client'],
      description: 'FUSE mount on fuse-native (libfuse 2, path-based, 128 KiB requests): the fallback binding',
      configSchema: { type: 'object', additionalProperties: false, properties: {} },
      create: (ctx: PluginContext) => new FuseNativeMount(ctx.logger),
      dispose: (mount: FuseNativeMount) => mount.unmount(),
    },
  ],
});
