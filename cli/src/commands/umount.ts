// `mooseng umount`: unmounts a MooseNG mount (the mount process then stops by itself).
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command';
import { moosengMounts } from '../mount-table';

const run = promisify(execFile);

export default class Umount extends BaseCommand {
  static override description = 'Unmount a MooseNG mount point';
  static override examples = ['<%= config.bin %> umount /mnt/mooseng'];
  static override args = { mountpoint: Args.string({ description: 'The mount point', required: true }) };
  static override flags = { lazy: Flags.boolean({ char: 'z', description: 'Detach now even if busy; finish when no longer used' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Umount);
    const target = resolve(args.mountpoint);
    if (!moosengMounts().some((m) => m.mountPoint === target)) this.error(`${target} is not a MooseNG mount`, { exit: 2 });
    try {
      await run('fusermount', ['-u', ...(flags.lazy ? ['-z'] : []), target]);
    } catch (err) {
      const msg = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
      // fusermount reports EBUSY only as text ("Device or resource busy") with the same exit status as every other
      // failure, so its words are all there is to recognise it by.
      this.error(`could not unmount ${target}: ${msg}${/busy/i.test(msg) ? ' (close what uses it, or use --lazy)' : ''}`, { exit: 1 });
    }
    this.log(`unmounted ${target}`);
  }
}
