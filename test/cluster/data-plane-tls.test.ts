// A cluster as `cluster up` makes it, TLS on (master, chunkserver and client processes): the chunkservers take no
// plain connection, a client with the CA writes through a chain of two and reads back, and when a chunkserver dies
// the leader's repair copies (chunkserver to chunkserver, mutual TLS) bring every chunk back to its goal.
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FileIo, type MasterClient, OpenFile } from '@mooseng/client';
import { CHUNK_SIZE_BYTES, DataPlaneClient, ErrorCodes, isMoosengError, replyAttr, S_IFREG, silentLogger } from '@mooseng/core';
import { cleanupTempDirs, waitFor } from '../support';
import { ROOT, TestCluster } from './harness';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('data plane over TLS in a cluster (processes)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let client: MasterClient;
  let ino = 0;
  const content = randomBytes(CHUNK_SIZE_BYTES + 2 * 1024 * 1024 + 77);

  before(async () => {
    cluster = await TestCluster.start({ masters: 1, chunkservers: 3, goal: 2, tls: true });
    client = await cluster.client();
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  it('runs every chunkserver with a certificate and every client with the CA', () => {
    for (const n of cluster.nodes('chunkserver'))
      expect(readFileSync(n.configPath, 'utf8')).to.match(new RegExp(`certFile: .*/${n.id}\\.crt`));
    for (const n of cluster.nodes('client')) expect(readFileSync(n.configPath, 'utf8')).to.contain('caFile').and.not.contain('certFile');
    expect(cluster.dataTls, 'the harness dials with the CA').to.not.equal(undefined);
  });

  it('writes through a chain over TLS and reads every replica back', async () => {
    const io = new FileIo(client, cluster.data, cluster.clock, silentLogger);
    ino = replyAttr(
      await client.call(
        'Mknod',
        { parent: 1, name: 'tls.bin', mode: S_IFREG | 0o644, rdev: 0, open: false, umask: 0, wantGrant: false },
        ROOT,
      ),
      'Mknod',
    ).ino;
    const file = new OpenFile(ino, cluster.clock);
    await io.write(file, 0, content, ROOT);
    await io.commit(file, ROOT);
    await io.sync(file);
    expect(sha(await io.read(new OpenFile(ino, cluster.clock), 0, content.length, ROOT))).to.equal(sha(content));
    const r = await client.call('ReadChunk', { ino, chunkIndex: 0, knownLength: 0 }, ROOT);
    expect(r.locations).to.have.length(2);
    for (const loc of r.locations) {
      const got = await cluster.data.read(loc.address, { chunkId: r.chunkId, version: r.version }, 0, 4096, {
        permit: r.permit,
        serverId: loc.serverId,
      });
      expect(got.equals(content.subarray(0, 4096)), loc.serverId).to.equal(true);
    }
  });

  it('refuses a client that dials a chunkserver without TLS', async () => {
    const plain = new DataPlaneClient({ clock: cluster.clock });
    try {
      const r = await client.call('ReadChunk', { ino, chunkIndex: 0, knownLength: 0 }, ROOT);
      const err = await plain.read(r.locations[0]!.address, { chunkId: r.chunkId, version: r.version }, 0, 4096, { permit: r.permit }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isMoosengError(err, ErrorCodes.PERMIT_REFUSED), String(err)).to.equal(true);
      expect((err as Error).message).to.contain('takes TLS only');
    } finally {
      plain.close();
    }
  });

  it('repairs chunks under their goal by copying over TLS after a chunkserver dies', async () => {
    const first = await client.call('ReadChunk', { ino, chunkIndex: 0, knownLength: 0 }, ROOT);
    const victim = first.locations[0]!.serverId;
    await cluster.stopNode(victim, 'kill');
    await waitFor(
      'every chunk to have two live replicas on the surviving chunkservers',
      async () => {
        for (const chunkIndex of [0, 1]) {
          const r = await client.call('ReadChunk', { ino, chunkIndex, knownLength: 0 }, ROOT);
          const servers = r.locations.map((l) => l.serverId);
          if (servers.length < 2 || servers.includes(victim)) return false;
        }
        return true;
      },
      90_000,
      1_000,
    );
    const io = new FileIo(client, cluster.data, cluster.clock, silentLogger);
    expect(sha(await io.read(new OpenFile(ino, cluster.clock), 0, content.length, ROOT))).to.equal(sha(content));
    for (const n of cluster.nodes('chunkserver'))
      expect(readFileSync(n.logPath, 'utf8'), n.id).to.not.contain('refused a data-plane TLS connection');
  });
});
