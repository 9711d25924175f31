// `mooseng certs init` / `certs issue` (cli/src/certs/certificate-authority.ts, on openssl): a CA and node
// certificates that openssl itself verifies, naming the node and its role, for the hosts given, keys readable by
// their owner only; and clear refusals for what would lose or confuse trust.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { loadDialTls, loadNodeTls } from '@mooseng/core';
import { caFiles, initCa, issueCertificate } from 'mooseng/dist/certs/certificate-authority';
import { cleanupTempDirs, makeTempDir } from '../support';

const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });

describe('cluster certificates (openssl)', function () {
  this.timeout(30_000);
  let dir = '';
  before(() => {
    dir = join(makeTempDir('mooseng-certs-'), 'tls');
    initCa(dir, 'prod');
  });
  after(() => cleanupTempDirs());

  it('makes a CA whose key only its owner can read, and refuses to replace it without force', () => {
    const { cert, key } = caFiles(dir);
    expect(statSync(key).mode & 0o077).to.equal(0);
    expect(openssl('x509', '-in', cert, '-noout', '-subject')).to.contain('MooseNG CA prod');
    expect(() => initCa(dir, 'prod')).to.throw(/already holds a CA.*--force/);
  });

  it('issues a node certificate the CA verifies, with its id, role and hosts', () => {
    const files = issueCertificate(dir, { role: 'master', name: 'm1', hosts: ['10.0.0.11', 'm1.example.net'] });
    expect(openssl('verify', '-CAfile', caFiles(dir).cert, files.cert)).to.contain(': OK');
    const text = openssl('x509', '-in', files.cert, '-noout', '-subject', '-ext', 'subjectAltName,extendedKeyUsage');
    expect(text).to.match(/OU = master, CN = m1/);
    expect(text).to.contain('IP Address:10.0.0.11').and.contain('DNS:m1.example.net').and.contain('DNS:m1');
    expect(text).to.contain('TLS Web Server Authentication').and.contain('TLS Web Client Authentication');
    expect(statSync(files.key).mode & 0o077).to.equal(0);
    expect(() => issueCertificate(dir, { role: 'master', name: 'm1', hosts: ['10.0.0.11'] })).to.throw(/exists.*--force/);
  });

  it('refuses a name that is not a node id, no host, or a directory without a CA', () => {
    expect(() => issueCertificate(dir, { role: 'chunkserver', name: '../evil', hosts: ['a'] })).to.throw(/not a node id/);
    expect(() => issueCertificate(dir, { role: 'chunkserver', name: 'cs1', hosts: [] })).to.throw(/at least one --host/);
    expect(() => issueCertificate(join(dir, 'nothing'), { role: 'chunkserver', name: 'cs1', hosts: ['a'] })).to.throw(
      /no CA in .*certs init/,
    );
  });

  it('reads node.tls only whole: some files but not all is a clear config error', async () => {
    expect(await loadNodeTls({ caFile: '', certFile: '', keyFile: '' }, 'node.tls')).to.equal(null);
    const err = await loadNodeTls({ caFile: caFiles(dir).cert, certFile: '', keyFile: '' }, 'node.tls').then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/node\.tls\.certFile and node\.tls\.keyFile are missing/);
    const missing = await loadNodeTls({ caFile: join(dir, 'no.crt'), certFile: 'a', keyFile: 'b' }, 'node.tls').then(
      () => null,
      (e: Error) => e,
    );
    expect(missing?.message).to.match(/node\.tls\.caFile: cannot read .*ENOENT/);
  });

  it("reads a client's node.tls with the CA alone, or whole; a certificate without its key is a config error", async () => {
    expect(await loadDialTls({ caFile: '', certFile: '', keyFile: '' }, 'node.tls')).to.equal(null);
    const caOnly = await loadDialTls({ caFile: caFiles(dir).cert, certFile: '', keyFile: '' }, 'node.tls');
    expect(caOnly?.ca.toString()).to.contain('BEGIN CERTIFICATE');
    expect(caOnly?.cert).to.equal(undefined);
    const files = issueCertificate(dir, { role: 'client', name: 'client1', hosts: ['127.0.0.1'] });
    const whole = await loadDialTls({ caFile: caFiles(dir).cert, certFile: files.cert, keyFile: files.key }, 'node.tls');
    expect(whole?.key?.toString()).to.contain('PRIVATE KEY');
    const halves = await loadDialTls({ caFile: caFiles(dir).cert, certFile: files.cert, keyFile: '' }, 'node.tls').then(
      () => null,
      (e: Error) => e,
    );
    expect(halves?.message).to.match(/node\.tls\.keyFile is missing/);
  });
});
