// TLS on the masters' control port, on a real cluster made by `cluster up` (which gives every node a certificate
// of the cluster CA, its role as OU): the chunkservers register over TLS with their own certificates and data
// flows through a client that has only the CA; a plain client, a client with a certificate of another CA, and a
// registration with another chunkserver's certificate, a client's, or none are each refused with a clear error,
// and nothing is registered.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { FileIo, MasterClient, OpenFile } from '@mooseng/client';
import {
  callClientStream,
  chunkserverClaims,
  chunkserverToMasterService,
  type DialTls,
  ErrorCodes,
  fromGrpcError,
  grpcControlChannel,
  isMoosengError,
  MemberProofKey,
  replyAttr,
  S_IFREG,
  silentLogger,
} from '@mooseng/core';
import { initCa, issueCertificate, nodeFiles } from 'mooseng/dist/certs/certificate-authority';
import { cleanupTempDirs, makeTempDir, waitFor } from '../support';
import { ROOT, TestCluster } from './harness';

describe('TLS on the control port (processes)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let tlsDir = '';

  before(async () => {
    cluster = await TestCluster.start({ masters: 1, chunkservers: 2, goal: 2, tls: true });
    tlsDir = cluster.state.options.tlsDir!;
  });
  after(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  const ca = (): Buffer => readFileSync(join(tlsDir, 'ca.crt'));
  const certOf = (dir: string, name: string): DialTls => {
    const f = nodeFiles(dir, name);
    return { ca: ca(), cert: readFileSync(f.cert), key: readFileSync(f.key) };
  };

  /** A master client of its own, with `tls`; resolves once its session is open, or to the error that refused it. */
  async function session(tls: DialTls | null, transport: 'framed' | 'grpc' = 'framed'): Promise<MasterClient | Error> {
    const client = new MasterClient({
      masters: cluster.masterAddresses(),
      logger: silentLogger,
      clock: cluster.clock,
      sessionInfo: 'control-tls test',
      host: hostname(),
      transport,
      tls,
      retryBudgetMs: 1_500,
    });
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.close();
      return err as Error;
    }
  }

  it('gives every node node.tls, and the chunkservers register with their certificates; data flows for a client with only the CA', async () => {
    for (const n of cluster.state.nodes)
      expect(readFileSync(n.configPath, 'utf8'), n.id).to.contain(`certFile: ${join(tlsDir, `${n.id}.crt`)}`);
    const status = await cluster.http('m1', '/status');
    expect((status.json.chunkservers as Array<{ id: string; alive: boolean }>).filter((c) => c.alive).map((c) => c.id)).to.have.members([
      'cs1',
      'cs2',
    ]);
    for (const transport of ['framed', 'grpc'] as const) {
      const client = await session({ ca: ca() }, transport);
      if (client instanceof Error) throw client;
      try {
        const io = new FileIo(client, cluster.data, cluster.clock, silentLogger);
        const ino = replyAttr(
          await client.call(
            'Mknod',
            { parent: 1, name: `over-tls-${transport}`, mode: S_IFREG | 0o644, rdev: 0, open: false, umask: 0, wantGrant: false },
            ROOT,
          ),
          'Mknod',
        ).ino;
        const content = randomBytes(200_000);
        const file = new OpenFile(ino, cluster.clock);
        await io.write(file, 0, content, ROOT);
        await io.commit(file, ROOT);
        await io.sync(file);
        const back = await io.read(new OpenFile(ino, cluster.clock), 0, content.length, ROOT);
        expect(back.equals(content)).to.equal(true);
      } finally {
        await client.close();
      }
    }
  });

  it('refuses a plain client, naming TLS, and logs the refusal', async () => {
    const err = await session(null);
    expect(isMoosengError(err) && err.code).to.equal(ErrorCodes.UNAVAILABLE);
    expect((err as Error).message).to.match(/takes TLS only/);
    const log = readFileSync(cluster.node('m1').logPath, 'utf8');
    expect(log).to.match(/refused a plain \(framed\) connection to the control port/);
  });

  it('refuses a client with a certificate of another CA, on either transport', async () => {
    const other = join(makeTempDir('mooseng-other-ca-'), 'ca');
    initCa(other, 'other');
    issueCertificate(other, { role: 'client', name: 'client1', hosts: ['127.0.0.1'] });
    const foreign = { ...certOf(other, 'client1'), ca: ca() };
    for (const transport of ['framed', 'grpc'] as const) {
      const err = await session(foreign, transport);
      expect(err, transport).to.be.instanceOf(Error);
      expect(isMoosengError(err) && err.code, transport).to.equal(ErrorCodes.UNAVAILABLE);
    }
    expect(readFileSync(cluster.node('m1').logPath, 'utf8')).to.match(/its certificate is not one the cluster CA issued/);
  });

  /**
   * Registers as chunkserver `nodeId` over TLS showing `tls`'s certificate, with a valid member proof (the test has the
   * secret): only the certificate can make it fail. Resolves to the error code and message, or 'OK'.
   */
  async function register(nodeId: string, tls: DialTls): Promise<{ code: string; message: string }> {
    const master = cluster.nodes('master')[0]!;
    const Service = chunkserverToMasterService();
    const channel = grpcControlChannel(master.host, tls);
    const grpcClient = new Service(`${master.host}:${master.port}`, channel.credentials, channel.options);
    const key = new MemberProofKey(Buffer.from(readFileSync(cluster.state.options.clusterSecretFile!, 'utf8').trim()));
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
        call.write({ identity: { ...identity, memberProof: key.prove(chunkserverClaims(identity), Date.now()) }, dirs: [], chunks: [] });
        call.end();
      });
    } finally {
      grpcClient.close();
    }
  }

  it("refuses a registration with another chunkserver's certificate, a client's, or none, and the chunkservers' own registrations stand", async () => {
    const stolen = await register('cs1', certOf(tlsDir, 'cs2'));
    expect(stolen.code).to.equal(ErrorCodes.PERMIT_REFUSED);
    expect(stolen.message).to.match(/the certificate of chunkserver "cs2"/);
    issueCertificate(tlsDir, { role: 'client', name: 'cs9', hosts: ['127.0.0.1'] });
    const asClient = await register('cs9', certOf(tlsDir, 'cs9'));
    expect(asClient.code).to.equal(ErrorCodes.PERMIT_REFUSED);
    expect(asClient.message).to.match(/the certificate of client "cs9"/);
    const none = await register('cs9', { ca: ca() });
    expect(none.code).to.equal(ErrorCodes.PERMIT_REFUSED);
    expect(none.message).to.match(/showed no certificate/);
    const status = await cluster.http('m1', '/status');
    const ids = (status.json.chunkservers as Array<{ id: string; address: string }>).map((c) => `${c.id}@${c.address}`);
    expect(ids.join(' ')).to.not.contain('cs9').and.to.not.contain('127.0.0.1:1');
    // The chunkservers' own registrations stand: cs1 is still where it was.
    expect(ids.find((i) => i.startsWith('cs1@'))).to.equal(`cs1@${cluster.node('cs1').host}:${cluster.node('cs1').port}`);
  });

  it("keeps a chunkserver process that shows another chunkserver's certificate out, and takes it back with its own", async () => {
    const cs2 = cluster.node('cs2');
    const config = readFileSync(cs2.configPath, 'utf8');
    await cluster.stopNode('cs2');
    const registered = async (): Promise<boolean> => {
      const status = await cluster.http('m1', '/status');
      return (status.json.chunkservers as Array<{ id: string; alive: boolean }>).some((c) => c.id === 'cs2' && c.alive);
    };
    await waitFor('the master to see cs2 gone', async () => !(await registered()), 30_000);
    try {
      writeFileSync(cs2.configPath, config.replaceAll(join(tlsDir, 'cs2.'), join(tlsDir, 'cs1.')), { mode: 0o600 });
      await cluster.restartNode('cs2', (h) => h.status === 200 || h.status === 503);
      let lastError = '';
      await waitFor(
        "cs2 to be refused for cs1's certificate",
        async () => {
          const health = await fetch(`http://${cs2.host}:${cs2.httpPort}/health`).then((r) => r.json() as Promise<any>);
          lastError = String(health.masters?.[0]?.lastError ?? '');
          return /certificate of chunkserver "cs1"/.test(lastError);
        },
        30_000,
      );
      expect(lastError).to.match(/PERMIT_REFUSED|must show its own certificate/);
      expect(await registered()).to.equal(false);
    } finally {
      await cluster.stopNode('cs2');
      writeFileSync(cs2.configPath, config, { mode: 0o600 });
    }
    await cluster.restartNode('cs2');
    await waitFor('cs2 to register again with its own certificate', registered, 30_000);
  });
});
