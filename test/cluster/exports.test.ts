// Exports on real masters: a client that claims uid 0 under an export with maproot acts as the mapped user, on the
// gRPC transport as on the framed one; a goal above the export's bound is refused; and under a read-only export every
// change is refused at the master (EROFS) while reads go on. Nothing the refused calls aimed at changed.
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { type MasterClient } from '@mooseng/client';
import { ErrorCodes, OpenFlags, replyAttr, S_IFDIR, S_IFREG } from '@mooseng/core';
import { cleanupTempDirs, errorCodeOf } from '../support';
import { ROOT, TestCluster } from './harness';

describe('exports on real masters (processes)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  const mkdir = (c: MasterClient, parent: number, name: string, mode = 0o755) =>
    c.call('Mkdir', { parent, name, mode: S_IFDIR | mode, umask: 0 }, ROOT);
  const mknod = (c: MasterClient, parent: number, name: string) =>
    c.call('Mknod', { parent, name, mode: S_IFREG | 0o644, rdev: 0, open: false, umask: 0 }, ROOT);

  before(async () => {
    cluster = await TestCluster.start({
      masters: 1,
      chunkservers: 1,
      masterSettings: { exports: [{ networks: ['127.0.0.0/8'], maproot: '1000:1000', maxGoal: 2 }] },
    });
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  for (const transport of ['framed', 'grpc'] as const) {
    it(`maps a client that claims root to the export's maproot (${transport})`, async () => {
      const client = await cluster.client(transport);
      // The root directory is root's, mode 755: the mapped user may not make names in it.
      expect(await errorCodeOf(mknod(client, 1, `as-root-${transport}`))).to.equal(ErrorCodes.EACCES);
      const lookup = await errorCodeOf(client.call('Lookup', { parent: 1, name: `as-root-${transport}` }, ROOT));
      expect(lookup).to.equal(ErrorCodes.ENOENT);
    });
  }

  it("refuses a goal above the export's bound", async () => {
    const client = await cluster.client();
    expect(await errorCodeOf(client.call('SetGoal', { ino: 1, goal: 3, recursive: false }, ROOT))).to.equal(ErrorCodes.EPERM);
  });

  it('refuses every change under a read-only export, and serves reads', async () => {
    const node = cluster.nodes('master')[0]!;
    const before = readFileSync(node.configPath, 'utf8');
    const readOnly = before.replace(/maproot: "?1000:1000"?/, 'access: ro');
    expect(readOnly).to.not.equal(before);
    writeFileSync(node.configPath, readOnly);
    try {
      await cluster.stopNode(node.id, 'term');
      await cluster.restartNode(node.id, (h) => h.status === 200 && typeof h.body.leader === 'string');
      const client = await cluster.client();
      expect(await errorCodeOf(mkdir(client, 1, 'new-dir'))).to.equal(ErrorCodes.EROFS);
      expect(await errorCodeOf(mknod(client, 1, 'new-file'))).to.equal(ErrorCodes.EROFS);
      expect(await errorCodeOf(client.call('SetGoal', { ino: 1, goal: 1, recursive: false }, ROOT))).to.equal(ErrorCodes.EROFS);
      expect(await errorCodeOf(client.call('Open', { ino: 1, flags: OpenFlags.WRITE }, ROOT))).to.equal(ErrorCodes.EROFS);
      // Reads are served, and nothing was made.
      const root = replyAttr(await client.call('GetAttr', { ino: 1 }, ROOT), 'GetAttr');
      expect(root.mode & S_IFDIR).to.equal(S_IFDIR);
      expect(await errorCodeOf(client.call('Lookup', { parent: 1, name: 'new-dir' }, ROOT))).to.equal(ErrorCodes.ENOENT);
      expect(await errorCodeOf(client.call('Open', { ino: 1, flags: OpenFlags.READ }, ROOT))).to.not.equal(ErrorCodes.EROFS);
    } finally {
      writeFileSync(node.configPath, before);
    }
  });
});

describe('an export with a password on real masters (processes)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  const PASSWORD = 'open sesame';
  const mkdirAt = (c: MasterClient, name: string) => c.call('Mkdir', { parent: 1, name, mode: S_IFDIR | 0o755, umask: 0 }, ROOT);

  before(async () => {
    cluster = await TestCluster.start({
      masters: 1,
      chunkservers: 1,
      masterSettings: { exports: [{ networks: ['127.0.0.0/8'], password: PASSWORD }] },
    });
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  const refusal = (p: Promise<unknown>): Promise<{ code: string; message: string } | null> =>
    p.then(
      () => null,
      (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
    );

  for (const transport of ['framed', 'grpc'] as const) {
    it(`opens no session for a client without the password, or with a wrong one (${transport})`, async () => {
      const none = await refusal(cluster.client(transport));
      expect(none?.code).to.equal(ErrorCodes.EACCES);
      expect(none?.message).to.match(/needs a password: set client.password/);
      const wrong = await refusal(cluster.client(transport, { password: 'open barley' }));
      expect(wrong?.code).to.equal(ErrorCodes.EACCES);
      expect(wrong?.message).to.match(/wrong client.password/);
      const status = await cluster.http('m1', '/status');
      expect(status.json.sessions, 'sessions on the master').to.equal(0);
    });
  }

  it('serves a client that proves the password', async () => {
    const client = await cluster.client(undefined, { password: PASSWORD });
    const made = replyAttr(await mkdirAt(client, 'with-password'), 'Mkdir');
    expect(made.mode & S_IFDIR).to.equal(S_IFDIR);
  });
});
