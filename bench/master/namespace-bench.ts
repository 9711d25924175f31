// Benchmark of the master state machine: apply() operations per second, heap per inode at 1 M files, snapshot cost,
// and what the repair loop's scans cost (a whole scan per chunk, one bounded pass).
// Run with `npm run bench:master` (node --expose-gc); the last line printed is one JSON object with every figure.
import {
  ChunkLocations,
  ChunkSweep,
  SWEEP_CHUNKS_PER_PASS,
  encodeCommand,
  NamespaceStateMachine,
  type CommandBody,
  type Credentials,
} from '@mooseng/master';

/** Files created for the heap measurement. */
const FILES = Number(process.env.MOOSENG_BENCH_FILES ?? 1_000_000);
/** Files per directory (so directories stay realistic: 1 000 of them at 1 M files). */
const FILES_PER_DIR = 1000;
/** Commands encoded ahead of each timed apply() batch (kept small so they do not distort the heap figure). */
const BATCH = 10_000;
/** Operations of each kind in the mixed-operation phase. */
const MIXED_OPS = 200_000;

const ROOT: Credentials = { uid: 0, gids: [0] };
const USER: Credentials = { uid: 1000, gids: [1000] };
const SESSION = 4242;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) throw new Error('run with node --expose-gc (npm run bench:master does)');
  g();
  g();
}

function print(line: string): void {
  process.stdout.write(line + '\n');
}

class Driver {
  index = 0;
  requestId = 0;
  now = 1_700_000_000_000;
  applyNs = 0n;
  applied = 0;
  constructor(readonly sm: NamespaceStateMachine) {}

  /** Encodes `n` bodies in batches and times only apply() (decode + apply + encode result), as a follower runs it. */
  run(n: number, body: (i: number) => CommandBody): { opsPerSec: number; errors: number } {
    const startNs = this.applyNs;
    let errors = 0;
    for (let done = 0; done < n; done += BATCH) {
      const cmds: Uint8Array[] = [];
      for (let i = done; i < Math.min(n, done + BATCH); i++) {
        this.now += 1;
        cmds.push(encodeCommand({ sessionId: SESSION, requestId: ++this.requestId, now: this.now, ...body(i) }));
      }
      const t0 = process.hrtime.bigint();
      for (const c of cmds) {
        const r = this.sm.apply(c, ++this.index);
        if (r[1] === 255) errors++; // result kind byte: error
      }
      this.applyNs += process.hrtime.bigint() - t0;
      this.applied += cmds.length;
    }
    const ns = Number(this.applyNs - startNs);
    return { opsPerSec: Math.round(n / (ns / 1e9)), errors };
  }
}

/**
 * What the repair loop's look at every chunk costs (the replica map as three chunkservers at goal 2 fill it): the
 * median of five full scans of each kind, in nanoseconds per chunk; and one pass of the bounded sweep it runs.
 */
function repairScan(
  sm: NamespaceStateMachine,
  firstId: number,
  n: number,
): { classifyNsPerChunk: number; surplusNsPerChunk: number; sweepPassMs: number } {
  const locations = new ChunkLocations();
  const servers = ['cs1', 'cs2', 'cs3'];
  for (const s of servers) locations.register(s, []);
  for (let i = 0; i < n; i++) {
    locations.addReplica(servers[i % 3]!, firstId + i, 1);
    locations.addReplica(servers[(i + 1) % 3]!, firstId + i, 1);
  }
  const median = (run: () => void): number => {
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = process.hrtime.bigint();
      run();
      times.push(Number(process.hrtime.bigint() - t0) / n);
    }
    return Math.round(times.sort((a, b) => a - b)[2]!);
  };
  // What the repair loop spends per pass now: the sweep's part of the catalog and of the replica map.
  const sweep = new ChunkSweep(locations);
  const passMs = (): number => {
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = process.hrtime.bigint();
      sweep.pass(sm, 200);
      sweep.surplus(sm, 200);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return +times.sort((a, b) => a - b)[2]!.toFixed(2);
  };
  return {
    classifyNsPerChunk: median(() => locations.classify(sm, 200)),
    surplusNsPerChunk: median(() => locations.surplusReplicas(sm, 200)),
    sweepPassMs: passMs(),
  };
}

async function main(): Promise<void> {
  gc();
  const heapBase = process.memoryUsage().heapUsed;
  const sm = new NamespaceStateMachine({ defaultGoal: 2 });
  const d = new Driver(sm);
  d.run(1, () => ({ op: 'openSession', info: 'bench' }));
  const dirs = Math.ceil(FILES / FILES_PER_DIR);
  const mkdir = d.run(dirs, (i) => ({ op: 'mkdir', parent: 1, name: `d${i}`, mode: 0o777, cred: ROOT }));
  // Directory i got inode 2 + i: the counter is part of the state, so this is known in advance.
  const create = d.run(FILES, (i) => ({
    op: 'mknod',
    parent: 2 + Math.floor(i / FILES_PER_DIR),
    name: `file-${i}.dat`,
    mode: 0o100644,
    rdev: 0,
    open: false,
    cred: USER,
  }));
  gc();
  const heapFiles = process.memoryUsage().heapUsed;
  const inodes = sm.statfs().inodes;
  const bytesPerInode = Math.round((heapFiles - heapBase) / inodes);
  print(`created ${FILES} files in ${dirs} directories: ${create.opsPerSec} creates/s (errors ${create.errors + mkdir.errors})`);
  print(`heap: ${((heapFiles - heapBase) / 2 ** 20).toFixed(1)} MiB for ${inodes} inodes = ${bytesPerInode} bytes/inode`);

  const firstFile = 2 + dirs;
  const n = Math.min(MIXED_OPS, FILES);
  const setattr = d.run(n, (i) => ({
    op: 'setattr',
    ino: firstFile + i,
    mask: 1 | 32,
    mode: 0o600,
    uid: 0,
    gid: 0,
    size: 0,
    atime: 0,
    mtime: i,
    cred: USER,
  }));
  // New chunks as a leader records them: ids reserved in blocks (one command per 1 024), each created, then granted.
  const firstId = d.sm.tree.chunkTable.nextChunkId;
  d.run(Math.ceil(n / 1024), () => ({ op: 'reserveChunkIds', count: 1024 }));
  const chunk = d.run(n, (i) => ({
    op: 'grantChunkWrite',
    ino: firstFile + i,
    chunkIndex: 0,
    chunkId: firstId + i,
    version: 1,
    servers: ['cs1', 'cs2'],
    cred: USER,
  }));
  const commit = d.run(n, (i) => ({
    op: 'commitChunkWrite',
    ino: firstFile + i,
    chunkIndex: 0,
    chunkId: firstId + i,
    version: 1,
    length: 4096,
    cred: USER,
  }));
  const scan = repairScan(sm, firstId, n);
  print(
    `repair scan over ${n} chunks on 3 servers (2 replicas each): classify ${scan.classifyNsPerChunk} ns/chunk, surplus ${scan.surplusNsPerChunk} ns/chunk (a whole scan each); one repair pass (a bounded sweep of ${SWEEP_CHUNKS_PER_PASS} of each) ${scan.sweepPassMs} ms`,
  );
  const rename = d.run(n, (i) => ({
    op: 'rename',
    parent: 2 + Math.floor(i / FILES_PER_DIR),
    name: `file-${i}.dat`,
    newParent: 2 + ((Math.floor(i / FILES_PER_DIR) + 1) % dirs),
    newName: `moved-${i}`,
    flags: 0,
    cred: USER,
  }));
  const mkdir2 = d.run(n, (i) => ({ op: 'mkdir', parent: 2 + (i % dirs), name: `sub-${i}`, mode: 0o755, cred: USER }));
  const lookupStart = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sm.lookup(2 + ((Math.floor(i / FILES_PER_DIR) + 1) % dirs), `moved-${i}`, USER);
  const lookupPerSec = Math.round(n / (Number(process.hrtime.bigint() - lookupStart) / 1e9));
  print(
    `apply(): mkdir ${mkdir2.opsPerSec}/s, setattr ${setattr.opsPerSec}/s, open-chunk-for-write ${chunk.opsPerSec}/s, commit-write ${commit.opsPerSec}/s, rename ${rename.opsPerSec}/s (errors ${mkdir2.errors + setattr.errors + chunk.errors + commit.errors + rename.errors}); lookup query ${lookupPerSec}/s`,
  );

  gc();
  const heapBeforeSnap = process.memoryUsage().heapUsed;
  const rssBeforeSnap = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  let snapBytes = 0;
  let pieces = 0;
  for (const piece of sm.snapshotPieces()) {
    snapBytes += piece.length;
    pieces++;
  }
  const snapMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const snap = await sm.snapshot();
  const peakHeapSnap = process.memoryUsage().heapUsed;
  const rssAfterSnap = process.memoryUsage().rss;
  const t1 = process.hrtime.bigint();
  const copy = new NamespaceStateMachine({ defaultGoal: 2 });
  await copy.restore(snap);
  const restoreMs = Number(process.hrtime.bigint() - t1) / 1e6;
  const same = copy.statfs().inodes === sm.statfs().inodes && copy.statfs().chunks === sm.statfs().chunks;
  print(
    `snapshot: ${(snapBytes / 2 ** 20).toFixed(1)} MiB in ${pieces} pieces, streamed in ${snapMs.toFixed(0)} ms (${Math.round(snapBytes / inodes)} bytes/inode); restore ${restoreMs.toFixed(0)} ms; restored state matches: ${same}`,
  );
  print(
    `heap before snapshot ${(heapBeforeSnap / 2 ** 20).toFixed(0)} MiB, after snapshot() ${(peakHeapSnap / 2 ** 20).toFixed(0)} MiB; rss ${(rssBeforeSnap / 2 ** 20).toFixed(0)} → ${(rssAfterSnap / 2 ** 20).toFixed(0)} MiB`,
  );

  const unlink = d.run(n, (i) => ({
    op: 'unlink',
    parent: 2 + ((Math.floor(i / FILES_PER_DIR) + 1) % dirs),
    name: `moved-${i}`,
    cred: USER,
  }));
  print(`apply(): unlink ${unlink.opsPerSec}/s (errors ${unlink.errors}); ${sm.statfs().pendingDeletions} chunks queued for deletion`);

  const figures = {
    bench: 'master-namespace',
    files: FILES,
    inodes,
    heapBytesPerInode: bytesPerInode,
    createPerSec: create.opsPerSec,
    mkdirPerSec: mkdir2.opsPerSec,
    setattrPerSec: setattr.opsPerSec,
    openChunkForWritePerSec: chunk.opsPerSec,
    commitWritePerSec: commit.opsPerSec,
    renamePerSec: rename.opsPerSec,
    unlinkPerSec: unlink.opsPerSec,
    lookupPerSec,
    repairClassifyNsPerChunk: scan.classifyNsPerChunk,
    repairSurplusNsPerChunk: scan.surplusNsPerChunk,
    repairPassMs: scan.sweepPassMs,
    snapshotBytes: snapBytes,
    snapshotBytesPerInode: Math.round(snapBytes / inodes),
    snapshotStreamMs: Math.round(snapMs),
    restoreMs: Math.round(restoreMs),
    restoredMatches: same,
    node: process.version,
  };
  print(JSON.stringify(figures));
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exitCode = 1;
});
