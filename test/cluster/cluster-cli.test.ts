// `mooseng cluster up|status|test|down` as an operator runs them: the whole 3/3/3 topology as processes.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, makeTempDir, runCli } from '../support';
import { freeBasePort } from './harness';

describe('mooseng cluster (3 masters, 3 chunkservers × 4 disks, 3 clients)', function () {
  this.timeout(600_000);
  let dir: string;

  before(() => {
    dir = makeTempDir('mooseng-cli-cluster-');
  });
  after(async () => {
    // Always stop what was started, even when a step failed.
    await runCli(['cluster', 'down', '--dir', dir], { timeoutMs: 120_000 }).catch(() => undefined);
    cleanupTempDirs();
  });

  it('comes up with every node healthy and a leader, and reports each node', async () => {
    const base = await freeBasePort();
    const up = await runCli(['cluster', 'up', '--dir', dir, '--base-port', String(base), '--json'], { timeoutMs: 180_000 });
    expect(up.code, up.stderr + up.stdout).to.equal(0);
    const started = JSON.parse(up.stdout) as { nodes: Array<{ id: string; role: string; pid: number; mountPoint: string }> };
    expect(started.nodes.map((n) => n.role).sort()).to.deep.equal([
      ...Array(3).fill('chunkserver'),
      ...Array(3).fill('client'),
      ...Array(3).fill('master'),
    ]);
    for (const n of started.nodes) expect(existsSync(join(dir, 'logs', `${n.id}.log`)), n.id).to.equal(true);
    const status = await runCli(['cluster', 'status', '--dir', dir, '--json']);
    const { nodes: rows, status: fromMaster } = JSON.parse(status.stdout) as {
      nodes: Array<{ node: { id: string; role: string }; running: boolean; health: Record<string, unknown> | null }>;
      status: { leader: string; health: { state: string }; chunkservers: unknown[] } | null;
    };
    expect(rows.every((r) => r.running && r.health)).to.equal(true);
    const leaders = rows.filter((r) => r.node.role === 'master' && r.health!.role === 'leader');
    expect(leaders).to.have.length(1);
    // The summary comes from the leader's /status, the document the web dashboard shows.
    expect(fromMaster!.leader).to.equal(leaders[0].node.id);
    expect(fromMaster!.chunkservers).to.have.length(3);
    expect(fromMaster!.health.state).to.equal('healthy');
    const text = await runCli(['cluster', 'status', '--dir', dir]);
    expect(text.stdout).to.match(/^health: 100 healthy$/m);
    expect(text.stdout).to.match(/chunkservers 3\/3 up/);
    const cs = rows.filter((r) => r.node.role === 'chunkserver');
    expect(cs.every((r) => (r.health!.dirs as unknown[]).length === 4)).to.equal(true);
    expect(readFileSync('/proc/mounts', 'utf8')).to.contain(join(dir, 'mnt', 'client1'));
  });

  it('passes every step of `mooseng cluster test`', async () => {
    const r = await runCli(['cluster', 'test', '--dir', dir], { timeoutMs: 400_000 });
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).not.to.contain('✗');
    expect(r.stdout).to.match(/(\d+) of \1 steps passed/);
  });

  it('goes down cleanly, leaving no process or mount, and twice is harmless', async () => {
    const down = await runCli(['cluster', 'down', '--dir', dir], { timeoutMs: 120_000 });
    expect(down.code, down.stderr).to.equal(0);
    const state = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { nodes: Array<{ pid: number | null }> };
    expect(state.nodes.every((n) => n.pid === null)).to.equal(true);
    expect(readFileSync('/proc/mounts', 'utf8')).not.to.contain(dir);
    const again = await runCli(['cluster', 'down', '--dir', dir]);
    expect(again.code).to.equal(0);
    const purge = await runCli(['cluster', 'down', '--dir', dir, '--purge']);
    expect(purge.code).to.equal(0);
    expect(existsSync(dir)).to.equal(false);
  });
});
