// Observability as an operator meets it: Debian's Prometheus, started on the project's own config
// (examples/prometheus, copied and given its targets by `cluster up`), scrapes a running 3/3/3 cluster; every target
// is up, the documented metrics have values, the example queries and recorded rules answer numbers, and every
// Grafana panel's query names only metrics the cluster exports and runs.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs, killTracked, waitFor } from '../support';
import { allQueries, loadDashboards, metricNamesIn, SPEC_EXAMPLE_QUERIES } from './grafana-dashboards';
import { TestCluster } from './harness';
import { PROMTOOL_BIN, PrometheusServer } from './prometheus-server';

/**
 * How many nodes of the 3/3/3 cluster export a metric. `leader`: the leader, and any master that served a request
 * (a client's first call may reach a follower, which answers NOT_LEADER); the leader-only gauges are counted below.
 */
const EXPORTERS = { master: 3, leader: 1, chunkserver: 3, client: 3, every: 9 };
/** Every metric docs/observability.md promises, with the nodes that export it. */
const PROMISED: Record<string, keyof typeof EXPORTERS> = {
  mooseng_master_up: 'master',
  mooseng_master_role: 'master',
  mooseng_master_term: 'master',
  mooseng_master_files: 'master',
  mooseng_master_directories: 'master',
  mooseng_master_file_bytes: 'master',
  mooseng_master_chunks: 'master',
  mooseng_master_chunkservers: 'master',
  mooseng_master_under_goal_chunks: 'leader',
  mooseng_master_over_goal_chunks: 'leader',
  mooseng_master_missing_chunks: 'leader',
  mooseng_master_replication_queue: 'leader',
  mooseng_master_replications_total: 'master',
  mooseng_master_requests_total: 'leader',
  mooseng_master_request_duration_seconds_count: 'leader',
  mooseng_raft_term: 'master',
  mooseng_raft_commit_index: 'master',
  mooseng_raft_applied_index: 'master',
  mooseng_raft_is_leader: 'master',
  mooseng_raft_proposals_total: 'leader',
  mooseng_raft_commit_seconds_count: 'master',
  mooseng_raft_log_write_seconds_count: 'master',
  mooseng_raft_log_entries: 'master',
  mooseng_raft_log_bytes: 'master',
  mooseng_chunkserver_capacity_bytes: 'chunkserver',
  mooseng_chunkserver_used_bytes: 'chunkserver',
  mooseng_chunkserver_free_bytes: 'chunkserver',
  mooseng_chunkserver_chunks: 'chunkserver',
  mooseng_chunkserver_dir_usable: 'chunkserver',
  mooseng_chunkserver_requests_total: 'chunkserver',
  mooseng_chunkserver_request_seconds_count: 'chunkserver',
  mooseng_chunkserver_read_bytes_total: 'chunkserver',
  mooseng_chunkserver_written_bytes_total: 'chunkserver',
  mooseng_chunkserver_crc_errors_total: 'chunkserver',
  mooseng_chunkserver_scrubbed_chunks_total: 'chunkserver',
  mooseng_chunkserver_corrupt_chunks_total: 'chunkserver',
  mooseng_operations_total: 'client',
  mooseng_operation_duration_seconds_count: 'client',
  mooseng_client_cache_requests_total: 'client',
  mooseng_client_block_cache_bytes: 'client',
  mooseng_client_read_bytes_total: 'client',
  mooseng_client_written_bytes_total: 'client',
  mooseng_process_resident_memory_bytes: 'every',
};

describe('observability: a real Prometheus scraping a 3/3/3 cluster', function () {
  this.timeout(300_000);
  let cluster: TestCluster | undefined;
  let prometheus: PrometheusServer | undefined;
  let traffic: Promise<void> | undefined;
  let stopTraffic = false;

  before(async function () {
    if (!PrometheusServer.available()) {
      console.log("    skipped: no /usr/bin/prometheus; install Debian's package (apt-get install prometheus; .ci/run does)");
      this.skip();
    }
    cluster = await TestCluster.start({ masters: 3, chunkservers: 3, disks: 2, clients: 3, goal: 2 });
    // Steady work on every mount, so rates and latency quantiles have something to measure between scrapes.
    const mounts = cluster.nodes('client').map((n) => n.mountPoint);
    traffic = (async () => {
      for (let i = 0; !stopTraffic; i++) {
        const path = join(mounts[i % mounts.length]!, `f${i % 20}`);
        await writeFile(path, randomBytes(64 * 1024));
        await readFile(path);
        await stat(path);
      }
    })();
    const dir = join(cluster.options.dir, 'prometheus');
    prometheus = await PrometheusServer.start(join(dir, 'prometheus.yml'), dir);
  });

  after(async () => {
    stopTraffic = true;
    await traffic?.catch(() => undefined);
    await prometheus?.stop();
    await cluster?.stop();
    await killTracked();
    cleanupTempDirs();
  });

  it("runs on the project's own config and rules, which promtool accepts", () => {
    const r = spawnSync(PROMTOOL_BIN, ['check', 'config', join(cluster!.options.dir, 'prometheus', 'prometheus.yml')], {
      encoding: 'utf8',
    });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/SUCCESS: \d+ rules found/);
  });

  it('finds every node through the targets `cluster up` wrote, and every target is up', async () => {
    const targets = await waitFor(
      'all nine targets up',
      async () => {
        const t = await prometheus!.targets();
        return t.length === 9 && t.every((x) => x.health === 'up') ? t : null;
      },
      60_000,
      500,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(await prometheus!.targets(), null, 1)}`);
    });
    const byJob = (job: string) => targets.filter((t) => t.labels.job === job).length;
    expect([byJob('mooseng-master'), byJob('mooseng-chunkserver'), byJob('mooseng-client')]).to.deep.equal([3, 3, 3]);
    // The targets' cluster label and each series' own agree (honor_labels keeps one, not exported_cluster).
    const up = await prometheus!.query('up{job=~"mooseng-.*"}');
    expect(new Set(up.map((s) => s.metric.cluster))).to.deep.equal(new Set(['test']));
  });

  it('has real values for every documented metric, from the nodes that export it', async () => {
    for (const [name, from] of Object.entries(PROMISED)) {
      const exporting = await waitFor(
        `${name} scraped`,
        async () => {
          const n = new Set((await prometheus!.query(name)).map((s) => s.metric.node));
          return n.size >= EXPORTERS[from] ? n : null;
        },
        30_000,
        500,
      ).catch(async () => new Set((await prometheus!.query(name)).map((s) => s.metric.node)));
      if (from === 'leader') expect(exporting.size, `${name}: nodes exporting it`).to.be.within(1, 3);
      else expect(exporting.size, `${name}: nodes exporting it`).to.equal(EXPORTERS[from]);
    }
    const one = async (expr: string) => (await prometheus!.query(expr))[0]?.value;
    // What only the leader knows, only the leader exports: sum() over the masters is the leader's figure.
    for (const name of [
      'mooseng_master_under_goal_chunks',
      'mooseng_master_over_goal_chunks',
      'mooseng_master_missing_chunks',
      'mooseng_master_replication_queue',
    ]) {
      expect(await one(`count(${name})`), name).to.equal(1);
      expect(await one(`count(${name} and on (node) mooseng_master_role == 1)`), name).to.equal(1);
    }
    expect(await one('sum(mooseng_chunkserver_crc_errors_total)')).to.equal(0);
    expect(await one('count(mooseng_master_replications_total)')).to.equal(6); // ok and failed, on each master
    expect(await one('sum(mooseng_master_up)')).to.equal(3);
    expect(await one('sum(mooseng_master_role)')).to.equal(1);
    expect(await one('min(mooseng_master_term)')).to.be.greaterThan(0);
    expect(await one('min(mooseng_master_files)')).to.be.at.least(1);
    expect(await one('sum(mooseng_master_chunkservers{state="alive"}) / 3')).to.equal(3);
    expect(await one('count(mooseng_chunkserver_capacity_bytes > 0)')).to.equal(6); // 3 servers × 2 disks
    expect(await one('sum(mooseng_chunkserver_used_bytes)')).to.be.greaterThan(0);
    expect(await one('sum(mooseng_chunkserver_chunks)')).to.be.greaterThan(0);
    expect(await one('sum(mooseng_chunkserver_written_bytes_total)')).to.be.greaterThan(0);
    expect(await one('sum(mooseng_chunkserver_read_bytes_total)')).to.be.greaterThan(0);
    expect(await one('sum(mooseng_raft_log_bytes)')).to.be.greaterThan(0);
    expect(await one('sum(mooseng_raft_commit_seconds_count)')).to.be.greaterThan(0);
    expect(await one('sum(mooseng_master_request_duration_seconds_count{method="Mknod"})')).to.be.greaterThan(0);
    expect(await one('sum(mooseng_client_cache_requests_total{result="hit"})')).to.be.greaterThan(0);
    const operations = new Set((await prometheus!.query('mooseng_operations_total')).map((s) => s.metric.operation));
    for (const op of ['create', 'write', 'read', 'getattr', 'release']) expect(operations, op).to.include(op);
  });

  it('answers the example queries and the recorded rules with numbers', async () => {
    const number = async (expr: string) =>
      waitFor(
        expr,
        async () => {
          const v = (await prometheus!.query(expr))[0]?.value;
          return v !== undefined && Number.isFinite(v) && v > 0 ? v : null;
        },
        60_000,
        1_000,
      );
    expect(await number(SPEC_EXAMPLE_QUERIES.healthScore)).to.equal(100);
    const utilisation = await number(SPEC_EXAMPLE_QUERIES.storageUtilisation);
    expect(utilisation).to.be.greaterThan(0).and.below(1);
    expect(await number(SPEC_EXAMPLE_QUERIES.operationsPerSecond)).to.be.greaterThan(0);
    const p95 = await number(SPEC_EXAMPLE_QUERIES.p95Latency);
    expect(p95).to.be.greaterThan(0).and.below(10);
    // The same four, recorded by mooseng-rules.yml (evaluated every 5 s).
    expect(await number('mooseng:cluster_health_score')).to.equal(100);
    expect(await number('mooseng:storage_utilisation:ratio')).to.be.below(1);
    expect(await number('mooseng:operations:rate1m')).to.be.greaterThan(0);
    expect(await number('mooseng:operation_latency_seconds:p95')).to.be.below(10);
  });

  it('every Grafana panel query names only metrics the cluster exports, and Prometheus runs it', async () => {
    const exported = new Set(await prometheus!.api<string[]>('label/__name__/values'));
    const queries = allQueries(loadDashboards(), { cluster: 'test' });
    expect(queries.length).to.be.greaterThan(20);
    for (const q of queries) {
      for (const name of metricNamesIn(q.expr)) expect(exported, `${q.dashboard} / ${q.panel}: ${name}`).to.include(name);
      await prometheus!.query(q.exprForPrometheus).catch((err: Error) => {
        throw new Error(`${q.dashboard} / ${q.panel} (${q.refId}): ${err.message}`);
      });
    }
  });
});
