// `mooseng mount`: mounts the file system with FUSE (the client role).
import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { MOUNT_OPTIONS_HELP, mountOptionOverrides } from '../mount-options';
import { RoleCommand, roleFlags } from '../role-command';

export default class Mount extends RoleCommand {
  static override description = 'Mount the file system at MOUNTPOINT with FUSE (the client role)';
  static override examples = [
    '<%= config.bin %> mount /mnt/mooseng --master 127.0.0.1:9421',
    '<%= config.bin %> mount --config client.yaml',
    '<%= config.bin %> mount /mnt/projects -m 127.0.0.1:9421 -o subdir=/projects/a,ro',
  ];
  static override args = { mountpoint: Args.string({ description: 'Directory to mount on (else client.mountPoint)' }) };
  static override flags = {
    ...roleFlags,
    master: Flags.string({ char: 'm', description: 'Masters to contact, host:port[,host:port...] (else client.masters)' }),
    options: Flags.string({
      char: 'o',
      description: `Mount options, comma-separated, as mount(8) and mfsmount take them (repeatable; win over --set): ${MOUNT_OPTIONS_HELP}`,
      multiple: true,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Mount);
    const extra: string[] = [];
    if (args.mountpoint) extra.push(`client.mountPoint=${JSON.stringify(resolve(args.mountpoint))}`);
    if (flags.master) extra.push(`client.masters=${JSON.stringify(flags.master.split(',').map((m) => m.trim()))}`);
    extra.push(...mountOptionOverrides(flags.options ?? []));
    await this.runRole('client', flags, extra);
  }
}
