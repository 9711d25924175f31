// A real Prometheus (Debian's package) for tests: started on a free port with a cluster's config, queried through
// its HTTP API, stopped (and its data removed with the cluster's directory) in after-hooks.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePort, spawnTracked, waitFor } from '../support';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export class PrometheusServer {
  private constructor(
    readonly url: string,
    private readonly process: ChildProcess,
  ) {}

  static available(): boolean {
    return existsSync(PROMETHEUS_BIN);
  }

  /** Starts Prometheus on `configPath`, keeping its data under `dataDir`, and waits until it is ready. */
  static async start(configPath: string, dataDir: string): Promise<PrometheusServer> {
    const port = await freePort();
    const child = spawnTracked(
      PROMETHEUS_BIN,
      [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${join(dataDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
    const server = new PrometheusServer(`http://127.0.0.1:${port}`, child);
    await waitFor('Prometheus ready', async () => (await fetch(`${server.url}/-/ready`).catch(() => null))?.ok, 30_000, 200);
    return server;
  }

  async api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.url}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${body.error}`);
    return body.data;
  }

  /** An instant query; its vector (or scalar) as numbers. Throws on a query Prometheus refuses. */
  async query(expr: string): Promise<Sample[]> {
    const data = await this.api<{ resultType: string; result: unknown }>('query', { query: expr });
    if (data.resultType === 'scalar') return [{ metric: {}, value: Number((data.result as [number, string])[1]) }];
    if (data.resultType !== 'vector') throw new Error(`${expr}: a ${data.resultType}, not a vector`);
    return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({
      metric: r.metric,
      value: Number(r.value[1]),
    }));
  }

  async targets(): Promise<Array<{ labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }>> {
    return (
      await this.api<{ activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }> }>(
        'targets',
        { state: 'active' },
      )
    ).activeTargets;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
  }
}
