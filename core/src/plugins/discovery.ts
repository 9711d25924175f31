// Plugin discovery: a plugin is an npm package whose package.json has a "mooseng" section naming its manifest module.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCodes, MoosengError } from '../errors';
import type { LoadedPlugin, PluginManifest } from './manifest';

/** The "mooseng" section of a plugin's package.json. */
export interface PackageMoosengSection {
  /** Module (relative to the package root) exporting the manifest as `manifest` or default. */
  manifest: string;
}

/** True when the package.json marks the package as a MooseNG plugin. */
export function isPluginPackage(pjson: { mooseng?: unknown }): pjson is { mooseng: PackageMoosengSection } {
  return (
    typeof pjson.mooseng === 'object' && pjson.mooseng !== null && typeof (pjson.mooseng as PackageMoosengSection).manifest === 'string'
  );
}

/**
 * Loads the manifest of the plugin package at `root`. Importing a manifest module must have no side effects beyond
 * defining it; the host builds nothing until every plugin has been checked.
 */
export function loadPluginPackage(root: string): LoadedPlugin {
  const dir = resolve(root);
  let pjson: { name?: string; version?: string; mooseng?: unknown };
  try {
    pjson = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch (err) {
    throw new MoosengError(ErrorCodes.PLUGIN_INVALID, `no readable package.json in ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const name = pjson.name ?? dir;
  const version = pjson.version ?? '0.0.0';
  if (!isPluginPackage(pjson)) {
    throw new MoosengError(ErrorCodes.PLUGIN_INVALID, `plugin ${name}: package.json has no "mooseng": { "manifest": "<module>" } section`);
  }
  let mod: { manifest?: PluginManifest; default?: PluginManifest };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(join(dir, pjson.mooseng.manifest));
  } catch (err) {
    throw new MoosengError(
      ErrorCodes.PLUGIN_INVALID,
      `plugin ${name}: cannot load its manifest ${pjson.mooseng.manifest} (${(err as Error).message}); is it built?`,
      { cause: err },
    );
  }
  const manifest = mod.manifest ?? mod.default;
  return { name, version, root: dir, manifest: manifest as PluginManifest };
}
