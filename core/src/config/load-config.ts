// Config loading: YAML file, then environment, then flags, validated as a whole against the core and plugin schemas.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import { ErrorCodes, MoosengError } from '../errors';
import { CONTRIBUTION_KINDS, ROLE_NAMES, type ContributionKind, type RoleName } from '../plugins/manifest';
import type { PluginRegistry } from '../plugins/registry';
import { roleNamesOf, type RoleDefinition, type RoleTable } from '../role-kit/role-definition';
import { COMMON_ENV_BINDINGS } from './environment';
import type { JsonSchema } from './json-schema';
import { LOG_SECTION_SCHEMA, NODE_SECTION_SCHEMA, type ProcessConfig } from './process-config';

/** One thing wrong with a config, located by its dotted path. */
export interface ConfigProblem {
  /** Dotted path, e.g. `chunkserver.port`, or `(file)` for problems with the file as a whole. */
  path: string;
  message: string;
}

export interface ConfigSources {
  /** Path of the YAML file; absent means embedded defaults only. */
  file?: string;
  /** YAML text instead of a file (tests). */
  text?: string;
  /** The role the command runs; the file's `role:` must agree with it. */
  role?: RoleName;
  /** Environment to read MOOSENG_* from; process.env by default. */
  env?: Record<string, string | undefined>;
  /** `--set path=value` flags, highest precedence; values are parsed as YAML scalars. */
  overrides?: readonly string[];
}

const SOURCE_SECTIONS = ['role', 'node', 'log', 'plugins'];

/**
 * Loads, merges and validates a process config. Throws CONFIG_INVALID listing every problem (not just the first),
 * each with its path, what was expected and where the bad value came from; CONFIG_NOT_FOUND if the file is missing.
 */
export function loadConfig(sources: ConfigSources, registry: PluginRegistry, roles: RoleTable): ProcessConfig {
  const { config, problems } = checkConfig(sources, registry, roles);
  if (problems.length > 0 || !config) {
    const where = sources.file ? ` in ${sources.file}` : '';
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `config${where} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n'),
      { details: { problems } },
    );
  }
  return config;
}

/** Like loadConfig, but returns the problems instead of throwing (for `mooseng config validate`). */
export function checkConfig(
  sources: ConfigSources,
  registry: PluginRegistry,
  roles: RoleTable,
): { config?: ProcessConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const origin = new Map<string, string>(); // dotted path -> where its value came from, when not the file

  // 1. The file.
  let raw: Record<string, unknown> = {};
  let text = sources.text;
  if (text === undefined && sources.file !== undefined) {
    if (!existsSync(sources.file)) {
      throw new MoosengError(
        ErrorCodes.CONFIG_NOT_FOUND,
        `config file ${sources.file} does not exist; create one with \`mooseng config init --role <role>\``,
      );
    }
    text = readFileSync(sources.file, 'utf8');
  }
  if (text !== undefined && text.trim() !== '') {
    const doc = parseDocument(text, { prettyErrors: true });
    for (const e of doc.errors) {
      const [line, col] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [0, 0];
      problems.push({ path: '(file)', message: `YAML syntax error at line ${line}, column ${col}: ${e.message.split('\n')[0]}` });
    }
    if (doc.errors.length > 0) return { problems };
    const value = doc.toJS();
    if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      problems.push({ path: '(file)', message: 'must be a YAML mapping with a role: key and one section per component' });
      return { problems };
    }
    raw = value ?? {};
  }

  // 2. The role.
  const fileRole = raw.role;
  const role = sources.role ?? (fileRole as RoleName | undefined);
  const known = roleNamesOf(roles).join(', ');
  if (role === undefined) {
    problems.push({ path: 'role', message: `missing; expected one of ${known}` });
    return { problems };
  }
  const definition = roles[role];
  if (definition === undefined) {
    problems.push({ path: 'role', message: `is ${JSON.stringify(role)}; expected one of ${known}` });
    return { problems };
  }
  if (fileRole !== undefined && fileRole !== role) {
    problems.push({ path: 'role', message: `the file is for ${JSON.stringify(fileRole)} but was given to the ${role} command` });
    return { problems };
  }
  raw.role = role;

  // 3. Environment, then flags (highest precedence). The selected plugins' own variables count too: which plugins are
  // selected is known from the file and the flags (the environment selects none).
  const env = sources.env ?? process.env;
  const preview = { ...((typeof raw.plugins === 'object' && raw.plugins !== null ? raw.plugins : {}) as Record<string, unknown>) };
  for (const assignment of sources.overrides ?? []) {
    const m = /^plugins\.([a-z-]+)=(.*)$/.exec(assignment.trim());
    if (m) preview[m[1]!] = m[2]!.trim();
  }
  const pluginBindings = definition.slots.flatMap(
    (slot) => registry.get(String(preview[slot.kind] ?? slot.defaultId))?.contribution.environment ?? [],
  );
  for (const binding of [...COMMON_ENV_BINDINGS, ...definition.environment, ...pluginBindings]) {
    const value = env[binding.variable];
    if (value === undefined || value === '') continue;
    setPath(
      raw,
      binding.path,
      binding.list
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : value,
    );
    origin.set(binding.path, `${binding.variable}=${value}`);
  }
  for (const assignment of sources.overrides ?? []) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) {
      problems.push({ path: assignment, message: 'a --set flag must look like path.to.setting=value' });
      continue;
    }
    const path = assignment.slice(0, eq).trim();
    const value = parseDocument(assignment.slice(eq + 1)).toJS();
    setPath(raw, path, value);
    origin.set(path, `--set ${assignment}`);
  }

  // 4. Schema validation of every section, defaults filled in. Only the selected plugins' sections get defaults (and
  // so their required settings are enforced); another installed plugin's section is checked only when present.
  const chosen = typeof raw.plugins === 'object' && raw.plugins !== null ? (raw.plugins as Record<string, unknown>) : {};
  const selectedIds = new Set(definition.slots.map((slot) => String(chosen[slot.kind] ?? slot.defaultId)));
  const schema = processSchema(definition, registry, selectedIds);
  const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: false });
  ajv.addFormat('path', true);
  const validate = ajv.compile(schema);
  if (!validate(raw)) {
    for (const err of validate.errors ?? []) problems.push(describeSchemaError(err, definition, registry, origin));
  }

  // 5. Plugin selection and requirements.
  const selection = (raw.plugins ?? {}) as Record<string, string>;
  for (const slot of definition.slots) selection[slot.kind] ??= slot.defaultId;
  for (const [kind, id] of Object.entries(selection)) {
    const slot = definition.slots.find((s) => s.kind === kind);
    if (!slot) {
      const why = CONTRIBUTION_KINDS.includes(kind as ContributionKind) ? `the ${role} role has no ${kind} slot` : `not an extension point`;
      problems.push({
        path: `plugins.${kind}`,
        message: `${why}; the ${role} role uses ${definition.slots.map((s) => s.kind).join(', ')}`,
      });
      continue;
    }
    if (id === 'none') {
      if (!slot.optional) problems.push({ path: `plugins.${kind}`, message: `the ${role} role needs a ${kind}; "none" is not allowed` });
      continue;
    }
    const found = registry.get(id);
    const candidates = registry.candidates(slot.kind, role).map((c) => c.contribution.id);
    const choices = `choose one of: ${[...candidates, ...(slot.optional ? ['none'] : [])].join(', ') || '(none installed)'}`;
    if (!found) {
      problems.push({
        path: `plugins.${kind}`,
        message: `no installed plugin provides "${id}"; ${choices} (or install one: mooseng plugins install <package>)`,
      });
    } else if (found.contribution.kind !== kind) {
      problems.push({
        path: `plugins.${kind}`,
        message: `"${id}" (from ${found.plugin.name}) is a ${found.contribution.kind}, not a ${kind}; ${choices}`,
      });
    } else if (!found.contribution.roles.includes(role)) {
      problems.push({
        path: `plugins.${kind}`,
        message: `"${id}" (from ${found.plugin.name}) serves ${found.contribution.roles.join(', ')}, not ${role}`,
      });
    }
  }
  for (const [kind, id] of Object.entries(selection)) {
    const found = registry.get(id);
    if (!found || found.contribution.kind !== kind) continue;
    for (const req of found.contribution.requires ?? []) {
      const chosen = selection[req.kind];
      const ok = chosen !== undefined && chosen !== 'none' && (req.id === undefined || chosen === req.id);
      if (!ok) {
        problems.push({
          path: `plugins.${req.kind}`,
          message: `plugin ${found.plugin.name} ("${id}") requires ${req.id ? `"${req.id}"` : `a ${req.kind}`} but the config selects ${chosen ?? 'none'}`,
        });
      }
    }
  }
  if (problems.length > 0) return { problems };

  // 6. Derived defaults and paths relative to the config file.
  const config = raw as ProcessConfig;
  config.node.id ??= `${role}-${hostname().split('.')[0]}`;
  config.node.dataDir ??= `mooseng-data/${config.node.id}`;
  const base = sources.file ? dirname(resolve(sources.file)) : process.cwd();
  config.node.dataDir = resolve(base, config.node.dataDir);
  if (config.log.file) config.log.file = resolve(base, config.log.file);
  resolvePaths(config, schema, base);
  return { config, problems };
}

/** The JSON Schema of a whole process config for one role, with the installed plugins' sections. */
export function processSchema(
  definition: RoleDefinition,
  registry: PluginRegistry,
  selectedIds: ReadonlySet<string> = new Set(),
): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    role: { enum: [definition.name] },
    node: NODE_SECTION_SCHEMA,
    log: LOG_SECTION_SCHEMA,
    plugins: {
      type: 'object',
      default: {},
      description: 'Which plugin serves each extension point',
      additionalProperties: { type: 'string' },
    },
    [definition.name]: definition.section,
  };
  for (const { contribution } of registry.list()) {
    if (!contribution.roles.includes(definition.name)) continue;
    const section: JsonSchema = { type: 'object', ...(contribution.configSchema ?? {}) };
    if (selectedIds.has(contribution.id)) section.default = {};
    else delete section.default;
    properties[contribution.id] = section;
  }
  return { type: 'object', additionalProperties: false, properties };
}

function describeSchemaError(
  err: ErrorObject,
  definition: RoleDefinition,
  registry: PluginRegistry,
  origin: Map<string, string>,
): ConfigProblem {
  const path = err.instancePath.split('/').slice(1).map(unescapePointer);
  if (err.keyword === 'additionalProperties') {
    const key = String((err.params as { additionalProperty: string }).additionalProperty);
    if (path.length === 0) {
      const other = registry.get(key);
      const known = [...SOURCE_SECTIONS, definition.name];
      const message = other
        ? `section for plugin "${key}" (${other.plugin.name}), which serves ${other.contribution.roles.join(', ')}, not ${definition.name}`
        : ROLE_NAMES.includes(key as RoleName)
          ? `section of the ${key} role does not belong in a ${definition.name} config`
          : `unknown section; expected ${known.join(', ')} or the id of an installed ${definition.name} plugin`;
      return { path: key, message };
    }
    return { path: [...path, key].join('.'), message: `unknown setting in ${path.join('.')}` };
  }
  const dotted = path.join('.') || '(file)';
  let message = err.message ?? 'is invalid';
  if (err.keyword === 'enum')
    message = `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (err.keyword === 'required')
    return { path: [...path, (err.params as { missingProperty: string }).missingProperty].join('.'), message: 'is required' };
  const from = origin.get(dotted) ?? origin.get(path.slice(0, -1).join('.'));
  return { path: dotted, message: from ? `${message} (from ${from})` : message };
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/** Resolves every string the schema marks `format: path` against the config file's directory. */
function resolvePaths(value: unknown, schema: JsonSchema | undefined, base: string): unknown {
  if (!schema) return value;
  if (schema.format === 'path' && typeof value === 'string') return value === '' ? value : resolve(base, value);
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) value[i] = resolvePaths(value[i], schema.items, base);
  } else if (typeof value === 'object' && value !== null && schema.properties) {
    const obj = value as Record<string, unknown>;
    for (const [k, s] of Object.entries(schema.properties)) if (k in obj) obj[k] = resolvePaths(obj[k], s, base);
  }
  return value;
}
