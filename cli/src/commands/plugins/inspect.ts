// `mooseng plugins inspect`: every contribution of every MooseNG plugin, first-party and installed alike.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command';
import { buildRegistry } from '../../plugin-host';

export default class PluginsInspect extends BaseCommand {
  static override description = 'List every contribution (kind, id, roles, plugin, version) of the installed MooseNG plugins';
  static override examples = ['<%= config.bin %> plugins inspect', '<%= config.bin %> plugins inspect --json'];
  static override flags = { json: Flags.boolean({ description: 'Print JSON instead of a table' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(PluginsInspect);
    const rows = buildRegistry(this.config)
      .list()
      .map(({ contribution, plugin }) => ({
        kind: contribution.kind,
        id: contribution.id,
        roles: contribution.roles.join(','),
        plugin: plugin.name,
        version: plugin.version,
        description: contribution.description,
      }));
    if (flags.json) {
      this.log(JSON.stringify(rows, null, 2));
      return;
    }
    const cols = ['kind', 'id', 'roles', 'plugin', 'version'] as const;
    const width = Object.fromEntries(cols.map((c) => [c, Math.max(c.length, ...rows.map((r) => r[c].length))]));
    this.log(cols.map((c) => c.toUpperCase().padEnd(width[c])).join('  '));
    for (const r of rows) this.log(cols.map((c) => r[c].padEnd(width[c])).join('  '));
    if (rows.length === 0) this.log('(no MooseNG plugins found)');
  }
}
