// RoleRunner: starts a role's step table in order and stops it in reverse, logging each step by name.
import type { IClock } from '../contracts/clock';
import type { ILogger } from '../contracts/logger';
import type { RoleStep } from './role-definition';

export type RoleState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** Runs one role's steps: start() in table order, stop() in reverse, each step at most once. */
export class RoleRunner {
  private readonly started: RoleStep[] = [];
  private stateValue: RoleState = 'idle';
  private stopping: Promise<void> | null = null;
  private markStopped!: () => void;
  /** Resolves once the role has stopped, whether by stop() or by a failed start. */
  readonly stopped = new Promise<void>((resolve) => (this.markStopped = resolve));

  constructor(
    private readonly steps: readonly RoleStep[],
    private readonly logger: ILogger,
    /** The role's clock: step start times are measured on it, like every other duration. */
    private readonly clock: IClock,
  ) {}

  get state(): RoleState {
    return this.stateValue;
  }

  /** Names of every step, in start order. */
  get stepNames(): string[] {
    return this.steps.map((s) => s.name);
  }

  /** Names of the steps started so far, in start order. */
  get startedSteps(): string[] {
    return this.started.map((s) => s.name);
  }

  /** Starts every step in order. If one fails, the ones already started are stopped (in reverse) and it rethrows. */
  async start(): Promise<void> {
    if (this.stateValue !== 'idle') throw new Error(`role already ${this.stateValue}`);
    this.stateValue = 'starting';
    for (const step of this.steps) {
      if (this.stopping) return; // stop() was called while starting: it stops what has started.
      const t0 = this.clock.monotonic();
      try {
        await step.start();
      } catch (err) {
        this.logger.error(`step ${step.name} failed to start`, { err });
        this.stateValue = 'failed';
        await this.stopStarted();
        this.stateValue = 'failed';
        this.markStopped();
        throw err;
      }
      this.started.push(step);
      this.logger.debug(`step ${step.name} started`, { ms: Math.round(this.clock.monotonic() - t0) });
    }
    this.stateValue = 'running';
  }

  /** Stops every started step in reverse order. Idempotent; a step that fails to stop is logged and skipped. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stateValue = 'stopping';
      await this.stopStarted();
      this.stateValue = 'stopped';
      this.markStopped();
    })();
    return this.stopping;
  }

  private async stopStarted(): Promise<void> {
    while (this.started.length > 0) {
      const step = this.started.pop()!;
      try {
        await step.stop?.();
        this.logger.debug(`step ${step.name} stopped`);
      } catch (err) {
        this.logger.error(`step ${step.name} failed to stop`, { err });
      }
    }
  }
}
