// The composition root's plugin discovery: every oclif plugin (first-party, installed or linked) whose package.json
// has a "mooseng" section is a MooseNG plugin. Core never imports a plugin; only this file finds them.
import type { Config } from '@oclif/core';
import { isPluginPackage, loadPluginPackage, PluginRegistry, type LoadedPlugin } from '@mooseng/core';

/** Loads the manifest of every MooseNG plugin oclif knows about: those shipped with the CLI, installed and linked. */
export function discoverPlugins(config: Config): LoadedPlugin[] {
  const found: LoadedPlugin[] = [];
  for (const plugin of config.getPluginsList()) {
    if (isPluginPackage(plugin.pjson as { mooseng?: unknown })) found.push(loadPluginPackage(plugin.root));
  }
  return found;
}

/** Discovers and checks every plugin; throws a MoosengError naming each bad plugin. */
export function buildRegistry(config: Config): PluginRegistry {
  return PluginRegistry.build(discoverPlugins(config));
}
