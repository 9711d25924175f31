// @mooseng/plugin-metrics-prometheus: exports every role's metrics in the Prometheus text format on /metrics.
import { CORE_API_VERSION, definePlugin, type PluginContext } from '@mooseng/core';
import { PrometheusMetrics } from './prometheus-metrics';

export { PrometheusMetrics, DEFAULT_LATENCY_BUCKETS_SECONDS } from './prometheus-metrics';

interface PrometheusConfig {
  processMetrics: boolean;
}

export const manifest = definePlugin({
  apiVersion: CORE_API_VERSION,
  provides: [
    {
      kind: 'metrics',
      id: 'metrics-prometheus',
      roles: ['master', 'chunkserver', 'client'],
      description: "Prometheus exposition on the role's HTTP port (/metrics), via prom-client",
      configSchema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          processMetrics: { type: 'boolean', default: true, description: 'Also export process CPU, memory, event-loop lag and GC metrics' },
        },
      },
      create: (ctx: PluginContext<PrometheusConfig>) =>
        new PrometheusMetrics({
          processMetrics: ctx.config.processMetrics,
          defaultLabels: { node: ctx.node.id, role: ctx.node.role, cluster: ctx.node.clusterId },
        }),
    },
  ],
});
