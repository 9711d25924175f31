// The master as a real process with real chunkservers: namespace errors, data through the data plane surviving a
// restart of every process, repair after a chunkserver dies, and the HTTP API.
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { FileIo, type MasterClient, OpenFile } from '@mooseng/client';
import { CHUNK_SIZE_BYTES, ErrorCodes, replyAttr, S_IFDIR, S_IFREG, silentLogger } from '@mooseng/core';
import { cleanupTempDirs, waitFor, errorCodeOf } from '../support';
import { ROOT, TEST_CONTROL_TRANSPORT, TestCluster } from './harness';

const USER = { uid: 1000, gids: [1000] };

describe('master with chunkservers (processes)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let client: MasterClient;

  before(async () => {
    cluster = await TestCluster.start({ masters: 1, chunkservers: 3, disks: 2, goal: 2 });
    client = await cluster.client();
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  const mkdir = async (parent: number, name: string, cred = ROOT) =>
    replyAttr(await client.call('Mkdir', { parent, name, mode: S_IFDIR | 0o755, umask: 0 }, cred), 'Mkdir');
  const create = async (parent: number, name: string, cred = ROOT) =>
    replyAttr(
      await client.call('Mknod', { parent, name, mode: S_IFREG | 0o644, rdev: 0, open: false, umask: 0, wantGrant: false }, cred),
      'Mknod',
    );

  it('answers namespace operations with their POSIX errors', async () => {
    const dir = await mkdir(1, 'docs');
    expect(dir.mode & S_IFDIR).to.equal(S_IFDIR);
    expect(await errorCodeOf(mkdir(1, 'docs'))).to.equal('EEXIST');
    expect(await errorCodeOf(client.call('Lookup', { parent: 1, name: 'nope' }, ROOT))).to.equal('ENOENT');
    const file = await create(dir.ino, 'a.txt');
    expect(await errorCodeOf(mkdir(file.ino, 'x'))).to.equal('ENOTDIR');
    expect(await errorCodeOf(client.call('Rmdir', { parent: 1, name: 'docs' }, ROOT))).to.equal('ENOTEMPTY');
    expect(await errorCodeOf(client.call('Rmdir', { parent: dir.ino, name: 'a.txt' }, ROOT))).to.equal('ENOTDIR');
    expect(await errorCodeOf(client.call('Unlink', { parent: 1, name: 'docs' }, ROOT))).to.equal('EISDIR');
    expect(await errorCodeOf(create(dir.ino, 'mine.txt', USER))).to.equal('EACCES');
    await mkdir(1, 'other');
    await client.call('Rename', { parent: dir.ino, name: 'a.txt', newParent: 1, newName: 'b.txt', flags: 0 }, ROOT);
    expect(replyAttr(await client.call('Lookup', { parent: 1, name: 'b.txt' }, ROOT), 'Lookup').ino).to.equal(file.ino);
    expect(await errorCodeOf(client.call('Rename', { parent: 1, name: 'other', newParent: 1, newName: 'b.txt', flags: 0 }, ROOT))).to.equal(
      'ENOTDIR',
    );
  });

  let content: Buffer;
  let ino: number;
  it('stores a file of more than one chunk through the data plane and reads it back', async () => {
    const io = new FileIo(client, cluster.data, cluster.clock, silentLogger);
    ino = (await create(1, 'big.bin')).ino;
    const file = new OpenFile(ino, cluster.clock);
    content = randomBytes(CHUNK_SIZE_BYTES + 3 * 1024 * 1024 + 123);
    await io.write(file, 0, content, ROOT);
    // This client reads its own writes before they are committed...
    expect((await io.read(file, 0, content.length + 10, ROOT)).length).to.equal(content.length);
    // ...and commits the length, as the FUSE client does on close and fsync.
    expect((await io.commit(file, ROOT))!.size).to.equal(content.length);
    expect(file.holdsWrites(), 'committed, but not yet synced').to.equal(true);
    await io.sync(file);
    expect(file.holdsWrites()).to.equal(false);
    const back = await io.read(file, 0, content.length + 10, ROOT);
    expect(back.length).to.equal(content.length);
    expect(sha(back)).to.equal(sha(content));
    const tail = await io.read(file, CHUNK_SIZE_BYTES - 5, 10, ROOT);
    expect(tail.equals(content.subarray(CHUNK_SIZE_BYTES - 5, CHUNK_SIZE_BYTES + 5))).to.equal(true);
  });

  // Seed 12 on 3/3/3: a replica a client wrote to and has not flushed yet may be deleted by the master meanwhile
  // (over the goal, after a repair copy). Deleted only while the goal's worth of good copies exists elsewhere, it
  // needs no flush; fsync failed with EIO (CHUNK_NOT_FOUND) all the same. With no replica of the chunk left, it
  // must still fail.
  it('fsync succeeds when a replica the write went to was deleted since, and fails when every one was', async () => {
    const io = new FileIo(client, cluster.data, cluster.clock, silentLogger);
    const fsyncAfterDropping = async (name: string, which: (locations: string[]) => string[]): Promise<string> => {
      const f = await create(1, name);
      const file = new OpenFile(f.ino, cluster.clock);
      await io.write(file, 0, Buffer.from('bytes to keep'), ROOT);
      await io.commit(file, ROOT);
      const r = await client.call('ReadChunk', { ino: f.ino, chunkIndex: 0, knownLength: 0 }, ROOT);
      expect(r.locations).to.have.length(2);
      for (const address of which(r.locations.map((l) => l.address)))
        await cluster.data.delete(address, { chunkId: r.chunkId, version: r.version });
      const outcome = await errorCodeOf(io.sync(file));
      await client.call('Unlink', { parent: 1, name }, ROOT);
      return outcome;
    };
    // Whether the one dropped is the chain's head or not.
    expect(await fsyncAfterDropping('dropped-first.bin', (l) => [l[0]!])).to.equal('OK');
    expect(await fsyncAfterDropping('dropped-second.bin', (l) => [l[1]!])).to.equal('OK');
    expect(await fsyncAfterDropping('dropped-both.bin', (l) => l)).to.equal(ErrorCodes.IO_ERROR);
  });

  it('keeps every acknowledged byte across a restart of every process', async () => {
    for (const n of [...cluster.nodes('chunkserver'), ...cluster.nodes('master')]) await cluster.stopNode(n.id, 'term');
    for (const n of cluster.nodes('master')) await cluster.restartNode(n.id, (h) => h.status === 200 && typeof h.body.leader === 'string');
    for (const n of cluster.nodes('chunkserver')) await cluster.restartNode(n.id);
    const fresh = await cluster.client();
    const io = new FileIo(fresh, cluster.data, cluster.clock, silentLogger);
    const back = await waitFor(
      'the file to read back after restart',
      async () => {
        const b = await io.read(new OpenFile(ino, cluster.clock), 0, content.length, ROOT).catch(() => null);
        return b && b.length === content.length ? b : null;
      },
      30_000,
      500,
    );
    expect(sha(back)).to.equal(sha(content));
    expect(replyAttr(await fresh.call('Lookup', { parent: 1, name: 'docs' }, ROOT), 'Lookup').mode & S_IFDIR).to.equal(S_IFDIR);
    client = fresh;
  });

  it('brings every chunk of goal 2 back to two live replicas after a chunkserver is killed', async () => {
    const victim = 'cs1';
    await cluster.stopNode(victim, 'kill');
    const chunks = [0, 1];
    await waitFor(
      'every chunk to have two live replicas on the surviving chunkservers',
      async () => {
        for (const index of chunks) {
          const r = await client.call('ReadChunk', { ino, chunkIndex: index, knownLength: 0 }, ROOT);
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
  });

  it('serves /health, /status and the REST API, refusing traversal and oversized bodies', async () => {
    const health = await cluster.http('m1', '/health');
    expect(health.status).to.equal(200);
    expect(health.json).to.include({ role: 'leader', leader: 'm1' });
    expect(health.json.term).to.be.a('number').greaterThan(0);
    expect((await cluster.http('m1', '/health?leader')).status, '/health?leader on the leader').to.equal(200);
    const status = await cluster.http('m1', '/status');
    expect(status.json.chunkservers).to.have.length(3);
    expect(status.json.files).to.be.greaterThanOrEqual(2);
    expect(status.json.chunks).to.be.greaterThanOrEqual(2);
    const stat = await cluster.http('m1', '/api/v1/filesystem/stat', { path: '/big.bin' });
    expect(stat.status).to.equal(200);
    expect(stat.json.size).to.equal(content.length);
    const missing = await cluster.http('m1', '/api/v1/filesystem/stat', { path: '/nothing' });
    expect(missing.status).to.equal(404);
    expect(missing.json.error.code).to.equal('ENOENT');
    const traversal = await cluster.http('m1', '/api/v1/filesystem/stat', { path: '/docs/../../etc/passwd' });
    expect(traversal.status).to.equal(400);
    expect(traversal.json.error.code).to.equal('EINVAL');
    const created = await cluster.http('m1', '/api/v1/filesystem/create', { path: '/docs/made-by-api', type: 'directory' });
    expect(created.status).to.equal(201);
    const again = await cluster.http('m1', '/api/v1/filesystem/create', { path: '/docs/made-by-api', type: 'directory' });
    expect(again.status).to.equal(409);
    // Hostile writes: a web page's cross-site text/plain POST (no preflight needed), and a program without the token.
    const api = `http://127.0.0.1:${cluster.node('m1').httpPort}/api/v1/filesystem/create`;
    const crossSite = await fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: JSON.stringify({ path: '/docs/cross-site' }),
    });
    expect(crossSite.status, 'cross-site text/plain POST').to.equal(403);
    const noToken = await fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/docs/no-token' }),
    });
    expect(noToken.status, 'a write without the token').to.equal(401);
    for (const path of ['/docs/cross-site', '/docs/no-token'])
      expect((await cluster.http('m1', '/api/v1/filesystem/stat', { path })).status, `${path} was not made`).to.equal(404);
    const huge = await cluster.http('m1', '/api/v1/filesystem/stat', JSON.stringify({ path: '/', pad: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.status).to.equal(413);
    const notJson = await cluster.http('m1', '/api/v1/filesystem/stat', '{nope');
    expect(notJson.status).to.equal(400);
    const servers = await cluster.http('m1', '/api/v1/chunkservers');
    expect(servers.json.chunkservers.map((s: { id: string }) => s.id).sort()).to.deep.equal(['cs1', 'cs2', 'cs3']);
    const metrics = await fetch(`http://127.0.0.1:${cluster.node('m1').httpPort}/metrics`).then((r) => r.text());
    expect(metrics).to.match(/mooseng_master_role\{[^}]*\} 1/);
    expect(metrics).to.match(/mooseng_master_files\{[^}]*\} [1-9]/);
    // The live chunkservers are on gRPC; this test's master client on the transport the run chose (framed by default).
    const connections = (transport: string): number =>
      Number(new RegExp(`mooseng_master_control_connections\\{[^}]*transport="${transport}"[^}]*\\} (\\d+)`).exec(metrics)?.[1] ?? -1);
    expect(connections('grpc'), metrics).to.be.at.least(TEST_CONTROL_TRANSPORT === 'grpc' ? 2 : 1);
    if (TEST_CONTROL_TRANSPORT === 'framed') expect(connections('framed')).to.be.at.least(1);
    else expect(connections('framed')).to.equal(0);
  });
});

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
