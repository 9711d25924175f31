// A node's clock in the simulation: simulated time seen at the node's own rate (clocks drift), timers that fire a
// little late as real ones do, and all of it dead once the process that owns it has crashed.
import { ErrorCodes, MoosengError, type IClock, type IRandom, type TimerHandle } from '@mooseng/core';

/** What a node clock needs from the simulation. */
export interface SimClockHost {
  /** Simulated milliseconds since the run began. */
  now(): number;
  /** Runs `fn` after `delayMs` of simulated time. */
  at(delayMs: number, fn: () => void): void;
  random: IRandom;
}

/** Timers fire up to this many simulated ms late (an event loop busy elsewhere). */
export const SIM_TIMER_LATENESS_MS = 2;
/** Wall-clock time at the start of every run (any fixed value: runs must not depend on the real date). */
const SIM_EPOCH_MS = Date.UTC(2030, 0, 1);

/** IClock for one process: `rate` is how fast its clock runs against simulated time (1.02 = 2 % fast). */
export class SimNodeClock implements IClock {
  constructor(
    private readonly host: SimClockHost,
    private readonly rate: number,
    /** Where this process's monotonic clock starts (an arbitrary origin, as performance.now()'s is). */
    private readonly origin: number,
    /** False once the owning process is gone: its timers never fire again. */
    private readonly alive: () => boolean,
  ) {}

  now(): number {
    return SIM_EPOCH_MS + this.host.now() * this.rate;
  }

  monotonic(): number {
    return this.origin + this.host.now() * this.rate;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    let cancelled = false;
    this.host.at(ms / this.rate + this.host.random.int(SIM_TIMER_LATENESS_MS + 1), () => {
      if (!cancelled && this.alive()) fn();
    });
    return { cancel: () => void (cancelled = true) };
  }

  sleep(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new MoosengError(ErrorCodes.ABORTED, 'sleep aborted'));
      const timer = this.setTimer(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = (): void => {
        timer.cancel();
        reject(new MoosengError(ErrorCodes.ABORTED, 'sleep aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
