// Fuse3LowLevelMount: an IMount on libfuse 3's low-level API. Requests arrive from the addon, which reads them from
// /dev/fuse on this thread's event loop, are served by the IFileSystemOperations and are answered by request id.
import { execFile, execFileSync } from 'node:child_process';
import { constants as fsConstants, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import {
  checkMountPoint,
  DEFAULT_FUSE_BUSY_POLL_US,
  ErrorCodes,
  errnoOfError,
  type FsAttr,
  type FsAttrReply,
  type FsCaller,
  type FsEntry,
  type FsLock,
  type FsSetAttr,
  type IFileSystemOperations,
  type IKernelCache,
  type ILogger,
  type IMount,
  isMoosengError,
  LOCK_TO_EOF,
  LockType,
  MoosengError,
  type MountOptions,
  RenameFlags,
} from '@mooseng/core';
import { constants } from 'node:os';
import { KernelAttributes } from './kernel-attributes';
import { LookupCounts } from './lookup-counts';
import { ATTR_FIELDS, type Dispatch, type Fuse3Addon, loadAddon, OP, SET_ATTR, type SessionHandle } from './native';

const run = promisify(execFile);
const { O_APPEND } = fsConstants;
const E = constants.errno;

/** How long unmount waits, after detaching, for the kernel to end the connection before it aborts it. */
export const UNMOUNT_GRACE_MS = 2_000;
/** How long it waits again after an abort before giving up on the session (it is then left, logged). */
export const ABORT_GRACE_MS = 2_000;
/** How often it looks whether reading has ended. */
const THREAD_POLL_MS = 10;
/**
 * The longest an open waits for an invalidation of its inode that is on its way to the kernel (see
 * invalidateIfStale); past it the open goes on, as it would if the kernel never took the invalidation.
 */
export const OPEN_WAITS_FOR_INVALIDATION_MS = 5_000;
/** Where the kernel's FUSE control file system lives (one folder per connection, with an `abort` file). */
const FUSECTL_DIR = '/sys/fs/fuse/connections';
/** Where the kernel keeps a mount's backing-device settings (read_ahead_kb), by device number "0:<minor>". */
const BDI_DIR = '/sys/class/bdi';
/**
 * Read-ahead asked of the kernel for this mount, in KiB: a whole request (MAX_IO_BYTES in C). The kernel caps a
 * FUSE mount at max_readahead and its backing device's default of 128 KiB, whichever is smaller, so without this a
 * sequential read of a big file goes 128 KiB per request whatever the program asks.
 */
export const READ_AHEAD_KB = 1024;
/** renameat2(2) flags as Linux numbers them; WHITEOUT is for overlay file systems only. */
const LINUX_RENAME = { NOREPLACE: 1, EXCHANGE: 2, WHITEOUT: 4 } as const;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The kernel's connection number of the FUSE mount at `target` (its directory under /sys/fs/fuse/connections): the
 * minor device number /proc/self/mountinfo gives. Read there, not by stat(2): a stat of our own mount point from
 * this thread would wait for an answer only this thread can give.
 */
export function fuseConnectionId(target: string, mountinfo = '/proc/self/mountinfo'): number | null {
  let text: string;
  try {
    text = readFileSync(mountinfo, 'utf8');
  } catch {
    return null;
  }
  let found: number | null = null;
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    // Fields: id, parent id, major:minor, root, mount point (octal escapes for spaces), ...; the last one wins.
    if (f[4]?.replace(/\\040/g, ' ') === target && f[2]?.startsWith('0:')) found = Number(f[2].slice(2));
  }
  return found;
}

/** A lock as the kernel gave it (start, length 0 for "to the end") in the file system's terms (inclusive end). */
export function lockOf(type: number, start: number, length: number, pid: number): FsLock {
  // Offsets past 2^53 are not exact in JS: clamp them (a range that far runs to the end in practice).
  const first = Math.min(Math.max(start, 0), LOCK_TO_EOF);
  const end = length <= 0 ? LOCK_TO_EOF : Math.min(first + length - 1, LOCK_TO_EOF);
  return { type, start: first, end, pid };
}

/** Fills `out` (ATTR_FIELDS numbers) with `a` as the addon reads attributes. */
function packAttr(a: FsAttr, out: Float64Array, at = 0): Float64Array {
  out[at] = a.ino;
  out[at + 1] = a.mode;
  out[at + 2] = a.nlink;
  out[at + 3] = a.uid;
  out[at + 4] = a.gid;
  out[at + 5] = a.size;
  out[at + 6] = a.rdev;
  out[at + 7] = a.atimeMs;
  out[at + 8] = a.mtimeMs;
  out[at + 9] = a.ctimeMs;
  out[at + 10] = a.storedBytes ?? a.size;
  return out;
}

/** The IMount of the mount-fuse3 plugin. */
export class Fuse3LowLevelMount implements IMount {
  readonly binding = 'fuse3-lowlevel';
  private handle: SessionHandle | null = null;
  private ops: IFileSystemOperations | null = null;
  private target = '';
  private connection: number | null = null;
  private unmounting = false;
  /** MountOptions.keepCache: opens of files the kernel holds unchanged keep its cached pages. */
  private keepCache = true;
  /** MountOptions.kernelWritebackCache, asked of the kernel at mount. */
  private writeback = false;
  /** Requests handed to `ops` and not answered yet (for tests and the unmount log). */
  private inFlight = 0;
  /** Lock requests that wait (F_SETLKW, flock without LOCK_NB), by request id: a FUSE INTERRUPT aborts them. */
  private readonly waits = new Map<number, AbortController>();
  readonly lookups = new LookupCounts();
  /** What the kernel was last told of each inode it holds, to see when an open finds it stale. */
  readonly kernelAttrs = new KernelAttributes();
  /** Invalidations on their way to the kernel, by inode: forgotten in kernelAttrs, maybe not dropped by the kernel yet. */
  private readonly invalidating = new Map<number, Promise<void>>();
  /** One scratch array for single-attribute replies: the addon copies it before returning. */
  private readonly scratch = new Float64Array(ATTR_FIELDS);
  private readonly addon: Fuse3Addon;

  /** Invalidation pushed to the kernel (another client changed what it caches). */
  readonly kernelCache: IKernelCache = {
    invalidateInode: (ino) => this.invalidate(ino, () => this.addon.notifyInvalInode(this.handle!, ino, 0, 0)),
    invalidateEntry: (parent, name) => this.invalidate(parent, () => this.addon.notifyInvalEntry(this.handle!, parent, name)),
    invalidateAllInodes: async () => {
      await Promise.all(this.kernelAttrs.inodes().map((ino) => this.kernelCache.invalidateInode(ino)));
    },
  };

  constructor(
    private readonly logger: ILogger,
    addon?: Fuse3Addon,
  ) {
    this.addon = addon ?? loadAddon();
  }

  /** Requests being served right now. */
  get pending(): number {
    return this.inFlight;
  }

  async mount(mountPoint: string, ops: IFileSystemOperations, options: MountOptions): Promise<void> {
    if (this.handle) throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `already mounted on ${this.target}`);
    const target = checkMountPoint(mountPoint, (t) =>
      this.logger.warn('detaching a dead FUSE mount left by a killed client', { mountPoint: t }),
    );
    const opts = [
      // Commas split libfuse's options: the fsname must not carry one.
      `fsname=${options.fsname.replace(/,/g, '+')}`,
      'subtype=mooseng',
      ...(options.defaultPermissions ? ['default_permissions'] : []),
      ...(options.allowOther ? ['allow_other'] : []),
      ...(options.readOnly ? ['ro'] : []),
    ];
    const args = ['-o', opts.join(','), ...(options.debug ? ['-d'] : [])];
    this.ops = ops;
    this.keepCache = options.keepCache ?? true;
    this.writeback = options.kernelWritebackCache ?? false;
    try {
      const locks = ops.getlk !== undefined && ops.setlk !== undefined && ops.flock !== undefined;
      this.handle = this.addon.mount(target, args, this.dispatch, locks, this.writeback, options.busyPollUs ?? DEFAULT_FUSE_BUSY_POLL_US);
    } catch (err) {
      this.ops = null;
      throw new MoosengError(
        ErrorCodes.UNAVAILABLE,
        `cannot mount ${target}: ${(err as Error).message}; is /dev/fuse there and libfuse 3 installed?`,
        { cause: err },
      );
    }
    this.target = target;
    this.unmounting = false;
    this.connection = fuseConnectionId(target);
    this.raiseReadAhead();
  }

  /**
   * Lets the kernel read ahead a whole request at a time (READ_AHEAD_KB) on this mount. Only root may write it; for
   * anyone else reads stay at the kernel's 128 KiB, which is correct, only slower (logged once at debug).
   */
  private raiseReadAhead(): void {
    if (this.connection === null) return;
    try {
      writeFileSync(`${BDI_DIR}/0:${this.connection}/read_ahead_kb`, String(READ_AHEAD_KB));
    } catch (err) {
      this.logger.debug("cannot raise the mount's read-ahead; reads stay at 128 KiB per request", { err: (err as Error).message });
    }
  }

  /** Detaches the mount point, waits until the kernel ends the connection (aborting it if it stays busy), frees all. */
  async unmount(): Promise<void> {
    const handle = this.handle;
    if (!handle || this.unmounting) return;
    this.unmounting = true;
    this.addon.exit(handle);
    try {
      // Lazy: a busy mount point must not keep this process from stopping; the connection ends when unused.
      await run('fusermount3', ['-uz', this.target]);
    } catch (err) {
      this.logger.debug('fusermount3 -uz failed (unmounted from outside already?)', { err: (err as Error).message });
    }
    if (!(await this.waitReadingEnded(UNMOUNT_GRACE_MS)) && this.abortConnection() && !(await this.waitReadingEnded(ABORT_GRACE_MS))) {
      this.logger.error('the FUSE connection did not end after it was aborted; leaving the session', { mountPoint: this.target });
      return;
    }
    this.finish();
  }

  /**
   * One notification to the kernel about `ino` (or a directory): what the kernel held of it is gone after, so the
   * attributes remembered for it go too. Never rejects: a failure is logged (the cache then expires by its timeout).
   */
  private async invalidate(ino: number, notify: () => Promise<number>): Promise<void> {
    if (!this.handle || this.unmounting) return;
    this.kernelAttrs.forget(ino);
    const done = this.notify(ino, notify);
    this.invalidating.set(ino, done);
    try {
      await done;
    } finally {
      if (this.invalidating.get(ino) === done) this.invalidating.delete(ino);
    }
  }

  private async notify(ino: number, notify: () => Promise<number>): Promise<void> {
    try {
      const res = await notify();
      if (res !== 0 && res !== -E.ENOENT) this.logger.debug('the kernel refused a cache invalidation', { ino, errno: -res });
    } catch (err) {
      this.logger.warn('cannot invalidate the kernel cache', { ino, err: (err as Error).message });
    }
  }

  /**
   * Resolves once no invalidation of `ino` is on its way to the kernel (or after OPEN_WAITS_FOR_INVALIDATION_MS).
   * Between forgetting what the kernel was told and the kernel dropping it, the kernel may still hold the old
   * attributes while kernelAttrs knows nothing to compare an open's fresh ones with.
   */
  private async invalidationsLanded(ino: number): Promise<void> {
    const pending = this.invalidating.get(ino);
    if (pending === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pending, new Promise<void>((r) => (timer = setTimeout(r, OPEN_WAITS_FOR_INVALIDATION_MS)))]);
    clearTimeout(timer);
  }

  /** Frees the session once reading has ended; later answers to requests still in flight are dropped. */
  private finish(): void {
    const handle = this.handle;
    if (!handle) return;
    this.handle = null;
    if (this.inFlight > 0)
      this.logger.info('unmounted with requests in flight; their answers will be dropped', { requests: this.inFlight });
    if (!this.addon.destroy(handle))
      this.logger.error('a cache invalidation is still stuck in the kernel; the FUSE session is left allocated', {
        mountPoint: this.target,
      });
  }

  private async waitReadingEnded(ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (this.handle && this.addon.running(this.handle)) {
      if (Date.now() >= until) return false;
      await sleep(THREAD_POLL_MS);
    }
    return true;
  }

  /** Aborts the kernel connection (what `umount -f` would do): requests waiting in the kernel fail with ENOTCONN. */
  private abortConnection(): boolean {
    const path = `${FUSECTL_DIR}/${this.connection}/abort`;
    if (this.connection !== null && !existsSync(path)) this.mountFusectl();
    if (this.connection === null || !existsSync(path)) return false;
    try {
      writeFileSync(path, '1');
      this.logger.warn('FUSE connection still busy after unmount: aborted it', { mountPoint: this.target });
      return true;
    } catch (err) {
      this.logger.warn('cannot abort the FUSE connection', { err: (err as Error).message });
      return false;
    }
  }

  /**
   * The kernel's FUSE control file system (/sys/fs/fuse/connections) is where a connection is aborted. systemd mounts
   * it at boot; a machine without systemd (a container, a CI runner) may not have it, so as root mount it once.
   */
  private mountFusectl(): void {
    if (process.getuid?.() !== 0) return;
    try {
      execFileSync('mount', ['-t', 'fusectl', 'fusectl', FUSECTL_DIR], { stdio: 'ignore' });
      this.logger.info('mounted the FUSE control file system to abort a busy connection', { dir: FUSECTL_DIR });
    } catch {
      // Already mounted, or not allowed here: the abort is then not available and the unmount stays lazy.
    }
  }

  // ---- requests ----------------------------------------------------------------------------------------------------

  /** Every request from the addon. Never throws (it runs inside the addon's queue callback). */
  private readonly dispatch: Dispatch = (op, id, ino, ino2, fhIn, n1, n2, s1, last, uid, gid, pid, umask, lease) => {
    const h = this.handle;
    const ops = this.ops;
    if (op === OP.FORGET) {
      if (this.lookups.forget(ino, n1)) {
        this.kernelAttrs.forget(ino);
        ops?.forget(ino, n1);
      }
      return;
    }
    if (op === OP.INTERRUPT) {
      // Unknown ids are answered already (or never waited): an interrupt then changes nothing.
      this.waits.get(id)?.abort();
      return;
    }
    if (op === OP.ENDED) {
      // The loop ended without unmount(): unmounted from outside. Free the session so the process may stop.
      if (!this.unmounting && h) {
        this.logger.warn('the mount was unmounted from outside', { mountPoint: this.target });
        this.unmounting = true;
        this.finish();
      }
      return;
    }
    if (!h || !ops) return;
    const caller: FsCaller = umask ? { uid, gid, pid, umask } : { uid, gid, pid };
    const fh = fhIn < 0 ? undefined : fhIn;
    let work: Promise<void>;
    try {
      work = this.serve(h, ops, op, id, ino, ino2, fh, n1, n2, s1, last, caller);
    } catch (err) {
      work = Promise.reject(err);
    }
    // A write's data is lent to the file system for the call only (IFileSystemOperations.write): once the call is
    // over its receive buffer goes back to the addon's pool, to read the next request into.
    if (lease) work = work.finally(() => this.addon.releaseData(lease));
    this.inFlight++;
    work.then(
      () => this.inFlight--,
      (err: unknown) => {
        this.inFlight--;
        if (!isMoosengError(err)) this.logger.error('FUSE request failed unexpectedly', { op, err });
        this.addon.replyErr(h, id, errnoOfError(err));
      },
    );
  };

  /** Replies with an entry and counts the lookup when the kernel got it. */
  private replyEntry(h: SessionHandle, id: number, e: FsEntry): void {
    if (this.addon.replyEntry(h, id, packAttr(e.attr, this.scratch), e.entryTimeoutMs / 1000, e.attrTimeoutMs / 1000)) {
      this.lookups.add(e.attr.ino);
      this.kernelAttrs.gave(e.attr);
    }
  }

  /** Replies with attributes, remembering what the kernel got. */
  private replyAttr(h: SessionHandle, id: number, r: FsAttrReply): void {
    if (this.addon.replyAttr(h, id, packAttr(r.attr, this.scratch), r.attrTimeoutMs / 1000)) this.kernelAttrs.gave(r.attr);
  }

  /**
   * Close-to-open: an open found `fresh` attributes (the master's); when the kernel was told others for the inode
   * (it cached them for the attribute timeout: a size another mount has since closed the file with would stay
   * unseen), it drops them, and its cached pages when size or mtime moved, before the open is answered. MooseFS's
   * mfsmount does the same. A failed invalidation is logged, not fatal: the cache then expires by its timeout.
   */
  private async invalidateIfStale(h: SessionHandle, fresh: FsAttr): Promise<void> {
    // A change notice's invalidation still on its way (another client's close, say) has forgotten what the kernel
    // was told: the kernel's old attributes must be gone before this open is answered, else fstat after it sees them.
    await this.invalidationsLanded(fresh.ino);
    const stale = this.kernelAttrs.staleness(fresh);
    if (stale) await this.invalidate(fresh.ino, () => this.addon.notifyInvalInode(h, fresh.ino, stale === 'data' ? 0 : -1, 0));
  }

  /**
   * Whether an open may keep the kernel's cached pages of the file (keep_cache) instead of having them dropped: only
   * when the kernel was told exactly the attributes the open found (`fresh`, the master's). Any change another
   * client made since is either in them (size or mtime moved: not kept) or was pushed by the change feed, whose
   * invalidation forgets what the kernel was told (not kept either).
   */
  private mayKeepCache(fresh: FsAttr | undefined): boolean {
    return fresh !== undefined && this.kernelAttrs.knows(fresh.ino) && this.kernelAttrs.staleness(fresh) === null;
  }

  private async serve(
    h: SessionHandle,
    ops: IFileSystemOperations,
    op: number,
    id: number,
    ino: number,
    ino2: number,
    fh: number | undefined,
    n1: number,
    n2: number,
    s1: string | undefined,
    last: string | Buffer | number[] | undefined,
    caller: FsCaller,
  ): Promise<void> {
    const a = this.addon;
    const ok = (): boolean => a.replyErr(h, id, 0);
    switch (op) {
      case OP.LOOKUP:
        return this.replyEntry(h, id, await ops.lookup(ino, s1!, caller));
      case OP.GETATTR: {
        this.replyAttr(h, id, await ops.getattr(ino, fh, caller));
        return;
      }
      case OP.SETATTR: {
        const [mode, uid, gid, size, atimeMs, mtimeMs] = last as number[];
        const set = n1;
        const changes: FsSetAttr = {};
        if (set & SET_ATTR.MODE) changes.mode = mode!;
        if (set & SET_ATTR.UID) changes.uid = uid!;
        if (set & SET_ATTR.GID) changes.gid = gid!;
        if (set & SET_ATTR.SIZE) changes.size = size!;
        if (set & SET_ATTR.ATIME_NOW) changes.atimeMs = 'now';
        else if (set & SET_ATTR.ATIME) changes.atimeMs = atimeMs!;
        if (set & SET_ATTR.MTIME_NOW) changes.mtimeMs = 'now';
        else if (set & SET_ATTR.MTIME) changes.mtimeMs = mtimeMs!;
        this.replyAttr(h, id, await ops.setattr(ino, changes, fh, caller));
        return;
      }
      case OP.READLINK:
        a.replyReadlink(h, id, await ops.readlink(ino, caller));
        return;
      case OP.MKNOD:
        return this.replyEntry(h, id, await ops.mknod(ino, s1!, n1, n2, caller));
      case OP.MKDIR:
        return this.replyEntry(h, id, await ops.mkdir(ino, s1!, n1, caller));
      case OP.UNLINK:
        await ops.unlink(ino, s1!, caller);
        ok();
        return;
      case OP.RMDIR:
        await ops.rmdir(ino, s1!, caller);
        ok();
        return;
      case OP.SYMLINK:
        return this.replyEntry(h, id, await ops.symlink(last as string, ino, s1!, caller));
      case OP.RENAME: {
        if (n1 & ~(LINUX_RENAME.NOREPLACE | LINUX_RENAME.EXCHANGE))
          throw new MoosengError(ErrorCodes.EINVAL, 'rename: RENAME_WHITEOUT is not supported');
        const flags = (n1 & LINUX_RENAME.NOREPLACE ? RenameFlags.NOREPLACE : 0) | (n1 & LINUX_RENAME.EXCHANGE ? RenameFlags.EXCHANGE : 0);
        await ops.rename(ino, s1!, ino2, last as string, flags, caller);
        ok();
        return;
      }
      case OP.LINK:
        return this.replyEntry(h, id, await ops.link(ino, ino2, s1!, caller));
      case OP.OPEN: {
        const o = await ops.open(ino, this.openFlags(n1), caller);
        const keep = o.keepCache === true || (this.keepCache && this.mayKeepCache(o.attr));
        if (o.attr && !keep) await this.invalidateIfStale(h, o.attr);
        // Not delivered (interrupted, or unmounted meanwhile): nobody will release the handle but us.
        if (!a.replyOpen(h, id, o.fh, keep ? 1 : 0)) await ops.release(ino, o.fh, caller).catch(() => undefined);
        return;
      }
      case OP.CREATE: {
        const { entry, opened } = await ops.create(ino, s1!, n1, this.openFlags(n2), caller);
        const e = entry;
        if (
          a.replyCreate(
            h,
            id,
            packAttr(e.attr, this.scratch),
            e.entryTimeoutMs / 1000,
            e.attrTimeoutMs / 1000,
            opened.fh,
            opened.keepCache ? 1 : 0,
          )
        ) {
          this.lookups.add(e.attr.ino);
          this.kernelAttrs.gave(e.attr);
        } else await ops.release(e.attr.ino, opened.fh, caller).catch(() => undefined);
        return;
      }
      case OP.READ: {
        const data = await ops.read(ino, fh!, n1, n2, caller);
        try {
          a.replyBuf(h, id, data); // copies before it returns
        } finally {
          ops.readDone?.(ino, data);
        }
        return;
      }
      case OP.WRITE:
        a.replyWrite(h, id, await ops.write(ino, fh!, last as Buffer, n2, caller));
        return;
      case OP.FLUSH:
        await ops.flush(ino, fh!, caller, s1);
        ok();
        return;
      case OP.RELEASE:
        await ops.release(ino, fh!, caller, n2 !== 0 ? s1 : undefined);
        ok();
        return;
      case OP.GETLK: {
        if (!ops.getlk) break;
        const [start, length, pid] = last as number[];
        const held = await ops.getlk(ino, fh!, s1!, lockOf(n1, start!, length!, pid!), caller);
        // The kernel's length: 0 runs to the end of the file.
        const replyLength = held.type === LockType.UNLOCK || held.end >= LOCK_TO_EOF ? 0 : held.end - held.start + 1;
        a.replyLock(h, id, held.type, held.start, replyLength, held.pid);
        return;
      }
      case OP.SETLK: {
        if (!ops.setlk) break;
        const [start, length, pid] = last as number[];
        const lock = lockOf(n1, start!, length!, pid!);
        await this.waiting(id, n2 !== 0, (wait) => ops.setlk!(ino, fh!, s1!, lock, wait, caller));
        ok();
        return;
      }
      case OP.FLOCK:
        if (!ops.flock) break;
        await this.waiting(id, n2 !== 0, (wait) => ops.flock!(ino, fh!, s1!, n1, wait, caller));
        ok();
        return;
      case OP.FSYNC:
        await ops.fsync(ino, fh!, n1 !== 0, caller);
        ok();
        return;
      case OP.FSYNCDIR:
        // A file system without a barrier of its own has made its directory changes durable already.
        if (ops.fsyncdir) await ops.fsyncdir(ino, fh!, n1 !== 0, caller);
        ok();
        return;
      case OP.OPENDIR: {
        const o = await ops.opendir(ino, caller);
        if (!a.replyOpen(h, id, o.fh, 0)) await ops.releasedir(ino, o.fh, caller).catch(() => undefined);
        return;
      }
      case OP.READDIR:
      case OP.READDIRPLUS: {
        const plus = op === OP.READDIRPLUS;
        const entries = await ops.readdir(ino, fh!, n2, caller);
        const attrs = new Float64Array(entries.length * ATTR_FIELDS);
        entries.forEach((e, i) => packAttr(e.attr, attrs, i * ATTR_FIELDS));
        const { entryTimeoutMs, attrTimeoutMs } = ops.timeouts;
        const fitted = a.replyDir(
          h,
          id,
          n1,
          plus,
          entries.map((e) => e.name),
          attrs,
          n2,
          entryTimeoutMs / 1000,
          attrTimeoutMs / 1000,
        );
        // Every entry of a readdirplus the kernel got, but "." and "..", is a lookup it will forget.
        if (plus)
          for (let i = 0; i < fitted; i++)
            if (entries[i]!.name !== '.' && entries[i]!.name !== '..') {
              this.lookups.add(entries[i]!.attr.ino);
              this.kernelAttrs.gave(entries[i]!.attr);
            }
        return;
      }
      case OP.RELEASEDIR:
        await ops.releasedir(ino, fh!, caller);
        ok();
        return;
      case OP.STATFS: {
        const s = await ops.statfs(ino, caller);
        a.replyStatfs(
          h,
          id,
          Float64Array.of(s.blockSize, s.totalBlocks, s.freeBlocks, s.availBlocks, s.totalFiles, s.freeFiles, s.nameMax),
        );
        return;
      }
      case OP.SETXATTR:
        await ops.setxattr(ino, s1!, last as Buffer, n1, caller);
        ok();
        return;
      case OP.GETXATTR:
        return this.replySized(h, id, n1, await ops.getxattr(ino, s1!, caller));
      case OP.LISTXATTR: {
        const names = await ops.listxattr(ino, caller);
        return this.replySized(h, id, n1, Buffer.from(names.map((n) => `${n}\0`).join(''), 'utf8'));
      }
      case OP.REMOVEXATTR:
        await ops.removexattr(ino, s1!, caller);
        ok();
        return;
      case OP.ACCESS:
        await ops.access(ino, n1, caller);
        ok();
        return;
      case OP.LSEEK:
        a.replyLseek(h, id, await ops.lseek(ino, fh!, n1, n2, caller));
        return;
      case OP.FALLOCATE:
        await ops.fallocate(ino, fh!, n1, n2, (last as number[])[0]!, caller);
        ok();
        return;
      default:
        break;
    }
    a.replyErr(h, id, E.ENOSYS);
  }

  /**
   * The open flags the file system gets. With the writeback cache the kernel places O_APPEND writes itself (at the
   * end as it knows it: it owns the size then) and sends them with their offsets, possibly later and merged with
   * others, so the file system must write where it is told, not append again (libfuse's passthrough example does
   * the same). An O_WRONLY open may then be read from too (the kernel fills partial pages): the client's reads do
   * not check the access mode, so it stays as the program asked.
   */
  private openFlags(flags: number): number {
    return this.writeback ? flags & ~O_APPEND : flags;
  }

  /** Runs a lock request; one that waits can be interrupted (OP.INTERRUPT aborts its signal: EINTR). */
  private async waiting(id: number, wait: boolean, run: (wait: { wait: boolean; signal?: AbortSignal }) => Promise<void>): Promise<void> {
    if (!wait) return run({ wait: false });
    const interrupt = new AbortController();
    this.waits.set(id, interrupt);
    try {
      await run({ wait: true, signal: interrupt.signal });
    } finally {
      this.waits.delete(id);
    }
  }

  /** getxattr/listxattr: size 0 asks only how big; a value larger than the caller's buffer is ERANGE. */
  private replySized(h: SessionHandle, id: number, size: number, value: Buffer): void {
    if (size === 0) this.addon.replyXattrSize(h, id, value.length);
    else if (value.length > size) this.addon.replyErr(h, id, E.ERANGE);
    else this.addon.replyBuf(h, id, value);
  }
}
