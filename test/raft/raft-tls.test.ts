// Raft over mutual TLS with the cluster CA (node.tls, certificates from `mooseng certs`): masters of the CA talk;
// a peer with a chunkserver's certificate of the same CA, a master's certificate of another CA, or no TLS at all
// gets nothing to the core; a master's certificate speaks only for the member it names.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeTls } from '@mooseng/core';
import { type GrpcTransport, message, type Member, type Message } from '@mooseng/plugin-replication-raft';
import { testTransport } from './support/test-transport';
import { initCa, issueCertificate, type CertRole } from 'mooseng/dist/certs/certificate-authority';
import { cleanupTempDirs, freePort, makeTempDir, waitFor } from '../support';

function transport(self: Member, tls: NodeTls | null): GrpcTransport {
  return testTransport(self, { tls: tls ?? undefined });
}

const member = async (id: string): Promise<Member> => ({ id, address: `127.0.0.1:${await freePort()}` });
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('raft over mutual TLS', function () {
  this.timeout(30_000);
  const open: GrpcTransport[] = [];
  let ours = '';
  let theirs = '';
  const creds = (dir: string, role: CertRole, name: string): NodeTls => {
    const files = issueCertificate(dir, { role, name, hosts: ['127.0.0.1'] });
    return { ca: readFileSync(join(dir, 'ca.crt')), cert: readFileSync(files.cert), key: readFileSync(files.key) };
  };

  before(() => {
    ours = join(makeTempDir('mooseng-ca-'), 'ca');
    theirs = join(makeTempDir('mooseng-ca-'), 'ca');
    initCa(ours, 'test');
    initCa(theirs, 'other');
  });
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });
  after(() => cleanupTempDirs());

  it('delivers between masters of the CA', async () => {
    const [a, b] = [await member('a'), await member('b')];
    const atB: Message[] = [];
    const ta = transport(a, creds(ours, 'master', 'a'));
    const tb = transport(b, creds(ours, 'master', 'b'));
    open.push(ta, tb);
    await ta.start(() => undefined);
    await tb.start((m) => atB.push(m));
    ta.setMembers([a, b]);
    tb.setMembers([a, b]);
    ta.send(message({ type: 'heartbeat', from: 'a', to: 'b', term: 3 }));
    await waitFor('b to get the heartbeat', () => atB.length > 0, 10_000);
    expect(atB[0]!.from).to.equal('a');
  });

  it("takes nothing from a chunkserver's certificate, another CA's, or a peer without TLS", async () => {
    const [a, cs, other, plain] = [await member('a2'), await member('c'), await member('d'), await member('e')];
    const atA: Message[] = [];
    const ta = transport(a, creds(ours, 'master', 'a2'));
    const fromChunkserver = transport(cs, creds(ours, 'chunkserver', 'c'));
    const fromOtherCa = transport(other, creds(theirs, 'master', 'd'));
    const withoutTls = transport(plain, null);
    open.push(ta, fromChunkserver, fromOtherCa, withoutTls);
    await ta.start((m) => atA.push(m));
    for (const t of [fromChunkserver, fromOtherCa, withoutTls]) await t.start(() => undefined);
    fromChunkserver.setMembers([a, cs]);
    fromOtherCa.setMembers([a, other]);
    withoutTls.setMembers([a, plain]);
    for (let term = 1; term <= 3; term++) {
      fromChunkserver.send(message({ type: 'vote', from: 'c', to: 'a2', term: 100 + term }));
      fromOtherCa.send(message({ type: 'vote', from: 'd', to: 'a2', term: 200 + term }));
      withoutTls.send(message({ type: 'vote', from: 'e', to: 'a2', term: 300 + term }));
      await settle(400);
    }
    expect(atA).to.deep.equal([]);
  });

  it('refuses messages a master sends in the name of another', async () => {
    const [a, b] = [await member('a3'), await member('b3')];
    const atA: Message[] = [];
    const ta = transport(a, creds(ours, 'master', 'a3'));
    const tb = transport(b, creds(ours, 'master', 'b3'));
    open.push(ta, tb);
    await ta.start((m) => atA.push(m));
    await tb.start(() => undefined);
    tb.setMembers([a, b]);
    tb.send(message({ type: 'vote', from: 'a3', to: 'a3', term: 9 }));
    await settle(600);
    expect(atA).to.deep.equal([]);
    tb.send(message({ type: 'heartbeat', from: 'b3', to: 'a3', term: 10 }));
    await waitFor("b3's own heartbeat", () => atA.length > 0, 10_000);
    expect(atA.map((m) => m.from)).to.deep.equal(['b3']);
  });

  it("does not talk to a master whose certificate is another member's", async () => {
    const [a, b] = [await member('a4'), await member('b4')];
    const atB: Message[] = [];
    const ta = transport(a, creds(ours, 'master', 'a4'));
    // b4 listens with the certificate of some other master, m9.
    const tb = transport(b, creds(ours, 'master', 'm9'));
    open.push(ta, tb);
    await ta.start(() => undefined);
    await tb.start((m) => atB.push(m));
    ta.setMembers([a, b]);
    for (let term = 1; term <= 3; term++) {
      ta.send(message({ type: 'heartbeat', from: 'a4', to: 'b4', term }));
      await settle(400);
    }
    expect(atB).to.deep.equal([]);
  });
});
