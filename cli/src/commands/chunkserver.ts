// `mooseng chunkserver`: runs a chunkserver.
import { RoleCommand, roleFlags } from '../role-command';

export default class Chunkserver extends RoleCommand {
  static override description = 'Run a chunkserver: stores chunks on its data directories and serves the data plane';
  static override examples = [
    '<%= config.bin %> chunkserver --config chunkserver.yaml',
    'MOOSENG_DATA_DIRS=/d1,/d2 <%= config.bin %> chunkserver',
  ];
  static override flags = { ...roleFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(Chunkserver);
    await this.runRole('chunkserver', flags);
  }
}
