// A hostile host next to a real cluster made by `cluster up` (which gives every master and chunkserver a cluster
// secret), here without TLS, so that the secret alone is what keeps it out: it sends a chunk DELETE as raw bytes to a chunkserver, a SET_VERSION signed with a secret of its own,
// reads a chunk it was given no permit for, and registers as a chunkserver without the secret or under another's
// id. Each is refused with a clear error, and the file whose chunk it aimed at reads back whole.
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { FileIo, type MasterClient, OpenFile } from '@mooseng/client';
import {
  callClientStream,
  callUnary,
  ChunkPermitKey,
  chunkserverClaims,
  chunkserverToMasterService,
  codeOfStatus,
  DataPlaneClient,
  decodeReply,
  encodeFrameHeader,
  encodeRequest,
  ErrorCodes,
  fromGrpcError,
  MemberProofKey,
  MessageType,
  OpenFlags,
  replyAttr,
  S_IFREG,
  SetattrMask,
  silentLogger,
} from '@mooseng/core';
import { chunkFilePath, slotOffset } from '@mooseng/block-store';
import { cleanupTempDirs, flipByte, waitFor } from '../support';
import { ROOT, TestCluster } from './harness';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('hostile hosts next to a cluster with a secret (processes)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let client: MasterClient;
  let io: FileIo;
  let ino = 0;
  const content = randomBytes(300_000);
  let chunk = { chunkId: 0, version: 0 };
  let replicas: string[] = [];

  before(async () => {
    // Without TLS: what stands between these hosts and the cluster is the secret (control-tls.test.ts runs TLS).
    cluster = await TestCluster.start({ masters: 1, chunkservers: 2, goal: 2, tls: false });
    client = await cluster.client();
    io = new FileIo(client, cluster.data, cluster.clock, silentLogger);
    ino = replyAttr(
      await client.call(
        'Mknod',
        { parent: 1, name: 'target.bin', mode: S_IFREG | 0o644, rdev: 0, open: false, umask: 0, wantGrant: false },
        ROOT,
      ),
      'Mknod',
    ).ino;
    const file = new OpenFile(ino, cluster.clock);
    await io.write(file, 0, content, ROOT);
    await io.commit(file, ROOT);
    await io.sync(file);
    const located = await client.call('ReadChunk', { ino, chunkIndex: 0, knownLength: 0 }, ROOT);
    chunk = { chunkId: located.chunkId, version: located.version };
    replicas = located.locations.map((l) => l.address);
    expect(replicas).to.have.length(2);
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  async function fileIntact(): Promise<void> {
    const back = await io.read(new OpenFile(ino, cluster.clock), 0, content.length, ROOT);
    expect(sha(back)).to.equal(sha(content));
    const fresh = new DataPlaneClient({ clock: cluster.clock, tls: cluster.dataTls });
    try {
      for (const address of replicas)
        expect(await fresh.stat(address, chunk.chunkId), address).to.deep.equal({ ...chunk, length: content.length });
    } finally {
      fresh.close();
    }
  }

  it('keeps the cluster secret readable by its owner only, and names it in the masters and chunkservers configs', () => {
    const secretFile = cluster.state.options.clusterSecretFile!;
    expect(statSync(secretFile).mode & 0o077).to.equal(0);
    const configs = cluster.state.nodes.filter((n) => n.role !== 'client').map((n) => readFileSync(n.configPath, 'utf8'));
    for (const text of configs) expect(text).to.contain(`clusterSecretFile: ${secretFile}`);
  });

  it('refuses a chunk DELETE sent as raw bytes to a chunkserver', async () => {
    const [host, port] = replicas[0]!.split(':');
    // Over TLS when the cluster has it (a plain socket is refused before any frame is read: see data-plane-tls.test.ts).
    const socket = cluster.dataTls
      ? connectTls({ host, port: Number(port), ca: cluster.dataTls.ca })
      : connect({ host, port: Number(port) });
    await once(socket, cluster.dataTls ? 'secureConnect' : 'connect');
    const [payload] = encodeRequest({ op: 'delete', ref: chunk, chain: [replicas[1]!] });
    socket.write(Buffer.concat([encodeFrameHeader(MessageType.CLTOCS_DELETE, 77, payload!.length), payload!]));
    const [answer] = (await once(socket, 'data')) as [Buffer];
    socket.destroy();
    expect(answer.readUInt32BE(8)).to.equal(77);
    const reply = decodeReply(answer.readUInt16BE(4), answer.subarray(16, 16 + answer.readUInt32BE(12)));
    expect(reply.op).to.equal('status');
    const status = reply as { status: number; message: string };
    expect(codeOfStatus(status.status)).to.equal(ErrorCodes.PERMIT_REFUSED);
    expect(status.message).to.match(/no permit/);
    await fileIntact();
  });

  it('refuses a read of the chunk without the permit a ReadChunk answer carries', async () => {
    const stranger = new DataPlaneClient({ clock: cluster.clock, tls: cluster.dataTls });
    try {
      const err = await stranger.read(replicas[0]!, chunk, 0, 4096).then(
        () => null,
        (e: unknown) => e as { code: string },
      );
      expect(err?.code).to.equal(ErrorCodes.PERMIT_REFUSED);
    } finally {
      stranger.close();
    }
  });

  it("refuses a client the chunk's locations and read permit when its caller may not read the file", async () => {
    const user = { uid: 1000, gids: [1000] };
    // A session that opened the file while it could read it keeps reading (POSIX: an open descriptor survives a chmod).
    const holder = await cluster.client();
    await holder.call('Open', { ino, flags: OpenFlags.READ }, user);
    const setMode = (mode: number) =>
      client.call('SetAttr', { ino, mask: SetattrMask.MODE, mode, uid: 0, gid: 0, size: 0, atimeMs: 0, mtimeMs: 0 }, ROOT);
    await setMode(0o600);
    try {
      const located = await holder.call('ReadChunk', { ino, chunkIndex: 0, knownLength: 0 }, user);
      expect(located.chunkId).to.equal(chunk.chunkId);
      const other = await cluster.client();
      const err = await other.call('ReadChunk', { ino, chunkIndex: 0, knownLength: 0 }, user).then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(err?.code).to.equal(ErrorCodes.EACCES);
      // Root still may; the file reads back whole.
      await fileIntact();
    } finally {
      await setMode(0o644);
    }
  });

  it('refuses a SET_VERSION signed with another secret', async () => {
    const otherKey = new ChunkPermitKey(Buffer.from('a secret of some other cluster!!'));
    const forger = new DataPlaneClient({
      clock: cluster.clock,
      tls: cluster.dataTls,
      signer: (req, targets) => otherKey.forRequest(req, targets, Date.now()),
    });
    try {
      const err = await forger.setVersion(replicas[0]!, chunk, chunk.version + 5, { chain: [replicas[1]!] }).then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(err?.code).to.equal(ErrorCodes.PERMIT_REFUSED);
      expect(err?.message).to.match(/another cluster secret/);
    } finally {
      forger.close();
    }
    await fileIntact();
  });

  it("refuses a corrupt-replica report in a chunkserver's name from outside its session", async () => {
    const master = cluster.nodes('master')[0]!;
    const Service = chunkserverToMasterService();
    const grpcClient = new Service(`${master.host}:${master.port}`, grpc.credentials.createInsecure());
    try {
      for (const server of cluster.nodes('chunkserver')) {
        const err = await new Promise<grpc.ServiceError | null>((resolve) =>
          callUnary(
            grpcClient,
            Service.service,
            'ReportCorrupt',
            { nodeId: server.id, session: 12345, chunkId: chunk.chunkId, version: chunk.version, blocks: [0], dir: '/', foundBy: 'scrub' },
            new grpc.Metadata(),
            { deadline: Date.now() + 10_000 },
            (e) => resolve(e),
          ),
        );
        expect(err, server.id).to.not.equal(null);
        expect(fromGrpcError(err!, 'ReportCorrupt').message).to.match(/not registered with this master/);
      }
    } finally {
      grpcClient.close();
    }
    // Both copies still count: the master hands out both to readers.
    const located = await client.call('ReadChunk', { ino, chunkIndex: 0, knownLength: 0 }, ROOT);
    expect(located.locations.map((l) => l.address).sort()).to.deep.equal([...replicas].sort());
    await fileIntact();
  });

  it('refuses a report of failed replicas from a client that may not write the file, or for a chunk of another file', async () => {
    const reader = await cluster.client();
    const user = { uid: 1000, gids: [1000] };
    const cs = cluster.nodes('chunkserver');
    const report = (body: { ino: number; code: string }) =>
      reader.call(
        'ReportReplica',
        { chunkId: chunk.chunkId, serverId: cs[0]!.id, version: chunk.version, acknowledged: [cs[1]!.id], ...body },
        user,
      );
    // It may read the file (mode 644), not write it: a broken write chain is not its to report.
    const asWriter = await report({ ino, code: ErrorCodes.REPLICA_FAILED }).then(
      () => null,
      (e: unknown) => e as { code: string },
    );
    expect(asWriter?.code).to.equal(ErrorCodes.EACCES);
    // A file it may write (mode 666) is not the file the chunk belongs to.
    const own = replyAttr(
      await reader.call(
        'Mknod',
        { parent: 1, name: 'readers-own', mode: S_IFREG | 0o666, rdev: 0, open: false, umask: 0, wantGrant: false },
        ROOT,
      ),
      'Mknod',
    ).ino;
    const elsewhere = await report({ ino: own, code: ErrorCodes.REPLICA_FAILED }).then(
      () => null,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(elsewhere?.code).to.equal(ErrorCodes.EINVAL);
    expect(elsewhere?.message).to.match(/is not a chunk of inode/);
    const located = await client.call('ReadChunk', { ino, chunkIndex: 0, knownLength: 0 }, ROOT);
    expect({ chunkId: located.chunkId, version: located.version }).to.deep.equal(chunk);
    expect(located.locations.map((l) => l.address).sort()).to.deep.equal([...replicas].sort());
    await fileIntact();
  });

  it('refuses a commit that would grow a file from a client that may not write it', async () => {
    const reader = await cluster.client();
    const user = { uid: 1000, gids: [1000] };
    const commit = reader.call(
      'CommitWrite',
      { ino, chunkIndex: 0, chunkId: chunk.chunkId, version: chunk.version, length: 64 * 1024 * 1024 },
      user,
    );
    expect(
      await commit.then(
        () => 'OK',
        (e: { code: string }) => e.code,
      ),
    ).to.equal(ErrorCodes.EACCES);
    const attr = replyAttr(await client.call('GetAttr', { ino }, ROOT), 'GetAttr');
    expect(attr.size).to.equal(content.length);
    await fileIntact();
  });

  /** Registers a chunkserver claiming `nodeId` with the proof `proof` gives; resolves to the error code, or 'OK'. */
  async function register(nodeId: string, proof: (claims: string[]) => Buffer): Promise<{ code: string; message: string }> {
    const master = cluster.nodes('master')[0]!;
    const Service = chunkserverToMasterService();
    const grpcClient = new Service(`${master.host}:${master.port}`, grpc.credentials.createInsecure());
    const identity = { nodeId, clusterId: 'test', dataAddress: '127.0.0.1:1', httpPort: 1, labels: {} };
    try {
      return await new Promise((resolve) => {
        const call = callClientStream(
          grpcClient,
          Service.service,
          'Register',
          new grpc.Metadata(),
          { deadline: Date.now() + 10_000 },
          (err) => {
            if (!err) return resolve({ code: 'OK', message: '' });
            const e = fromGrpcError(err, 'register');
            resolve({ code: e.code, message: e.message });
          },
        );
        call.write({ identity: { ...identity, memberProof: proof(chunkserverClaims(identity)) }, dirs: [], chunks: [] });
        call.end();
      });
    } finally {
      grpcClient.close();
    }
  }

  it('refuses a chunkserver that registers without the secret, with another one, or as another server', async () => {
    const none = await register('intruder', () => Buffer.alloc(0));
    expect(none.code).to.equal(ErrorCodes.PERMIT_REFUSED);
    expect(none.message).to.match(/no proof of membership/);
    const otherProof = new MemberProofKey(Buffer.from('a secret of some other cluster!!'));
    const forged = await register('intruder', (claims) => otherProof.prove(claims, Date.now()));
    expect(forged.code).to.equal(ErrorCodes.PERMIT_REFUSED);
    // cs1's id with a proof another registration of cs1 (at its own address) would carry: the claims differ.
    const cs1 = cluster.nodes('chunkserver')[0]!;
    const key = new MemberProofKey(Buffer.from(readFileSync(cluster.state.options.clusterSecretFile!, 'utf8').trim()));
    const stolen = key.prove(chunkserverClaims({ nodeId: cs1.id, clusterId: 'test', dataAddress: `${cs1.host}:${cs1.port}` }), Date.now());
    const impostor = await register(cs1.id, () => stolen);
    expect(impostor.code).to.equal(ErrorCodes.PERMIT_REFUSED);
    const status = await cluster.http('m1', '/status');
    const ids = (status.json.chunkservers as Array<{ id: string; address: string }>).map((c) => `${c.id}@${c.address}`);
    expect(ids.join(' ')).to.not.contain('intruder').and.to.not.contain('127.0.0.1:1');
    await fileIntact();
  });
  it("counts a reader's report that a copy is corrupt only when the chunkserver's own re-read agrees", async () => {
    const reader = await cluster.client();
    const user = { uid: 1000, gids: [1000] }; // may read the file (mode 644): a failed read is its to report
    const [sound, rotten] = cluster.nodes('chunkserver');
    const report = (serverId: string) =>
      reader.call(
        'ReportReplica',
        { ino, chunkId: chunk.chunkId, serverId, code: ErrorCodes.CHUNK_CORRUPT, version: chunk.version, acknowledged: [] },
        user,
      );
    const verifyErrors = async (id: string): Promise<number> => {
      const node = cluster.node(id);
      const text = await (await fetch(`http://${node.host}:${node.httpPort}/metrics`)).text();
      const line = text.split('\n').find((l) => /^mooseng_chunkserver_crc_errors_total\{[^}]*found_by="verify"/.test(l));
      if (line === undefined) throw new Error(`${id} exports no crc_errors_total for found_by="verify":\n${text}`);
      return Number(line?.split(' ').pop());
    };
    // A sound copy called corrupt: the leader asks its chunkserver (with a permit), which finds it sound; it stays.
    await report(sound!.id);
    await waitFor('the leader to log the verify', () => readFileSync(cluster.node('m1').logPath, 'utf8').includes('found it sound'));
    const located = await client.call('ReadChunk', { ino, chunkIndex: 0, knownLength: 0 }, ROOT);
    expect(located.locations.map((l) => l.address).sort()).to.deep.equal([...replicas].sort());
    expect(await verifyErrors(sound!.id)).to.equal(0);
    // A copy whose disk rotted: the chunkserver's re-read finds the bad block, and the leader stops handing it out.
    const path = rotten!.disks.map((d) => chunkFilePath(d, chunk.chunkId, chunk.version)).find((f) => existsSync(f))!;
    flipByte(path, slotOffset(1) + 11);
    await report(rotten!.id);
    expect(await verifyErrors(rotten!.id)).to.equal(1);
    const back = await io.read(new OpenFile(ino, cluster.clock), 0, content.length, ROOT);
    expect(sha(back)).to.equal(sha(content));
  });
});
