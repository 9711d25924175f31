// An open on the libfuse 3 mount keeps the kernel's cached pages of a file only while the file system's attributes
// for it are those the kernel was given: a second read of an unchanged file is served from the page cache, one after
// another client's change (the open finds a new mtime) reads the file system again.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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
import { testOps } from './fuse3-test-ops';

const run = promisify(execFile);
const FILE_INO = 2;
const FILE_BYTES = 256 * 1024;

/** One file, `f`, whose mtime the test moves (as another client's committed write would), counting reads. */
function oneFile(): { ops: IFileSystemOperations; reads: () => number; touch: () => void } {
  let mtimeMs = 1_000_000;
  let reads = 0;
  const attr = (ino: number): FsAttr => ({
    ino,
    mode: ino === ROOT_INODE ? S_IFDIR | 0o755 : S_IFREG | 0o644,
    nlink: 1,
    uid: 0,
    gid: 0,
    size: ino === ROOT_INODE ? 0 : FILE_BYTES,
    rdev: 0,
    atimeMs: 0,
    mtimeMs: ino === ROOT_INODE ? 0 : mtimeMs,
    ctimeMs: 0,
  });
  const ops: IFileSystemOperations = {
    ...testOps(),
    lookup: async (_p, name) => {
      if (name !== 'f') throw new MoosengError(ErrorCodes.ENOENT, name);
      return { attr: attr(FILE_INO), entryTimeoutMs: 1000, attrTimeoutMs: 1000 };
    },
    getattr: async (ino) => ({ attr: attr(ino), attrTimeoutMs: 1000 }),
    open: async (ino) => ({ fh: 1, attr: attr(ino) }),
    read: async (_ino, _fh, size, offset) => {
      reads++;
      return Buffer.alloc(Math.max(0, Math.min(size, FILE_BYTES - offset)), 0x61);
    },
  };
  return { ops, reads: () => reads, touch: () => (mtimeMs += 1000) };
}

describe('mount-fuse3 keep_cache', function () {
  this.timeout(30_000);
  let mount: Fuse3LowLevelMount | null = null;
  afterEach(async () => {
    await mount?.unmount();
    mount = null;
  });
  after(() => cleanupTempDirs());

  /** Reads the file whole from another process (this one answers the requests) and says how many reads came. */
  async function readsOfOnePass(dir: string, file: ReturnType<typeof oneFile>): Promise<number> {
    const before = file.reads();
    const { stdout } = await run('cat', [`${dir}/f`], { encoding: 'buffer', maxBuffer: 4 * FILE_BYTES });
    expect(stdout.length).to.equal(FILE_BYTES);
    return file.reads() - before;
  }

  async function mounted(keepCache: boolean): Promise<{ dir: string; file: ReturnType<typeof oneFile> }> {
    const dir = makeTempDir('mooseng-fuse3-keep-');
    const file = oneFile();
    mount = new Fuse3LowLevelMount(silentLogger);
    await mount.mount(dir, file.ops, { fsname: 'mooseng-test', readOnly: false, defaultPermissions: false, allowOther: false, keepCache });
    return { dir, file };
  }

  it('serves a second read of an unchanged file from the page cache, and reads again once its mtime moved', async () => {
    const { dir, file } = await mounted(true);
    expect(await readsOfOnePass(dir, file), 'first pass').to.be.greaterThan(0);
    expect(await readsOfOnePass(dir, file), 'second pass, file unchanged').to.equal(0);
    file.touch();
    expect(await readsOfOnePass(dir, file), 'after another client changed it').to.be.greaterThan(0);
  });

  it('drops the pages at every open with keepCache off', async () => {
    const { dir, file } = await mounted(false);
    expect(await readsOfOnePass(dir, file), 'first pass').to.be.greaterThan(0);
    expect(await readsOfOnePass(dir, file), 'second pass').to.be.greaterThan(0);
  });
});
