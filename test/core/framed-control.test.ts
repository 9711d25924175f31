// The framed control transport: frames cut anywhere decode the same, one port serves gRPC and framed clients
// side by side, and deadlines, cancellation, unknown methods, oversized requests, leader hints and reconnection
// behave as they do on gRPC. The master's handlers are stand-ins here (the cluster tests run the real ones).
import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { controlTransportOf, MasterClient, openMasterConnection } from '@mooseng/client';
import {
  type ClientMessage,
  type ClientMethodName,
  type ClientToMasterRpcs,
  CLIENT_TO_MASTER_SERVICE,
  clientToMasterService,
  CONTROL_FRAME_HEADER_BYTES,
  CONTROL_FRAME_MAGIC,
  ControlFrameDecoder,
  type ControlFrameHeader,
  ControlFrameKind,
  controlMethodId,
  ControlPort,
  decodeControlError,
  encodeControlFrameHeader,
  ErrorCodes,
  FramedControlClient,
  FramedControlServer,
  grpcUnaryImplementation,
  isMoosengError,
  MoosengError,
  type ReplyOf,
  type RequestOf,
  silentLogger,
  SystemClock,
  type UnaryDispatch,
} from '@mooseng/core';
import { freePort } from '../support';

const service = clientToMasterService().service;
const ATTR: ClientMessage<'Attr'> = {
  ino: 42,
  mode: 0o100644,
  nlink: 1,
  uid: 1000,
  gid: 1000,
  size: 4096,
  rdev: 0,
  atimeMs: 1,
  mtimeMs: 2,
  ctimeMs: 3,
  goal: 2,
  hasXattrs: false,
  storedBytes: 4096,
};
const h = { sessionId: 7, sessionKey: Buffer.alloc(0), requestId: 1, cred: { uid: 0, gids: [0] } };

type Handlers = { [M in ClientMethodName]?: (request: RequestOf<M>) => Promise<ReplyOf<M>> };

/** A served table from a few stand-in handlers; every other method fails with EOPNOTSUPP. */
function standIn(handlers: Handlers): UnaryDispatch<ClientToMasterRpcs> {
  const table: Record<string, (request: unknown, respond: (err: unknown, reply?: unknown) => void) => void> = {};
  for (const name of Object.keys(service)) {
    const handler = (handlers as Record<string, ((r: unknown) => Promise<unknown>) | undefined>)[name];
    table[name] = (request, respond) => {
      if (!handler) return respond(new MoosengError(ErrorCodes.EOPNOTSUPP, `${name} is not in this stand-in`));
      handler(request).then(
        (reply) => respond(null, reply),
        (err: unknown) => respond(err),
      );
    };
  }
  return table as unknown as UnaryDispatch<ClientToMasterRpcs>;
}

interface Started {
  port: ControlPort;
  address: string;
}

const started: ControlPort[] = [];
const clients: Array<{ close(): void | Promise<void> }> = [];

async function startPort(
  handlers: Handlers,
  options: { port?: number; maxPayloadBytes?: number; maxInFlightPerConnection?: number } = {},
): Promise<Started> {
  const dispatch = standIn(handlers);
  const port = await ControlPort.start({
    host: '127.0.0.1',
    port: options.port ?? 0,
    // The gRPC side of the same stand-in, built as the master builds its own (ClientApi.service()).
    grpcServices: [{ definition: service, implementation: grpcUnaryImplementation(dispatch) }],
    framed: new FramedControlServer({
      definition: service,
      dispatch,
      serviceName: CLIENT_TO_MASTER_SERVICE,
      logger: silentLogger,
      maxPayloadBytes: options.maxPayloadBytes,
      maxInFlightPerConnection: options.maxInFlightPerConnection,
    }),
    logger: silentLogger,
  });
  started.push(port);
  return { port, address: `127.0.0.1:${port.port}` };
}

function framedClient(address: string): FramedControlClient<ClientToMasterRpcs> {
  const c = new FramedControlClient<ClientToMasterRpcs>(address, {
    definition: service,
    reconnectBackoffMs: 20,
    reconnectBackoffMaxMs: 50,
  });
  clients.push(c);
  return c;
}

/** A raw framed connection: the preface, then whatever frames a test writes; the frames it gets back. */
async function rawConnection(address: string): Promise<{
  socket: Socket;
  frames: Array<{ head: ControlFrameHeader; payload: Buffer }>;
  next: () => Promise<{ head: ControlFrameHeader; payload: Buffer }>;
}> {
  const [host, port] = address.split(':');
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(Number(port), host, () => resolve(s));
    s.once('error', reject);
  });
  socket.write(CONTROL_FRAME_MAGIC);
  const frames: Array<{ head: ControlFrameHeader; payload: Buffer }> = [];
  let wake: (() => void) | null = null;
  const decoder = new ControlFrameDecoder({
    frame: (head, payload) => {
      frames.push({ head, payload: Buffer.from(payload) });
      wake?.();
    },
    oversized: () => expect.fail('the master sent an oversized frame'),
  });
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  clients.push({ close: () => void socket.destroy() });
  const next = async (): Promise<{ head: ControlFrameHeader; payload: Buffer }> => {
    while (frames.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return frames.shift()!;
  };
  return { socket, frames, next };
}

function requestFrame(requestId: number, methodId: number, payload: Buffer, timeoutMs = 10_000): Buffer {
  return Buffer.concat([
    encodeControlFrameHeader({ kind: ControlFrameKind.REQUEST, requestId, methodId, timeoutMs, status: 0 }, payload.length),
    payload,
  ]);
}

async function expectError(p: Promise<unknown>, code: string): Promise<MoosengError> {
  try {
    await p;
  } catch (err) {
    expect(isMoosengError(err), String(err)).to.equal(true);
    expect((err as MoosengError).code, (err as Error).message).to.equal(code);
    return err as MoosengError;
  }
  return expect.fail(`expected ${code}, the call succeeded`);
}

describe('framed control transport', function () {
  this.timeout(30_000);

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const p of started.splice(0)) await p.stop(200);
  });

  it('decodes the same frames however the bytes are cut', () => {
    const bodies = [Buffer.alloc(0), Buffer.from('a'), Buffer.alloc(3000, 7), Buffer.from('last')];
    const stream = Buffer.concat(bodies.map((b, i) => requestFrame(i + 1, 0xdeadbeef, b, 500 + i)));
    for (const cut of [1, 3, CONTROL_FRAME_HEADER_BYTES, 1000, stream.length]) {
      const got: Array<{ head: ControlFrameHeader; payload: Buffer }> = [];
      const decoder = new ControlFrameDecoder({
        frame: (head, payload) => got.push({ head, payload: Buffer.from(payload) }),
        oversized: () => expect.fail('no frame is over the bound'),
      });
      for (let at = 0; at < stream.length; at += cut) decoder.push(stream.subarray(at, at + cut));
      expect(
        got.map((f) => f.head.requestId),
        `cut every ${cut} bytes`,
      ).to.deep.equal([1, 2, 3, 4]);
      expect(got.map((f) => f.payload.equals(bodies[f.head.requestId - 1]!))).to.deep.equal([true, true, true, true]);
      expect(got.map((f) => [f.head.kind, f.head.methodId, f.head.timeoutMs])).to.deep.equal(
        bodies.map((_, i) => [ControlFrameKind.REQUEST, 0xdeadbeef, 500 + i]),
      );
    }
  });

  it('takes the transport from MOOSENG_CONTROL_TRANSPORT, framed when unset, and refuses another naming the choices', () => {
    expect(controlTransportOf(undefined)).to.equal('framed');
    expect(controlTransportOf('grpc')).to.equal('grpc');
    expect(() => controlTransportOf('http3'))
      .to.throw(MoosengError)
      .with.property('message', 'MOOSENG_CONTROL_TRANSPORT is "http3"; set it to one of framed, grpc');
  });

  it('names each method by the CRC32 of its gRPC path', () => {
    // @node-rs/crc32's crc32 of the path, as the protocol page states it.
    expect(controlMethodId('/mooseng.client.ClientToMaster/Lookup')).to.equal(1539997218);
    expect(service.Lookup.path).to.equal('/mooseng.client.ClientToMaster/Lookup');
  });

  it('serves gRPC and framed clients on one port, with the same handlers, and counts both', async () => {
    const seen: string[] = [];
    const { port, address } = await startPort({
      Lookup: async (req) => {
        seen.push(req.name);
        return { attr: { ...ATTR, ino: req.parent * 10 } };
      },
    });
    const framed = openMasterConnection(address, 'framed');
    const grpcOne = openMasterConnection(address, 'grpc');
    clients.push(framed, grpcOne);
    const a = await framed.call('Lookup', { h, parent: 1, name: 'via-framed' }, { timeoutMs: 5_000 });
    const b = await grpcOne.call('Lookup', { h, parent: 2, name: 'via-grpc' }, { timeoutMs: 5_000 });
    expect(a.attr?.ino).to.equal(10);
    expect(b.attr?.ino).to.equal(20);
    expect(seen).to.deep.equal(['via-framed', 'via-grpc']);
    expect(port.connections()).to.deep.equal({ grpc: 1, framed: 1 });
    // Errors keep their MooseNG code on both.
    await expectError(framed.call('GetAttr', { h, ino: 1 }, { timeoutMs: 5_000 }), ErrorCodes.EOPNOTSUPP);
    await expectError(grpcOne.call('GetAttr', { h, ino: 1 }, { timeoutMs: 5_000 }), ErrorCodes.EOPNOTSUPP);
  });

  it('tells the framed preface even when it comes a byte at a time', async () => {
    const { address } = await startPort({ GetAttr: async (req) => ({ attr: { ...ATTR, ino: req.ino } }) });
    const [host, p] = address.split(':');
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(Number(p), host, () => resolve(s));
      s.once('error', reject);
    });
    clients.push({ close: () => void socket.destroy() });
    socket.setNoDelay(true); // each byte its own segment, as far as the kernel lets it
    const replies: ControlFrameHeader[] = [];
    const decoder = new ControlFrameDecoder({ frame: (head) => replies.push(head), oversized: () => undefined });
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    const bytes = Buffer.concat([
      CONTROL_FRAME_MAGIC,
      requestFrame(3, controlMethodId(service.GetAttr.path), service.GetAttr.requestSerialize({ h, ino: 3 })),
    ]);
    for (const byte of bytes) {
      socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    while (replies.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect([replies[0]!.requestId, replies[0]!.kind]).to.deep.equal([3, ControlFrameKind.REPLY]);
  });

  it('closes a connection that speaks neither protocol', async () => {
    const { address } = await startPort({});
    const [host, p] = address.split(':');
    const socket = connect(Number(p), host);
    clients.push({ close: () => void socket.destroy() });
    socket.write('GET / HTTP/1.1\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  });

  it('fails a call at its deadline with TIMEOUT, and sends the deadline along', async () => {
    let timeoutSeen = -1;
    const { address } = await startPort({ Lookup: () => new Promise(() => undefined) });
    const client = framedClient(address);
    const err = await expectError(client.call('Lookup', { h, parent: 1, name: 'slow' }, { timeoutMs: 150 }), ErrorCodes.TIMEOUT);
    expect(err.message).to.contain('150 ms');
    // The header carries what is left of the deadline.
    const decoder = new ControlFrameDecoder({ frame: (head) => (timeoutSeen = head.timeoutMs), oversized: () => undefined });
    decoder.push(requestFrame(9, controlMethodId(service.Lookup.path), Buffer.alloc(0), 1234));
    expect(timeoutSeen).to.equal(1234);
  });

  it('answers a call that comes back after its deadline with TIMEOUT', async () => {
    const { address } = await startPort({ Lookup: () => new Promise((resolve) => setTimeout(() => resolve({ attr: ATTR }), 120)) });
    const raw = await rawConnection(address);
    const body = service.Lookup.requestSerialize({ h, parent: 1, name: 'late' });
    raw.socket.write(requestFrame(5, controlMethodId(service.Lookup.path), body, 20));
    const { head, payload } = await raw.next();
    expect(head.requestId).to.equal(5);
    expect(head.kind).to.equal(ControlFrameKind.ERROR);
    expect(decodeControlError(head.status, payload, 'Lookup').code).to.equal(ErrorCodes.TIMEOUT);
  });

  it('aborts a call when its signal fires', async () => {
    const { address } = await startPort({ Lookup: () => new Promise(() => undefined) });
    const client = framedClient(address);
    const abort = new AbortController();
    const call = client.call('Lookup', { h, parent: 1, name: 'x' }, { timeoutMs: 10_000, signal: abort.signal });
    setImmediate(() => abort.abort());
    await expectError(call, ErrorCodes.ABORTED);
  });

  it('refuses an unknown method with a status that names it, and goes on serving', async () => {
    const { address } = await startPort({ GetAttr: async () => ({ attr: ATTR }) });
    const raw = await rawConnection(address);
    raw.socket.write(requestFrame(1, 0x12345678, Buffer.alloc(0)));
    raw.socket.write(requestFrame(2, controlMethodId(service.GetAttr.path), service.GetAttr.requestSerialize({ h, ino: 42 })));
    const first = await raw.next();
    expect(first.head.requestId).to.equal(1);
    expect(first.head.kind).to.equal(ControlFrameKind.ERROR);
    const err = decodeControlError(first.head.status, first.payload, 'call');
    expect(err.code).to.equal(ErrorCodes.PROTOCOL_ERROR);
    expect(err.message).to.contain('0x12345678').and.to.contain(CLIENT_TO_MASTER_SERVICE);
    const second = await raw.next();
    expect(second.head.requestId).to.equal(2);
    expect(second.head.kind).to.equal(ControlFrameKind.REPLY);
    expect(service.GetAttr.responseDeserialize(second.payload).attr?.ino).to.equal(42);
  });

  it('refuses a request over the frame bound without reading it into memory, and goes on serving', async () => {
    const { address } = await startPort({ GetAttr: async () => ({ attr: ATTR }) }, { maxPayloadBytes: 1024 });
    const raw = await rawConnection(address);
    raw.socket.write(requestFrame(1, controlMethodId(service.GetAttr.path), Buffer.alloc(4096, 1)));
    raw.socket.write(requestFrame(2, controlMethodId(service.GetAttr.path), service.GetAttr.requestSerialize({ h, ino: 42 })));
    const first = await raw.next();
    expect(first.head.requestId).to.equal(1);
    const err = decodeControlError(first.head.status, first.payload, 'GetAttr');
    expect(err.code).to.equal(ErrorCodes.FRAME_TOO_LARGE);
    expect(err.message).to.contain('4096').and.to.contain('1024');
    const second = await raw.next();
    expect([second.head.requestId, second.head.kind]).to.deep.equal([2, ControlFrameKind.REPLY]);
    // The client refuses to send one in the first place.
    const client = new FramedControlClient<ClientToMasterRpcs>(address, { definition: service, maxPayloadBytes: 16 });
    clients.push(client);
    await expectError(
      client.call('Lookup', { h, parent: 1, name: 'a name longer than sixteen bytes' }, { timeoutMs: 1_000 }),
      ErrorCodes.FRAME_TOO_LARGE,
    );
  });

  it('holds a connection to its bound of calls in flight, even when more arrive in one read, and serves the rest in turn', async () => {
    const waiting: Array<() => void> = [];
    const { address } = await startPort(
      { GetAttr: (req) => new Promise((resolve) => waiting.push(() => resolve({ attr: { ...ATTR, ino: req.ino } }))) },
      { maxInFlightPerConnection: 2 },
    );
    const raw = await rawConnection(address);
    const id = controlMethodId(service.GetAttr.path);
    // Five requests in one write: they reach the master in one read.
    raw.socket.write(Buffer.concat([1, 2, 3, 4, 5].map((n) => requestFrame(n, id, service.GetAttr.requestSerialize({ h, ino: n })))));
    const handlersRunning = async (n: number): Promise<void> => {
      while (waiting.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await handlersRunning(2);
    // Settle every turn of the event loop the socket could need; the master still runs only two.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(waiting).to.have.length(2);
    const answered: number[] = [];
    for (let served = 0; served < 5; served++) {
      await handlersRunning(served + 1);
      waiting[served]!();
      answered.push((await raw.next()).head.requestId);
    }
    expect(answered).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('carries a NOT_LEADER hint, which the master client follows straight to the leader', async () => {
    const leader = await startPort({
      OpenSession: async () => ({
        sessionId: 99,
        clusterId: 'test',
        rootIno: 1,
        sessionTimeoutMs: 0,
        sessionKey: Buffer.alloc(0),
        durableWhenAcknowledged: false,
      }),
      GetAttr: async (req) => ({ attr: { ...ATTR, ino: req.ino } }),
    });
    const asked: string[] = [];
    const notLeader = (): never => {
      throw new MoosengError(ErrorCodes.NOT_LEADER, 'not the leader', { details: { leaderAddress: leader.address } });
    };
    const follower = await startPort({ OpenSession: async () => notLeader(), GetAttr: async () => notLeader() });
    const bystander = await startPort({
      OpenSession: async () => {
        asked.push('OpenSession');
        throw new MoosengError(ErrorCodes.UNAVAILABLE, 'no leader known');
      },
    });
    const direct = framedClient(follower.address);
    const err = await expectError(direct.call('GetAttr', { h, ino: 5 }, { timeoutMs: 5_000 }), ErrorCodes.NOT_LEADER);
    expect(err.details.leaderAddress).to.equal(leader.address);

    const client = new MasterClient({
      masters: [follower.address, bystander.address, leader.address],
      logger: silentLogger,
      clock: new SystemClock(),
      sessionInfo: 'test',
      host: 'test',
      transport: 'framed',
    });
    clients.push(client);
    expect((await client.connect()).sessionId).to.equal(99);
    expect(client.currentLeader).to.equal(leader.address);
    expect(asked, 'the hint skips the master in between').to.deep.equal([]);
    expect((await client.call('GetAttr', { ino: 77 }, { uid: 0, gids: [0] })).attr?.ino).to.equal(77);
  });

  it('lets a stopping master answer the calls in flight before it closes the connection', async () => {
    const gate: { open?: () => void } = {};
    const { port, address } = await startPort({
      GetAttr: (req) => new Promise((resolve) => (gate.open = () => resolve({ attr: { ...ATTR, ino: req.ino } }))),
    });
    const client = framedClient(address);
    const inFlight = client.call('GetAttr', { h, ino: 8 }, { timeoutMs: 5_000 });
    while (!gate.open) await new Promise((resolve) => setImmediate(resolve));
    const stopped = port.stop(5_000);
    started.splice(started.indexOf(port), 1);
    gate.open();
    expect((await inFlight).attr?.ino).to.equal(8);
    await stopped;
    expect(port.connections()).to.deep.equal({ grpc: 0, framed: 0 });
  });

  it('fails calls on a lost connection with UNAVAILABLE and reconnects once the master is back', async () => {
    const port = await freePort();
    const first = await startPort({ GetAttr: async (req) => ({ attr: { ...ATTR, ino: req.ino } }) }, { port });
    const address = `127.0.0.1:${port}`;
    const client = framedClient(address);
    expect((await client.call('GetAttr', { h, ino: 1 }, { timeoutMs: 5_000 })).attr?.ino).to.equal(1);
    await first.port.stop(100);
    started.splice(started.indexOf(first.port), 1);
    await expectError(client.call('GetAttr', { h, ino: 2 }, { timeoutMs: 5_000 }), ErrorCodes.UNAVAILABLE);
    await startPort({ GetAttr: async (req) => ({ attr: { ...ATTR, ino: req.ino + 1000 } }) }, { port });
    // Within the backoff a call fails at once; after it, the next one connects.
    let reply: ReplyOf<'GetAttr'> | null = null;
    for (let i = 0; i < 100 && !reply; i++) {
      reply = await client.call('GetAttr', { h, ino: 3 }, { timeoutMs: 5_000 }).catch((err: MoosengError) => {
        expect(err.code).to.equal(ErrorCodes.UNAVAILABLE);
        return new Promise<null>((resolve) => setTimeout(() => resolve(null), 20));
      });
    }
    expect(reply?.attr?.ino).to.equal(1003);
  });
});
