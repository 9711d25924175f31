// PrometheusMetrics: IMetrics on prom-client, one registry per role instance so co-hosted nodes never mix figures.
import { Counter as PCounter, Gauge as PGauge, Histogram as PHistogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Counter, Gauge, GaugeCollector, Histogram, HistogramOptions, IMetrics, Labels, MetricOptions } from '@mooseng/core';

/** Latency buckets in seconds: 50 µs (a cached FUSE call) to 10 s (an fsync under load). */
export const DEFAULT_LATENCY_BUCKETS_SECONDS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export interface PrometheusMetricsOptions {
  /** Also export the process's CPU, memory, event-loop and GC metrics. */
  processMetrics: boolean;
  /** Labels added to every series (node id, role). */
  defaultLabels: Labels;
}

export class PrometheusMetrics implements IMetrics {
  readonly registry = new Registry();

  constructor(options: PrometheusMetricsOptions) {
    this.registry.setDefaultLabels(options.defaultLabels);
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'mooseng_' });
  }

  counter(options: MetricOptions): Counter {
    const metric =
      this.existing<PCounter>(options.name) ??
      new PCounter({ name: options.name, help: options.help, labelNames: [...(options.labelNames ?? [])], registers: [this.registry] });
    return { inc: (labels?: Labels, value = 1) => (labels ? metric.inc(labels, value) : metric.inc(value)) };
  }

  gauge(options: MetricOptions & { collect?: GaugeCollector }): Gauge {
    const collect = options.collect;
    const metric =
      this.existing<PGauge>(options.name) ??
      new PGauge({
        name: options.name,
        help: options.help,
        labelNames: [...(options.labelNames ?? [])],
        registers: [this.registry],
        // A collected gauge is read afresh on each scrape: clear the last reading first, so a series that the
        // callback no longer sets (a label gone, a figure only the leader knows) disappears instead of going stale.
        ...(collect
          ? {
              async collect(this: PGauge) {
                this.reset();
                let setAny = false;
                await collect((value, labels) => {
                  setAny = true;
                  if (labels) this.set(labels, value);
                  else this.set(value);
                });
                // prom-client's reset() leaves an unlabelled gauge at 0; a reading not taken must be absent instead.
                if (!setAny) (this as unknown as { hashMap: object }).hashMap = {};
              },
            }
          : {}),
      });
    return {
      set: (value, labels) => (labels ? metric.set(labels, value) : metric.set(value)),
      inc: (labels, value = 1) => (labels ? metric.inc(labels, value) : metric.inc(value)),
      dec: (labels, value = 1) => (labels ? metric.dec(labels, value) : metric.dec(value)),
    };
  }

  histogram(options: HistogramOptions): Histogram {
    const metric =
      this.existing<PHistogram>(options.name) ??
      new PHistogram({
        name: options.name,
        help: options.help,
        labelNames: [...(options.labelNames ?? [])],
        buckets: [...(options.buckets ?? DEFAULT_LATENCY_BUCKETS_SECONDS)],
        registers: [this.registry],
      });
    return {
      observe: (value, labels) => (labels ? metric.observe(labels, value) : metric.observe(value)),
      startTimer: (labels) => {
        const end = metric.startTimer(labels);
        return () => void end();
      },
    };
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private existing<T>(name: string): T | undefined {
    return this.registry.getSingleMetric(name) as T | undefined;
  }
}
