// `mooseng goal set`: changes the replica count; the master's repair loop then adds or removes replicas.
import { Args, Flags } from '@oclif/core';
import { replyAttr } from '@mooseng/core';
import { BaseCommand } from '../../base-command';
import { adminTarget, caFileFlag, callerCredentials } from '../../goal-target';

export default class GoalSet extends BaseCommand {
  static override description = 'Set the goal (replica count, 1-9) of a file or directory; new children of a directory inherit it';
  static override examples = [
    '<%= config.bin %> goal set /mnt/mooseng/important 3',
    '<%= config.bin %> goal set -r /mnt/mooseng/scratch 1',
  ];
  static override args = {
    path: Args.string({ description: 'A path on a MooseNG mount, or inside the file system with --master', required: true }),
    goal: Args.integer({ description: 'Replicas per chunk', required: true, min: 1, max: 9 }),
  };
  static override flags = {
    recursive: Flags.boolean({ char: 'r', description: 'Also every file and directory below' }),
    master: Flags.string({ char: 'm', description: 'Master control address(es), host:port[,...]' }),
    'ca-file': caFileFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(GoalSet);
    const { client, fsPath } = await adminTarget(args.path, flags.master, flags['ca-file']);
    try {
      const cred = callerCredentials();
      const attr = replyAttr(await client.call('ResolvePath', { path: fsPath, follow: true }, cred), 'ResolvePath');
      const { changed } = await client.call('SetGoal', { ino: attr.ino, goal: args.goal, recursive: flags.recursive }, cred);
      this.log(`${args.path}: goal ${args.goal} (${changed} inode${changed === 1 ? '' : 's'} changed)`);
    } finally {
      await client.close();
    }
  }
}
