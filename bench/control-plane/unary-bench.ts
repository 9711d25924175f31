// The control transports as the product has them, for the control plane's hot methods (Lookup, GetAttr): a
// ControlPort in a child process serving both gRPC-js unary and the framed control transport on its one port, its
// handlers answering at once (so only the transport is measured), and the client's own master connections
// (openMasterConnection, 'grpc' and 'framed'), each plain and over TLS (the port has node.tls and takes plain
// connections too, master.allowPlainControl, so both meet the same server; the TLS clients show a client
// certificate, as a mount of `cluster up` does). Interleaved A B C D A B C D; 1 and 16 calls in flight. Last line:
// one JSON object. Usage: npm run bench:control-plane [-- --seconds 3]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMasterConnection, type ControlTransport, type MasterConnection } from '@mooseng/client';
import { caFiles, initCa, issueCertificate } from 'mooseng/dist/certs/certificate-authority';
import {
  CLIENT_TO_MASTER_SERVICE,
  type ClientToMasterRpcs,
  clientToMasterService,
  ControlPort,
  FramedControlServer,
  grpcUnaryImplementation,
  type NodeTls,
  type ReplyOf,
  type RequestOf,
  silentLogger,
  type UnaryDispatch,
} from '@mooseng/core';

const secondsFlag = process.argv.indexOf('--seconds');
const seconds = secondsFlag >= 0 ? Number(process.argv[secondsFlag + 1]) : 3;
if (!(seconds > 0)) throw new Error('--seconds takes a positive number');

/** The methods measured, alternated. */
const METHODS = ['Lookup', 'GetAttr'] as const;
type Hot = (typeof METHODS)[number];

const h = { sessionId: 1234567, sessionKey: Buffer.alloc(16, 7), requestId: 1, cred: { uid: 1000, gids: [1000, 27, 100] } };
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

/** The CA and a certificate for `name` (OU `role`) in `dir`, read into memory. */
function credentials(dir: string, role: 'master' | 'client', name: string): NodeTls {
  const files = issueCertificate(dir, { role, name, hosts: ['127.0.0.1'] });
  return { ca: readFileSync(caFiles(dir).cert), cert: readFileSync(files.cert), key: readFileSync(files.key) };
}

async function serve(tlsDir: string): Promise<void> {
  const service = clientToMasterService().service;
  // The served table a master builds in ClientApi.dispatch(), here answering the hot methods at once.
  const dispatch = Object.fromEntries(
    Object.keys(service).map((name) => [
      name,
      (_request: unknown, respond: (err: unknown, reply?: unknown) => void) => respond(null, REPLY),
    ]),
  ) as unknown as UnaryDispatch<ClientToMasterRpcs>;
  const port = await ControlPort.start({
    host: '127.0.0.1',
    port: 0,
    grpcServices: [{ definition: service, implementation: grpcUnaryImplementation(dispatch) }],
    framed: new FramedControlServer({ definition: service, dispatch, serviceName: CLIENT_TO_MASTER_SERVICE, logger: silentLogger }),
    logger: silentLogger,
    tls: credentials(tlsDir, 'master', 'm1'),
    allowPlain: true,
  });
  process.send!({ port: port.port });
  process.on('disconnect', () => process.exit(0));
}

// ---- clients ---------------------------------------------------------------------------------------------------

type Call = (method: Hot) => Promise<unknown>;

function caller(connection: MasterConnection): Call {
  return (method) => connection.call(method, REQUESTS[method], { timeoutMs: 10_000 });
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
  const tlsDir = join(mkdtempSync(join(tmpdir(), 'mooseng-cpbench-')), 'tls');
  initCa(tlsDir, 'bench');
  const child: ChildProcess = fork(__filename, ['--serve', tlsDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { port: number }));
      child.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before it listened`)));
    });
    // Both on the one port, as clients meet a master.
    const client = credentials(tlsDir, 'client', 'client1');
    const connections: Record<`${ControlTransport}${'' | '_tls'}`, MasterConnection> = {
      grpc: openMasterConnection(`127.0.0.1:${port}`, 'grpc'),
      framed: openMasterConnection(`127.0.0.1:${port}`, 'framed'),
      grpc_tls: openMasterConnection(`127.0.0.1:${port}`, 'grpc', client),
      framed_tls: openMasterConnection(`127.0.0.1:${port}`, 'framed', client),
    };
    const results: Record<string, unknown[]> = {};
    for (const inFlight of [1, 16]) {
      for (const round of [1, 2]) {
        for (const name of ['grpc', 'framed', 'grpc_tls', 'framed_tls'] as const) {
          const r = await measure(caller(connections[name]), inFlight);
          (results[`${name}_c${inFlight}`] ??= []).push(r);
          process.stdout.write(
            `# ${name.padEnd(10)} ${inFlight} in flight, round ${round}: ${r.callsPerSec} calls/s, p50 ${r.p50us} µs, p99 ${r.p99us} µs, client CPU ${r.cpuUsPerCall} µs/call\n`,
          );
        }
      }
    }
    for (const c of Object.values(connections)) c.close();
    process.stdout.write(JSON.stringify(results) + '\n');
  } finally {
    child.kill();
    rmSync(join(tlsDir, '..'), { recursive: true, force: true });
  }
}

const serveFlag = process.argv.indexOf('--serve');
if (serveFlag >= 0) void serve(process.argv[serveFlag + 1]!);
else
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
