// @mooseng/plugin-mount-fuse3: the mount on libfuse 3's low-level API, through an N-API addon of its own.
import { CORE_API_VERSION, definePlugin, type PluginContext } from '@mooseng/core';
import { Fuse3LowLevelMount } from './fuse3-mount';

export { Fuse3LowLevelMount, fuseConnectionId, lockOf, UNMOUNT_GRACE_MS, ABORT_GRACE_MS } from './fuse3-mount';
export { KernelAttributes, type KernelStaleness } from './kernel-attributes';
export { LookupCounts } from './lookup-counts';
export { loadAddon, type Fuse3Addon } from './native';

export const manifest = definePlugin({
  apiVersion: CORE_API_VERSION,
  provides: [
    {
      kind: 'mount',
      id: 'mount-fuse3',
      roles: ['client'],
      description: "FUSE mount on libfuse 3's low-level API: inode-based, 1 MiB requests, readdirplus, negative entries",
      configSchema: { type: 'object', additionalProperties: false, properties: {} },
      create: (ctx: PluginContext) => new Fuse3LowLevelMount(ctx.logger),
      dispose: (mount: Fuse3LowLevelMount) => mount.unmount(),
    },
  ],
});
