// @mooseng/plugin-storage-fs: manifest. Its contributions are added by the issue that builds this plugin.
import { CORE_API_VERSION, definePlugin } from '@mooseng/core';

export const manifest = definePlugin({
  apiVersion: CORE_API_VERSION,
  provides: [],
});
