// Sessions on real masters with a cluster secret (as `cluster up` makes them): a session id is not enough to act as
// the session. A hostile client that learned another client's session id (from a log, /status, or by guessing)
// and calls with it, with no key, with a key of its own making, or with no session at all, is refused on both control
// transports, and the session it aimed at keeps its open files and works on.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type MasterClient, type MasterConnection, openMasterConnection } from '@mooseng/client';
import { once } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import {
  changeFeedService,
  ErrorCodes,
  fromGrpcError,
  grpcControlChannel,
  isMoosengError,
  OpenFlags,
  replyAttr,
  S_IFREG,
} from '@mooseng/core';
import { issueCertificate } from 'mooseng/dist/certs/certificate-authority';
import { cleanupTempDirs, errorCodeOf } from '../support';
import { ROOT, TestCluster } from './harness';

describe('session keys on real masters (processes)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let owner: MasterClient;
  let ino = 0;
  const hostile: MasterConnection[] = [];
  const opts = { timeoutMs: 10_000 };

  before(async () => {
    cluster = await TestCluster.start({ masters: 1, chunkservers: 1 });
    owner = await cluster.client();
    const created = await owner.call(
      'Mknod',
      { parent: 1, name: 'owned', mode: S_IFREG | 0o600, rdev: 0, open: true, umask: 0, wantGrant: false },
      ROOT,
    );
    ino = replyAttr(created, 'reply').ino;
  });
  after(async () => {
    for (const c of hostile) c.close();
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  for (const transport of ['framed', 'grpc'] as const) {
    it(`refuses calls that name another client's session without its key (${transport})`, async () => {
      const conn = openMasterConnection(cluster.masterAddresses()[0]!, transport, cluster.dialTls());
      hostile.push(conn);
      const sessionId = owner.sessionId;
      expect(sessionId).to.be.greaterThan(0);
      const header = (sessionKey: Buffer) => ({ sessionId, sessionKey, requestId: 1_000_000, cred: { uid: 0, gids: [0] } });

      // No key: refused as not permitted, naming what is missing.
      const noKey = await conn.call('Open', { h: header(Buffer.alloc(0)), ino, flags: OpenFlags.WRITE | OpenFlags.TRUNCATE }, opts).then(
        () => null,
        (err: unknown) => err,
      );
      expect(isMoosengError(noKey, ErrorCodes.EPERM), String(noKey)).to.equal(true);
      expect((noKey as Error).message).to.match(/no session key/);

      // A key of its own making: the session is not the caller's.
      const forged = header(randomBytes(16));
      expect(await errorCodeOf(conn.call('Unlink', { h: forged, parent: 1, name: 'owned' }, opts))).to.equal(ErrorCodes.SESSION_EXPIRED);
      expect(await errorCodeOf(conn.call('Release', { h: forged, ino }, opts))).to.equal(ErrorCodes.SESSION_EXPIRED);
      expect(await errorCodeOf(conn.call('ReadChunk', { h: forged, ino, chunkIndex: 0, knownLength: 0 }, opts))).to.equal(
        ErrorCodes.SESSION_EXPIRED,
      );
      expect(await errorCodeOf(conn.call('KeepAlive', { sessionId, sessionKey: randomBytes(16) }, opts))).to.equal(
        ErrorCodes.SESSION_EXPIRED,
      );
      expect(await errorCodeOf(conn.call('CloseSession', { sessionId, sessionKey: randomBytes(16) }, opts))).to.equal(
        ErrorCodes.SESSION_EXPIRED,
      );
      expect(await errorCodeOf(conn.call('CloseSession', { sessionId, sessionKey: Buffer.alloc(0) }, opts))).to.equal(ErrorCodes.EPERM);

      // No session at all (id 0): refused too, so nobody acts outside a session.
      const none = { sessionId: 0, sessionKey: Buffer.alloc(0), requestId: 1, cred: { uid: 0, gids: [0] } };
      expect(
        await errorCodeOf(
          conn.call(
            'Mknod',
            { h: none, parent: 1, name: 'sessionless', mode: S_IFREG | 0o644, rdev: 0, open: false, umask: 0, wantGrant: false },
            opts,
          ),
        ),
      ).to.equal(ErrorCodes.EPERM);

      // Nothing changed: the file is there, the owner's session still holds it open and goes on.
      expect(replyAttr(await owner.call('Lookup', { parent: 1, name: 'owned' }, ROOT), 'reply').ino).to.equal(ino);
      expect(await errorCodeOf(owner.call('Lookup', { parent: 1, name: 'sessionless' }, ROOT))).to.equal(ErrorCodes.ENOENT);
      expect(owner.sessionId).to.equal(sessionId);
    });
  }

  it("ends at once a change feed watched under another session's id", async () => {
    const Service = changeFeedService();
    const master = cluster.nodes('master')[0]!;
    const channel = grpcControlChannel(master.host, cluster.dialTls());
    const stub = new Service(cluster.masterAddresses()[0]!, channel.credentials, channel.options);
    try {
      const m = Service.service.Watch;
      const call = stub.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, {
        sessionId: owner.sessionId,
        sessionKey: randomBytes(16),
      });
      const notices: unknown[] = [];
      call.on('data', (n) => notices.push(n));
      const [err] = (await once(call, 'error')) as [grpc.ServiceError];
      expect(fromGrpcError(err, 'Watch').code).to.equal(ErrorCodes.SESSION_EXPIRED);
      // Not even the opening resync: the stream carried nothing.
      expect(notices).to.deep.equal([]);
    } finally {
      stub.close();
    }
  });

  it("refuses a client's own key with another session's id, and the session it aimed at keeps its open file", async () => {
    // The hostile client opens a session of its own, as any client may: its key is good, for its session only.
    const conn = openMasterConnection(cluster.masterAddresses()[0]!, 'framed', cluster.dialTls());
    hostile.push(conn);
    const mine = await conn.call('OpenSession', { info: 'hostile', host: 'elsewhere', passwordProof: Buffer.alloc(0), subdir: '' }, opts);
    expect(mine.sessionKey.length).to.equal(16);
    const as = (sessionId: number) => ({ sessionId, sessionKey: mine.sessionKey, requestId: 7, cred: { uid: 0, gids: [0] } });
    expect(replyAttr(await conn.call('GetAttr', { h: as(mine.sessionId), ino: 1 }, opts), 'reply').ino).to.equal(1);
    expect(await errorCodeOf(conn.call('Release', { h: as(owner.sessionId), ino }, opts))).to.equal(ErrorCodes.SESSION_EXPIRED);
    expect(await errorCodeOf(conn.call('CloseSession', { sessionId: owner.sessionId, sessionKey: mine.sessionKey }, opts))).to.equal(
      ErrorCodes.SESSION_EXPIRED,
    );
    // The owner's session still holds the file open: unlinked, it lives on until the owner releases it.
    await owner.call('Unlink', { parent: 1, name: 'owned' }, ROOT);
    expect(replyAttr(await owner.call('GetAttr', { ino }, ROOT), 'reply').nlink).to.equal(0);
    await owner.call('Release', { ino }, ROOT);
    expect(await errorCodeOf(owner.call('GetAttr', { ino }, ROOT))).to.equal(ErrorCodes.ENOENT);
  });

  it("binds a session to the client certificate that opened it: another client's certificate cannot use its key", async function () {
    const caFile = cluster.caFile();
    if (!caFile) return this.skip(); // MOOSENG_TEST_TLS=off: no certificates to tell clients apart
    const dir = dirname(caFile);
    const tlsOf = (name: string) => {
      const files = issueCertificate(dir, { role: 'client', name, hosts: ['127.0.0.1'], force: true });
      return { ca: readFileSync(caFile), cert: readFileSync(files.cert), key: readFileSync(files.key) };
    };
    const alice = await cluster.client('framed', { tls: tlsOf('alice') });
    const bobTls = tlsOf('bob');
    const bob = openMasterConnection(cluster.masterAddresses()[0]!, 'framed', bobTls);
    hostile.push(bob);
    // Bob has Alice's session id and key (say it leaked): over his own certificate they are not good.
    const stolen = { sessionId: alice.sessionId, sessionKey: alice.sessionKey, requestId: 9, cred: { uid: 0, gids: [0] } };
    expect(await errorCodeOf(bob.call('GetAttr', { h: stolen, ino: 1 }, opts))).to.equal(ErrorCodes.SESSION_EXPIRED);
    expect(await errorCodeOf(bob.call('CloseSession', { sessionId: alice.sessionId, sessionKey: alice.sessionKey }, opts))).to.equal(
      ErrorCodes.SESSION_EXPIRED,
    );
    expect(replyAttr(await alice.call('GetAttr', { ino: 1 }, ROOT), 'GetAttr').ino).to.equal(1);
  });
});
