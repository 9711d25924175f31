// metrics-prometheus: what core code records comes out in the Prometheus text format, per role instance.
import { expect } from 'chai';
import { PrometheusMetrics } from '@mooseng/plugin-metrics-prometheus';

describe('metrics-prometheus', () => {
  it('renders counters, gauges (including collected ones) and histograms with default labels', async () => {
    const m = new PrometheusMetrics({ processMetrics: false, defaultLabels: { node: 'cs1', role: 'chunkserver' } });
    m.counter({ name: 'mooseng_operations_total', help: 'ops', labelNames: ['operation'] }).inc({ operation: 'read' }, 3);
    m.gauge({ name: 'mooseng_chunkserver_chunks', help: 'chunks' }).set(17);
    m.gauge({ name: 'mooseng_chunkserver_used_bytes', help: 'used', collect: (set) => set(4096) });
    m.histogram({ name: 'mooseng_operation_duration_seconds', help: 'latency', labelNames: ['operation'] }).observe(0.002, {
      operation: 'read',
    });
    const { contentType, body } = await m.render();
    expect(contentType).to.contain('text/plain');
    expect(body).to.contain('mooseng_operations_total{operation="read",node="cs1",role="chunkserver"} 3');
    expect(body).to.contain('mooseng_chunkserver_chunks{node="cs1",role="chunkserver"} 17');
    expect(body).to.contain('mooseng_chunkserver_used_bytes{node="cs1",role="chunkserver"} 4096');
    const bucket = body.split('\n').find((l) => l.startsWith('mooseng_operation_duration_seconds_bucket{') && l.includes('le="0.0025"'));
    expect(bucket).to.contain('operation="read"').and.contain('node="cs1"');
    expect(bucket!.endsWith('} 1')).to.equal(true);
    const below = body.split('\n').find((l) => l.startsWith('mooseng_operation_duration_seconds_bucket{') && l.includes('le="0.001"'));
    expect(below!.endsWith('} 0')).to.equal(true);
  });

  it('reads collected gauges afresh on each scrape: a series not set this time is absent, not stale', async () => {
    const m = new PrometheusMetrics({ processMetrics: false, defaultLabels: {} });
    let leader = true;
    const dirs = new Map([
      ['/d1', 10],
      ['/d2', 20],
    ]);
    m.gauge({
      name: 'mooseng_master_missing_chunks',
      help: 'leader only',
      collect: (set) => {
        if (leader) set(5);
      },
    });
    m.gauge({
      name: 'mooseng_chunkserver_chunks',
      help: 'per dir',
      labelNames: ['dir'],
      collect: async (set) => {
        await Promise.resolve(); // collectors may be async (disk usage)
        for (const [dir, n] of dirs) set(n, { dir });
      },
    });
    const first = (await m.render()).body;
    expect(first).to.contain('mooseng_master_missing_chunks 5');
    expect(first).to.contain('mooseng_chunkserver_chunks{dir="/d2"} 20');
    leader = false;
    dirs.delete('/d2');
    const second = (await m.render()).body;
    expect(second).not.to.match(/^mooseng_master_missing_chunks /m);
    expect(second).to.contain('mooseng_chunkserver_chunks{dir="/d1"} 10');
    expect(second).not.to.contain('dir="/d2"');
  });

  it('returns the same metric when asked twice, and keeps instances apart', async () => {
    const a = new PrometheusMetrics({ processMetrics: false, defaultLabels: {} });
    const b = new PrometheusMetrics({ processMetrics: false, defaultLabels: {} });
    a.counter({ name: 'mooseng_x_total', help: 'x' }).inc();
    a.counter({ name: 'mooseng_x_total', help: 'x' }).inc();
    expect((await a.render()).body).to.contain('mooseng_x_total 2');
    expect((await b.render()).body).not.to.contain('mooseng_x_total');
  });

  it('exports process metrics under the mooseng_ prefix when asked', async () => {
    const m = new PrometheusMetrics({ processMetrics: true, defaultLabels: {} });
    expect((await m.render()).body).to.contain('mooseng_process_resident_memory_bytes');
  });
});
