// `mooseng master`: runs a master server.
import { RoleCommand, roleFlags } from '../role-command';

export default class Master extends RoleCommand {
  static override description = 'Run a master server: the namespace and chunk map, replicated by consensus';
  static override examples = ['<%= config.bin %> master --config master.yaml', '<%= config.bin %> master --set master.port=9431'];
  static override flags = { ...roleFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(Master);
    await this.runRole('master', flags);
  }
}
