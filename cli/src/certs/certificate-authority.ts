// A cluster's certificate authority on disk, made and used with the openssl command line (Debian's OpenSSL 3): no
// cryptography of our own. `mooseng certs init` makes the CA; `mooseng certs issue` a node certificate signed by it,
// naming the node (CN) and its role (OU), valid for the hosts it serves on (subjectAltName), for TLS both as a
// server and as a client (mutual TLS between members). Keys are P-256, files holding them mode 0600.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** How long the CA is valid. */
export const CA_DAYS = 3650;
/** How long a node certificate is valid (the most browsers and tools accept: 825 days). */
export const NODE_CERT_DAYS = 825;
/** Roles a certificate may name (its OU); the peer checks it: only a master's certificate may speak Raft. */
export const CERT_ROLES = ['master', 'chunkserver', 'client', 'gateway'] as const;
export type CertRole = (typeof CERT_ROLES)[number];

/** Where a CA directory keeps each file. */
export function caFiles(dir: string): { cert: string; key: string } {
  return { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
}

/** Where a node's certificate and key go in the CA directory. */
export function nodeFiles(dir: string, name: string): { cert: string; key: string } {
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new Error('openssl is not installed; install it (apt-get install openssl) and try again', { cause: err });
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() || e.message}`, { cause: err });
  }
}

/** Makes a CA in `dir` (ca.crt, ca.key); refuses to replace one unless `force`. Returns the certificate's path. */
export function initCa(dir: string, clusterId: string, force = false): string {
  const { cert, key } = caFiles(dir);
  if (!force && (existsSync(cert) || existsSync(key)))
    throw new Error(`${dir} already holds a CA (${cert}); every certificate it issued depends on it. Pass --force to replace it`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    String(CA_DAYS),
    '-subj',
    `/O=MooseNG/CN=MooseNG CA ${clusterId}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  chmodSync(key, 0o600);
  return cert;
}

export interface IssueOptions {
  role: CertRole;
  /** The node's id: the certificate's CN, which peers check against the id it claims. */
  name: string;
  /** Host names and addresses it is reached at (subjectAltName); at least one. */
  hosts: readonly string[];
  force?: boolean;
}

/** Issues a node certificate signed by the CA in `dir`; returns its files. */
export function issueCertificate(dir: string, o: IssueOptions): { cert: string; key: string } {
  const ca = caFiles(dir);
  if (!existsSync(ca.cert) || !existsSync(ca.key)) throw new Error(`no CA in ${dir}; make one first with: mooseng certs init --dir ${dir}`);
  if (!CERT_ROLES.includes(o.role)) throw new Error(`--role must be one of ${CERT_ROLES.join(', ')}, not "${o.role}"`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(o.name))
    throw new Error(`--name "${o.name}" is not a node id (letters, digits, ".", "_", "-"; as node.id)`);
  if (o.hosts.length === 0) throw new Error('give at least one --host the node is reached at (a name or an address)');
  const files = nodeFiles(dir, o.name);
  if (!o.force && existsSync(files.cert)) throw new Error(`${files.cert} exists; pass --force to issue it again`);
  // The node id is among the names too: Raft peers check that the master they dial shows its member id.
  const names = [...new Set([o.name, ...o.hosts])];
  const san = names.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  const work = mkdtempSync(join(tmpdir(), 'mooseng-certs-'));
  try {
    const csr = join(work, 'node.csr');
    const ext = join(work, 'node.ext');
    writeFileSync(
      ext,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth,clientAuth',
        `subjectAltName=${san}`,
      ].join('\n'),
    );
    openssl([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      files.key,
      '-out',
      csr,
      '-subj',
      `/O=MooseNG/OU=${o.role}/CN=${o.name}`,
    ]);
    chmodSync(files.key, 0o600);
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-out',
      files.cert,
      '-days',
      String(NODE_CERT_DAYS),
      '-extfile',
      ext,
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return files;
}
