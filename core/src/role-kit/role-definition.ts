// What a role is, declaratively: its config section, the extension points it fills, and its ordered start-up steps.
import type { EnvBinding } from '../config/environment';
import type { JsonSchema } from '../config/json-schema';
import type { ContributionKind, RoleName } from '../plugins/manifest';
import type { RoleContext } from './role-context';

/** One extension point a role fills from the config's `plugins:` section. */
export interface PluginSlot {
  kind: ContributionKind;
  /** The contribution used when the config names none; "none" leaves an optional slot empty. */
  defaultId: string;
  /** Optional slots accept "none". */
  optional: boolean;
}

/**
 * One named start-up step. Steps start in table order and stop in reverse; a step that fails to start stops every
 * step started before it. `stop` must be safe to call after a partial `start`.
 */
export interface RoleStep {
  name: string;
  start(): Promise<void>;
  stop?(): Promise<void>;
}

export interface RoleDefinition {
  name: RoleName;
  /** Schema of the role's own config section (named like the role). */
  section: JsonSchema;
  /** Extension points, in the order their plugins are built (metrics first: others record through it). */
  slots: readonly PluginSlot[];
  /** The MOOSENG_* variables of the role's own section, applied after the common ones (core's COMMON_ENV_BINDINGS). */
  environment: readonly EnvBinding[];
  /** The role's own steps, run after the plugins are built (config → plugins → these). */
  steps(context: RoleContext): RoleStep[];
}

/**
 * The roles a program can run, by name. The composition root (the CLI) names them; core knows none of them, so
 * config loading, rendering and assembly take the table as an argument.
 */
export type RoleTable = Readonly<Partial<Record<RoleName, RoleDefinition>>>;

/** The names a table knows, in table order. */
export function roleNamesOf(roles: RoleTable): RoleName[] {
  return Object.keys(roles) as RoleName[];
}
