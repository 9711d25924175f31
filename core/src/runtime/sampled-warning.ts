// SampledWarning: a warning about something a stranger can make happen at will (a refused call, connection or
// registration), logged the first time and then every `every`-th time with the count, so one host retrying without
// end cannot flood the log, while an operator still sees that it goes on.
import type { ILogger } from '../contracts/logger';

export class SampledWarning {
  private count = 0;

  constructor(
    private readonly logger: ILogger,
    private readonly every: number,
  ) {}

  /** Counts one occurrence and logs `message` with the count so far when it is the first or an `every`-th. */
  warn(message: string): void {
    this.count++;
    if (this.count === 1 || this.count % this.every === 0) this.logger.warn(`${message} (${this.count} so far)`);
  }
}
