// `mooseng demo`: a short guided tour of what this build of MooseNG does, run on embedded defaults.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { checkConfig, ROLES, type RoleName } from '@mooseng/core';
import { BaseCommand } from '../base-command';
import { buildRegistry } from '../plugin-host';

export default class Demo extends BaseCommand {
  static override description = 'A guided demonstration of MooseNG on this machine';
  static override flags = {
    examples: Flags.string({ description: 'Folder of example configs to check', default: join(__dirname, '..', '..', '..', 'examples') }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    const registry = buildRegistry(this.config);

    this.log('== 1. Plugins: every part of MooseNG is a plugin, discovered the same way whether first-party or installed');
    for (const { contribution, plugin } of registry.list()) {
      this.log(`   ${contribution.kind.padEnd(12)} ${contribution.id.padEnd(20)} ${contribution.roles.join(',').padEnd(26)} ${plugin.name}@${plugin.version}`);
    }

    this.log('\n== 2. Each role assembles itself from a config naming its plugins; configs are checked before anything starts');
    let problems = 0;
    for (const name of readdirSync(flags.examples).filter((f) => f.endsWith('.yaml')).sort()) {
      if (name.includes('zlib') && !registry.get('compression-zlib')) {
        this.log(`   - ${name.padEnd(28)} needs the third-party example plugin: mooseng plugins link --no-install examples/plugin-zlib`);
        continue;
      }
      const result = checkConfig({ file: join(flags.examples, name) }, registry);
      if (result.config) {
        const role = result.config.role as RoleName;
        const chosen = ROLES[role].slots.map((s) => `${s.kind}=${result.config!.plugins[s.kind] ?? s.defaultId}`).join(' ');
        this.log(`   ✓ ${name.padEnd(28)} ${role}: ${chosen}`);
      } else {
        this.log(`   ✗ ${name.padEnd(28)} ${result.problems.length} problem(s):`);
        for (const p of result.problems) this.log(`       - ${p.path}: ${p.message}`);
        if (!name.startsWith('broken')) problems++;
      }
    }
    this.log('   (broken-chunkserver.yaml is wrong on purpose: every mistake is reported with its path)');

    this.log('\n== 3. Next: `mooseng master|chunkserver|mount --config FILE` run the roles; `mooseng config init --role ROLE` writes a config.');
    if (problems > 0) this.error(`${problems} example config(s) did not validate`, { exit: 1 });
  }
}
