// Exports on real masters: a client that claims uid 0 under an export with maproot acts as the mapped user, on the
// gRPC transport as on the framed one; a goal above the export's bound is refused; and under a read-only export every
// change is refused at the master (EROFS) while reads go on; an export of a subdirectory shows it as the root and
// refuses every inode outside it, and a session (or `mooseng mount -o subdir=`) may ask for a directory within it;
// over TLS, the rule is chosen by the client's certificate too. Nothing the refused calls aimed at changed.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { issueCertificate, nodeFiles } from 'mooseng/dist/certs/certificate-authority';
import { type MasterClient } from '@mooseng/client';
import { ErrorCodes, OpenFlags, replyAttr, S_IFDIR, S_IFREG } from '@mooseng/core';
import { CLI_BIN, cleanupTempDirs, errorCodeOf, killTracked, makeTempDir, runCli, spawnTracked, waitFor } from '../support';
import { ROOT, TestCluster } from './harness';

describe('exports on real masters (processes)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  const mkdir = (c: MasterClient, parent: number, name: string, mode = 0o755) =>
    c.call('Mkdir', { parent, name, mode: S_IFDIR | mode, umask: 0 }, ROOT);
  const mknod = (c: MasterClient, parent: number, name: string) =>
    c.call('Mknod', { parent, name, mode: S_IFREG | 0o644, rdev: 0, open: false, umask: 0, wantGrant: false }, ROOT);

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

describe('an export of a subdirectory on a real master (processes)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  const made: Record<string, number> = {};
  const mkdir = (c: MasterClient, parent: number, name: string) =>
    c.call('Mkdir', { parent, name, mode: S_IFDIR | 0o755, umask: 0 }, ROOT).then((r) => replyAttr(r, 'Mkdir').ino);
  const mknod = (c: MasterClient, parent: number, name: string) =>
    c
      .call('Mknod', { parent, name, mode: S_IFREG | 0o644, rdev: 0, open: false, umask: 0, wantGrant: false }, ROOT)
      .then((r) => replyAttr(r, 'Mknod').ino);

  before(async () => {
    cluster = await TestCluster.start({ masters: 1, chunkservers: 1 });
    // Made while everyone sees the whole file system (the default export)...
    const whole = await cluster.client();
    made.projects = await mkdir(whole, 1, 'projects');
    made.a = await mkdir(whole, made.projects, 'a');
    made.b = await mkdir(whole, made.projects, 'b');
    made.inside = await mknod(whole, made.a, 'inside');
    made.secret = await mknod(whole, made.b, 'secret');
    made.shared = await mknod(whole, made.b, 'shared');
    await whole.call('Link', { ino: made.shared, parent: made.a, name: 'shared' }, ROOT);
    made.outsideLink = replyAttr(await whole.call('Symlink', { parent: made.b, name: 'l', target: '/etc' }, ROOT), 'Symlink').ino;
    made.deep = await mkdir(whole, made.a, 'deep');
    made.deeper = await mknod(whole, made.deep, 'deeper');
    // Links inside the export: one that stays in it, one that climbs out of it.
    await whole.call('Symlink', { parent: made.a, name: 'to-deep', target: '/projects/a/deep' }, ROOT);
    await whole.call('Symlink', { parent: made.a, name: 'to-b', target: '/projects/b' }, ROOT);
    await whole.close();
    // ...then the master exports only /projects/a to this network.
    const node = cluster.nodes('master')[0]!;
    const config = parseYaml(readFileSync(node.configPath, 'utf8')) as { master: Record<string, unknown> };
    config.master.exports = [{ networks: ['127.0.0.0/8'], directory: '/projects/a' }];
    writeFileSync(node.configPath, stringifyYaml(config));
    await cluster.stopNode(node.id, 'term');
    await cluster.restartNode(node.id, (h) => h.status === 200 && typeof h.body.leader === 'string');
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  for (const transport of ['framed', 'grpc'] as const) {
    it(`shows the exported directory as the root, and nothing above it (${transport})`, async () => {
      const client = await cluster.client(transport);
      const root = replyAttr(await client.call('GetAttr', { ino: 1 }, ROOT), 'GetAttr');
      expect(root.ino, 'the root is inode 1 to the session').to.equal(1);
      expect(replyAttr(await client.call('Lookup', { parent: 1, name: 'inside' }, ROOT), 'Lookup').ino).to.equal(made.inside);
      expect(replyAttr(await client.call('Lookup', { parent: 1, name: '..' }, ROOT), 'Lookup').ino, '".." of the root').to.equal(1);
      const listed = await client.call('ReadDir', { ino: 1, after: '', limit: 100 }, ROOT);
      expect(listed.entries.map((e) => e.name).sort()).to.deep.equal(['deep', 'inside', 'shared', 'to-b', 'to-deep']);
      const byPath = await client.call('ResolvePath', { path: '/../../inside', follow: false }, ROOT);
      expect(replyAttr(byPath, 'ResolvePath').ino, 'a path cannot climb out either').to.equal(made.inside);
      // A file with a name inside is the session's, whatever other names it has.
      expect(replyAttr(await client.call('GetAttr', { ino: made.shared }, ROOT), 'GetAttr').ino).to.equal(made.shared);
    });
  }

  it('refuses every inode outside the exported directory, and changes nothing there', async () => {
    const client = await cluster.client();
    const { secret, b, projects, outsideLink, inside } = made;
    expect(await errorCodeOf(client.call('GetAttr', { ino: secret! }, ROOT))).to.equal(ErrorCodes.EPERM);
    expect(await errorCodeOf(client.call('ReadLink', { ino: outsideLink! }, ROOT))).to.equal(ErrorCodes.EPERM);
    expect(await errorCodeOf(client.call('ReadChunk', { ino: secret!, chunkIndex: 0, knownLength: 0 }, ROOT))).to.equal(ErrorCodes.EPERM);
    expect(await errorCodeOf(client.call('Open', { ino: secret!, flags: OpenFlags.WRITE }, ROOT))).to.equal(ErrorCodes.EPERM);
    expect(await errorCodeOf(client.call('ReadDir', { ino: b!, after: '', limit: 10 }, ROOT))).to.equal(ErrorCodes.EPERM);
    expect(await errorCodeOf(mknod(client, projects!, 'planted'))).to.equal(ErrorCodes.EPERM);
    expect(await errorCodeOf(client.call('Link', { ino: secret!, parent: 1, name: 'stolen' }, ROOT))).to.equal(ErrorCodes.EPERM);
    const out = { parent: 1, name: 'inside', newParent: b!, newName: 'escaped', flags: 0 };
    expect(await errorCodeOf(client.call('Rename', out, ROOT))).to.equal(ErrorCodes.EPERM);
    expect(await errorCodeOf(client.call('Unlink', { parent: b!, name: 'secret' }, ROOT))).to.equal(ErrorCodes.EPERM);
    // Nothing moved: the file is still inside, nothing was made or taken.
    expect(replyAttr(await client.call('Lookup', { parent: 1, name: 'inside' }, ROOT), 'Lookup').ino).to.equal(inside);
    expect(await errorCodeOf(client.call('Lookup', { parent: 1, name: 'stolen' }, ROOT))).to.equal(ErrorCodes.ENOENT);
  });

  it('makes files inside the exported directory', async () => {
    const client = await cluster.client();
    const ino = await mknod(client, 1, 'new');
    expect(replyAttr(await client.call('Lookup', { parent: 1, name: 'new' }, ROOT), 'Lookup').ino).to.equal(ino);
  });

  it('roots a session that asks for a subdirectory of the export there (mfssubfolder), through a link inside it too', async () => {
    for (const subdir of ['/deep', 'deep/', '/to-deep']) {
      const client = await cluster.client(undefined, { subdir });
      expect(replyAttr(await client.call('Lookup', { parent: 1, name: 'deeper' }, ROOT), 'Lookup').ino, subdir).to.equal(made.deeper);
      expect(replyAttr(await client.call('Lookup', { parent: 1, name: '..' }, ROOT), 'Lookup').ino, '".." of its root').to.equal(1);
      // The export's own directory is above this session's root now.
      expect(await errorCodeOf(client.call('GetAttr', { ino: made.inside! }, ROOT)), subdir).to.equal(ErrorCodes.EPERM);
    }
  });

  it('refuses a subdirectory outside the export, through a link or "..", or one that is not a directory', async () => {
    const refusal = (subdir: string) =>
      cluster.client(undefined, { subdir }).then(
        () => null,
        (e: { code: string; message: string }) => e,
      );
    const byLink = await refusal('/to-b');
    expect(byLink?.code, 'a link that leads out of the export').to.equal(ErrorCodes.ENOENT);
    expect(byLink?.message).to.match(/subdirectory \/to-b is not a directory within this client's export .*\/projects\/a/);
    expect((await refusal('/../b'))?.code, '".." in it').to.equal(ErrorCodes.INVALID_ARGUMENT);
    expect((await refusal('/inside'))?.code, 'a file').to.equal(ErrorCodes.ENOENT);
    expect((await refusal('/missing'))?.code, 'nothing').to.equal(ErrorCodes.ENOENT);
  });
});

describe('an export of a directory that does not exist (process)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  before(async () => {
    cluster = await TestCluster.start({
      masters: 1,
      chunkservers: 1,
      masterSettings: { exports: [{ networks: ['127.0.0.0/8'], directory: '/nowhere' }] },
    });
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });

  it('opens no session, and says which export names what', async () => {
    const refused = await cluster.client().then(
      () => null,
      (e: { code: string; message: string }) => e,
    );
    expect(refused?.code).to.equal(ErrorCodes.ENOENT);
    expect(refused?.message).to.match(/master\.exports\.0.*\/nowhere.*create it, or change the export/);
  });
});

describe('exports by client certificate on a real master over TLS (processes)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let tlsDir = '';

  before(async () => {
    cluster = await TestCluster.start({
      masters: 1,
      chunkservers: 1,
      tls: true,
      masterSettings: {
        exports: [
          { networks: ['127.0.0.0/8'], certificates: ['client/alice'] },
          { networks: ['127.0.0.0/8'], certificates: ['client/*'], access: 'ro' },
        ],
      },
    });
    tlsDir = cluster.state.options.tlsDir!;
    for (const name of ['alice', 'bob']) issueCertificate(tlsDir, { role: 'client', name, hosts: ['127.0.0.1'] });
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  const ca = (): Buffer => readFileSync(join(tlsDir, 'ca.crt'));
  const certOf = (name: string) => {
    const f = nodeFiles(tlsDir, name);
    return { ca: ca(), cert: readFileSync(f.cert), key: readFileSync(f.key) };
  };
  const mkdirAt = (c: MasterClient, name: string) => c.call('Mkdir', { parent: 1, name, mode: S_IFDIR | 0o755, umask: 0 }, ROOT);

  for (const transport of ['framed', 'grpc'] as const) {
    it(`applies the rule of the certificate the client shows (${transport})`, async () => {
      const alice = await cluster.client(transport, { tls: certOf('alice') });
      expect(replyAttr(await mkdirAt(alice, `alice-${transport}`), 'Mkdir').mode & S_IFDIR).to.equal(S_IFDIR);
      const bob = await cluster.client(transport, { tls: certOf('bob') });
      expect(await errorCodeOf(mkdirAt(bob, `bob-${transport}`)), 'bob matches the read-only rule').to.equal(ErrorCodes.EROFS);
      expect(replyAttr(await bob.call('Lookup', { parent: 1, name: `alice-${transport}` }, ROOT), 'Lookup').ino).to.be.greaterThan(1);
    });
  }

  it('refuses a client that shows no certificate when every rule wants one, naming what it lacks', async () => {
    const refused = await cluster.client('framed', { tls: { ca: ca() } }).then(
      () => null,
      (e: { code: string; message: string }) => e,
    );
    expect(refused?.code).to.equal(ErrorCodes.EACCES);
    expect(refused?.message).to.match(/no export allows clients at 127\.0\.0\.1 with no client certificate/);
  });
});

describe('a mount of a subtree export (processes, FUSE)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let mnt = '';

  before(async () => {
    cluster = await TestCluster.start({ masters: 1, chunkservers: 1, clients: 1, goal: 1 });
    mnt = cluster.nodes('client')[0]!.mountPoint!;
    // Made on the mount while it sees the whole file system...
    mkdirSync(join(mnt, 'projects', 'a', 'src'), { recursive: true });
    writeFileSync(join(mnt, 'projects', 'a', 'src', 'main.c'), 'int main(void) { return 0; }\n');
    writeFileSync(join(mnt, 'outside'), 'not for project a\n');
    // ...then the master exports only /projects/a, and the mount starts again under it.
    const master = cluster.nodes('master')[0]!;
    const config = parseYaml(readFileSync(master.configPath, 'utf8')) as { master: Record<string, unknown> };
    config.master.exports = [{ networks: ['127.0.0.0/8'], directory: '/projects/a' }];
    writeFileSync(master.configPath, stringifyYaml(config));
    const client = cluster.nodes('client')[0]!;
    await cluster.stopNode(client.id, 'term');
    await cluster.stopNode(master.id, 'term');
    await cluster.restartNode(master.id, (h) => h.status === 200 && typeof h.body.leader === 'string');
    await cluster.restartNode(client.id);
    await waitFor('the mount shows the exported directory', () => existsSync(join(mnt, 'src', 'main.c')), 30_000);
  });
  after(async () => {
    await killTracked();
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  it('shows the exported directory at the mount point, and programs work in it', () => {
    expect(readdirSync(mnt).sort()).to.deep.equal(['src']);
    expect(readFileSync(join(mnt, 'src', 'main.c'), 'utf8')).to.contain('int main');
    expect(existsSync(join(mnt, 'outside')), 'what lies outside is not there').to.equal(false);
    expect(existsSync(join(mnt, 'projects'))).to.equal(false);
    // ".." of a directory in it is the exported directory, the mount point.
    expect(statSync(join(mnt, 'src', '..')).ino).to.equal(statSync(mnt).ino);
    execFileSync('tar', ['-cf', join(mnt, 'src.tar'), '-C', mnt, 'src']);
    mkdirSync(join(mnt, 'copy'));
    execFileSync('tar', ['-xf', join(mnt, 'src.tar'), '-C', join(mnt, 'copy')]);
    expect(readFileSync(join(mnt, 'copy', 'src', 'main.c'), 'utf8')).to.contain('int main');
  });

  it('mounts a subdirectory of the export with -o subdir (mooseng mount), and admin commands find its paths', async () => {
    const client = cluster.nodes('client')[0]!;
    const mnt2 = makeTempDir('mooseng-subdir-mount-');
    const args = [CLI_BIN, 'mount', mnt2, '-c', client.configPath, '-s', 'client.httpPort=0', '-o', 'subdir=/src,ro'];
    const mounting = spawnTracked(process.execPath, args, { env: { ...process.env, ...cluster.adminEnv() } });
    let output = '';
    mounting.stdout!.on('data', (d) => (output += d));
    mounting.stderr!.on('data', (d) => (output += d));
    try {
      await waitFor(`the mount of /src (${output})`, () => existsSync(join(mnt2, 'main.c')), 30_000);
      expect(readdirSync(mnt2)).to.deep.equal(['main.c']);
      expect(readFileSync(join(mnt2, 'main.c'), 'utf8')).to.contain('int main');
      expect(() => writeFileSync(join(mnt2, 'new.c'), 'x'), '-o ro').to.throw(/EROFS/);
      // The fsname carries the subdirectory: `goal get` on the second mount names /src/main.c of the export.
      expect(readFileSync('/proc/mounts', 'utf8')).to.match(new RegExp(`^mooseng:\\S+:/src ${mnt2} `, 'm'));
      const goal = await runCli(['goal', 'get', join(mnt2, 'main.c')], { env: cluster.adminEnv() });
      expect(goal.code, goal.stderr).to.equal(0);
      expect(goal.stdout.trim()).to.equal(`${join(mnt2, 'main.c')}: 1`);
    } finally {
      if (mounting.exitCode === null) {
        mounting.kill('SIGTERM');
        await once(mounting, 'exit');
      }
      try {
        execFileSync('fusermount', ['-uz', mnt2], { stdio: 'ignore' });
      } catch {
        /* unmounted by the process */
      }
    }
  });

  it('refuses an unknown -o option before mounting, naming the ones it knows', async () => {
    const r = await runCli(['mount', makeTempDir('mooseng-no-mount-'), '-o', 'subdir=/src,mfsbogus=1']);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.match(/unknown mount option "mfsbogus=1"; known: ro, rw, subdir=/);
  });

  it('puts what the mount makes inside the exported directory', async () => {
    writeFileSync(join(mnt, 'made-here'), 'x');
    const whole = await cluster.client(); // a test client, at the same address, under the same export
    expect(replyAttr(await whole.call('Lookup', { parent: 1, name: 'made-here' }, ROOT), 'Lookup').size).to.equal(1);
    expect(await errorCodeOf(whole.call('Lookup', { parent: 1, name: 'outside' }, ROOT))).to.equal(ErrorCodes.ENOENT);
  });
});
