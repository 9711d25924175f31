// `mooseng cluster test`: the seeds' test strategy against a running local cluster, each step ✓ or ✗.
import { join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command';
import { ClusterScenario, runSteps, seedSteps } from '../../cluster/scenarios';

export default class ClusterTest extends BaseCommand {
  static override description =
    'Run the test strategy against a running local cluster: health, one leader, cross-client reads, leader failover, restarts, chunkserver loss and repair, concurrent writers';
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'The cluster directory (default: <data dir>/cluster)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ClusterTest);
    const scenario = ClusterScenario.load(resolve(flags.dir ?? join(this.config.dataDir, 'cluster')));
    const results = await runSteps(seedSteps(scenario), (r) => this.log(`${r.ok ? '✓' : '✗'} ${r.name} (${r.ms} ms): ${r.detail}`));
    const failed = results.filter((r) => !r.ok).length;
    // Not "N passed, N failed": CI reads that line from the test suite, which runs this command.
    this.log(`\n${results.length - failed} of ${results.length} steps passed`);
    if (failed > 0) this.exit(1);
  }
}
