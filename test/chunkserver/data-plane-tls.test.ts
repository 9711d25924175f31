// The data plane over TLS, on real chunkserver role instances and real sockets: a chunkserver with node.tls refuses
// plain connections (unless allowPlainDataPlane), clients with the CA alone write through a chain and read back, the
// certificate a client meets must be the chunkserver's it meant, and chunkservers of another CA can neither forward
// to nor copy from this cluster's.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataPlaneClient, type DialTls, MAX_FRAME_DATA_BYTES, SystemClock } from '@mooseng/core';
import { initCa, issueCertificate } from 'mooseng/dist/certs/certificate-authority';
import { cleanupTempDirs, makeTempDir } from '../support';
import { expectCode, randomBytes, startChunkserver, type RunningChunkserver } from './helpers';

describe('data plane over TLS (chunkserver processes)', function () {
  this.timeout(60_000);
  const clock = new SystemClock();
  const servers: RunningChunkserver[] = [];
  const clients: DataPlaneClient[] = [];
  let ours = '';
  let theirs = '';
  let a: RunningChunkserver;
  let b: RunningChunkserver;
  let foreign: RunningChunkserver;
  let migrating: RunningChunkserver;

  /** A CA directory with certificates for `nodes` ([role, id]), on 127.0.0.1. */
  function makeCa(clusterId: string, nodes: Array<['chunkserver' | 'client', string]>): string {
    const dir = join(makeTempDir('mooseng-tls-'), 'tls');
    initCa(dir, clusterId);
    for (const [role, name] of nodes) issueCertificate(dir, { role, name, hosts: ['127.0.0.1'] });
    return dir;
  }
  const nodeTls = (dir: string, id: string) => ({
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, `${id}.crt`),
    keyFile: join(dir, `${id}.key`),
  });
  const dialTls = (dir: string, id?: string): DialTls => ({
    ca: readFileSync(join(dir, 'ca.crt')),
    ...(id ? { cert: readFileSync(join(dir, `${id}.crt`)), key: readFileSync(join(dir, `${id}.key`)) } : {}),
  });
  function client(tls?: DialTls): DataPlaneClient {
    const c = new DataPlaneClient({ clock, tls, timeoutMs: 10_000 });
    clients.push(c);
    return c;
  }

  before(async () => {
    ours = makeCa('ours', [
      ['chunkserver', 'cs-a'],
      ['chunkserver', 'cs-b'],
      ['chunkserver', 'cs-m'],
    ]);
    theirs = makeCa('theirs', [
      ['chunkserver', 'cs-x'],
      ['client', 'intruder'],
    ]);
    a = await startChunkserver({ id: 'cs-a', tls: nodeTls(ours, 'cs-a') });
    b = await startChunkserver({ id: 'cs-b', tls: nodeTls(ours, 'cs-b') });
    foreign = await startChunkserver({ id: 'cs-x', tls: nodeTls(theirs, 'cs-x') });
    migrating = await startChunkserver({ id: 'cs-m', tls: nodeTls(ours, 'cs-m'), allowPlainDataPlane: true });
    servers.push(a, b, foreign, migrating);
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.stop();
    cleanupTempDirs();
  });

  it('refuses a plain client, saying the chunkserver takes TLS only', async () => {
    const err = await expectCode(client().stat(a.address, 1), 'PERMIT_REFUSED');
    expect(err.message).to.match(/takes TLS only.*node\.tls\.caFile/);
  });

  it('takes plain and TLS clients alike while allowPlainDataPlane is on', async () => {
    await expectCode(client().stat(migrating.address, 1), 'CHUNK_NOT_FOUND');
    await expectCode(client(dialTls(ours)).stat(migrating.address, 1), 'CHUNK_NOT_FOUND');
  });

  it('lets a client with the CA alone write through a chain and read every replica back', async () => {
    const c = client(dialTls(ours));
    const ref = { chunkId: 900, version: 1 };
    const chain = [b.address];
    await c.create(a.address, ref, { chain, serverId: 'cs-a' });
    // Several frames, each more than one TLS record.
    const data = randomBytes(3 * MAX_FRAME_DATA_BYTES + 777, 900);
    await c.write(a.address, ref, 0, data, { chain, serverId: 'cs-a' });
    await c.flush(a.address, ref, { chain });
    for (const [s, id] of [
      [a, 'cs-a'],
      [b, 'cs-b'],
    ] as const)
      expect((await c.read(s.address, ref, 0, data.length, { serverId: id })).equals(data), id).to.equal(true);
  });

  it('refuses a chunkserver whose certificate is another chunkserver’s than the one the client meant', async () => {
    const err = await expectCode(client(dialTls(ours)).stat(a.address, 1, { serverId: 'cs-b' }), 'UNAVAILABLE');
    expect(err.message).to.contain('cs-b');
  });

  it('cuts off a peer showing a certificate of another CA, and a client not trusting ours refuses the chunkserver', async () => {
    // Trusts our CA (so its own check passes) but shows the foreign CA's certificate: the chunkserver refuses it.
    const intruder = { ...dialTls(theirs, 'intruder'), ca: dialTls(ours).ca };
    const cut = await expectCode(client(intruder).stat(a.address, 1), 'UNAVAILABLE');
    expect(cut.message).to.match(/closed the connection/);
    const err = await expectCode(client(dialTls(theirs)).stat(a.address, 1), 'UNAVAILABLE');
    expect(err.message).to.match(/certificate/i);
  });

  it('keeps a chunkserver of another CA from forwarding a write to ours', async () => {
    const c = client(dialTls(theirs));
    const ref = { chunkId: 901, version: 1 };
    await c.create(foreign.address, ref);
    const err = await expectCode(c.write(foreign.address, ref, 0, Buffer.from('not for you'), { chain: [a.address] }), 'REPLICA_FAILED');
    expect(err.details.failedReplica).to.equal(a.address);
    await expectCode(client(dialTls(ours)).stat(a.address, 901), 'CHUNK_NOT_FOUND');
  });

  it('keeps chunks from being copied across CAs, either way', async () => {
    const ref = { chunkId: 902, version: 1 };
    const c = client(dialTls(ours));
    await c.create(a.address, ref);
    await c.write(a.address, ref, 0, Buffer.from('ours only'));
    // The foreign chunkserver asked to copy ours: its dial to cs-a fails the TLS checks (both sides).
    await expectCode(client(dialTls(theirs)).replicate(foreign.address, ref, a.address), 'UNAVAILABLE');
    await expectCode(client(dialTls(theirs)).stat(foreign.address, 902), 'CHUNK_NOT_FOUND');
    // Ours asked to copy from the foreign one: cs-b does not take its certificate.
    const other = { chunkId: 903, version: 1 };
    const f = client(dialTls(theirs));
    await f.create(foreign.address, other);
    await f.write(foreign.address, other, 0, Buffer.from('theirs'));
    await expectCode(c.replicate(b.address, other, foreign.address), 'UNAVAILABLE');
    await expectCode(c.stat(b.address, 903), 'CHUNK_NOT_FOUND');
  });

  it('copies a chunk for repair between chunkservers of the CA, over mutual TLS', async () => {
    const c = client(dialTls(ours));
    const ref = { chunkId: 904, version: 2 };
    await c.create(a.address, ref);
    const data = randomBytes(2 * MAX_FRAME_DATA_BYTES + 5, 904);
    await c.write(a.address, ref, 0, data);
    await c.replicate(b.address, ref, a.address);
    expect((await c.read(b.address, ref, 0, data.length)).equals(data)).to.equal(true);
  });
});
