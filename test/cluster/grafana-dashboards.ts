// Reads the Grafana dashboards (docker/grafana/dashboards) into their panels and PromQL queries, names the metrics each
// query uses, and turns Grafana's variables into values Prometheus accepts, so tests can hold the dashboards to the
// metric names of the observability spec and run every query against a real Prometheus.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support';

/** Where the dashboards live; docker-compose.yml mounts this folder into Grafana. */
export const DASHBOARDS_DIR = join(REPO_ROOT, 'docker', 'grafana', 'dashboards');

/** The histograms of the spec, by base name; Prometheus stores each as `_bucket`, `_sum` and `_count` series. */
export const DOCUMENTED_HISTOGRAMS: readonly string[] = [
  'mooseng_master_request_duration_seconds',
  'mooseng_raft_log_write_seconds',
  'mooseng_raft_commit_seconds',
  'mooseng_chunkserver_request_seconds',
  'mooseng_operation_duration_seconds',
];

/** Every series name the dashboards may use: the spec's metrics (histograms in their stored forms) and Prometheus' `up`. */
export const DOCUMENTED_METRICS: ReadonlySet<string> = new Set([
  'up',
  // master
  'mooseng_master_up',
  'mooseng_master_role',
  'mooseng_master_term',
  'mooseng_master_files',
  'mooseng_master_directories',
  'mooseng_master_file_bytes',
  'mooseng_master_chunks',
  'mooseng_master_under_goal_chunks',
  'mooseng_master_over_goal_chunks',
  'mooseng_master_missing_chunks',
  'mooseng_master_replication_queue',
  'mooseng_master_replications_total',
  'mooseng_master_chunkservers',
  'mooseng_master_requests_total',
  'mooseng_raft_term',
  'mooseng_raft_commit_index',
  'mooseng_raft_applied_index',
  'mooseng_raft_is_leader',
  'mooseng_raft_proposals_total',
  'mooseng_raft_log_entries',
  'mooseng_raft_log_bytes',
  // chunkserver
  'mooseng_chunkserver_capacity_bytes',
  'mooseng_chunkserver_used_bytes',
  'mooseng_chunkserver_chunks',
  'mooseng_chunkserver_dir_usable',
  'mooseng_chunkserver_read_bytes_total',
  'mooseng_chunkserver_written_bytes_total',
  'mooseng_chunkserver_requests_total',
  'mooseng_chunkserver_crc_errors_total',
  'mooseng_chunkserver_scrubbed_chunks_total',
  'mooseng_chunkserver_corrupt_chunks_total',
  // client
  'mooseng_operations_total',
  'mooseng_client_cache_requests_total',
  'mooseng_client_block_cache_bytes',
  'mooseng_client_read_bytes_total',
  'mooseng_client_written_bytes_total',
  // every role (the process metrics the spec names)
  'mooseng_process_cpu_seconds_total',
  'mooseng_process_resident_memory_bytes',
  'mooseng_nodejs_eventloop_lag_seconds',
  ...DOCUMENTED_HISTOGRAMS.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]),
]);

/** The spec's example queries, exactly as written there; the dashboards show each of them verbatim. */
export const SPEC_EXAMPLE_QUERIES = {
  healthScore:
    '100 * avg(up{job=~"mooseng-.*"}) * (1 - (sum(mooseng_master_missing_chunks) or vector(0)) / clamp_min(max(mooseng_master_chunks), 1)) * (1 - 0.5 * (sum(mooseng_master_under_goal_chunks) or vector(0)) / clamp_min(max(mooseng_master_chunks), 1))',
  storageUtilisation: 'sum(mooseng_chunkserver_used_bytes) / sum(mooseng_chunkserver_capacity_bytes)',
  operationsPerSecond: 'sum(rate(mooseng_operations_total[1m]))',
  p95Latency: 'histogram_quantile(0.95, sum by (le) (rate(mooseng_operation_duration_seconds_bucket[5m])))',
} as const;

/** One query of a panel. */
export interface DashboardQuery {
  refId: string;
  expr: string;
  /** The target's data source uid, or the panel's when the target names none. */
  datasourceUid: string | undefined;
}

/** A panel that shows data (rows are walked into, not listed). */
export interface DashboardPanel {
  title: string;
  type: string;
  unit: string | undefined;
  datasourceUid: string | undefined;
  queries: DashboardQuery[];
}

/** A templating variable and the query that fills it (`label_values(...)` for query variables). */
export interface DashboardVariable {
  name: string;
  query: string;
}

export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  variables: DashboardVariable[];
  panels: DashboardPanel[];
}

/** Every `*.json` dashboard in `dir`, sorted by file name. */
export function loadDashboards(dir = DASHBOARDS_DIR): Dashboard[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => parseDashboard(file, JSON.parse(readFileSync(join(dir, file), 'utf8'))));
}

// Grafana's JSON model, only as far as this module reads it.
interface RawDatasource {
  uid?: string;
}
interface RawPanel {
  type: string;
  title?: string;
  datasource?: RawDatasource | null;
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Array<{ refId?: string; expr?: string; datasource?: RawDatasource | null }>;
  panels?: RawPanel[];
}
interface RawDashboard {
  uid?: string;
  title?: string;
  panels?: RawPanel[];
  templating?: { list?: Array<{ name: string; query?: string | { query?: string } }> };
}

/** The panels of one dashboard's JSON model, including those inside rows (a collapsed row keeps its panels inside it). */
export function parseDashboard(file: string, json: unknown): Dashboard {
  const raw = json as RawDashboard;
  const panels: DashboardPanel[] = [];
  const walk = (list: RawPanel[]): void => {
    for (const p of list) {
      if (p.type === 'row') {
        walk(p.panels ?? []);
        continue;
      }
      const panelUid = p.datasource?.uid;
      panels.push({
        title: p.title ?? '',
        type: p.type,
        unit: p.fieldConfig?.defaults?.unit,
        datasourceUid: panelUid,
        queries: (p.targets ?? [])
          .filter((t) => typeof t.expr === 'string' && t.expr.trim() !== '')
          .map((t) => ({ refId: t.refId ?? '', expr: t.expr!, datasourceUid: t.datasource?.uid ?? panelUid })),
      });
    }
  };
  walk(raw.panels ?? []);
  const variables = (raw.templating?.list ?? [])
    .map((v) => ({ name: v.name, query: typeof v.query === 'string' ? v.query : (v.query?.query ?? '') }))
    .filter((v) => v.query !== '');
  return { file, uid: raw.uid ?? '', title: raw.title ?? '', variables, panels };
}

/**
 * What Grafana would put in place of its variables when it sends a query. `cluster` defaults to `.*`: the dashboards
 * select with `cluster=~"$cluster"`, so a value given here is a regular expression too (a plain cluster name works).
 * The built-in intervals get values fit for a cluster scraped every 5 s.
 */
export const DEFAULT_VARIABLE_VALUES: Readonly<Record<string, string>> = {
  cluster: '.*',
  __rate_interval: '1m',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
};

// $name, ${name}, ${name:format} and [[name]], [[name:format]]. Names start with a letter or _, so the $1 of a
// label_replace() replacement is left alone, as Grafana leaves it.
const VARIABLE = /\$\{([A-Za-z_]\w*)(?::[^}]*)?\}|\[\[([A-Za-z_]\w*)(?::[^\]]*)?\]\]|\$([A-Za-z_]\w*)/g;

/** `expr` with every Grafana variable replaced by its value from `values` (over the defaults); an unknown one throws. */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>> = {}): string {
  const all = { ...DEFAULT_VARIABLE_VALUES, ...values };
  return expr.replace(VARIABLE, (whole, braced?: string, bracketed?: string, bare?: string) => {
    const name = (braced ?? bracketed ?? bare)!;
    const value = all[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${whole} in: ${expr}`);
    return value;
  });
}

/** One query of one panel, ready to send to Prometheus. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
  /** `expr` with Grafana's variables substituted (see `substituteVariables`). */
  exprForPrometheus: string;
}

/** Every query of every panel, with `values` for the variables (`{ cluster: 'test' }`; by default all clusters). */
export function allQueries(dashboards: readonly Dashboard[], values: Readonly<Record<string, string>> = {}): PanelQuery[] {
  return dashboards.flatMap((d) =>
    d.panels.flatMap((p) =>
      p.queries.map((q) => ({
        dashboard: d.title,
        panel: p.title,
        refId: q.refId,
        expr: q.expr,
        exprForPrometheus: substituteVariables(q.expr, values),
      })),
    ),
  );
}

/**
 * The series names a Prometheus variable query of Grafana's selects: `label_values(<selector>, <label>)` and
 * `query_result(<PromQL>)` name those of their PromQL; `label_values(<label>)`, `label_names()` and `metrics(<regex>)`
 * name none.
 */
export function metricNamesInVariableQuery(query: string): string[] {
  const labelValues = /^\s*label_values\(\s*(.*),\s*[A-Za-z_]\w*\s*\)\s*$/s.exec(query);
  if (labelValues) return metricNamesIn(labelValues[1]!);
  const queryResult = /^\s*query_result\((.*)\)\s*$/s.exec(query);
  return queryResult ? metricNamesIn(queryResult[1]!) : [];
}

/** Aggregation operators: they may be followed by `by`/`without` rather than by `(`, so they are not always calls. */
const AGGREGATORS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
/** Words that are never series names. PromQL reads keywords and aggregation operators in any case; so does this. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'atan2',
  'inf',
  'nan',
]);
/** Keywords followed by a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/**
 * The series names a PromQL expression selects, as written (a histogram's `_bucket` stays), each once, in order of
 * first use. Function, aggregation and keyword names, label names and values, strings, durations and numbers are not
 * names; a `{__name__="x"}` selector names x. Grafana variables may appear anywhere: each becomes a `0` first, which
 * reads as a number, a duration or string content wherever a variable can stand. Throws on an unterminated string or
 * unbalanced brackets, so a broken query cannot pass as one that uses no metric.
 */
export function metricNamesIn(expr: string): string[] {
  const text = expr.replace(VARIABLE, '0');
  const names: string[] = [];
  const add = (name: string): void => {
    if (!names.includes(name)) names.push(name);
  };
  const fail = (why: string, at: number): never => {
    throw new Error(`${why} at ${at} in PromQL: ${expr}`);
  };
  let depth = 0; // of parentheses
  const nextNonSpace = (from: number): number => {
    while (from < text.length && /\s/.test(text[from]!)) from++;
    return from;
  };
  /** The index just past the string literal starting at `i`. */
  const skipString = (i: number): number => {
    const quote = text[i]!;
    for (let j = i + 1; j < text.length; j++) {
      if (text[j] === '\\' && quote !== '`') j++;
      else if (text[j] === quote) return j + 1;
    }
    return fail('unterminated string', i);
  };
  /** The index just past the bracket that closes the one at `i`, skipping strings inside. */
  const skipGroup = (i: number, close: string): number => {
    for (let j = i + 1; j < text.length;) {
      const c = text[j]!;
      if (c === close) return j + 1;
      if (c === '"' || c === "'" || c === '`') j = skipString(j);
      else if ('{}[]()'.includes(c)) return fail(`unexpected "${c}"`, j);
      else j++;
    }
    return fail(`unclosed "${text[i]}"`, i);
  };

  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '#') {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol + 1;
    } else if (c === '"' || c === "'" || c === '`') {
      i = skipString(i);
    } else if (c === '{') {
      const end = skipGroup(i, '}');
      const byName = /(?:^|[{,\s])__name__\s*=\s*(["'`])(.*?)\1/.exec(text.slice(i, end));
      if (byName) add(byName[2]!);
      i = end;
    } else if (c === '[') {
      i = skipGroup(i, ']'); // a range or subquery: durations only
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      if (--depth < 0) fail('unbalanced ")"', i);
      i++;
    } else if (c === '}' || c === ']') {
      fail(`unbalanced "${c}"`, i);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      while (i < text.length && /[0-9A-Za-z_.]/.test(text[i]!)) i++; // 0.95, 1e3, 0x1f, 5m, 1h30m
    } else if (/[A-Za-z_:]/.test(c)) {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_:]/.test(text[i]!)) i++;
      const word = text.slice(start, i);
      const next = nextNonSpace(i);
      const lower = word.toLowerCase();
      if (LABEL_LIST_KEYWORDS.has(lower) && text[next] === '(') i = skipGroup(next, ')');
      else if (KEYWORDS.has(lower) || text[next] === '(')
        continue; // a keyword, or a function or aggregation called
      else if (AGGREGATORS.has(lower) && /^(by|without)\b/i.test(text.slice(next))) continue;
      else add(word);
    } else {
      i++;
    }
  }
  if (depth > 0) fail('unclosed "("', text.length);
  return names;
}
