// Metadata operations per second a real master sustains over its control API: master processes started like
// `mooseng cluster up` (1 master, then 3 on Raft; fsync on), 1/16/64 concurrent callers, on each control transport
// in turn per figure (A B, then B A for the next figure, so neither always meets the fuller directory or the
// calmer moment). Every transport plain and over TLS (--tls off,on): the masters have node.tls from `cluster up` and
// take plain connections too (master.allowPlainControl), so both meet the same masters in one sitting; the TLS
// clients have the CA alone. Last line: one JSON object.
// Usage: npm run bench:metadata [-- --seconds 5] [--transports framed,grpc] [--tls off,on]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ControlTransport, controlTransportOf, MasterClient, type CallerCredentials } from '@mooseng/client';
import { type DialTls, replyAttr, S_IFDIR, S_IFREG, silentLogger, SystemClock } from '@mooseng/core';
import { clusterDown, clusterUp } from 'mooseng/dist/cluster/local-cluster';

const ROOT: CallerCredentials = { uid: 0, gids: [0] };
const secondsFlag = process.argv.indexOf('--seconds');
const seconds = secondsFlag >= 0 ? Number(process.argv[secondsFlag + 1]) : 4;
if (!(seconds > 0)) throw new Error('--seconds takes a positive number');
const transportsFlag = process.argv.indexOf('--transports');
const transports: ControlTransport[] = (transportsFlag >= 0 ? (process.argv[transportsFlag + 1] ?? '') : 'framed,grpc')
  .split(',')
  .map((t) => controlTransportOf(t, '--transports'));
const tlsFlag = process.argv.indexOf('--tls');
const tlsModes = (tlsFlag >= 0 ? (process.argv[tlsFlag + 1] ?? '') : 'off,on').split(',').map((m) => {
  if (m !== 'on' && m !== 'off') throw new Error(`--tls takes on, off or both ("off,on"), not "${m}"`);
  return m;
});
/** A transport plain or over TLS: what one figure measures. */
interface Variant {
  transport: ControlTransport;
  tls: 'on' | 'off';
}
const variants: Variant[] = transports.flatMap((transport) => tlsModes.map((tls) => ({ transport, tls })));
const variantName = (v: Variant): string => (v.tls === 'on' ? `${v.transport}_tls` : v.transport);

async function measure(
  masters: string[],
  concurrency: number,
  op: 'create' | 'getattr' | 'mkdir',
  dirIno: number,
  transport: ControlTransport,
  tls: DialTls | null,
): Promise<{ opsPerSec: number; p50ms: number; p99ms: number }> {
  const clients = await Promise.all(
    Array.from({ length: Math.min(concurrency, 8) }, async () => {
      const c = new MasterClient({
        masters,
        logger: silentLogger,
        clock: new SystemClock(),
        sessionInfo: 'bench',
        host: 'bench',
        transport,
        tls,
      });
      await c.connect();
      return c;
    }),
  );
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      const c = clients[w % clients.length]!;
      while (performance.now() < until) {
        const name = `${op}-${transport}${tls ? '-tls' : ''}-c${concurrency}-${w}-${n++}`;
        const t0 = performance.now();
        if (op === 'create')
          await c.call('Mknod', { parent: dirIno, name, mode: S_IFREG | 0o644, rdev: 0, open: false, umask: 0, wantGrant: false }, ROOT);
        else if (op === 'mkdir') await c.call('Mkdir', { parent: dirIno, name, mode: S_IFDIR | 0o755, umask: 0 }, ROOT);
        else await c.call('GetAttr', { ino: dirIno }, ROOT);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  await Promise.all(clients.map((c) => c.close()));
  if (latencies.length === 0)
    throw new Error(`no ${op} call completed within ${seconds} s (${concurrency} callers); see the masters' logs`);
  latencies.sort((a, b) => a - b);
  const q = (p: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(2));
  return { opsPerSec: Math.round(latencies.length / seconds), p50ms: q(0.5), p99ms: q(0.99) };
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  let figure = 0;
  for (const masters of [1, 3]) {
    const dir = mkdtempSync(join(tmpdir(), 'mooseng-mdbench-'));
    try {
      const state = await clusterUp(
        {
          dir,
          masters,
          chunkservers: 0,
          disks: 1,
          clients: 0,
          clusterId: 'bench',
          basePort: 26421,
          masterSettings: { allowPlainControl: true },
        },
        () => undefined,
      );
      const addrs = state.nodes.filter((n) => n.role === 'master').map((n) => `127.0.0.1:${n.port}`);
      const ca: DialTls = { ca: readFileSync(join(state.options.tlsDir!, 'ca.crt')) };
      const setup = new MasterClient({
        masters: addrs,
        logger: silentLogger,
        clock: new SystemClock(),
        sessionInfo: 'bench',
        host: 'bench',
        tls: ca,
      });
      await setup.connect();
      // A directory per figure: a fast sitting's mkdirs would reach a directory's bound on subdirectories otherwise.
      const freshDir = async (name: string): Promise<number> =>
        replyAttr(await setup.call('Mkdir', { parent: 1, name, mode: S_IFDIR | 0o755, umask: 0 }, ROOT), 'Mkdir').ino;
      for (const concurrency of [1, 16, 64]) {
        for (const op of ['create', 'mkdir', 'getattr'] as const) {
          // Alternate which transport goes first, figure by figure.
          const order = figure++ % 2 === 0 ? variants : [...variants].reverse();
          for (const v of order) {
            const dirIno = await freshDir(`${op}-c${concurrency}-${variantName(v)}`);
            const r = await measure(addrs, concurrency, op, dirIno, v.transport, v.tls === 'on' ? ca : null);
            results[`masters${masters}_${op}_c${concurrency}_${variantName(v)}`] = r;
            process.stdout.write(
              `# ${masters} master(s), ${op}, ${concurrency} concurrent, ${variantName(v)}: ${r.opsPerSec} ops/s, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms\n`,
            );
          }
        }
      }
      await setup.close();
    } finally {
      await clusterDown(dir, () => undefined, false);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
