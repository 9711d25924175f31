// `mooseng config init`: prints a config for a role with every option at its default, commented.
import { writeFileSync, existsSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { renderDefaultConfig, roleNamesOf, type RoleName } from '@mooseng/core';
import { BaseCommand } from '../../base-command';
import { buildRegistry } from '../../plugin-host';
import { ROLES } from '../../roles';

export default class ConfigInit extends BaseCommand {
  static override description = 'Print a config file for a role with every option at its default, each explained';
  static override examples = [
    '<%= config.bin %> config init --role master > master.yaml',
    '<%= config.bin %> config init --role chunkserver -o cs.yaml',
  ];
  static override flags = {
    role: Flags.string({ char: 'r', description: 'Role the config is for', options: roleNamesOf(ROLES), required: true }),
    output: Flags.string({ char: 'o', description: 'Write to this file instead of stdout (refuses to overwrite)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ConfigInit);
    const text = renderDefaultConfig(ROLES[flags.role as RoleName]!, buildRegistry(this.config));
    if (!flags.output) {
      this.log(text);
      return;
    }
    if (existsSync(flags.output)) this.error(`${flags.output} exists; remove it or choose another --output`, { exit: 2 });
    writeFileSync(flags.output, text + '\n');
    this.log(`wrote ${flags.output}`);
  }
}
