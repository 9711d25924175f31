// gRPC-js unary calls against a framed protocol over plain TCP, for the control plane's hot methods (Lookup,
// GetAttr): the same protobuf messages from client.proto (the service definition's own serializers) either way, a
// server in a child process answering at once, so only the transport is measured. Interleaved A B A B; 1 and 16
// calls in flight. Last line: one JSON object. Usage: npm run bench:control-plane [-- --seconds 3]
import { fork, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { callUnary, clientToMasterService, type ReplyOf, type RequestOf } from '@mooseng/core';

const secondsFlag = process.argv.indexOf('--seconds');
const seconds = secondsFlag >= 0 ? Number(process.argv[secondsFlag + 1]) : 3;
if (!(seconds > 0)) throw new Error('--seconds takes a positive number');

/** The methods measured, by their index in the framed protocol's header. */
const METHODS = ['Lookup', 'GetAttr'] as const;
type Hot = (typeof METHODS)[number];
/** Framed header: payload length (u32), method index (u16), request id (u32). */
const HEADER_BYTES = 10;

const h = { sessionId: 1234567, requestId: 1, cred: { uid: 1000, gids: [1000, 27, 100] } };
const ATTR = {
  ino: 123456,
  mode: 0o100644,
  nlink: 1,
  uid: 1000,
  gid: 1000,
  size: 4096,
  rdev: 0,
  atimeMs: 1_764_000_000_000,
  mtimeMs: 1_764_000_000_000,
  ctimeMs: 1_764_000_000_000,
  goal: 2,
  hasXattrs: false,
  storedBytes: 4096,
};
const REQUESTS: { [M in Hot]: RequestOf<M> } = {
  Lookup: { h, parent: 98765, name: 'file-00042.txt' },
  GetAttr: { h, ino: 123456 },
};
const REPLY: ReplyOf<'Lookup'> = { attr: ATTR };

// ---- server (the child) ----------------------------------------------------------------------------------------

async function serve(): Promise<void> {
  const service = clientToMasterService().service;
  const server = new grpc.Server();
  const answer: grpc.handleUnaryCall<unknown, unknown> = (_call, callback) => callback(null, REPLY);
  server.addService(service, { Lookup: answer, GetAttr: answer });
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
  const framed = createServer((socket) => {
    let pending: Buffer = Buffer.alloc(0);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const out: Buffer[] = [];
      while (pending.length >= HEADER_BYTES) {
        const length = pending.readUInt32BE(0);
        if (pending.length < HEADER_BYTES + length) break;
        const method = METHODS[pending.readUInt16BE(4)]!;
        const id = pending.readUInt32BE(6);
        // Decoded as a real server would, though the answer does not depend on it.
        service[method].requestDeserialize(pending.subarray(HEADER_BYTES, HEADER_BYTES + length));
        pending = pending.subarray(HEADER_BYTES + length);
        out.push(frame(METHODS.indexOf(method), id, service[method].responseSerialize(REPLY)));
      }
      if (out.length > 0) socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
    });
    socket.on('error', () => socket.destroy());
  });
  const framedPort = await new Promise<number>((resolve) =>
    framed.listen(0, '127.0.0.1', () => resolve((framed.address() as { port: number }).port)),
  );
  process.send!({ grpcPort, framedPort });
  process.on('disconnect', () => process.exit(0));
}

function frame(method: number, id: number, payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt16BE(method, 4);
  header.writeUInt32BE(id, 6);
  return Buffer.concat([header, payload]);
}

// ---- clients ---------------------------------------------------------------------------------------------------

type Call = (method: Hot) => Promise<unknown>;

function grpcCaller(port: number): { call: Call; close: () => void } {
  const Service = clientToMasterService();
  const stub = new Service(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call: Call = (method) =>
    new Promise((resolve, reject) =>
      callUnary(stub, Service.service, method, REQUESTS[method], new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err, reply) =>
        err ? reject(err) : resolve(reply),
      ),
    );
  return { call, close: () => stub.close() };
}

async function framedCaller(port: number): Promise<{ call: Call; close: () => void }> {
  const service = clientToMasterService().service;
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  const waiting = new Map<number, { method: Hot; resolve: (r: unknown) => void }>();
  let nextId = 1;
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= HEADER_BYTES) {
      const length = pending.readUInt32BE(0);
      if (pending.length < HEADER_BYTES + length) break;
      const id = pending.readUInt32BE(6);
      const w = waiting.get(id)!;
      waiting.delete(id);
      w.resolve(service[w.method].responseDeserialize(pending.subarray(HEADER_BYTES, HEADER_BYTES + length)));
      pending = pending.subarray(HEADER_BYTES + length);
    }
  });
  const call: Call = (method) =>
    new Promise((resolve) => {
      const id = nextId++ >>> 0;
      waiting.set(id, { method, resolve });
      socket.write(frame(METHODS.indexOf(method), id, service[method].requestSerialize(REQUESTS[method] as never)));
    });
  return { call, close: () => socket.destroy() };
}

async function measure(call: Call, inFlight: number): Promise<{ callsPerSec: number; p50us: number; p99us: number; cpuUsPerCall: number }> {
  // Warm up (connections, JIT) before the clock starts.
  for (let i = 0; i < 200; i++) await call(METHODS[i % 2]!);
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, w) => {
      for (let i = w; performance.now() < until; i++) {
        const t0 = performance.now();
        await call(METHODS[i % 2]!);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const q = (p: number): number => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! * 1000);
  return {
    callsPerSec: Math.round(latencies.length / seconds),
    p50us: q(0.5),
    p99us: q(0.99),
    cpuUsPerCall: Math.round((cpu.user + cpu.system) / latencies.length),
  };
}

async function main(): Promise<void> {
  const child: ChildProcess = fork(__filename, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const ports = await new Promise<{ grpcPort: number; framedPort: number }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { grpcPort: number; framedPort: number }));
      child.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before it listened`)));
    });
    const grpcClient = grpcCaller(ports.grpcPort);
    const framedClient = await framedCaller(ports.framedPort);
    const results: Record<string, unknown[]> = {};
    for (const inFlight of [1, 16]) {
      for (const round of [1, 2]) {
        for (const [name, client] of [
          ['grpc', grpcClient],
          ['framed', framedClient],
        ] as const) {
          const r = await measure(client.call, inFlight);
          (results[`${name}_c${inFlight}`] ??= []).push(r);
          process.stdout.write(
            `# ${name.padEnd(6)} ${inFlight} in flight, round ${round}: ${r.callsPerSec} calls/s, p50 ${r.p50us} µs, p99 ${r.p99us} µs, client CPU ${r.cpuUsPerCall} µs/call\n`,
          );
        }
      }
    }
    grpcClient.close();
    framedClient.close();
    process.stdout.write(JSON.stringify(results) + '\n');
  } finally {
    child.kill();
  }
}

if (process.argv.includes('--serve')) void serve();
else
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
