// The data-plane TLS helpers (core/src/protocol/data-plane-tls.ts, core/src/runtime/certificate-identity.ts): which
// name a dial checks, that no IP goes out as a TLS server name, and which certificates pass for a chunkserver's.
import { expect } from 'chai';
import type { PeerCertificate } from 'node:tls';
import {
  checkCertificateIdentity,
  checkChunkserverCertificate,
  dataPlaneDialOptions,
  DATA_PLANE_CIPHER_SUITES,
  ErrorCodes,
  loadDialTls,
} from '@mooseng/core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, makeTempDir } from '../support';

/** The fields of a peer certificate the checks read, as node:tls hands them over. */
function peerCertificate(ou: string, cn: string, names: string): PeerCertificate {
  return { subject: { O: 'MooseNG', OU: ou, CN: cn }, subjectaltname: names } as unknown as PeerCertificate;
}

describe('data-plane TLS helpers', () => {
  const tls = { ca: Buffer.from('ca') };
  after(() => cleanupTempDirs());

  it('dials with the chunkserver id as the server name when it is known, else a host name, never an IP', () => {
    expect(dataPlaneDialOptions(tls, '10.0.0.5', 9420, 'cs1').servername).to.equal('cs1');
    expect(dataPlaneDialOptions(tls, 'cs1.example.net', 9420).servername).to.equal('cs1.example.net');
    expect(dataPlaneDialOptions(tls, '10.0.0.5', 9420)).to.not.have.property('servername');
    expect(dataPlaneDialOptions(tls, '::1', 9420)).to.not.have.property('servername');
  });

  it('offers TLS 1.3 with AES-128-GCM first, and a certificate only when it has one with its key', () => {
    const plain = dataPlaneDialOptions(tls, '10.0.0.5', 9420);
    expect(plain.minVersion).to.equal('TLSv1.3');
    expect(DATA_PLANE_CIPHER_SUITES.split(':')[0]).to.equal('TLS_AES_128_GCM_SHA256');
    expect(plain).to.not.have.property('cert');
    const withCert = dataPlaneDialOptions({ ...tls, cert: Buffer.from('c'), key: Buffer.from('k') }, '10.0.0.5', 9420);
    expect(withCert.cert?.toString()).to.equal('c');
  });

  it("takes the chunkserver's certificate it meant, by id or by address", () => {
    const cert = peerCertificate('chunkserver', 'cs1', 'DNS:cs1, IP Address:10.0.0.5');
    expect(checkChunkserverCertificate('cs1', cert, 'chunkserver cs1', 'cs1')).to.equal(undefined);
    expect(checkChunkserverCertificate('10.0.0.5', cert, 'chunkserver 10.0.0.5:9420')).to.equal(undefined);
  });

  it("refuses another chunkserver's certificate, another role's, and one for another address", () => {
    const cs2 = peerCertificate('chunkserver', 'cs2', 'DNS:cs2, DNS:cs1, IP Address:10.0.0.5');
    expect(checkChunkserverCertificate('cs1', cs2, 'chunkserver "cs1"', 'cs1')?.message).to.match(/"cs2", not of "cs1"/);
    const master = peerCertificate('master', 'm1', 'DNS:m1, IP Address:10.0.0.5');
    expect(checkChunkserverCertificate('10.0.0.5', master, 'chunkserver 10.0.0.5:9420')?.message).to.match(
      /master "m1", not of a chunkserver/,
    );
    const elsewhere = peerCertificate('chunkserver', 'cs1', 'DNS:cs1, IP Address:10.0.0.6');
    expect(checkChunkserverCertificate('10.0.0.5', elsewhere, 'chunkserver 10.0.0.5:9420')?.message).to.match(/10\.0\.0\.5/);
  });

  it('names what a certificate shows when its role or node is not the one wanted', () => {
    expect(checkCertificateIdentity({ OU: 'master', CN: 'm1' }, { role: 'master' }, 'a Raft peer')).to.equal('m1');
    expect(() => checkCertificateIdentity(undefined, { role: 'master' }, 'a Raft peer')).to.throw(/showed no certificate/);
    expect(() => checkCertificateIdentity({ OU: ['a', 'b'], CN: 'x' }, { role: 'master' }, 'p')).to.throw(/a\+b "x"/);
    try {
      checkCertificateIdentity({ OU: 'client', CN: 'c1' }, { role: 'chunkserver' }, 'p');
      expect.fail('took a client certificate');
    } catch (err) {
      expect((err as { code: string }).code).to.equal(ErrorCodes.PERMIT_REFUSED);
    }
  });

  it('loads a client TLS setting of the CA alone, and refuses a certificate without the CA or without its key', async () => {
    const dir = makeTempDir('mooseng-dial-tls-');
    const ca = join(dir, 'ca.crt');
    writeFileSync(ca, 'pem');
    expect(await loadDialTls({ caFile: '', certFile: '', keyFile: '' }, 'node.tls')).to.equal(null);
    expect((await loadDialTls({ caFile: ca, certFile: '', keyFile: '' }, 'node.tls'))?.ca.toString()).to.equal('pem');
    await loadDialTls({ caFile: '', certFile: ca, keyFile: ca }, 'node.tls').then(
      () => expect.fail('took a certificate without the CA'),
      (err: Error) => expect(err.message).to.match(/node\.tls\.caFile is missing/),
    );
    await loadDialTls({ caFile: ca, certFile: ca, keyFile: '' }, 'node.tls').then(
      () => expect.fail('took a certificate without its key'),
      (err: Error) => expect(err.message).to.match(/node\.tls\.keyFile is missing/),
    );
  });
});
