// Rotating the cluster secret with rolling restarts (docs/security.md), on real processes: a second secret is added
// after the first on every node (each signs with the new one and still accepts the old), then the old one removed.
// Through both rounds the client keeps its session (its KeepAlive picks up the key under the new secret), reads what
// it wrote before and writes on; and once the old secret is gone, a permit signed with it is refused.
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { FileIo, type MasterClient, OpenFile } from '@mooseng/client';
import { ChunkPermitKey, DataPlaneClient, ErrorCodes, replyAttr, S_IFREG, silentLogger } from '@mooseng/core';
import { cleanupTempDirs } from '../support';
import { ROOT, TestCluster } from './harness';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('cluster secret rotation (processes)', function () {
  this.timeout(240_000);
  let cluster: TestCluster;
  let client: MasterClient;
  let io: FileIo;
  const files = new Map<string, { ino: number; content: Buffer }>();

  before(async () => {
    cluster = await TestCluster.start({ masters: 1, chunkservers: 2, goal: 2 });
    client = await cluster.client();
    io = new FileIo(client, cluster.data, cluster.clock, silentLogger);
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  async function write(name: string): Promise<void> {
    const content = randomBytes(200_000);
    const ino = replyAttr(
      await client.call('Mknod', { parent: 1, name, mode: S_IFREG | 0o644, rdev: 0, open: false, umask: 0, wantGrant: false }, ROOT),
      'Mknod',
    ).ino;
    const file = new OpenFile(ino, cluster.clock);
    await io.write(file, 0, content, ROOT);
    await io.commit(file, ROOT);
    await io.sync(file);
    files.set(name, { ino, content });
  }

  async function everyFileReads(): Promise<void> {
    for (const [name, f] of files) {
      const back = await io.read(new OpenFile(f.ino, cluster.clock), 0, f.content.length, ROOT);
      expect(sha(back), name).to.equal(sha(f.content));
    }
  }

  /** Every chunkserver, then the master, stopped and started again with the secret file as it is now. */
  async function rollingRestart(): Promise<void> {
    for (const node of [...cluster.nodes('chunkserver'), ...cluster.nodes('master')]) {
      await cluster.stopNode(node.id);
      await cluster.restartNode(node.id);
    }
  }

  it('keeps sessions and data through adding a new secret and retiring the old one', async () => {
    const secretFile = cluster.state.options.clusterSecretFile!;
    const oldSecret = readFileSync(secretFile, 'utf8').trim();
    const newSecret = randomBytes(32).toString('base64');
    await write('before');
    const session = client.sessionId;
    const firstKey = Buffer.from(client.sessionKey);

    writeFileSync(secretFile, `${newSecret}\n${oldSecret}\n`, { mode: 0o600 });
    await rollingRestart();
    await everyFileReads();
    await write('while-both');
    // The next KeepAlive hands the client its key under the new secret.
    const deadline = Date.now() + 30_000;
    while (client.sessionKey.equals(firstKey)) {
      if (Date.now() > deadline) throw new Error('the client never got a key under the new secret');
      await new Promise((r) => setTimeout(r, 250));
    }

    writeFileSync(secretFile, `${newSecret}\n`, { mode: 0o600 });
    await rollingRestart();
    await everyFileReads();
    await write('after');
    expect(client.sessionId, 'the session the client opened before the rotation').to.equal(session);

    // The old secret is retired: what it signs no chunkserver takes.
    const old = new ChunkPermitKey(Buffer.from(oldSecret));
    const forger = new DataPlaneClient({ clock: cluster.clock, signer: (req, targets) => old.forRequest(req, targets, Date.now()) });
    try {
      const located = await client.call('ReadChunk', { ino: files.get('after')!.ino, chunkIndex: 0, knownLength: 0 }, ROOT);
      const err = await forger
        .setVersion(located.locations[0]!.address, { chunkId: located.chunkId, version: located.version }, located.version + 5)
        .then(
          () => null,
          (e: unknown) => e as { code: string },
        );
      expect(err?.code).to.equal(ErrorCodes.PERMIT_REFUSED);
    } finally {
      forger.close();
    }
    await everyFileReads();
  });
});
