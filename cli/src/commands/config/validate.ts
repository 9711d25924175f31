// `mooseng config validate`: checks a config file against the core and plugin schemas without starting anything.
import { Args, Flags } from '@oclif/core';
import { checkConfig, roleNamesOf, type RoleName } from '@mooseng/core';
import { BaseCommand } from '../../base-command';
import { buildRegistry } from '../../plugin-host';
import { ROLES } from '../../roles';

export default class ConfigValidate extends BaseCommand {
  static override description = 'Check a config file: exits 0 with the plugins it resolved, or non-zero listing every problem';
  static override examples = ['<%= config.bin %> config validate examples/master.yaml'];
  static override args = { file: Args.string({ description: 'YAML config file', required: true }) };
  static override flags = {
    role: Flags.string({ char: 'r', description: "Check as this role (else the file's role:)", options: roleNamesOf(ROLES) }),
    set: Flags.string({ char: 's', description: 'Apply an override first, path=value (repeatable)', multiple: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ConfigValidate);
    const registry = buildRegistry(this.config);
    const { config, problems } = checkConfig(
      { file: args.file, role: flags.role as RoleName | undefined, overrides: flags.set },
      registry,
      ROLES,
    );
    if (!config || problems.length > 0) {
      this.logToStderr(`${args.file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
      for (const p of problems) this.logToStderr(`  - ${p.path}: ${p.message}`);
      this.exit(1);
    }
    const plugins = ROLES[config.role]!.slots.map((slot) => {
      const id = config.plugins[slot.kind] ?? slot.defaultId;
      const entry = registry.get(id);
      return `${slot.kind}=${id}${entry ? ` (${entry.plugin.name}@${entry.plugin.version})` : ''}`;
    });
    this.log(`${args.file}: valid ${config.role} config for node ${config.node.id}; plugins: ${plugins.join(', ')}`);
  }
}
