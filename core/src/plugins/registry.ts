// PluginRegistry: every contribution the process may use, checked as a whole before anything is built.
import type { EnvBinding } from '../config/environment';
import Ajv from 'ajv';
import { ErrorCodes, MoosengError, type ErrorCode } from '../errors';
import {
  CONTRIBUTION_KINDS,
  CORE_API_VERSION,
  ROLE_NAMES,
  type Contribution,
  type ContributionKind,
  type LoadedPlugin,
  type RoleName,
} from './manifest';

/** A contribution together with the plugin package that provided it. */
export interface RegisteredContribution {
  contribution: Contribution;
  plugin: { name: string; version: string; root: string };
}

export interface PluginProblem {
  code: ErrorCode;
  plugin: string;
  message: string;
}

const ID_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** True when a plugin built for `declared` ("major.minor") runs on this core. */
export function isApiCompatible(declared: string, core: string = CORE_API_VERSION): boolean {
  const m = /^(\d+)\.(\d+)$/.exec(String(declared));
  const c = /^(\d+)\.(\d+)$/.exec(core);
  if (!m || !c) return false;
  return m[1] === c[1] && Number(m[2]) <= Number(c[2]);
}

export class PluginRegistry {
  private readonly byId = new Map<string, RegisteredContribution>();

  private constructor(readonly plugins: readonly LoadedPlugin[]) {}

  /**
   * Checks every plugin (API version, manifest shape, ids, roles, schemas) and every pair (duplicate ids), and
   * throws one error listing every problem, each naming its plugin. Nothing is registered unless all pass.
   */
  static build(plugins: readonly LoadedPlugin[]): PluginRegistry {
    const registry = new PluginRegistry(plugins);
    const problems: PluginProblem[] = [];
    const ajv = new Ajv({ strict: false });
    const seenPackages = new Map<string, LoadedPlugin>();

    for (const plugin of plugins) {
      const problem = (code: ErrorCode, message: string): void => {
        problems.push({ code, plugin: plugin.name, message: `plugin ${plugin.name}@${plugin.version}: ${message}` });
      };
      const earlier = seenPackages.get(plugin.name);
      if (earlier) {
        problem(ErrorCodes.PLUGIN_DUPLICATE, `installed twice (${earlier.root} and ${plugin.root}); uninstall one`);
        continue;
      }
      seenPackages.set(plugin.name, plugin);
      const manifest = plugin.manifest as Partial<LoadedPlugin['manifest']> | undefined;
      if (!manifest || typeof manifest !== 'object' || !Array.isArray(manifest.provides)) {
        problem(ErrorCodes.PLUGIN_INVALID, 'its manifest must export { apiVersion, provides: [...] }');
        continue;
      }
      if (!isApiCompatible(String(manifest.apiVersion))) {
        problem(
          ErrorCodes.PLUGIN_API_MISMATCH,
          `targets core API ${String(manifest.apiVersion)}, but this MooseNG provides API ${CORE_API_VERSION}; ` +
            `install a version of the plugin built for API ${CORE_API_VERSION.split('.')[0]}.x`,
        );
        continue;
      }
      for (const c of manifest.provides) {
        const label = `contribution '${String(c?.id)}'`;
        if (!c || typeof c.id !== 'string' || !ID_PATTERN.test(c.id)) {
          problem(ErrorCodes.PLUGIN_INVALID, `${label}: id must match ${ID_PATTERN}`);
          continue;
        }
        if (!CONTRIBUTION_KINDS.includes(c.kind)) {
          problem(ErrorCodes.PLUGIN_INVALID, `${label}: kind '${String(c.kind)}' is not one of ${CONTRIBUTION_KINDS.join(', ')}`);
          continue;
        }
        if (!Array.isArray(c.roles) || c.roles.length === 0 || c.roles.some((r: RoleName) => !ROLE_NAMES.includes(r))) {
          problem(
            ErrorCodes.PLUGIN_INVALID,
            `${label}: roles ${JSON.stringify(c.roles)} must be a non-empty list of ${ROLE_NAMES.join(', ')}`,
          );
          continue;
        }
        if (typeof c.create !== 'function') {
          problem(ErrorCodes.PLUGIN_INVALID, `${label}: create must be a function`);
          continue;
        }
        if (c.configSchema !== undefined) {
          try {
            ajv.compile(c.configSchema);
          } catch (err) {
            problem(ErrorCodes.PLUGIN_INVALID, `${label}: configSchema is not valid JSON Schema (${(err as Error).message})`);
            continue;
          }
        }
        const foreign = ((c.environment ?? []) as readonly EnvBinding[]).find(
          (b: EnvBinding) => !b.path.startsWith(`${c.id}.`) || !/^MOOSENG_[A-Z0-9_]+$/.test(b.variable),
        );
        if (foreign) {
          problem(
            ErrorCodes.PLUGIN_INVALID,
            `${label}: environment variable ${foreign.variable} must be MOOSENG_* and set a path in its own section "${c.id}.", not "${foreign.path}"`,
          );
          continue;
        }
        const clash = registry.byId.get(c.id);
        if (clash) {
          problem(
            ErrorCodes.PLUGIN_DUPLICATE,
            `${label} (${c.kind}) is also provided by ${clash.plugin.name}@${clash.plugin.version}; ` +
              'ids must be unique: uninstall one of the two plugins',
          );
          continue;
        }
        registry.byId.set(c.id, { contribution: c, plugin: { name: plugin.name, version: plugin.version, root: plugin.root } });
      }
    }

    if (problems.length > 0) {
      const code = problems.every((p) => p.code === problems[0].code) ? problems[0].code : ErrorCodes.PLUGIN_INVALID;
      throw new MoosengError(code, `plugin check failed:\n  - ${problems.map((p) => p.message).join('\n  - ')}`, {
        details: { problems },
      });
    }
    return registry;
  }

  get(id: string): RegisteredContribution | undefined {
    return this.byId.get(id);
  }

  /** Every contribution, ordered by kind then id. */
  list(): RegisteredContribution[] {
    return [...this.byId.values()].sort(
      (a, b) =>
        CONTRIBUTION_KINDS.indexOf(a.contribution.kind) - CONTRIBUTION_KINDS.indexOf(b.contribution.kind) ||
        a.contribution.id.localeCompare(b.contribution.id),
    );
  }

  /** Contributions of one kind that may serve `role`. */
  candidates(kind: ContributionKind, role: RoleName): RegisteredContribution[] {
    return this.list().filter((r) => r.contribution.kind === kind && r.contribution.roles.includes(role));
  }
}
