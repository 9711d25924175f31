// `mooseng cluster down`: unmounts and stops every node a `cluster up` started.
import { join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command';
import { clusterDown } from '../../cluster/local-cluster';

export default class ClusterDown extends BaseCommand {
  static override description = 'Stop a local cluster: unmount clients, stop every node (SIGTERM, then SIGKILL after a grace period)';
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'The cluster directory (default: <data dir>/cluster)' }),
    purge: Flags.boolean({ description: 'Also delete its data, configs and logs' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ClusterDown);
    await clusterDown(resolve(flags.dir ?? join(this.config.dataDir, 'cluster')), (line) => this.log(line), flags.purge);
  }
}
