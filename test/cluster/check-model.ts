// `npm run check:model`: long runs of the model checker on a cluster it starts itself (through the test harness),
// with progress, a totals line, traces to replay and a shrinker that cuts a failing trace down.
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { cleanupTempDirs } from '../support';
import { TestCluster } from './harness';
import { CheckFailure, DEFAULT_WEIGHTS, MiB, ModelChecker, type CheckerOptions, type Op, type OpKind, totalsLine } from './model-checker';

const USAGE = `usage: npm run check:model -- [options]
  --seed N            the seed (default: a random one, printed)
  --ops N             operations to generate (default 2000)
  --shape M/C/K       masters/chunkservers/clients (mounts) of the cluster started (default 1/2/2)
  --disks N           disks per chunkserver (default 1)      --goal N   the files' goal (default 2)
  --files N           files worked on at once (default 2)
  --max-file SIZE     bound on a file's length, e.g. 256K, 40M (default 136M: past the second chunk boundary)
  --max-io SIZE       largest pwrite/pread (default 4M)
  --weights k=v,...   operation weights, e.g. mmapWrite=0,otherMountRead=20 (kinds: ${Object.keys(DEFAULT_WEIGHTS).join(', ')})
  --replay-until N    stop after operation N (the index a failure names)
  --keep-going        after a failure start that file afresh and carry on; count failures in the totals
  --trace FILE        write every operation applied, one JSON object a line
  --script FILE       apply the operations of a trace instead of generating them
  --shrink            when the run fails, cut its operations down to a short list that still fails (written to
                      shrunk-<seed>.jsonl)
  --shrink-tries N    runs a cut-down list must pass before it counts as passing (default 1; more for timing-
                      dependent failures)
  --mounts A[,B]      use these existing mounts instead of starting a cluster
  --keep-cluster      leave the started cluster running at the end (its directory is printed), to read its logs
  --log-level LEVEL   the started cluster's log level (default info; debug shows each chunk change)
  --write-back on|off the started mounts' client.writeBack (default: the client's default, or
                      MOOSENG_TEST_WRITE_BACK)
  --progress N        a progress line every N operations (default 500)`;

/** Tries at cutting a failing trace down before the shrinker settles for what it has. */
const MAX_SHRINK_ATTEMPTS = 300;

interface Args {
  seed: number;
  ops: number;
  shape: [number, number, number];
  disks: number;
  goal: number;
  files?: number;
  maxFileBytes?: number;
  maxIoBytes?: number;
  weights: Partial<Record<OpKind, number>>;
  replayUntil?: number;
  keepGoing: boolean;
  trace?: string;
  script?: string;
  shrink: boolean;
  shrinkTries: number;
  mounts?: string[];
  keepCluster: boolean;
  logLevel?: string;
  /** client.writeBack of the started mounts; undefined: the default (or MOOSENG_TEST_WRITE_BACK). */
  writeBack?: boolean;
  progress: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    seed: Math.floor(Math.random() * 2 ** 31),
    ops: 2000,
    shape: [1, 2, 2],
    disks: 1,
    goal: 2,
    weights: {},
    keepGoing: false,
    shrink: false,
    shrinkTries: 1,
    keepCluster: false,
    progress: 500,
  };
  const int = (v: string | undefined, name: string): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${name} wants a whole number, not ${v}\n${USAGE}`);
    return n;
  };
  const bytes = (v: string | undefined, name: string): number => {
    const m = /^(\d+)([KMG]?)$/i.exec(v ?? '');
    if (!m) throw new Error(`${name} wants a size such as 256K or 40M, not ${v}\n${USAGE}`);
    return Number(m[1]) * { '': 1, K: 1024, M: MiB, G: 1024 * MiB }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => argv[++i] ?? '';
    switch (arg) {
      case '--seed':
        a.seed = int(value(), arg);
        break;
      case '--ops':
        a.ops = int(value(), arg);
        break;
      case '--shape': {
        const parts = value()
          .split('/')
          .map((p) => int(p, arg));
        if (parts.length !== 3 || parts[2]! < 1)
          throw new Error(`--shape wants masters/chunkservers/clients with at least one client\n${USAGE}`);
        a.shape = parts as [number, number, number];
        break;
      }
      case '--disks':
        a.disks = int(value(), arg);
        break;
      case '--goal':
        a.goal = int(value(), arg);
        break;
      case '--files':
        a.files = int(value(), arg);
        break;
      case '--max-file':
        a.maxFileBytes = bytes(value(), arg);
        break;
      case '--max-io':
        a.maxIoBytes = bytes(value(), arg);
        break;
      case '--weights':
        for (const kv of value().split(',')) {
          const [k, v] = kv.split('=');
          if (!(k! in DEFAULT_WEIGHTS)) throw new Error(`unknown operation ${k}\n${USAGE}`);
          a.weights[k as OpKind] = int(v, arg);
        }
        break;
      case '--replay-until':
        a.replayUntil = int(value(), arg);
        break;
      case '--keep-going':
        a.keepGoing = true;
        break;
      case '--trace':
        a.trace = value();
        break;
      case '--script':
        a.script = value();
        break;
      case '--shrink':
        a.shrink = true;
        break;
      case '--shrink-tries':
        a.shrinkTries = Math.max(1, int(value(), arg));
        break;
      case '--mounts':
        a.mounts = value().split(',');
        break;
      case '--keep-cluster':
        a.keepCluster = true;
        break;
      case '--log-level':
        a.logLevel = value();
        break;
      case '--write-back': {
        const v = value();
        if (v !== 'on' && v !== 'off') throw new Error(`--write-back takes on or off, not ${v}\n${USAGE}`);
        a.writeBack = v === 'on';
        break;
      }
      case '--progress':
        a.progress = int(value(), arg);
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  return a;
}

function readScript(path: string): Op[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Op);
}

/** Runs `script` on fresh files; the failure it ends with, or null when it passes. */
async function attempt(base: CheckerOptions, script: Op[], dir: string): Promise<CheckFailure | null> {
  const checker = new ModelChecker({
    ...base,
    script,
    dir,
    replayUntil: undefined,
    keepGoing: false,
    onOp: undefined,
    onProgress: undefined,
  });
  try {
    await checker.run();
    return null;
  } catch (err) {
    if (err instanceof CheckFailure) return err;
    throw err;
  } finally {
    await checker.close();
  }
}

/**
 * Greedy delta debugging: drops ever smaller runs of operations while the trace still ends in the same kind of
 * failure of the same operation; each try uses new files. Timing-dependent failures shrink less, or not at all.
 */
async function shrink(base: CheckerOptions, failing: Op[], first: CheckFailure, tries: number, log: (s: string) => void): Promise<Op[]> {
  const same = (f: CheckFailure | null): f is CheckFailure => f !== null && f.kind === first.kind && f.op.kind === first.op.kind;
  let ops = failing.slice(0, first.index + 1);
  let runs = 0;
  for (let size = Math.max(1, Math.floor(ops.length / 2)); size >= 1 && runs < MAX_SHRINK_ATTEMPTS; size = Math.floor(size / 2)) {
    for (let at = 0; at < ops.length - 1 && runs < MAX_SHRINK_ATTEMPTS;) {
      const candidate = [...ops.slice(0, at), ...ops.slice(at + size)];
      let f: CheckFailure | null = null;
      for (let t = 0; t < tries && !same(f); t++) f = await attempt(base, candidate, `shrink-${base.seed}-${runs++}`);
      if (same(f)) {
        ops = candidate.slice(0, f.index + 1);
        log(`shrink: ${ops.length} operations still fail (${f.detail.slice(0, 100)})`);
      } else {
        at += size;
      }
    }
  }
  return ops;
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2));
  const log = (s: string): void => console.log(s);
  let cluster: TestCluster | null = null;
  let checker: ModelChecker | null = null;
  const stopCluster = async (): Promise<void> => {
    await checker?.close();
    if (cluster && !a.keepCluster) {
      await cluster.stop();
      cleanupTempDirs();
    }
  };
  // Ctrl-C still detaches the mounts and stops the processes this command started.
  process.once('SIGINT', () => void stopCluster().finally(() => process.exit(130)));
  try {
    let mounts = a.mounts;
    if (!mounts) {
      const [masters, chunkservers, clients] = a.shape;
      const writeBack = a.writeBack === undefined ? '' : `, client.writeBack ${a.writeBack ? 'on' : 'off'}`;
      log(`starting a ${masters}/${chunkservers}/${clients} cluster (disks ${a.disks}, goal ${a.goal}${writeBack})...`);
      cluster = await TestCluster.start({
        masters,
        chunkservers,
        clients,
        disks: a.disks,
        goal: a.goal,
        logLevel: a.logLevel,
        ...(a.writeBack === undefined ? {} : { clientSettings: { writeBack: a.writeBack } }),
      });
      mounts = cluster.nodes('client').map((n) => n.mountPoint);
      log(`cluster in ${cluster.options.dir}; client logs in ${cluster.options.dir}/logs/`);
    }
    const script = a.script ? readScript(a.script) : undefined;
    if (a.trace) writeFileSync(a.trace, '');
    const applied: Op[] = [];
    const base: CheckerOptions = {
      seed: a.seed,
      ops: a.ops,
      mounts,
      files: a.files,
      maxFileBytes: a.maxFileBytes,
      maxIoBytes: a.maxIoBytes,
      weights: a.weights,
    };
    log(
      `seed ${a.seed}: ${script ? `${script.length} operations from ${a.script}` : `${a.ops} operations`} on ${mounts.join(', ')}${a.replayUntil !== undefined ? `, until #${a.replayUntil}` : ''}`,
    );
    checker = new ModelChecker({
      ...base,
      script,
      replayUntil: a.replayUntil,
      keepGoing: a.keepGoing,
      progressEvery: a.progress,
      onOp: (_i, op) => {
        applied.push(op);
        if (a.trace) appendFileSync(a.trace, `${JSON.stringify(op)}\n`);
      },
      onProgress: (t) => log(`  ${totalsLine(t)} (${(t.ops / (t.elapsedMs / 1000)).toFixed(0)} ops/s)`),
    });
    let failure: CheckFailure | null = null;
    try {
      await checker.run();
    } catch (err) {
      if (!(err instanceof CheckFailure)) throw err;
      failure = err;
    }
    await checker.close();
    for (const f of checker.result.failures) console.error(`\nFAILED ${f.message}`);
    if (failure && a.shrink) {
      log(`\nshrinking the ${failure.index + 1} operations up to the failure...`);
      const ops = await shrink(base, applied, failure, a.shrinkTries, log);
      const out = `shrunk-${a.seed}.jsonl`;
      writeFileSync(out, ops.map((op) => JSON.stringify(op)).join('\n') + '\n');
      log(`${ops.length} operations still fail: ${out} (replay: npm run check:model -- --seed ${a.seed} --script ${out})`);
    }
    if (cluster && checker.result.failures.length > 0)
      log(
        `client logs: ${cluster
          .nodes('client')
          .map((n) => n.logPath)
          .join(', ')}${a.keepCluster ? '' : ' (removed at exit; --keep-cluster keeps them)'}`,
      );
    log(totalsLine(checker.result));
    return checker.result.failures.length > 0 ? 1 : 0;
  } finally {
    await stopCluster();
    if (cluster && a.keepCluster)
      log(`cluster left running in ${cluster.options.dir}; stop it with: node cli/bin/run.js cluster down --dir ${cluster.options.dir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error((err as Error).stack ?? err);
    process.exit(2);
  },
);
