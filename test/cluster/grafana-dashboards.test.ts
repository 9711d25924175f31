// The Grafana dashboards without a cluster: the PromQL reader names the right metrics, and every dashboard loads, is
// provisioned, and uses only (and all of) the metric names of the observability spec.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support';
import {
  allQueries,
  DOCUMENTED_HISTOGRAMS,
  DOCUMENTED_METRICS,
  loadDashboards,
  metricNamesIn,
  metricNamesInVariableQuery,
  parseDashboard,
  SPEC_EXAMPLE_QUERIES,
  substituteVariables,
  type Dashboard,
} from './grafana-dashboards';

/** Grafana units the dashboards may use: a typo in a unit id silently shows raw numbers. */
const KNOWN_UNITS = new Set(['none', 'short', 'percent', 'percentunit', 'bytes', 'Bps', 's', 'ops', 'cps']);

describe('metricNamesIn', () => {
  it("names exactly the metrics of the spec's example queries", () => {
    expect(metricNamesIn(SPEC_EXAMPLE_QUERIES.healthScore)).to.deep.equal([
      'up',
      'mooseng_master_missing_chunks',
      'mooseng_master_chunks',
      'mooseng_master_under_goal_chunks',
    ]);
    expect(metricNamesIn(SPEC_EXAMPLE_QUERIES.storageUtilisation)).to.deep.equal([
      'mooseng_chunkserver_used_bytes',
      'mooseng_chunkserver_capacity_bytes',
    ]);
    expect(metricNamesIn(SPEC_EXAMPLE_QUERIES.operationsPerSecond)).to.deep.equal(['mooseng_operations_total']);
    expect(metricNamesIn(SPEC_EXAMPLE_QUERIES.p95Latency)).to.deep.equal(['mooseng_operation_duration_seconds_bucket']);
  });

  it('skips functions, keywords, label names and values, strings, durations and numbers', () => {
    const expr =
      'sum without (instance) (rate(a_total{job="b_job", le=~"c|d"}[5m:30s] offset 1h)) / on (cluster, node) group_left (role) b_info ' +
      '> bool 0.5e3 and c unless D or topk(3, e) * 0x1f + SUM BY (x) (f) - count_values("g", h) + inf + NaN atan2 i @ start()';
    expect(metricNamesIn(expr)).to.deep.equal(['a_total', 'b_info', 'c', 'D', 'e', 'f', 'h', 'i']);
  });

  it('names a metric selected by __name__, and each name once', () => {
    expect(metricNamesIn('{__name__="x_total", job="j"} + x_total + label_replace(y, "dst", "$1", "src", "(.*)")')).to.deep.equal([
      'x_total',
      'y',
    ]);
  });

  it('reads through Grafana variables in every spelling', () => {
    expect(
      metricNamesIn(
        'sum(rate(m_total{cluster=~"$cluster", a="${cluster}", b="[[cluster]]", c="${cluster:regex}"}[$__rate_interval] offset $__interval))',
      ),
    ).to.deep.equal(['m_total']);
  });

  it('refuses a broken query instead of finding no metric in it', () => {
    for (const broken of ['sum(rate(x[5m])', 'x{a="b}', 'x{a="b"', 'rate(x[5m)', 'x)'])
      expect(() => metricNamesIn(broken), broken).to.throw(/PromQL/);
  });
});

describe('metricNamesInVariableQuery', () => {
  it('names the metrics of label_values and query_result, and none of the other variable queries', () => {
    expect(metricNamesInVariableQuery('label_values(mooseng_master_up, cluster)')).to.deep.equal(['mooseng_master_up']);
    expect(metricNamesInVariableQuery('label_values(a{job="j"}, node)')).to.deep.equal(['a']);
    expect(metricNamesInVariableQuery('query_result(topk(3, b))')).to.deep.equal(['b']);
    for (const none of ['label_values(cluster)', 'label_names()', 'metrics(mooseng_.*)'])
      expect(metricNamesInVariableQuery(none), none).to.deep.equal([]);
  });
});

describe('substituteVariables', () => {
  it('puts in the defaults, or the values given', () => {
    const expr = 'rate(m{cluster=~"$cluster"}[$__rate_interval]) + m{cluster=~"${cluster}"} offset $__interval';
    expect(substituteVariables(expr)).to.equal('rate(m{cluster=~".*"}[1m]) + m{cluster=~".*"} offset 15s');
    expect(substituteVariables(expr, { cluster: 'test', __rate_interval: '2m' })).to.equal(
      'rate(m{cluster=~"test"}[2m]) + m{cluster=~"test"} offset 15s',
    );
  });

  it('leaves regex back-references alone and refuses unknown variables', () => {
    expect(substituteVariables('label_replace(m, "d", "$1", "s", "(.*)")')).to.equal('label_replace(m, "d", "$1", "s", "(.*)")');
    expect(() => substituteVariables('m{cluster=~"$clsuter"}')).to.throw(/\$clsuter/);
  });
});

describe('parseDashboard', () => {
  it('walks into open and collapsed rows and takes every target', () => {
    const d = parseDashboard('x.json', {
      uid: 'u',
      title: 'T',
      templating: {
        list: [
          { name: 'cluster', query: 'label_values(m_up, cluster)' },
          { name: 'text', query: '' },
        ],
      },
      panels: [
        { type: 'row', title: 'open', panels: [] },
        {
          type: 'stat',
          title: 'one',
          datasource: { uid: 'ds' },
          fieldConfig: { defaults: { unit: 's' } },
          targets: [
            { refId: 'A', expr: 'a' },
            { refId: 'B', expr: 'b', datasource: { uid: 'other' } },
          ],
        },
        {
          type: 'row',
          title: 'collapsed',
          collapsed: true,
          panels: [{ type: 'timeseries', title: 'two', targets: [{ refId: 'A', expr: 'c' }] }],
        },
      ],
    });
    expect(d).to.deep.equal({
      file: 'x.json',
      uid: 'u',
      title: 'T',
      variables: [{ name: 'cluster', query: 'label_values(m_up, cluster)' }],
      panels: [
        {
          title: 'one',
          type: 'stat',
          unit: 's',
          datasourceUid: 'ds',
          queries: [
            { refId: 'A', expr: 'a', datasourceUid: 'ds' },
            { refId: 'B', expr: 'b', datasourceUid: 'other' },
          ],
        },
        {
          title: 'two',
          type: 'timeseries',
          unit: undefined,
          datasourceUid: undefined,
          queries: [{ refId: 'A', expr: 'c', datasourceUid: undefined }],
        },
      ],
    });
  });
});

describe('the dashboards in docker/grafana/dashboards', () => {
  let dashboards: Dashboard[];
  before(() => {
    dashboards = loadDashboards();
  });
  const usedNames = (): Set<string> =>
    new Set(
      dashboards.flatMap((d) => [
        ...d.variables.flatMap((v) => metricNamesInVariableQuery(v.query)),
        ...d.panels.flatMap((p) => p.queries.flatMap((q) => metricNamesIn(q.expr))),
      ]),
    );

  it('are the three, each with its own uid and title', () => {
    expect(dashboards.map((d) => d.file)).to.deep.equal(['mooseng-health.json', 'mooseng-performance.json', 'mooseng-storage.json']);
    for (const d of dashboards) expect(d.uid, d.file).to.match(/^mooseng-/);
    expect(new Set(dashboards.map((d) => d.uid)).size).to.equal(dashboards.length);
    expect(new Set(dashboards.map((d) => d.title)).size).to.equal(dashboards.length);
  });

  it('give every panel a title, a known unit and at least one query, all on the provisioned Prometheus', () => {
    const provisioned = parse(
      readFileSync(join(REPO_ROOT, 'docker', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'),
    ) as { datasources: Array<{ uid: string }> };
    const uid = provisioned.datasources[0]!.uid;
    for (const d of dashboards) {
      expect(d.panels, d.file).to.have.length.above(0);
      for (const p of d.panels) {
        const where = `${d.file} "${p.title}"`;
        expect(p.title, where).to.not.equal('');
        expect(KNOWN_UNITS.has(p.unit ?? ''), `${where}: unit ${p.unit}`).to.equal(true);
        expect(p.queries, where).to.have.length.above(0);
        for (const q of p.queries) expect(q.datasourceUid, `${where} ${q.refId}`).to.equal(uid);
      }
    }
  });

  it('use only the metric names of the spec', () => {
    for (const d of dashboards) {
      for (const p of d.panels) {
        for (const q of p.queries) {
          const names = metricNamesIn(q.expr);
          expect(names, `${d.file} "${p.title}": ${q.expr}`).to.have.length.above(0);
          for (const name of names) expect(DOCUMENTED_METRICS.has(name), `${d.file} "${p.title}" uses ${name}`).to.equal(true);
        }
      }
      for (const v of d.variables)
        for (const name of metricNamesInVariableQuery(v.query))
          expect(DOCUMENTED_METRICS.has(name), `${d.file} variable ${v.name} uses ${name}`).to.equal(true);
    }
  });

  it('show every metric of the spec somewhere', () => {
    const used = usedNames();
    const histogramForms = (h: string): string[] => [`${h}_bucket`, `${h}_sum`, `${h}_count`];
    const missing = [...DOCUMENTED_METRICS].filter((name) => {
      const histogram = DOCUMENTED_HISTOGRAMS.find((h) => histogramForms(h).includes(name));
      return histogram ? !histogramForms(histogram).some((f) => used.has(f)) : !used.has(name);
    });
    expect(missing).to.deep.equal([]);
  });

  it("show each of the spec's example queries verbatim", () => {
    const exprs = new Set(allQueries(dashboards).map((q) => q.expr));
    for (const [name, expr] of Object.entries(SPEC_EXAMPLE_QUERIES)) expect(exprs.has(expr), name).to.equal(true);
  });

  it('select the cluster with =~, so that "All" (.*) and a single name both work', () => {
    for (const d of dashboards) {
      expect(
        d.variables.map((v) => v.name),
        d.file,
      ).to.deep.equal(['cluster']);
      for (const q of allQueries([d]))
        expect(q.expr.replace(/cluster=~"\$cluster"/g, ''), `${d.file} "${q.panel}"`).to.not.match(/\$\{?cluster|\[\[cluster/);
    }
  });

  it('turn into queries Prometheus can take: no Grafana variable left', () => {
    const queries = allQueries(dashboards, { cluster: 'mooseng' });
    expect(queries.length).to.be.greaterThan(dashboards.length);
    for (const q of queries) {
      expect(q.exprForPrometheus, `${q.dashboard} "${q.panel}"`).to.not.match(/\$[A-Za-z_{]|\[\[/);
      expect(metricNamesIn(q.exprForPrometheus)).to.deep.equal(metricNamesIn(q.expr));
    }
  });

  it('are provisioned from the folder docker-compose mounts into Grafana', () => {
    const provider = parse(readFileSync(join(REPO_ROOT, 'docker', 'grafana', 'provisioning', 'dashboards', 'mooseng.yml'), 'utf8')) as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    const compose = parse(readFileSync(join(REPO_ROOT, 'docker', 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: { grafana: { volumes: string[] } };
    };
    const mount = compose.services.grafana.volumes.map((v) => v.split(':')).find(([source]) => source === './grafana/dashboards');
    expect(mount, 'grafana mounts ./grafana/dashboards').to.not.equal(undefined);
    expect(provider.providers.map((p) => [p.type, p.options.path])).to.deep.equal([['file', mount![1]]]);
  });
});
