// `mooseng demo`: a real cluster on this machine and a short guided tour of it: replication across clients, the
// leader, a leader killed and replaced, the data intact. Leaves the cluster running unless --down.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command';
import { clusterDown, clusterUp } from '../cluster/local-cluster';
import { readState } from '../cluster/cluster-state';
import { ClusterScenario, runSteps } from '../cluster/scenarios';
import { isRunning } from '../cluster/supervisor';

export default class Demo extends BaseCommand {
  static override description = 'Start a local cluster (3 masters, 3 chunkservers × 4 disks, 3 FUSE clients) and walk through failover';
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --down'];
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'Where the demo cluster lives (default: <data dir>/demo)' }),
    down: Flags.boolean({ description: 'Stop the cluster and remove its data at the end' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    const dir = resolve(flags.dir ?? join(this.config.dataDir, 'demo'));
    const previous = readState(dir);
    if (previous?.nodes.some((n) => n.pid !== null && isRunning(n.pid))) {
      this.log(`A demo cluster is already running from ${dir}: stopping it first.`);
      await clusterDown(dir, () => undefined, true);
    }

    this.log('== Starting MooseNG: 3 masters (Raft), 3 chunkservers with 4 data directories each, 3 FUSE mounts');
    await clusterUp({ dir, masters: 3, chunkservers: 3, disks: 4, clients: 3, clusterId: 'mooseng-demo', goal: 2 }, (line) =>
      this.log(`   ${line}`),
    );
    const c = ClusterScenario.load(dir);
    const [client1, client2, client3] = c.nodes('client');
    let sum = '';
    let oldLeader = '';

    const results = await runSteps(
      [
        [
          'Write through client1: a 16 MiB file and a note, each chunk stored on 2 chunkservers (goal 2)',
          async () => {
            sum = c.writeFile(client1!, 'demo-data.bin', 16 * 1024 * 1024);
            writeFileSync(join(client1!.mountPoint, 'hello.txt'), `written by client1 at ${new Date().toISOString()}\n`);
            return `${client1!.mountPoint}: ${readdirSync(client1!.mountPoint).join(', ')}`;
          },
        ],
        [
          'Read it back on client2 and client3 (other mounts, other processes)',
          async () => {
            for (const cl of [client2!, client3!])
              if (c.readDigest(cl, 'demo-data.bin') !== sum) throw new Error(`${cl.id} read different bytes`);
            return `same sha256 ${sum.slice(0, 16)}… everywhere; hello.txt says: ${readFileSync(join(client3!.mountPoint, 'hello.txt'), 'utf8').trim()}`;
          },
        ],
        [
          'Cluster status, from the leader',
          async () => {
            const s = await c.status();
            oldLeader = s.leader;
            const servers = s.chunkservers.map((x) => `${x.id}: ${x.chunks} chunks, ${(x.usedBytes / 2 ** 20).toFixed(0)} MiB`).join('; ');
            return `leader ${s.leader} (term ${s.term}); ${s.files} files, ${s.chunks} chunks, ${s.underGoalChunks} under goal; ${servers}`;
          },
        ],
        [
          'Kill the leader master with SIGKILL',
          async () => {
            await c.stop(oldLeader, 'SIGKILL');
            const next = await c.waitForLeader(10_000, oldLeader);
            return `${oldLeader} killed; ${next.id} was elected leader ${next.ms} ms later`;
          },
        ],
        [
          'The data is intact, and the file system keeps working',
          async () => {
            if (c.readDigest(client3!, 'demo-data.bin') !== sum) throw new Error('demo-data.bin changed');
            const after = c.writeFile(client2!, 'after-failover.bin', 4 * 1024 * 1024);
            if (c.readDigest(client1!, 'after-failover.bin') !== after) throw new Error('a write after failover did not read back');
            return 'demo-data.bin reads back identical; a new file written on client2 reads back on client1';
          },
        ],
        [
          'Restart the killed master: it rejoins as a follower and catches up',
          async () => {
            await c.start(oldLeader);
            const l = await c.leader();
            return `${oldLeader} is back; ${l.id} still leads`;
          },
        ],
      ],
      (r) => this.log(`\n${r.ok ? '✓' : '✗'} ${r.name}\n   ${r.detail}`),
    );

    const failed = results.filter((r) => !r.ok).length;
    if (flags.down) {
      this.log('\n== Stopping the cluster (--down)');
      await clusterDown(dir, (line) => this.log(`   ${line}`), true);
    } else {
      this.log(`\n== The cluster keeps running. Try it:`);
      this.log(`   ls -l ${client1!.mountPoint}`);
      this.log(`   mooseng cluster status --dir ${dir}     (or: node cli/bin/run.js ...)`);
      this.log(`   mooseng cluster test --dir ${dir}       the full test strategy`);
      this.log(`   open http://127.0.0.1:${c.nodes('master')[0]!.httpPort}/  the web dashboard (JSON: /status, metrics: /metrics)`);
      this.log(
        `   prometheus --config.file=${join(dir, 'prometheus', 'prometheus.yml')} --storage.tsdb.path=${join(dir, 'prometheus', 'data')}`,
      );
      this.log(`   Stop it with: mooseng cluster down --dir ${dir} --purge`);
    }
    if (failed > 0) this.error(`${failed} demo step(s) failed; node logs are in ${join(dir, 'logs')}`, { exit: 1 });
  }
}
