// RoleContext: what a role's steps share: the validated config, the role's child container and the host services.
import type { DependencyContainer } from '../di';
import type { ILogger } from '../contracts/logger';
import type { ProcessConfig } from '../config/process-config';
import type { PluginRegistry } from '../plugins/registry';

export interface RoleContext {
  config: ProcessConfig;
  /** The role instance's own child container: services registered here are invisible to other instances. */
  container: DependencyContainer;
  logger: ILogger;
  registry: PluginRegistry;
  /** Fires when the role begins to stop. */
  signal: AbortSignal;
}

/** Token under which the validated ProcessConfig is registered in a role's container. */
export const ProcessConfigToken = Symbol.for('mooseng.process-config');
