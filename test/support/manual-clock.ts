// ManualClock: an IClock that moves only when a test advances it, running the timers that fall due in time order.
import { ErrorCodes, type IClock, MoosengError, type TimerHandle } from '@mooseng/core';

/** Wall time of a ManualClock at monotonic 0 (any fixed instant: tests must not depend on today's date). */
export const MANUAL_CLOCK_EPOCH_MS = Date.UTC(2026, 0, 1);

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Time for unit tests: monotonic() starts at 0 and changes only through advance(). */
export class ManualClock implements IClock {
  private time = 0;
  private seq = 0;
  private readonly timers = new Set<Timer>();

  now(): number {
    return MANUAL_CLOCK_EPOCH_MS + this.time;
  }

  monotonic(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(timer);
    return { cancel: () => this.timers.delete(timer) };
  }

  sleep(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new MoosengError(ErrorCodes.ABORTED, 'sleep aborted'));
      const onAbort = (): void => {
        timer.cancel();
        reject(new MoosengError(ErrorCodes.ABORTED, 'sleep aborted'));
      };
      const timer = this.setTimer(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Moves time forward by `ms`, running each timer due on the way at its own time (earliest first). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers) if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      if (!next) break;
      this.timers.delete(next);
      this.time = next.at;
      next.fn();
    }
    this.time = target;
  }

  /** Timers set and neither run nor cancelled. */
  get pendingTimers(): number {
    return this.timers.size;
  }
}
