// The etcd comparison's etcd side: three etcd 3.4 members on 127.0.0.1 (Debian's etcd-server, installed if missing),
// each with its own temporary data directory, fsync on (etcd has no way to turn it off in 3.4 short of
// --unsafe-no-fsync, which this never passes), stopped by pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './raft-cluster';

export interface EtcdCluster {
  /** host:port of the member that leads (the client talks to it, as the MooseNG side talks to its leader). */
  leaderAddress: string;
  version: string;
  stop(): Promise<void>;
}

function etcdVersion(): string | null {
  const r = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return /etcd Version: (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
}

/** The installed etcd's version, installing Debian's etcd-server first when there is none (as root only). */
export function ensureEtcd(log: (line: string) => void): string {
  const found = etcdVersion();
  if (found) return found;
  if (process.getuid?.() !== 0)
    throw new Error('etcd is not installed and this is not root: run `apt-get install -y etcd-server` as root, then again');
  log('etcd not found: installing Debian etcd-server');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', 'etcd-server'], { stdio: 'inherit', env });
  if (r.status !== 0) {
    // A fresh machine's package lists may be missing or stale.
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    r = spawnSync('apt-get', ['install', '-y', 'etcd-server'], { stdio: 'inherit', env });
  }
  const installed = etcdVersion();
  if (r.status !== 0 || !installed) throw new Error('`apt-get install -y etcd-server` did not leave an etcd on PATH');
  return installed;
}

interface MemberStatus {
  header?: { member_id?: string };
  leader?: string;
}

/** One member's Maintenance.Status through etcd's JSON gateway, or null while it does not answer. */
async function status(clientUrl: string): Promise<MemberStatus | null> {
  try {
    const res = await fetch(`${clientUrl}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as MemberStatus) : null;
  } catch {
    return null;
  }
}

/** Starts three members with their data and logs under `root`; resolves once they have a leader. */
export async function startEtcdCluster(root: string, version: string): Promise<EtcdCluster> {
  const members = await Promise.all(['e1', 'e2', 'e3'].map(async (name) => ({ name, client: await freePort(), peer: await freePort() })));
  const initialCluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peer}`).join(',');
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  };
  try {
    for (const m of members) {
      const logFd = openSync(join(root, `${m.name}.log`), 'a');
      const child = spawn(
        'etcd',
        [
          `--name=${m.name}`,
          `--data-dir=${join(root, m.name)}`,
          `--listen-client-urls=http://127.0.0.1:${m.client}`,
          `--advertise-client-urls=http://127.0.0.1:${m.client}`,
          `--listen-peer-urls=http://127.0.0.1:${m.peer}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${m.peer}`,
          `--initial-cluster=${initialCluster}`,
          '--initial-cluster-state=new',
          `--initial-cluster-token=mooseng-bench-${process.pid}`,
          '--logger=zap',
          '--log-level=warn',
        ],
        { stdio: ['ignore', logFd, logFd] },
      );
      closeSync(logFd);
      children.push(child);
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (children.some((c) => c.exitCode !== null)) throw new Error(`an etcd member exited at start; see the logs in ${root}`);
      const statuses = await Promise.all(members.map((m) => status(`http://127.0.0.1:${m.client}`)));
      const leaderAt = statuses.findIndex((s) => s?.leader && s.leader !== '0' && s.header?.member_id === s.leader);
      if (leaderAt >= 0 && statuses.every((s) => s !== null))
        return { leaderAddress: `127.0.0.1:${members[leaderAt].client}`, version, stop };
      if (Date.now() > deadline) throw new Error(`etcd elected no leader within 30 s; see the logs in ${root}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
