// Shared body of `mooseng master|chunkserver|mount`: load the config, assemble the role, run until a signal.
import { Flags } from '@oclif/core';
import { assembleRole, loadConfig, stopOnSignals, type ProcessConfig, type RoleName } from '@mooseng/core';
import { BaseCommand } from './base-command';
import { buildRegistry } from './plugin-host';
import { ROLES } from './roles';

/** Flags every role command takes. */
export const roleFlags = {
  config: Flags.string({ char: 'c', description: 'YAML config file; embedded defaults when omitted' }),
  set: Flags.string({
    char: 's',
    description: 'Override one setting, path.to.setting=value (repeatable; wins over env and file)',
    multiple: true,
  }),
};

export abstract class RoleCommand extends BaseCommand {
  /** Loads and validates the config for `role`, then assembles and starts it; resolves once it has stopped. */
  protected async runRole(role: RoleName, flags: { config?: string; set?: string[] }, extraOverrides: string[] = []): Promise<void> {
    const registry = buildRegistry(this.config);
    const config: ProcessConfig = loadConfig(
      { file: flags.config, role, overrides: [...(flags.set ?? []), ...extraOverrides] },
      registry,
      ROLES,
    );
    const instance = assembleRole({ config, registry, roles: ROLES });
    const stopped = stopOnSignals(instance);
    await instance.start();
    const summary = [...instance.chosen].map(([kind, c]) => `${kind}=${c.id}`).join(' ');
    instance.logger.info(`${role} ${config.node.id} running`, { plugins: summary });
    await stopped;
  }
}
