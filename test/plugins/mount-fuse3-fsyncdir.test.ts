// fsyncdir on the libfuse 3 mount reaches the file system (the client waits there for the masters' durability
// barrier), with its datasync flag; a file system without fsyncdir answers it at once.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type FsAttr, type IFileSystemOperations, ROOT_INODE, S_IFDIR, silentLogger } from '@mooseng/core';
import { Fuse3LowLevelMount } from '@mooseng/plugin-mount-fuse3';
import { cleanupTempDirs, makeTempDir } from '../support';
import { testOps } from './fuse3-test-ops';

const run = promisify(execFile);

const rootAttr = (): FsAttr => ({
  ino: ROOT_INODE,
  mode: S_IFDIR | 0o755,
  nlink: 2,
  uid: 0,
  gid: 0,
  size: 0,
  rdev: 0,
  atimeMs: 0,
  mtimeMs: 0,
  ctimeMs: 0,
});

/** fsync (or fdatasync) of the directory from another process: this one answers the FUSE requests. */
function syncDirectory(dir: string, call: 'fsync' | 'fdatasync'): Promise<unknown> {
  return run('python3', ['-c', `import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.${call}(fd); os.close(fd)`, dir]);
}

describe('mount-fuse3 fsyncdir', function () {
  this.timeout(30_000);
  let mount: Fuse3LowLevelMount | null = null;
  afterEach(async () => {
    await mount?.unmount();
    mount = null;
  });
  after(() => cleanupTempDirs());

  async function mounted(ops: IFileSystemOperations): Promise<string> {
    const dir = makeTempDir('mooseng-fuse3-fsyncdir-');
    mount = new Fuse3LowLevelMount(silentLogger);
    await mount.mount(dir, ops, { fsname: 'mooseng-test', readOnly: false, defaultPermissions: false, allowOther: false });
    return dir;
  }

  it("passes fsync and fdatasync of a directory to the file system's fsyncdir", async () => {
    const calls: Array<{ ino: number; datasync: boolean }> = [];
    const dir = await mounted({
      ...testOps(),
      getattr: async (ino) => ({ attr: { ...rootAttr(), ino }, attrTimeoutMs: 1000 }),
      fsyncdir: async (ino, _fh, datasync) => void calls.push({ ino, datasync }),
    });
    await syncDirectory(dir, 'fsync');
    await syncDirectory(dir, 'fdatasync');
    expect(calls).to.deep.equal([
      { ino: ROOT_INODE, datasync: false },
      { ino: ROOT_INODE, datasync: true },
    ]);
  });

  it('answers at once when the file system has no fsyncdir', async () => {
    const dir = await mounted({ ...testOps(), getattr: async (ino) => ({ attr: { ...rootAttr(), ino }, attrTimeoutMs: 1000 }) });
    await syncDirectory(dir, 'fsync');
  });
});
