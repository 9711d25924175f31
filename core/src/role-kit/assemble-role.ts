// Role assembly: builds one role instance (its own child container) from a validated config and the plugin registry.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { container as rootContainer, type DependencyContainer } from '../di';
import { IClock } from '../contracts/clock';
import { ILogger } from '../contracts/logger';
import { IMetrics } from '../contracts/metrics';
import { IRandom } from '../contracts/random';
import type { ProcessConfig } from '../config/process-config';
import { ErrorCodes, MoosengError, toMoosengError } from '../errors';
import { KIND_TOKENS } from '../plugins/kind-tokens';
import type { Contribution, ContributionKind, PluginContext } from '../plugins/manifest';
import type { PluginRegistry } from '../plugins/registry';
import { NoopMetrics } from '../runtime/noop-metrics';
import { StreamLogger } from '../runtime/stream-logger';
import { SystemClock } from '../runtime/system-clock';
import { SystemRandom } from '../runtime/system-random';
import { ProcessConfigToken, type RoleContext } from './role-context';
import { roleNamesOf, type RoleStep, type RoleTable } from './role-definition';
import { RoleRunner } from './role-runner';

export interface AssembleOptions {
  config: ProcessConfig;
  registry: PluginRegistry;
  /** The roles this program can run; the config's role is looked up here. */
  roles: RoleTable;
  /** Defaults to a StreamLogger configured by the config's log section. */
  logger?: ILogger;
  clock?: IClock;
  random?: IRandom;
  /** Parent of the instance's child container; the global container by default. */
  parent?: DependencyContainer;
}

/** A built, not yet started, role: its container, its step table and the contributions it chose. */
export class RoleInstance {
  /** kind → the contribution chosen for it, once the plugins step has run. */
  readonly chosen = new Map<ContributionKind, { id: string; plugin: string }>();

  constructor(
    readonly config: ProcessConfig,
    readonly container: DependencyContainer,
    readonly logger: ILogger,
    private readonly runner: RoleRunner,
    private readonly abort: AbortController,
  ) {}

  /** Resolves once the role has stopped, whether by stop() or by a failed start. */
  get stopped(): Promise<void> {
    return this.runner.stopped;
  }

  /** Names of every step in the table, in start order. */
  get stepNames(): string[] {
    return this.runner.stepNames;
  }

  get state(): RoleRunner['state'] {
    return this.runner.state;
  }

  /** Step names started so far, in order. */
  get startedSteps(): string[] {
    return this.runner.startedSteps;
  }

  start(): Promise<void> {
    return this.runner.start();
  }

  /** Stops the steps in reverse order; idempotent. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.runner.stop();
  }

  resolve<T>(token: symbol): T {
    return this.container.resolve<T>(token);
  }
}

/**
 * Builds a role instance. Nothing is constructed until start(): the "plugins" step builds the selected
 * contributions (in the role's slot order) and registers each under its kind's token, then the role's own steps run.
 */
export function assembleRole(options: AssembleOptions): RoleInstance {
  const { config, registry, roles } = options;
  const definition = roles[config.role];
  if (definition === undefined) {
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `this program cannot run the ${config.role} role; it runs ${roleNamesOf(roles).join(', ')}`,
    );
  }
  const child = (options.parent ?? rootContainer).createChildContainer();
  const logger = (options.logger ?? hostLogger(config)).child({ role: config.role, node: config.node.id });
  const clock = options.clock ?? new SystemClock();
  const random = options.random ?? new SystemRandom();
  const abort = new AbortController();

  child.register(ILogger, { useValue: logger });
  child.register(IClock, { useValue: clock });
  child.register(IRandom, { useValue: random });
  child.register(IMetrics, { useValue: new NoopMetrics() });
  child.register(ProcessConfigToken, { useValue: config });

  const context: RoleContext = { config, container: child, logger, registry, signal: abort.signal };
  const built: Array<{ contribution: Contribution; service: unknown }> = [];
  let instance: RoleInstance | undefined = undefined;

  const pluginsStep: RoleStep = {
    name: 'plugins',
    start: async () => {
      for (const slot of definition.slots) {
        const id = config.plugins[slot.kind] ?? slot.defaultId;
        if (id === 'none') continue;
        const entry = registry.get(id);
        if (!entry) throw new Error(`invariant broken: validated config selects unknown plugin ${id}`);
        const { contribution, plugin } = entry;
        const pluginContext: PluginContext = {
          config: (config[contribution.id] ?? {}) as Record<string, unknown>,
          logger: logger.child({ plugin: contribution.id }),
          metrics: child.resolve<IMetrics>(IMetrics),
          clock,
          random,
          node: {
            role: config.role,
            id: config.node.id,
            clusterId: config.node.clusterId,
            dataDir: config.node.dataDir,
            clusterSecretFile: config.node.clusterSecretFile,
            tls: config.node.tls,
          },
          processConfig: config,
          resolve: <T>(token: symbol) => child.resolve<T>(token),
          signal: abort.signal,
        };
        let service: unknown;
        try {
          service = await contribution.create(pluginContext);
        } catch (err) {
          throw toMoosengError(err, `plugin ${plugin.name} failed to build ${slot.kind} "${id}"`);
        }
        child.register(KIND_TOKENS[slot.kind], { useValue: service });
        built.push({ contribution, service });
        instance?.chosen.set(slot.kind, { id, plugin: `${plugin.name}@${plugin.version}` });
        logger.info(`${slot.kind}: ${id}`, { plugin: `${plugin.name}@${plugin.version}` });
      }
    },
    stop: async () => {
      while (built.length > 0) {
        const { contribution, service } = built.pop()!;
        await contribution.dispose?.(service);
      }
    },
  };

  // The table: config is already validated when we get here; plugins are built before anything uses them.
  const steps: RoleStep[] = [pluginsStep, ...definition.steps(context)];
  instance = new RoleInstance(config, child, logger, new RoleRunner(steps, logger, clock), abort);
  return instance;
}

/** The logger a process writes by its config: a file when log.file is set, stderr otherwise. */
export function hostLogger(config: ProcessConfig): ILogger {
  if (!config.log.file) return new StreamLogger({ level: config.log.level, format: config.log.format });
  mkdirSync(dirname(config.log.file), { recursive: true });
  const stream = createWriteStream(config.log.file, { flags: 'a' });
  return new StreamLogger({ level: config.log.level, format: config.log.format, write: (line) => stream.write(line) });
}
