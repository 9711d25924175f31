// NoopMetrics: IMetrics when no metrics plugin is configured; recording costs one empty call.
import type { Counter, Gauge, Histogram, IMetrics } from '../contracts/metrics';

const counter: Counter = { inc: () => undefined };
const gauge: Gauge = { set: () => undefined, inc: () => undefined, dec: () => undefined };
const histogram: Histogram = { observe: () => undefined, startTimer: () => () => undefined };

export class NoopMetrics implements IMetrics {
  counter(): Counter {
    return counter;
  }
  gauge(): Gauge {
    return gauge;
  }
  histogram(): Histogram {
    return histogram;
  }
  async render(): Promise<null> {
    return null;
  }
}
