// Close-to-open on the libfuse 3 mount while another client's change notice is still on its way to the kernel: the
// notice's invalidation forgets what the kernel was told before the kernel has dropped it, so an open that came
// meanwhile found nothing to compare and left the kernel's old size in place (the model checker's seed 34: fstat on
// the second mount gave 0 for a file the first had just closed at 66,996,978 bytes, docs/testing.md).
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
import { type Fuse3Addon, Fuse3LowLevelMount, loadAddon } from '@mooseng/plugin-mount-fuse3';
import { cleanupTempDirs, makeTempDir } from '../support';
import { testOps } from './fuse3-test-ops';

const run = promisify(execFile);
const FILE_INO = 2;
/** Long enough that nothing the kernel caches expires during the test. */
const CACHE_MS = 60_000;
/** How long the test holds the notice's invalidation back (a loaded machine's notify thread; below OPEN_WAITS_FOR_INVALIDATION_MS). */
const NOTICE_DELAY_MS = 1500;

describe('mount-fuse3: an open while a change notice is on its way', function () {
  this.timeout(30_000);
  let mount: Fuse3LowLevelMount | null = null;
  afterEach(async () => {
    await mount?.unmount();
    mount = null;
  });
  after(() => cleanupTempDirs());

  it('sees the size the file system gives the open, not the one the kernel cached before the notice', async () => {
    let size = 1000;
    const attr = (ino: number): FsAttr => ({
      ino,
      mode: ino === ROOT_INODE ? S_IFDIR | 0o755 : S_IFREG | 0o644,
      nlink: 1,
      uid: 0,
      gid: 0,
      size: ino === ROOT_INODE ? 0 : size,
      rdev: 0,
      atimeMs: 0,
      mtimeMs: ino === ROOT_INODE ? 0 : size, // a commit moves the mtime with the size
      ctimeMs: 0,
    });
    const ops: IFileSystemOperations = {
      ...testOps(),
      lookup: async (_p, name) => {
        if (name !== 'f') throw new MoosengError(ErrorCodes.ENOENT, name);
        return { attr: attr(FILE_INO), entryTimeoutMs: CACHE_MS, attrTimeoutMs: CACHE_MS };
      },
      getattr: async (ino) => ({ attr: attr(ino), attrTimeoutMs: CACHE_MS }),
      open: async (ino) => ({ fh: 1, attr: attr(ino) }),
    };
    // The real addon, with each inode invalidation held back for NOTICE_DELAY_MS.
    const real = loadAddon();
    const slow: Fuse3Addon = Object.assign(Object.create(real) as Fuse3Addon, {
      notifyInvalInode: async (...args: Parameters<Fuse3Addon['notifyInvalInode']>) => {
        await new Promise((r) => setTimeout(r, NOTICE_DELAY_MS));
        return real.notifyInvalInode(...args);
      },
    });
    const dir = makeTempDir('mooseng-fuse3-notice-');
    mount = new Fuse3LowLevelMount(silentLogger, slow);
    await mount.mount(dir, ops, { fsname: 'mooseng-test', readOnly: false, defaultPermissions: false, allowOther: false, keepCache: true });
    const fstatSize = async (): Promise<number> => {
      // Another process: this one answers the FUSE requests.
      const script = 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); print(os.fstat(fd).st_size)';
      return Number((await run('python3', ['-c', script, `${dir}/f`])).stdout.trim());
    };
    expect(await fstatSize()).to.equal(1000);
    // Another client closes the file longer, and its change notice reaches this mount just before the open.
    size = 66_996_978;
    const notice = mount.kernelCache.invalidateInode(FILE_INO);
    expect(await fstatSize()).to.equal(66_996_978);
    await notice;
  });
});
