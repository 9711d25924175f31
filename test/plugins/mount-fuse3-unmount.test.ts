// The libfuse 3 mount stops cleanly with requests still being served: unmount returns, the waiting program gets an
// error instead of hanging, and answering the request afterwards neither crashes nor hangs the process.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  ErrorCodes,
  type FsAttr,
  type IFileSystemOperations,
  MoosengError,
  ROOT_INODE,
  S_IFDIR,
  S_IFREG,
  silentLogger,
} from '@mooseng/core';
import { Fuse3LowLevelMount } from '@mooseng/plugin-mount-fuse3';
import { cleanupTempDirs, makeTempDir } from '../support';

const FILE_INO = 2;
const attr = (ino: number): FsAttr => ({
  ino,
  mode: ino === ROOT_INODE ? S_IFDIR | 0o755 : S_IFREG | 0o644,
  nlink: 1,
  uid: 0,
  gid: 0,
  size: ino === ROOT_INODE ? 0 : 4096,
  rdev: 0,
  atimeMs: 0,
  mtimeMs: 0,
  ctimeMs: 0,
});
const enosys = (): Promise<never> => Promise.reject(new MoosengError(ErrorCodes.EOPNOTSUPP, 'not in this test'));

/** One file whose reads wait until the test lets them go. */
function heldReads(): { ops: IFileSystemOperations; release: () => void; reads: () => number } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  let reads = 0;
  const ops: IFileSystemOperations = {
    timeouts: { entryTimeoutMs: 1000, attrTimeoutMs: 1000 },
    lookup: async (_p, name) => {
      if (name !== 'held') throw new MoosengError(ErrorCodes.ENOENT, name);
      return { attr: attr(FILE_INO), entryTimeoutMs: 1000, attrTimeoutMs: 1000 };
    },
    forget: () => undefined,
    getattr: async (ino) => ({ attr: attr(ino), attrTimeoutMs: 1000 }),
    open: async () => ({ fh: 1 }),
    read: async (_ino, _fh, size) => {
      reads++;
      await gate;
      return Buffer.alloc(Math.min(size, 4096), 0x61);
    },
    release: async () => undefined,
    flush: async () => undefined,
    opendir: async () => ({ fh: 1 }),
    readdir: async () => [],
    releasedir: async () => undefined,
    access: async () => undefined,
    statfs: async () => ({ blockSize: 4096, totalBlocks: 1, freeBlocks: 1, availBlocks: 1, totalFiles: 1, freeFiles: 1, nameMax: 255 }),
    setattr: enosys,
    readlink: enosys,
    mknod: enosys,
    mkdir: enosys,
    unlink: enosys,
    rmdir: enosys,
    symlink: enosys,
    rename: enosys,
    link: enosys,
    create: enosys,
    write: enosys,
    fsync: enosys,
    setxattr: enosys,
    getxattr: enosys,
    listxattr: enosys,
    removexattr: enosys,
    fallocate: enosys,
    lseek: enosys,
  };
  return { ops, release: () => release(), reads: () => reads };
}

describe('mount-fuse3 unmount with requests in flight', function () {
  this.timeout(30_000);
  let mount: Fuse3LowLevelMount | null = null;
  let child: ReturnType<typeof spawn> | null = null;
  after(async () => {
    child?.kill('SIGKILL');
    await mount?.unmount();
    cleanupTempDirs();
  });

  it('returns, fails the waiting reader, and drops the late answer harmlessly', async () => {
    const dir = makeTempDir('mooseng-fuse3-');
    const held = heldReads();
    mount = new Fuse3LowLevelMount(silentLogger);
    await mount.mount(dir, held.ops, { fsname: 'mooseng-test', readOnly: false, defaultPermissions: true, allowOther: false });
    expect(readFileSync('/proc/mounts', 'utf8')).to.contain(dir);
    child = spawn('cat', [`${dir}/held`], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    for (let i = 0; i < 500 && held.reads() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(held.reads(), 'the read reached the file system').to.be.greaterThan(0);
    expect(mount.pending).to.be.greaterThan(0);
    const started = Date.now();
    await mount.unmount();
    expect(Date.now() - started).to.be.lessThan(10_000);
    expect(readFileSync('/proc/mounts', 'utf8')).to.not.contain(dir);
    // The reader was failed (the connection was aborted), not left hanging.
    expect(await exited).to.not.equal(0);
    // The answer comes after the session is gone: dropped, and the process goes on.
    held.release();
    await new Promise((r) => setTimeout(r, 50));
    expect(mount.pending).to.equal(0);
  });
});
