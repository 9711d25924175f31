// A simulated disk for one node, behind the host's RaftFileSystem contract. It keeps what the running process sees
// apart from what is durable, on POSIX terms: a file's bytes are durable after its fsync completes, a creation,
// rename or removal after an fsync of its directory. Power loss reverts to the durable state, and half the time
// keeps a random prefix of a file's unsynced appended tail (a torn write), sometimes with a damaged byte in it.
import type { IRandom } from '@mooseng/core';
import type { RaftFile, RaftFileSystem } from '@mooseng/plugin-replication-raft';
import { dirname } from 'node:path';

/** What the disk needs from the simulation: its clock (fsync latency) and its randomness (latency, tearing). */
export interface SimDiskHost {
  /** Runs `fn` after `delayMs` of simulated time. */
  at(delayMs: number, fn: () => void): void;
  random: IRandom;
  /** An fsync takes up to this long: the window in which a crash loses what it was making durable. */
  fsyncMaxMs: number;
}

/** One file's contents; directory entries point at these, so a renamed file keeps its bytes. */
interface Inode {
  /** What reads see (the page cache). */
  data: Buffer;
  /** What survives power loss. */
  durable: Buffer;
}

/** Counts of what crashes did to this disk, for the run's statistics. */
export interface SimDiskStats {
  tornTails: number;
  lostFiles: number;
}

/** One node's disk, which outlives the processes that mount it (see the file comment). */
export class SimDisk {
  /** Directory entries as the running process sees them. */
  private readonly names = new Map<string, Inode>();
  /** Directory entries as they are after power loss. */
  private readonly durableNames = new Map<string, Inode>();
  /** Bumped on every crash: file systems mounted before it never complete another operation. */
  private epoch = 0;
  readonly stats: SimDiskStats = { tornTails: 0, lostFiles: 0 };
  /** A broken disk, to show the checkers notice: a file fsync reports success and makes nothing durable. */
  lyingFsync = false;

  constructor(private readonly host: SimDiskHost) {}

  /** The file system a newly started process uses; it goes dead (its operations never finish) at the next crash. */
  mount(): RaftFileSystem {
    return new SimFileSystem(this, this.epoch);
  }

  /** The process died (SIGKILL): the page cache survives, so nothing written is lost; only the process's I/O stops. */
  processCrash(): void {
    this.epoch++;
  }

  /** Power loss: only durable entries and bytes remain, except torn tails of unsynced appends. */
  powerLoss(): void {
    this.epoch++;
    const rng = this.host.random;
    for (const path of this.names.keys()) if (!this.durableNames.has(path)) this.stats.lostFiles++;
    this.names.clear();
    for (const [path, inode] of this.durableNames) {
      this.names.set(path, inode);
      const { data, durable } = inode;
      let kept = durable;
      const appendedOnly = data.length > durable.length && data.subarray(0, durable.length).equals(durable);
      if (appendedOnly && rng.next() < 0.5) {
        const extra = Buffer.from(data.subarray(durable.length, durable.length + rng.int(data.length - durable.length)));
        // A sector half written: one byte of the torn tail is garbage.
        if (extra.length > 0 && rng.next() < 0.25) extra[rng.int(extra.length)] ^= 1 + rng.int(255);
        if (extra.length > 0) this.stats.tornTails++;
        kept = Buffer.concat([durable, extra]);
      }
      // What the platter holds after the reboot is what a later crash keeps too.
      inode.data = kept;
      inode.durable = kept;
    }
  }

  /** Every file and its size as the process sees them (for traces). */
  listing(): string {
    return [...this.names]
      .map(([p, i]) => `${p}:${i.data.length}${i.durable.length !== i.data.length ? `(${i.durable.length} durable)` : ''}`)
      .join(' ');
  }

  // ----- what SimFileSystem calls, with the epoch it was mounted in -----

  /** Runs an operation of the file system mounted in `epoch`: never completes once that process is gone. */
  op<T>(epoch: number, fn: () => T): Promise<T> {
    if (epoch !== this.epoch) return new Promise<T>(() => undefined);
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Like op, but the effect happens only after a simulated fsync latency, and not at all if a crash comes first. */
  slowOp(epoch: number, fn: () => void): Promise<void> {
    if (epoch !== this.epoch) return new Promise<void>(() => undefined);
    return new Promise<void>((resolve) => {
      this.host.at(this.host.random.int(this.host.fsyncMaxMs + 1), () => {
        if (epoch !== this.epoch) return;
        fn();
        resolve();
      });
    });
  }

  inode(path: string): Inode | undefined {
    return this.names.get(path);
  }

  createInode(path: string, truncate: boolean): Inode {
    const existing = this.names.get(path);
    if (existing) {
      if (truncate) existing.data = Buffer.alloc(0);
      return existing;
    }
    const inode: Inode = { data: Buffer.alloc(0), durable: Buffer.alloc(0) };
    this.names.set(path, inode);
    return inode;
  }

  rename(from: string, to: string): void {
    const inode = this.names.get(from);
    if (!inode) throw enoent(from);
    this.names.delete(from);
    this.names.set(to, inode);
  }

  remove(path: string): void {
    this.names.delete(path);
  }

  list(dir: string): string[] {
    return [...this.names.keys()].filter((p) => dirname(p) === dir).map((p) => p.slice(dir.length + 1));
  }

  /** The entries of `dir` now: what an fsync of it called now promises to make durable. */
  dirEntries(dir: string): Map<string, Inode> {
    return new Map([...this.names].filter(([p]) => dirname(p) === dir));
  }

  /** An fsync of `dir` completes: the entries it was called with become the durable ones. */
  syncDir(dir: string, entries: Map<string, Inode>): void {
    for (const p of [...this.durableNames.keys()]) if (dirname(p) === dir && !entries.has(p)) this.durableNames.delete(p);
    for (const [p, inode] of entries) this.durableNames.set(p, inode);
  }

  /** An fsync of a file: the bytes it had when the fsync was called become durable. */
  syncFile(inode: Inode, bytes: Buffer): void {
    if (!this.lyingFsync) inode.durable = bytes;
  }
}

function enoent(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, '${path}'`), { code: 'ENOENT' });
}

class SimFile implements RaftFile {
  private closed = false;

  constructor(
    private readonly disk: SimDisk,
    private readonly epoch: number,
    private readonly inode: Inode,
  ) {}

  append(data: Uint8Array): Promise<void> {
    return this.disk.op(this.epoch, () => {
      if (this.closed) throw new Error('write to a closed file');
      this.inode.data = Buffer.concat([this.inode.data, data]);
    });
  }

  sync(): Promise<void> {
    // fsync promises what was written before it was called, not what comes during it.
    const bytes = this.inode.data;
    return this.disk.slowOp(this.epoch, () => this.disk.syncFile(this.inode, bytes));
  }

  async appendSynced(data: Uint8Array): Promise<void> {
    await this.append(data);
    await this.sync();
  }

  size(): Promise<number> {
    return this.disk.op(this.epoch, () => this.inode.data.length);
  }

  close(): Promise<void> {
    return this.disk.op(this.epoch, () => {
      this.closed = true;
    });
  }
}

/** The RaftFileSystem one process sees of its SimDisk. Directories always exist (their creation is not modelled). */
class SimFileSystem implements RaftFileSystem {
  constructor(
    private readonly disk: SimDisk,
    private readonly epoch: number,
  ) {}

  mkdirp(): Promise<void> {
    return this.disk.op(this.epoch, () => undefined);
  }

  list(dir: string): Promise<string[]> {
    return this.disk.op(this.epoch, () => this.disk.list(dir));
  }

  read(path: string): Promise<Buffer | null> {
    return this.disk.op(this.epoch, () => {
      const inode = this.disk.inode(path);
      return inode ? Buffer.from(inode.data) : null;
    });
  }

  openAppend(path: string): Promise<RaftFile> {
    return this.disk.op(this.epoch, () => new SimFile(this.disk, this.epoch, this.disk.createInode(path, false)));
  }

  create(path: string): Promise<RaftFile> {
    return this.disk.op(this.epoch, () => new SimFile(this.disk, this.epoch, this.disk.createInode(path, true)));
  }

  truncate(path: string, length: number): Promise<void> {
    return this.disk.op(this.epoch, () => {
      const inode = this.disk.inode(path);
      if (!inode) throw enoent(path);
      inode.data = inode.data.subarray(0, length);
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.disk.op(this.epoch, () => this.disk.rename(from, to));
  }

  remove(path: string): Promise<void> {
    return this.disk.op(this.epoch, () => this.disk.remove(path));
  }

  syncDir(dir: string): Promise<void> {
    // Like a file's fsync, it promises the entries as they were when it was called.
    const entries = this.disk.dirEntries(dir);
    return this.disk.slowOp(this.epoch, () => this.disk.syncDir(dir, entries));
  }
}
