// IMetrics: counters, gauges and histograms with labels. A no-op unless a metrics plugin is configured.

export type Labels = Record<string, string>;

export interface Counter {
  inc(labels?: Labels, value?: number): void;
}
export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, value?: number): void;
  dec(labels?: Labels, value?: number): void;
}
export interface Histogram {
  /** Records one observation, in the unit the metric's name states (seconds, bytes). */
  observe(value: number, labels?: Labels): void;
  /** Starts a timer; calling the returned function observes the elapsed seconds. */
  startTimer(labels?: Labels): () => void;
}

export interface MetricOptions {
  /** Full metric name, `mooseng_<area>_<what>_<unit>`. */
  name: string;
  help: string;
  labelNames?: readonly string[];
}
export interface HistogramOptions extends MetricOptions {
  /** Bucket upper bounds; defaults suit latencies in seconds. */
  buckets?: readonly number[];
}

/**
 * Sets a collected gauge's values for one scrape. The series it does not set this time are absent from the scrape
 * (a figure only the leader knows, a data directory gone). It may be async (reading disk usage, say).
 */
export type GaugeCollector = (set: (value: number, labels?: Labels) => void) => void | Promise<void>;

/**
 * Registers and records metrics. Asking twice for the same name returns the same metric. Gauges whose value is read
 * on demand register a collect callback, run just before each scrape. Recording never throws and never does I/O.
 */
export interface IMetrics {
  counter(options: MetricOptions): Counter;
  gauge(options: MetricOptions & { collect?: GaugeCollector }): Gauge;
  histogram(options: HistogramOptions): Histogram;
  /** The exposition text (Prometheus format) or null when metrics are not exported. */
  render(): Promise<{ contentType: string; body: string } | null>;
}
export const IMetrics = Symbol.for('mooseng.metrics');
