// The master's control port over TLS (node.tls): a TLS ClientHello is answered with a handshake and the decrypted
// stream is routed as a plain one (framed or gRPC), with the peer certificate's identity carried to the handlers;
// a certificate of another CA and (unless allowed) a plain connection are refused; a client with only the CA is
// taken; the master's certificate is checked against the host dialled. Real sockets, certificates from openssl.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { join } from 'node:path';
import { type ControlTransport, openMasterConnection } from '@mooseng/client';
import {
  type CallerAddress,
  type ClientMessage,
  type ClientToMasterRpcs,
  CLIENT_TO_MASTER_SERVICE,
  clientToMasterService,
  CONTROL_FRAME_MAGIC,
  ControlPort,
  type DialTls,
  ErrorCodes,
  FramedControlServer,
  grpcUnaryImplementation,
  isMoosengError,
  MoosengError,
  type NodeTls,
  silentLogger,
  type UnaryDispatch,
} from '@mooseng/core';
import { initCa, issueCertificate, type CertRole } from 'mooseng/dist/certs/certificate-authority';
import { cleanupTempDirs, makeTempDir } from '../support';

const service = clientToMasterService().service;
const h = { sessionId: 7, sessionKey: Buffer.alloc(0), requestId: 1, cred: { uid: 0, gids: [0] } };
const ENTRY: ClientMessage<'MasterToClientAttr'> = {
  attr: {
    ino: 42,
    mode: 0o100644,
    nlink: 1,
    uid: 0,
    gid: 0,
    size: 0,
    rdev: 0,
    atimeMs: 1,
    mtimeMs: 2,
    ctimeMs: 3,
    goal: 2,
    hasXattrs: false,
    storedBytes: 0,
  },
};

describe('the control port over TLS', function () {
  this.timeout(30_000);
  let ours = '';
  let theirs = '';
  const ports: ControlPort[] = [];
  const closers: Array<() => void> = [];
  /** The caller every Lookup saw, in order. */
  const callers: CallerAddress[] = [];
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);

  const files = (dir: string, role: CertRole, name: string, hosts: string[] = ['127.0.0.1', 'localhost']): NodeTls => {
    const f = issueCertificate(dir, { role, name, hosts, force: true });
    return { ca: readFileSync(join(dir, 'ca.crt')), cert: readFileSync(f.cert), key: readFileSync(f.key) };
  };
  const caOnly = (dir: string): DialTls => ({ ca: readFileSync(join(dir, 'ca.crt')) });

  /** Every method but Lookup fails; Lookup answers and notes who called. */
  function dispatch(): UnaryDispatch<ClientToMasterRpcs> {
    const table: Record<string, (req: unknown, respond: (err: unknown, reply?: unknown) => void, caller?: CallerAddress) => void> = {};
    for (const name of Object.keys(service)) table[name] = (_req, respond) => respond(new MoosengError(ErrorCodes.EOPNOTSUPP, name));
    table.Lookup = (_req, respond, caller) => {
      callers.push(caller!);
      respond(null, ENTRY);
    };
    return table as unknown as UnaryDispatch<ClientToMasterRpcs>;
  }

  async function startPort(tls: NodeTls | undefined, allowPlain = false): Promise<string> {
    const d = dispatch();
    const port = await ControlPort.start({
      host: '127.0.0.1',
      port: 0,
      grpcServices: [{ definition: service, implementation: grpcUnaryImplementation(d) }],
      framed: new FramedControlServer({ definition: service, dispatch: d, serviceName: CLIENT_TO_MASTER_SERVICE, logger: silentLogger }),
      logger: silentLogger,
      tls,
      allowPlain,
    });
    ports.push(port);
    return `127.0.0.1:${port.port}`;
  }

  async function lookup(address: string, transport: ControlTransport, tls: DialTls | null): Promise<CallerAddress | MoosengError> {
    const c = openMasterConnection(address, transport, tls);
    closers.push(() => c.close());
    return c.call('Lookup', { h, parent: 1, name: 'x' }, { timeoutMs: 3_000 }).then(
      () => callers[callers.length - 1]!,
      (err: unknown) => {
        if (isMoosengError(err)) return err;
        throw err;
      },
    );
  }

  before(() => {
    ours = join(makeTempDir('mooseng-ca-'), 'ca');
    theirs = join(makeTempDir('mooseng-ca-'), 'ca');
    initCa(ours, 'test');
    initCa(theirs, 'other');
    process.on('warning', onWarning);
  });
  afterEach(async () => {
    callers.length = 0;
    for (const close of closers.splice(0)) close();
    for (const p of ports.splice(0)) await p.stop(200);
  });
  after(() => {
    process.removeListener('warning', onWarning);
    cleanupTempDirs();
  });

  for (const transport of ['framed', 'grpc'] as const) {
    it(`carries the identity of a client certificate to the handlers, and takes a client with the CA only (${transport})`, async () => {
      const address = await startPort(files(ours, 'master', 'm1'));
      const withCert = await lookup(address, transport, files(ours, 'client', 'client7'));
      expect(withCert).to.deep.equal({ address: '127.0.0.1', identity: { name: 'client7', role: 'client' } });
      const anonymous = await lookup(address, transport, caOnly(ours));
      expect(anonymous).to.deep.equal({ address: '127.0.0.1', identity: null });
      // Dialled at an IP address, no server name was sent that node would warn about (DEP0123).
      expect(warnings.join('\n')).to.not.contain('DEP0123');
    });

    it(`refuses a certificate of another CA, and a plain client (${transport})`, async () => {
      const address = await startPort(files(ours, 'master', 'm1'));
      const foreign = await lookup(address, transport, files(theirs, 'client', 'client7'));
      expect(foreign).to.be.instanceOf(MoosengError);
      expect((foreign as MoosengError).code).to.equal(ErrorCodes.UNAVAILABLE);
      const plain = await lookup(address, transport, null);
      expect(plain).to.be.instanceOf(MoosengError);
      expect((plain as MoosengError).code).to.equal(ErrorCodes.UNAVAILABLE);
      if (transport === 'framed') expect((plain as MoosengError).message).to.match(/takes TLS only/);
      // A master of another CA is not believed either.
      const impostor = await startPort(files(theirs, 'master', 'm1'));
      const fooled = await lookup(impostor, transport, caOnly(ours));
      expect(fooled).to.be.instanceOf(MoosengError);
      expect(callers).to.have.length(0);
    });
  }

  it('checks the master certificate against the host dialled: a name it lacks is refused, one it has is taken', async () => {
    const elsewhere = await startPort(files(ours, 'master', 'm2', ['10.9.9.9']));
    const refused = await lookup(elsewhere, 'framed', caOnly(ours));
    expect((refused as MoosengError).message).to.match(/TLS: .*(altnames|does not match)/);
    const named = await startPort(files(ours, 'master', 'm3', ['localhost']));
    const byName = await lookup(named.replace('127.0.0.1', 'localhost'), 'grpc', caOnly(ours));
    expect(byName).to.not.be.instanceOf(MoosengError);
  });

  it('takes plain clients beside TLS ones when allowed (a migration)', async () => {
    const address = await startPort(files(ours, 'master', 'm1'), true);
    for (const transport of ['framed', 'grpc'] as const) {
      expect(await lookup(address, transport, null)).to.deep.equal({ address: '127.0.0.1', identity: null });
      expect(await lookup(address, transport, caOnly(ours))).to.deep.equal({ address: '127.0.0.1', identity: null });
    }
  });

  it('closes a TLS connection to a port without TLS, and TLS inside TLS', async () => {
    const plainPort = await startPort(undefined);
    const [host, port] = plainPort.split(':');
    const tlsToPlain = connectTls({ host, port: Number(port), ca: caOnly(ours).ca });
    const closed = await new Promise<string>((resolve) => {
      tlsToPlain.once('error', (err) => resolve(err.message));
      tlsToPlain.once('secureConnect', () => resolve('handshake done'));
    });
    expect(closed).to.not.equal('handshake done');
    tlsToPlain.destroy();
    // Over TLS, the decrypted stream must name a transport: a second ClientHello inside is closed.
    const tlsPort = await startPort(files(ours, 'master', 'm1'));
    const [h2, p2] = tlsPort.split(':');
    const outer = connectTls({ host: h2, port: Number(p2), ca: caOnly(ours).ca });
    await new Promise<void>((resolve, reject) => {
      outer.once('secureConnect', () => resolve());
      outer.once('error', reject);
    });
    outer.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05]));
    await new Promise<void>((resolve) => outer.once('close', () => resolve()));
    // And a plain framed preface on the plain port still works (the sniff was not changed for plain ports).
    const raw = connect(Number(port), host);
    raw.write(CONTROL_FRAME_MAGIC);
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    raw.destroy();
  });
});
