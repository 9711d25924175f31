// A seeded random-operation model checker for a real MooseNG mount: it applies pwrite, pread, ftruncate, fsync,
// close/reopen, mmap reads and writes (with msync) and reads from a second mount to files, and compares every byte
// and size the mount returns with an in-memory sparse model. One seed gives one operation sequence.
import { constants, type Stats } from 'node:fs';
import { mkdir, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { MmapClient, MmapError } from './mmap-client';
import { SparseFile } from './sparse-file';

export const KiB = 1024;
export const MiB = 1024 * KiB;
/** The chunk size of MooseNG (core CHUNK_SIZE_BYTES): writes and reads are aimed across its boundaries. */
export const CHUNK_BYTES = 64 * MiB;
/** Default bound on a file's length: past the second chunk boundary, so holes can lie a whole chunk out. */
export const DEFAULT_MAX_FILE_BYTES = 2 * CHUNK_BYTES + 8 * MiB;
/** Largest pwrite and pread (a few MiB: many 128 KiB FUSE requests, more than one read-ahead window). */
export const DEFAULT_MAX_IO_BYTES = 4 * MiB;
/** Largest mmap access (its bytes travel base64 in one JSON line to the helper). */
export const MAX_MMAP_BYTES = 1 * MiB;
/** How far from a chunk boundary or a file's end "near" offsets and sizes land. */
export const NEAR_BYTES = 256 * KiB;
/** Files the checker works on at once. */
export const DEFAULT_FILES = 2;
/** Longest one operation may take before it counts as hung (below libfuse's 120 s request timeout). */
export const OP_DEADLINE_MS = 90_000;
/** Operations kept for a failure's message. */
export const HISTORY_OPS = 25;
/** Byte ranges a second-mount check reads (besides the file's first and last bytes). */
export const OTHER_MOUNT_RANGES = 3;

/** The operations, as generated: everything needed to apply them again is in the object. */
export type Op =
  | { kind: 'pwrite'; file: number; offset: number; length: number; dataSeed: number }
  | { kind: 'pread'; file: number; offset: number; length: number }
  | { kind: 'ftruncate'; file: number; size: number }
  | { kind: 'fsync'; file: number }
  | { kind: 'stat'; file: number }
  | { kind: 'reopen'; file: number; truncate: boolean }
  | { kind: 'mmapRead'; file: number; offset: number; length: number }
  | { kind: 'mmapWrite'; file: number; offset: number; length: number; dataSeed: number }
  | { kind: 'otherMountRead'; file: number; ranges: Array<[offset: number, length: number]> };

export type OpKind = Op['kind'];

/** Relative frequencies of the operations (a weight of 0 turns one off). */
export type OpWeights = Record<OpKind, number>;

export const DEFAULT_WEIGHTS: OpWeights = {
  pwrite: 28,
  pread: 22,
  ftruncate: 7,
  fsync: 5,
  stat: 6,
  reopen: 6,
  mmapRead: 8,
  mmapWrite: 8,
  otherMountRead: 10,
};

export interface CheckerOptions {
  seed: number;
  /** Operations to generate. */
  ops: number;
  /** Mount points of the same file system; the files live in the first, the second (if any) reads them after close. */
  mounts: string[];
  /** Directory (created) under the mounts holding the files; default `model-<seed>`. */
  dir?: string;
  files?: number;
  maxFileBytes?: number;
  maxIoBytes?: number;
  weights?: Partial<OpWeights>;
  /** Stop after applying operation N (0-based, inclusive): replays a failing run up to its failing operation. */
  replayUntil?: number;
  /** Apply exactly these operations instead of generating them (a trace, possibly shrunk). */
  script?: Op[];
  /** After a failure, start that file afresh and carry on (totals count failures) instead of stopping. */
  keepGoing?: boolean;
  /** Told of each operation before it is applied (a trace). */
  onOp?: (index: number, op: Op) => void;
  /** Told every `progressEvery` operations. */
  onProgress?: (totals: Totals) => void;
  progressEvery?: number;
}

/** What a run did. */
export interface Totals {
  seed: number;
  ops: number;
  bytesWritten: number;
  bytesVerified: number;
  /** Reads or sizes that differed from the model. */
  mismatches: number;
  /** Operations the mount refused (EIO, ...) or that hung. */
  errors: number;
  /** Operations not applicable when replaying a script (e.g. an mmap range past a shrunk file's end). */
  skipped: number;
  failures: CheckFailure[];
  elapsedMs: number;
}

/** One operation that went wrong, with what is needed to replay it. */
export class CheckFailure extends Error {
  constructor(
    readonly seed: number,
    readonly index: number,
    readonly op: Op,
    readonly kind: 'mismatch' | 'error',
    readonly detail: string,
    readonly history: string[],
  ) {
    super(
      `seed ${seed}: operation #${index} ${describeOp(op)} ${kind === 'mismatch' ? 'returned wrong data' : 'failed'}: ${detail}\n` +
        `replay: --seed ${seed} --replay-until ${index}\nlast operations:\n  ${history.join('\n  ')}`,
    );
  }
}

// ---- deterministic randomness -----------------------------------------------------------------------------------

/** sfc32, seeded through splitmix32: small, fast, and the same sequence on every machine for one seed. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform integer in [0, n) for n up to 2^53 (two draws, so offsets past 4 GiB would work too). */
  int(n: number): number {
    if (n <= 1) return 0;
    return Math.floor(((this.next() * 2 ** 21 + (this.next() >>> 11)) / 2 ** 53) * n);
  }

  /** A uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }

  /** A key of `weights`, with probability proportional to its weight. */
  pick<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    let r = this.int(entries.reduce((n, [, w]) => n + w, 0));
    for (const [k, w] of entries) {
      if (r < w) return k;
      r -= w;
    }
    return entries[entries.length - 1]![0];
  }
}

/** The bytes a write with `dataSeed` stores: xorshift32 words, so a misplaced or stale run never matches by chance. */
export function patternBytes(dataSeed: number, length: number): Buffer {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = dataSeed >>> 0 || 0x2545f491;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return Buffer.from(words.buffer, 0, length);
}

// ---- generation -------------------------------------------------------------------------------------------------

/** Generates the next operation from the seed's random stream and the model (never from what the mount answered). */
class OpGenerator {
  constructor(
    private readonly rng: Rng,
    private readonly weights: OpWeights,
    private readonly files: number,
    private readonly maxFileBytes: number,
    private readonly maxIoBytes: number,
  ) {}

  next(models: readonly SparseFile[]): Op {
    const r = this.rng;
    const file = r.int(this.files);
    const model = models[file]!;
    const kind = r.pick(this.weights);
    switch (kind) {
      case 'pwrite': {
        const length = this.ioLength(Math.min(this.maxIoBytes, this.maxFileBytes));
        const offset = Math.min(this.offset(model), this.maxFileBytes - length);
        return { kind, file, offset, length, dataSeed: r.next() };
      }
      case 'pread': {
        const length = this.ioLength(this.maxIoBytes);
        return { kind, file, offset: this.offset(model), length };
      }
      case 'ftruncate':
        return { kind, file, size: this.truncateSize(model) };
      case 'fsync':
      case 'stat':
        return { kind, file };
      case 'reopen':
        // O_TRUNC now and then: a cut through open(2) rather than ftruncate(2).
        return { kind, file, truncate: r.chance(0.1) };
      case 'mmapRead':
      case 'mmapWrite': {
        // Inside the file only: a page wholly past the end faults with SIGBUS by design.
        if (model.size === 0) return { kind: 'pwrite', file, offset: 0, length: this.ioLength(MAX_MMAP_BYTES), dataSeed: r.next() };
        const offset = Math.min(model.size - 1, r.chance(0.3) ? this.near(model.edges(), model.size) : r.int(model.size));
        const length = Math.max(1, Math.min(this.ioLength(MAX_MMAP_BYTES), model.size - offset));
        return kind === 'mmapRead' ? { kind, file, offset, length } : { kind, file, offset, length, dataSeed: r.next() };
      }
      case 'otherMountRead': {
        const ranges: Array<[number, number]> = [];
        for (let i = 0; i < OTHER_MOUNT_RANGES; i++) ranges.push([this.offset(model), this.ioLength(MAX_MMAP_BYTES)]);
        return { kind, file, ranges };
      }
    }
  }

  /** tiny (a few bytes), small, medium or large, sometimes page-aligned. */
  private ioLength(max: number): number {
    const r = this.rng;
    const band = r.pick({ tiny: 25, small: 30, medium: 30, large: 15 });
    const hi = Math.min(max, { tiny: 64, small: 64 * KiB, medium: 1 * MiB, large: max }[band]);
    let n = r.between(1, hi);
    if (r.chance(0.2)) n = Math.max(4 * KiB, n - (n % (4 * KiB)));
    return Math.min(n, max);
  }

  /** Where to read or write: inside the file, at its end, next to a chunk boundary, next to written data, or far out. */
  private offset(model: SparseFile): number {
    const r = this.rng;
    const where = r.pick({ inside: 30, end: 15, boundary: 20, edge: 15, far: 10, start: 10 });
    let at: number;
    switch (where) {
      case 'inside':
        at = r.int(model.size + 1);
        break;
      case 'end':
        at = model.size + r.between(-NEAR_BYTES, NEAR_BYTES);
        break;
      case 'boundary':
        at = CHUNK_BYTES * r.between(1, Math.max(1, Math.floor(this.maxFileBytes / CHUNK_BYTES))) + r.between(-NEAR_BYTES, NEAR_BYTES);
        break;
      case 'edge':
        at = this.near(model.edges(), model.size);
        break;
      case 'far':
        at = r.int(this.maxFileBytes);
        break;
      case 'start':
        at = r.int(MiB);
        break;
    }
    return Math.max(0, Math.min(at, this.maxFileBytes - 1));
  }

  /** An offset a little before or after one of `points` (or `fallback`). */
  private near(points: number[], fallback: number): number {
    const r = this.rng;
    const p = points.length > 0 ? points[r.int(points.length)]! : fallback;
    return Math.max(0, p + r.between(-4 * KiB, 4 * KiB));
  }

  private truncateSize(model: SparseFile): number {
    const r = this.rng;
    const how = r.pick({ zero: 10, down: 30, boundary: 20, up: 25, nearEnd: 15 });
    let size: number;
    switch (how) {
      case 'zero':
        return 0;
      case 'down':
        size = r.int(model.size + 1);
        break;
      case 'boundary':
        size = CHUNK_BYTES * r.between(1, Math.max(1, Math.floor(this.maxFileBytes / CHUNK_BYTES))) + r.between(-NEAR_BYTES, NEAR_BYTES);
        break;
      case 'up':
        size = model.size + r.int(this.maxFileBytes - model.size + 1);
        break;
      case 'nearEnd':
        size = model.size + r.between(-NEAR_BYTES, NEAR_BYTES);
        break;
    }
    return Math.max(0, Math.min(size, this.maxFileBytes));
  }
}

type GenerationOptions = Pick<CheckerOptions, 'seed' | 'files' | 'maxFileBytes' | 'maxIoBytes' | 'weights'>;

function generatorFor(o: GenerationOptions, mounts: number): OpGenerator {
  const weights = { ...DEFAULT_WEIGHTS, ...o.weights };
  // With one mount there is no second mount to read from.
  if (mounts < 2) weights.otherMountRead = 0;
  return new OpGenerator(
    new Rng(o.seed),
    weights,
    o.files ?? DEFAULT_FILES,
    o.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    o.maxIoBytes ?? DEFAULT_MAX_IO_BYTES,
  );
}

/** What an operation does to the model once the mount has carried it out. */
function applyToModel(op: Op, model: SparseFile): void {
  switch (op.kind) {
    case 'pwrite':
    case 'mmapWrite':
      model.write(op.offset, patternBytes(op.dataSeed, op.length));
      return;
    case 'ftruncate':
      model.truncate(op.size);
      return;
    case 'reopen':
      if (op.truncate) model.truncate(0);
      return;
    default:
      return;
  }
}

/**
 * The operations a seed generates when the mount agrees with the model throughout (what a passing run applies),
 * computed without a mount: the sequence depends on the seed and the options only.
 */
export function generateOps(o: GenerationOptions & { ops: number; mounts: number }): Op[] {
  const gen = generatorFor(o, o.mounts);
  const models = Array.from({ length: o.files ?? DEFAULT_FILES }, () => new SparseFile());
  const out: Op[] = [];
  for (let i = 0; i < o.ops; i++) {
    const op = gen.next(models);
    applyToModel(op, models[op.file]!);
    out.push(op);
  }
  return out;
}

// ---- applying -------------------------------------------------------------------------------------------------

/** An offset written relative to the nearest chunk boundary ("64Mi+12"), which is how boundary bugs read best. */
export function describeOffset(n: number): string {
  const k = Math.round(n / CHUNK_BYTES);
  const d = n - k * CHUNK_BYTES;
  if (k === 0 || Math.abs(d) > 16 * MiB) return String(n);
  return `${n} (${k * 64}Mi${d === 0 ? '' : d > 0 ? `+${d}` : d})`;
}

/** One line per operation, as in failure messages and traces. */
export function describeOp(op: Op): string {
  const f = `f${op.file}`;
  switch (op.kind) {
    case 'pwrite':
    case 'mmapWrite':
      return `${op.kind} ${f} offset=${describeOffset(op.offset)} length=${op.length} dataSeed=${op.dataSeed}`;
    case 'pread':
    case 'mmapRead':
      return `${op.kind} ${f} offset=${describeOffset(op.offset)} length=${op.length}`;
    case 'ftruncate':
      return `ftruncate ${f} size=${describeOffset(op.size)}`;
    case 'reopen':
      return `reopen ${f}${op.truncate ? ' O_TRUNC' : ''}`;
    case 'otherMountRead':
      return `otherMountRead ${f} ranges=${op.ranges.map(([o, l]) => `${describeOffset(o)}+${l}`).join(',')}`;
    default:
      return `${op.kind} ${f}`;
  }
}

/** Where two buffers differ: the first offset, how many bytes, the runs, and whether the mount's bytes were zeros. */
export function describeDifference(fileOffset: number, got: Buffer, want: Buffer): string {
  const n = Math.min(got.length, want.length);
  const runs: Array<[number, number]> = [];
  let differing = 0;
  let gotZero = true;
  for (let i = 0; i < n; i++) {
    if (got[i] === want[i]) continue;
    differing++;
    if (got[i] !== 0) gotZero = false;
    const last = runs[runs.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else runs.push([i, i + 1]);
  }
  const parts: string[] = [];
  if (got.length !== want.length) parts.push(`${got.length} bytes returned, ${want.length} expected`);
  if (differing > 0) {
    const shown = runs.slice(0, 4).map(([a, b]) => `${describeOffset(fileOffset + a)}..${fileOffset + b}`);
    parts.push(
      `${differing} bytes differ in ${runs.length} run(s) ${shown.join(', ')}${runs.length > 4 ? ', ...' : ''}; the mount's bytes there are ${gotZero ? 'all zeros' : 'not zeros'}; first: got ${got.subarray(runs[0]![0], runs[0]![0] + 8).toString('hex')} want ${want.subarray(runs[0]![0], runs[0]![0] + 8).toString('hex')}`,
    );
  }
  return parts.join('; ');
}

class Mismatch extends Error {}

function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${OP_DEADLINE_MS} ms (hung)`)), OP_DEADLINE_MS);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** The name an error from the mount goes by: EIO, SIGBUS, ... */
function errorName(err: unknown): string {
  if (err instanceof MmapError) return err.code;
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/** The checker's side of one file: its path on each mount, the model, and the fd the checker holds on mount A. */
interface FileState {
  name: string;
  model: SparseFile;
  fh: FileHandle | null;
}

/**
 * Runs one seeded sequence (or a script) against the mounts. Create, `run()`, and always `close()` (in a finally or
 * an after-hook): it holds fds on the mount and a helper process.
 */
export class ModelChecker {
  private readonly files: FileState[] = [];
  private readonly mmap = new MmapClient();
  private readonly history: string[] = [];
  private readonly totals: Totals;
  private readonly dir: string;
  private generation = 0;

  constructor(private readonly o: CheckerOptions) {
    // A new directory per run: the other mount may still cache names and sizes of an earlier run's files for a second.
    this.dir = o.dir ?? `model-${o.seed}-${Date.now().toString(36)}`;
    this.totals = {
      seed: o.seed,
      ops: 0,
      bytesWritten: 0,
      bytesVerified: 0,
      mismatches: 0,
      errors: 0,
      skipped: 0,
      failures: [],
      elapsedMs: 0,
    };
  }

  /** Applies the operations; resolves with the totals, or rejects with the first CheckFailure (unless keepGoing). */
  async run(): Promise<Totals> {
    const started = Date.now();
    const o = this.o;
    const gen = generatorFor(o, o.mounts.length);
    await mkdir(join(o.mounts[0]!, this.dir), { recursive: true });
    const fileCount = o.script ? Math.max(0, ...o.script.map((op) => op.file + 1)) : (o.files ?? DEFAULT_FILES);
    for (let i = 0; i < fileCount; i++) this.files.push({ name: this.freshName(i), model: new SparseFile(), fh: null });
    // The model starts from empty files: what an earlier run left under the same names goes first.
    for (const f of this.files) await rm(this.path(f), { force: true });
    // Every file exists from the start, so a second mount can open one before the first has written to it.
    for (const f of this.files) {
      await this.handle(f);
      await this.closeFd(f, `create ${f.name}`);
    }
    const last = Math.min(o.script ? o.script.length : o.ops, o.replayUntil === undefined ? Infinity : o.replayUntil + 1);
    for (let index = 0; index < last; index++) {
      const op = o.script ? o.script[index]! : gen.next(this.files.map((f) => f.model));
      o.onOp?.(index, op);
      this.history.push(`#${index} ${describeOp(op)}`);
      if (this.history.length > HISTORY_OPS) this.history.shift();
      try {
        await this.apply(op);
      } catch (err) {
        const failure = new CheckFailure(
          o.seed,
          index,
          op,
          err instanceof Mismatch ? 'mismatch' : 'error',
          err instanceof Mismatch ? err.message : `${errorName(err)}: ${(err as Error).message}`,
          [...this.history],
        );
        if (failure.kind === 'mismatch') this.totals.mismatches++;
        else this.totals.errors++;
        this.totals.failures.push(failure);
        if (!o.keepGoing) {
          this.totals.ops = index + 1;
          this.totals.elapsedMs = Date.now() - started;
          throw failure;
        }
        await this.restart(op.file);
      }
      this.totals.ops = index + 1;
      if (o.onProgress && (index + 1) % (o.progressEvery ?? 500) === 0) o.onProgress({ ...this.totals, elapsedMs: Date.now() - started });
    }
    this.totals.elapsedMs = Date.now() - started;
    return this.totals;
  }

  /** Closes every fd the checker holds and ends the mmap helper. Never throws. */
  async close(): Promise<void> {
    for (const f of this.files) await this.closeFd(f, 'close at the end').catch(() => undefined);
    await this.mmap.stop().catch(() => undefined);
  }

  /** The totals so far (also after a failure). */
  get result(): Totals {
    return this.totals;
  }

  private path(f: FileState, mount = 0): string {
    return join(this.o.mounts[mount]!, this.dir, f.name);
  }

  private freshName(i: number): string {
    return this.generation === 0 ? `f${i}` : `f${i}.${this.generation}`;
  }

  /** After a failure in keepGoing mode: the file's state on the mount is unknown, so work on a new one. */
  private async restart(file: number): Promise<void> {
    const f = this.files[file]!;
    await this.closeFd(f, 'close after a failure').catch(() => undefined);
    if (this.mmap.openPath === this.path(f)) await this.mmap.close().catch(() => undefined);
    this.generation++;
    f.name = this.freshName(file);
    f.model = new SparseFile();
    // Created at once, as at the start: a second mount may read it before anything is written.
    await this.handle(f);
    await this.closeFd(f, `create ${f.name}`);
  }

  /** close(2) of the checker's fd (flush and release on the mount); its errors are the mount's. */
  private async closeFd(f: FileState, what: string): Promise<void> {
    const fh = f.fh;
    f.fh = null;
    if (fh) await withDeadline(fh.close(), what);
  }

  private async handle(f: FileState, truncate = false): Promise<FileHandle> {
    if (f.fh) return f.fh;
    f.fh = await open(this.path(f), constants.O_RDWR | constants.O_CREAT | (truncate ? constants.O_TRUNC : 0), 0o644);
    return f.fh;
  }

  private async mmapOn(f: FileState): Promise<MmapClient> {
    // The file must exist before python opens it (O_RDWR without O_CREAT): the checker's own fd creates it.
    await this.handle(f);
    if (this.mmap.openPath !== this.path(f)) await this.mmap.open(this.path(f));
    return this.mmap;
  }

  private verify(what: string, offset: number, got: Buffer, want: Buffer): void {
    if (!got.equals(want)) throw new Mismatch(`${what}: ${describeDifference(offset, got, want)}`);
    this.totals.bytesVerified += got.length;
  }

  private checkSize(what: string, st: Stats, want: number): void {
    if (st.size !== want) throw new Mismatch(`${what}: size ${describeOffset(st.size)}, the model says ${describeOffset(want)}`);
  }

  private async apply(op: Op): Promise<void> {
    const f = this.files[op.file]!;
    const m = f.model;
    const what = describeOp(op);
    switch (op.kind) {
      case 'pwrite': {
        const data = patternBytes(op.dataSeed, op.length);
        const fh = await this.handle(f);
        const { bytesWritten } = await withDeadline(fh.write(data, 0, data.length, op.offset), what);
        if (bytesWritten !== data.length) throw new Mismatch(`short write: ${bytesWritten} of ${data.length} bytes`);
        m.write(op.offset, data);
        this.totals.bytesWritten += data.length;
        return;
      }
      case 'pread': {
        const fh = await this.handle(f);
        const got = await withDeadline(readFully(fh, op.offset, op.length), what);
        this.verify('pread', op.offset, got, m.read(op.offset, op.length));
        return;
      }
      case 'ftruncate': {
        const fh = await this.handle(f);
        await withDeadline(fh.truncate(op.size), what);
        m.truncate(op.size);
        return;
      }
      case 'fsync': {
        const fh = await this.handle(f);
        await withDeadline(fh.sync(), what);
        return;
      }
      case 'stat': {
        const fh = await this.handle(f);
        this.checkSize('fstat', await withDeadline(fh.stat(), what), m.size);
        this.checkSize('stat', await withDeadline(stat(this.path(f)), what), m.size);
        return;
      }
      case 'reopen': {
        await this.closeFd(f, `${what}: close`);
        await withDeadline(this.handle(f, op.truncate), `${what}: open`);
        if (op.truncate) m.truncate(0);
        return;
      }
      case 'mmapRead':
      case 'mmapWrite': {
        // A script shrunk by hand may aim past the file's end now: clip, or skip when nothing is left.
        const length = Math.min(op.length, m.size - op.offset);
        if (length <= 0) {
          this.totals.skipped++;
          return;
        }
        const helper = await withDeadline(this.mmapOn(f), `${what}: open in the mmap helper`);
        if (op.kind === 'mmapRead') {
          this.verify('mmap read', op.offset, await withDeadline(helper.read(op.offset, length), what), m.read(op.offset, length));
        } else {
          const data = patternBytes(op.dataSeed, length);
          await withDeadline(helper.write(op.offset, data), what);
          m.write(op.offset, data);
          this.totals.bytesWritten += data.length;
        }
        return;
      }
      case 'otherMountRead': {
        if (this.o.mounts.length < 2) {
          this.totals.skipped++;
          return;
        }
        // Close-to-open: every fd on the writing mount is closed (the checker's and the mmap helper's) before the
        // other mount opens the file.
        await this.closeFd(f, `${what}: close on the first mount`);
        if (this.mmap.openPath === this.path(f)) await withDeadline(this.mmap.close(), `${what}: close in the mmap helper`);
        const other = await withDeadline(open(this.path(f, 1), constants.O_RDONLY), `${what}: open on the second mount`);
        try {
          this.checkSize('fstat on the second mount', await withDeadline(other.stat(), what), m.size);
          const ranges: Array<[number, number]> = [
            [0, MAX_MMAP_BYTES],
            [Math.max(0, m.size - MAX_MMAP_BYTES), MAX_MMAP_BYTES + 1],
            ...op.ranges,
          ];
          for (const [offset, length] of ranges) {
            this.verify(
              `read on the second mount at ${describeOffset(offset)}+${length}`,
              offset,
              await withDeadline(readFully(other, offset, length), what),
              m.read(offset, length),
            );
          }
        } finally {
          await other.close().catch(() => undefined);
        }
        return;
      }
    }
  }
}

/** pread until `length` bytes or the end of the file (a short read alone is allowed by POSIX, so it is not trusted). */
export async function readFully(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/** The totals as the closing line of a run. */
export function totalsLine(t: Totals): string {
  const mib = (n: number): string => `${(n / MiB).toFixed(1)} MiB`;
  return `seed ${t.seed}: ${t.ops} operations, ${mib(t.bytesWritten)} written, ${mib(t.bytesVerified)} verified, ${t.mismatches} mismatches, ${t.errors} errors${t.skipped ? `, ${t.skipped} skipped` : ''} in ${(t.elapsedMs / 1000).toFixed(1)} s`;
}
