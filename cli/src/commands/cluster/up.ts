// `mooseng cluster up`: a whole cluster as processes on this host.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command';
import { clusterUp } from '../../cluster/local-cluster';
import { prometheusDir } from '../../cluster/prometheus-targets';

export default class ClusterUp extends BaseCommand {
  static override description = 'Start a local cluster: masters (Raft), chunkservers with several disks, and FUSE clients, as processes';
  static override examples = [
    '<%= config.bin %> cluster up',
    '<%= config.bin %> cluster up --dir /tmp/c1 --masters 1 --chunkservers 3 --clients 1',
  ];
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'Where configs, data, logs and mount points go (default: <data dir>/cluster)' }),
    masters: Flags.integer({ default: 3, min: 1, max: 7 }),
    chunkservers: Flags.integer({ default: 3, min: 1, max: 20 }),
    disks: Flags.integer({ default: 4, min: 1, max: 16, description: 'Data directories per chunkserver' }),
    clients: Flags.integer({ default: 3, min: 0, max: 10 }),
    goal: Flags.integer({ default: 2, min: 1, max: 9, description: 'Replicas per chunk of new files' }),
    'base-port': Flags.integer({
      default: 9421,
      description: 'First master control port; every other port follows the documented offsets (docs/architecture.md)',
    }),
    'cluster-id': Flags.string({ default: 'mooseng-local' }),
    json: Flags.boolean({ description: 'Print the started nodes as JSON' }),
    tls: Flags.boolean({
      default: true,
      allowNo: true,
      description:
        'TLS with a cluster CA made in <dir>/tls: Raft between masters, the data plane of chunkservers (--no-tls: plain TCP everywhere, e.g. to measure what TLS costs)',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ClusterUp);
    const dir = resolve(flags.dir ?? join(this.config.dataDir, 'cluster'));
    const state = await clusterUp(
      {
        dir,
        masters: flags.masters,
        chunkservers: flags.chunkservers,
        disks: flags.disks,
        clients: flags.clients,
        clusterId: flags['cluster-id'],
        basePort: flags['base-port'],
        goal: flags.goal,
        ...(flags.tls ? {} : { tlsDir: '' }),
      },
      (line) => !flags.json && this.log(line),
    );
    if (flags.json) {
      this.log(JSON.stringify({ dir, nodes: state.nodes }, null, 2));
      return;
    }
    const mounts = state.nodes.filter((n) => n.role === 'client').map((n) => n.mountPoint);
    this.log(`\ncluster running from ${dir}`);
    if (mounts.length > 0) this.log(`mounted at:\n${mounts.map((m) => `  ${m}`).join('\n')}`);
    const master = state.nodes.find((n) => n.role === 'master');
    if (master) this.log(`dashboard: http://127.0.0.1:${master.httpPort}/ (any master; metrics on every node's /metrics)`);
    const prometheus = prometheusDir(dir);
    if (existsSync(join(prometheus, 'prometheus.yml')))
      this.log(
        `prometheus: prometheus --config.file=${join(prometheus, 'prometheus.yml')} --storage.tsdb.path=${join(prometheus, 'data')}`,
      );
    const tlsDir = state.options.tlsDir;
    if (tlsDir)
      this.log(
        `TLS: every node's certificate is in ${tlsDir}; the masters' control port takes TLS only, so admin commands need the CA: MOOSENG_CA_FILE=${join(tlsDir, 'ca.crt')} mooseng goal get ...`,
      );
    this.log(`status: mooseng cluster status --dir ${dir}\nstop:   mooseng cluster down --dir ${dir}`);
  }
}
