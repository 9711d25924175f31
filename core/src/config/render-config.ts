// `mooseng config init`: a config for one role with every option at its default, each explained by a comment.
import { stringify } from 'yaml';
import type { PluginRegistry } from '../plugins/registry';
import type { RoleDefinition } from '../role-kit/role-definition';
import type { JsonSchema } from './json-schema';
import { LOG_SECTION_SCHEMA, NODE_SECTION_SCHEMA } from './process-config';

/**
 * Renders the default config of a role as commented YAML. The selected plugins are the role's defaults; the
 * sections of other installed plugins for the role follow, commented out, so switching is one edit.
 */
export function renderDefaultConfig(definition: RoleDefinition, registry: PluginRegistry): string {
  const out: string[] = [
    `# MooseNG ${definition.name} configuration: every option at its default.`,
    '# Precedence: command-line flag (--set path=value) > MOOSENG_* environment variable > this file > default.',
    `# Check it with: mooseng config validate <file>`,
    `role: ${definition.name}`,
    '',
  ];
  section(out, 'node', NODE_SECTION_SCHEMA, false);
  section(out, 'log', LOG_SECTION_SCHEMA, false);

  out.push('# Which plugin serves each extension point (see: mooseng plugins inspect).');
  out.push('plugins:');
  const selected: string[] = [];
  for (const slot of definition.slots) {
    const ids = registry.candidates(slot.kind, definition.name).map((c) => c.contribution.id);
    const choices = [...ids, ...(slot.optional ? ['none'] : [])].join(', ');
    out.push(`  # ${slot.kind}: one of ${choices || '(none installed)'}`);
    out.push(`  ${slot.kind}: ${slot.defaultId}`);
    if (slot.defaultId !== 'none') selected.push(slot.defaultId);
  }
  out.push('');
  section(out, definition.name, definition.section, false);

  for (const { contribution, plugin } of registry.list()) {
    if (!contribution.roles.includes(definition.name)) continue;
    const active = selected.includes(contribution.id);
    out.push(`# ${contribution.kind} "${contribution.id}" from ${plugin.name}@${plugin.version}: ${contribution.description}`);
    if (!active) out.push('# (not selected above; its section is shown commented out)');
    section(out, contribution.id, contribution.configSchema ?? { type: 'object', properties: {} }, !active);
  }
  return out.join('\n');
}

function section(out: string[], name: string, schema: JsonSchema, commented: boolean): void {
  const c = commented ? '# ' : '';
  if (schema.description) out.push(`# ${schema.description}`);
  const props = Object.entries(schema.properties ?? {});
  if (props.length === 0) {
    out.push(`${c}${name}: {}`, '');
    return;
  }
  out.push(`${c}${name}:`);
  for (const [key, prop] of props) {
    if (prop.description) out.push(`  # ${prop.description}`);
    if (prop.default === undefined) {
      out.push(`  # ${key}: ${prop.examples?.[0] !== undefined ? inline(prop.examples[0]) : ''}`.trimEnd());
    } else {
      out.push(`  ${c}${key}: ${inline(prop.default)}`);
    }
  }
  out.push('');
}

function inline(value: unknown): string {
  return stringify(value, { flow: true, lineWidth: 0 }).trim();
}
