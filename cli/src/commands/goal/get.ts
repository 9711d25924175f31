// `mooseng goal get`: the replica count of files and directories.
import { Args, Flags } from '@oclif/core';
import { replyAttr } from '@mooseng/core';
import { BaseCommand } from '../../base-command';
import { adminTarget, caFileFlag, callerCredentials } from '../../goal-target';

export default class GoalGet extends BaseCommand {
  static override description = 'Show the goal (replica count) of a file or directory';
  static override examples = ['<%= config.bin %> goal get /mnt/mooseng/data', '<%= config.bin %> goal get /data --master 127.0.0.1:9421'];
  static override args = {
    path: Args.string({ description: 'A path on a MooseNG mount, or inside the file system with --master', required: true }),
  };
  static override flags = {
    master: Flags.string({ char: 'm', description: 'Master control address(es), host:port[,...]' }),
    'ca-file': caFileFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(GoalGet);
    const { client, fsPath } = await adminTarget(args.path, flags.master, flags['ca-file']);
    try {
      const attr = replyAttr(await client.call('ResolvePath', { path: fsPath, follow: true }, callerCredentials()), 'ResolvePath');
      this.log(`${args.path}: ${attr.goal}`);
    } finally {
      await client.close();
    }
  }
}
