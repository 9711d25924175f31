// `mooseng certs init`: a cluster certificate authority (openssl), for the node certificates `certs issue` signs.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command';
import { caFiles, initCa } from '../../certs/certificate-authority';

export default class CertsInit extends BaseCommand {
  static override description =
    'Make a cluster CA (ca.crt, and ca.key readable by you only) in a directory; `certs issue` then signs node certificates with it';
  static override examples = ['<%= config.bin %> certs init --dir /etc/mooseng/tls --cluster-id prod'];
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'Directory of the CA (made mode 0700 if missing)', required: true }),
    'cluster-id': Flags.string({ description: 'Cluster name, written into the CA certificate', default: 'mooseng' }),
    force: Flags.boolean({ description: 'Replace a CA already there (certificates it issued stop being trusted)', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(CertsInit);
    try {
      const cert = initCa(flags.dir, flags['cluster-id'], flags.force);
      this.log(`CA made: ${cert} (give it to every node), ${caFiles(flags.dir).key} (keep it here: it signs certificates)`);
    } catch (err) {
      this.error((err as Error).message, { exit: 2 });
    }
  }
}
