// Test plugins built in memory: manifests whose contributions record what the host does with them.
import type { Contribution, LoadedPlugin, PluginManifest } from '@mooseng/core';

/** A plugin package as discovery would load it, from a manifest made in the test. */
export function fakePlugin(name: string, provides: Contribution[], apiVersion = '1.0', version = '1.0.0'): LoadedPlugin {
  const manifest: PluginManifest = { apiVersion, provides };
  return { name, version, root: `/virtual/${name}`, manifest };
}

/** A compressor contribution whose service is a tagged object, so a test can tell which one was built. */
export function taggedContribution(
  kind: Contribution['kind'],
  id: string,
  roles: Contribution['roles'],
  extra: Partial<Contribution> = {},
): Contribution {
  return {
    kind,
    id,
    roles,
    description: `test ${kind} ${id}`,
    create: (ctx) => ({ builtFrom: id, config: ctx.config, node: ctx.node.id }),
    ...extra,
  };
}

/** The contributions every role needs, so configs for each role can validate in tests. */
export function baselinePlugins(): LoadedPlugin[] {
  return [
    fakePlugin('test-baseline', [
      taggedContribution('chunk-store', 'storage-fs', ['chunkserver']),
      taggedContribution('consensus', 'replication-raft', ['master']),
      taggedContribution('placement', 'placement-hrw', ['master']),
      taggedContribution('metrics', 'metrics-prometheus', ['master', 'chunkserver', 'client']),
    ]),
  ];
}
