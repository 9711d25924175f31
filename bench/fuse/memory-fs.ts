// An in-memory IFileSystemOperations for the FUSE benchmark: enough of a file system to measure the binding alone.
import {
  ErrorCodes,
  type FsAttr,
  type FsCaller,
  type FsDirEntry,
  type FsEntry,
  type FsSetAttr,
  type IFileSystemOperations,
  MoosengError,
  ROOT_INODE,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from '@mooseng/core';

/**
 * Bytes per page of file data: a whole request (the largest the kernel sends, 1 MiB), so that a sequential request
 * touches one page, a read of it is a view of the page (no copy, no allocation) and the garbage collector has few
 * objects to mark. The benchmark measures the binding; the backend should cost as little as it can.
 */
const PAGE_BYTES = 1024 * 1024;
/** Kernel cache timeouts the benchmark answers with (as the client's defaults). */
const TIMEOUT_MS = 1000;

interface Node {
  attr: FsAttr;
  children?: Map<string, number>;
  pages?: Map<number, Buffer>;
  target?: string;
}

const fail = (code: keyof typeof ErrorCodes, what: string): never => {
  throw new MoosengError(ErrorCodes[code], what);
};

/** Every operation answers at once from memory. */
export class MemoryFileSystem implements IFileSystemOperations {
  readonly timeouts = { entryTimeoutMs: TIMEOUT_MS, attrTimeoutMs: TIMEOUT_MS };
  private readonly nodes = new Map<number, Node>();
  private readonly dirHandles = new Map<number, FsDirEntry[]>();
  private nextIno = ROOT_INODE + 1;
  private nextFh = 1;

  constructor() {
    this.nodes.set(ROOT_INODE, { attr: this.newAttr(ROOT_INODE, S_IFDIR | 0o777, 0, 0), children: new Map() });
  }

  private newAttr(ino: number, mode: number, uid: number, gid: number): FsAttr {
    const now = Date.now();
    return { ino, mode, nlink: (mode & S_IFMT) === S_IFDIR ? 2 : 1, uid, gid, size: 0, rdev: 0, atimeMs: now, mtimeMs: now, ctimeMs: now };
  }

  private node(ino: number): Node {
    return this.nodes.get(ino) ?? fail('ENOENT', `no inode ${ino}`);
  }

  private dir(ino: number): Map<string, number> {
    return this.node(ino).children ?? fail('ENOTDIR', `${ino} is not a directory`);
  }

  private entry(attr: FsAttr): FsEntry {
    return { attr: { ...attr }, entryTimeoutMs: TIMEOUT_MS, attrTimeoutMs: TIMEOUT_MS };
  }

  private make(parent: number, name: string, mode: number, caller: FsCaller, extra: Partial<Node> = {}): FsEntry {
    const d = this.dir(parent);
    if (d.has(name)) fail('EEXIST', name);
    const ino = this.nextIno++;
    const n: Node = { attr: this.newAttr(ino, mode, caller.uid, caller.gid), ...extra };
    this.nodes.set(ino, n);
    d.set(name, ino);
    return this.entry(n.attr);
  }

  async lookup(parent: number, name: string): Promise<FsEntry> {
    const ino = this.dir(parent).get(name);
    if (ino === undefined) return { attr: { ...this.newAttr(0, 0, 0, 0) }, entryTimeoutMs: TIMEOUT_MS, attrTimeoutMs: 0 };
    return this.entry(this.node(ino).attr);
  }
  forget(): void {}
  async getattr(ino: number) {
    return { attr: { ...this.node(ino).attr }, attrTimeoutMs: TIMEOUT_MS };
  }
  async setattr(ino: number, c: FsSetAttr) {
    const a = this.node(ino).attr;
    if (c.mode !== undefined) a.mode = (a.mode & S_IFMT) | (c.mode & 0o7777);
    if (c.uid !== undefined) a.uid = c.uid;
    if (c.gid !== undefined) a.gid = c.gid;
    if (c.size !== undefined) a.size = c.size;
    if (c.mtimeMs !== undefined) a.mtimeMs = c.mtimeMs === 'now' ? Date.now() : c.mtimeMs;
    if (c.atimeMs !== undefined) a.atimeMs = c.atimeMs === 'now' ? Date.now() : c.atimeMs;
    return { attr: { ...a }, attrTimeoutMs: TIMEOUT_MS };
  }
  async readlink(ino: number) {
    return this.node(ino).target ?? fail('EINVAL', 'not a symlink');
  }
  async mknod(parent: number, name: string, mode: number, _rdev: number, caller: FsCaller) {
    return this.make(parent, name, mode, caller, { pages: new Map() });
  }
  async mkdir(parent: number, name: string, mode: number, caller: FsCaller) {
    return this.make(parent, name, S_IFDIR | (mode & 0o7777), caller, { children: new Map() });
  }
  async unlink(parent: number, name: string) {
    const d = this.dir(parent);
    const ino = d.get(name) ?? fail('ENOENT', name);
    d.delete(name);
    const n = this.node(ino);
    if (--n.attr.nlink === 0) this.nodes.delete(ino);
  }
  async rmdir(parent: number, name: string) {
    const d = this.dir(parent);
    const ino = d.get(name) ?? fail('ENOENT', name);
    if (this.dir(ino).size > 0) fail('ENOTEMPTY', name);
    d.delete(name);
    this.nodes.delete(ino);
  }
  async symlink(target: string, parent: number, name: string, caller: FsCaller) {
    return this.make(parent, name, S_IFLNK | 0o777, caller, { target });
  }
  async rename(parent: number, name: string, newParent: number, newName: string) {
    const from = this.dir(parent);
    const ino = from.get(name) ?? fail('ENOENT', name);
    from.delete(name);
    this.dir(newParent).set(newName, ino);
  }
  async link(ino: number, newParent: number, newName: string) {
    this.dir(newParent).set(newName, ino);
    const a = this.node(ino).attr;
    a.nlink++;
    return this.entry(a);
  }
  async open() {
    return { fh: this.nextFh++ };
  }
  async create(parent: number, name: string, mode: number, _flags: number, caller: FsCaller) {
    return { entry: this.make(parent, name, S_IFREG | (mode & 0o7777), caller, { pages: new Map() }), opened: { fh: this.nextFh++ } };
  }
  async read(ino: number, _fh: number, size: number, offset: number) {
    const n = this.node(ino);
    const end = Math.min(n.attr.size, offset + size);
    if (end <= offset) return Buffer.alloc(0);
    const first = Math.floor(offset / PAGE_BYTES);
    const whole = n.pages?.get(first);
    // Within one page: a view of it (the binding copies it to the kernel before the page can change).
    if (whole && Math.floor((end - 1) / PAGE_BYTES) === first) return whole.subarray(offset - first * PAGE_BYTES, end - first * PAGE_BYTES);
    // Not zeroed first: every byte is copied from a page or, in a hole, filled (the backend's cost is not measured).
    const out = Buffer.allocUnsafe(end - offset);
    for (let pos = offset; pos < end;) {
      const page = Math.floor(pos / PAGE_BYTES);
      const within = pos - page * PAGE_BYTES;
      const len = Math.min(PAGE_BYTES - within, end - pos);
      const p = n.pages?.get(page);
      if (p) p.copy(out, pos - offset, within, within + len);
      else out.fill(0, pos - offset, pos - offset + len);
      pos += len;
    }
    return out;
  }
  async write(ino: number, _fh: number, data: Buffer, offset: number) {
    const n = this.node(ino);
    const pages = n.pages ?? fail('EISDIR', 'not a file');
    for (let done = 0; done < data.length;) {
      const pos = offset + done;
      const page = Math.floor(pos / PAGE_BYTES);
      const within = pos - page * PAGE_BYTES;
      const len = Math.min(PAGE_BYTES - within, data.length - done);
      let p = pages.get(page);
      // A page written whole need not be zeroed first.
      if (!p) pages.set(page, (p = len === PAGE_BYTES ? Buffer.allocUnsafeSlow(PAGE_BYTES) : Buffer.alloc(PAGE_BYTES)));
      data.copy(p, within, done, done + len);
      done += len;
    }
    n.attr.size = Math.max(n.attr.size, offset + data.length);
    return data.length;
  }
  async flush() {}
  async release() {}
  async fsync() {}
  async opendir(ino: number) {
    const self = this.node(ino).attr;
    const entries: FsDirEntry[] = [
      { name: '.', attr: self },
      { name: '..', attr: self },
    ];
    for (const [name, child] of this.dir(ino)) entries.push({ name, attr: { ...this.node(child).attr } });
    const fh = this.nextFh++;
    this.dirHandles.set(fh, entries);
    return { fh };
  }
  async readdir(_ino: number, fh: number, offset: number) {
    return (this.dirHandles.get(fh) ?? []).slice(offset, offset + 512);
  }
  async releasedir(_ino: number, fh: number) {
    this.dirHandles.delete(fh);
  }
  async statfs() {
    return {
      blockSize: 4096,
      totalBlocks: 1 << 20,
      freeBlocks: 1 << 19,
      availBlocks: 1 << 19,
      totalFiles: 1 << 20,
      freeFiles: 1 << 19,
      nameMax: 255,
    };
  }
  async setxattr() {
    fail('EOPNOTSUPP', 'xattrs');
  }
  async getxattr(): Promise<Buffer> {
    return fail('ENODATA', 'no xattrs');
  }
  async listxattr() {
    return [];
  }
  async removexattr() {
    fail('ENODATA', 'no xattrs');
  }
  async access() {}

  async lseek(): Promise<number> {
    return fail('EOPNOTSUPP', 'the benchmark backend has no holes to find');
  }

  async fallocate(): Promise<void> {
    fail('EOPNOTSUPP', 'the benchmark backend does not allocate');
  }
}
