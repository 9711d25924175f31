// SystemClock: IClock on the process's real clocks, for every role outside simulations.
import { performance } from 'node:perf_hooks';
import type { IClock, TimerHandle } from '../contracts/clock';
import { ErrorCodes, MoosengError } from '../errors';

export class SystemClock implements IClock {
  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, ms);
    // Timers are housekeeping: they must never keep a stopping process alive.
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }

  sleep(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new MoosengError(ErrorCodes.ABORTED, 'sleep aborted'));
      const onAbort = (): void => {
        clearTimeout(t);
        reject(new MoosengError(ErrorCodes.ABORTED, 'sleep aborted'));
      };
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
