// PeriodicPass: runs an async pass every interval, never two at once, until stopped; a failed pass is logged and the
// next one runs as usual. The master's background loops (repair, session expiry) run on it.
import type { IClock, ILogger, TimerHandle } from '@mooseng/core';

export class PeriodicPass {
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly o: {
      clock: IClock;
      logger: ILogger;
      intervalMs: number;
      /** Logged with the error when a pass fails. */
      what: string;
      pass: () => Promise<void>;
    },
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private schedule(): void {
    if (this.stopped) return;
    // The next pass is timed from the end of this one, so a slow pass never overlaps the next.
    this.timer = this.o.clock.setTimer(this.o.intervalMs, () => {
      void this.o
        .pass()
        .catch((err) => this.o.logger.warn(`${this.o.what} failed`, { err: (err as Error).message }))
        .finally(() => this.schedule());
    });
  }
}
