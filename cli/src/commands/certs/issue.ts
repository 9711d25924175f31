// `mooseng certs issue`: a node certificate signed by the cluster CA, naming the node, its role and its hosts.
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command';
import { CERT_ROLES, type CertRole, issueCertificate } from '../../certs/certificate-authority';

export default class CertsIssue extends BaseCommand {
  static override description =
    'Issue a node certificate and key signed by the cluster CA: CN the node id, OU its role, valid for the hosts given, for TLS as server and client';
  static override examples = [
    '<%= config.bin %> certs issue --dir /etc/mooseng/tls --role master --name m1 --host m1.example.net --host 10.0.0.11',
    '<%= config.bin %> certs issue --dir /etc/mooseng/tls --role chunkserver --name cs1 --host 10.0.0.21  # --host: its chunkserver.advertiseHost',
  ];
  static override flags = {
    dir: Flags.string({
      char: 'd',
      description: 'Directory of the CA (from certs init); the certificate is written there too',
      required: true,
    }),
    role: Flags.string({ description: "The node's role", options: [...CERT_ROLES], required: true }),
    name: Flags.string({ description: 'The node id (node.id in its config)', required: true }),
    host: Flags.string({ description: 'A host name or address the node is reached at (repeat for more)', multiple: true, required: true }),
    force: Flags.boolean({ description: 'Issue again over an existing certificate of that name', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(CertsIssue);
    try {
      const files = issueCertificate(flags.dir, { role: flags.role as CertRole, name: flags.name, hosts: flags.host, force: flags.force });
      this.log(`issued ${files.cert} and ${files.key} (mode 0600) for ${flags.role} ${flags.name} at ${flags.host.join(', ')}`);
    } catch (err) {
      this.error((err as Error).message, { exit: 2 });
    }
  }
}
