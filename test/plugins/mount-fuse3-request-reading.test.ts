// How the libfuse 3 addon reads requests on the event loop: a write's data stays the program's bytes although the
// receive buffers it lies in are reused once JS lets go of them, and looking for the next request (busy polling)
// never keeps the event loop from what else is ready.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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
const MIB = 1024 * 1024;

/** A full garbage collection, so that dropped write Buffers are finalized (their receive buffers reused). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** One file, `f`, whose writes are handed to `onWrite` as the binding gave them (no copy). */
function oneFile(onWrite: (data: Buffer, offset: number) => void): IFileSystemOperations {
  let size = 0;
  const attr = (ino: number): FsAttr => ({
    ino,
    mode: ino === ROOT_INODE ? S_IFDIR | 0o755 : S_IFREG | 0o666,
    nlink: 1,
    uid: 0,
    gid: 0,
    size: ino === ROOT_INODE ? 0 : size,
    rdev: 0,
    atimeMs: 0,
    mtimeMs: 0,
    ctimeMs: 0,
  });
  return {
    ...testOps(),
    lookup: async (_p, name) => {
      if (name !== 'f') throw new MoosengError(ErrorCodes.ENOENT, name);
      return { attr: attr(FILE_INO), entryTimeoutMs: 1000, attrTimeoutMs: 1000 };
    },
    getattr: async (ino) => ({ attr: attr(ino), attrTimeoutMs: 1000 }),
    setattr: async (ino) => ({ attr: attr(ino), attrTimeoutMs: 0 }),
    open: async (ino) => ({ fh: 1, attr: attr(ino) }),
    write: async (_ino, _fh, data, offset) => {
      onWrite(data, offset);
      size = Math.max(size, offset + data.length);
      return data.length;
    },
    read: async () => Buffer.alloc(0),
    fsync: async () => undefined,
  };
}

/**
 * A program (another process) that writes `count` requests of `bytes` to `path`, request i filled with i % 250 + 1
 * (never 0: a buffer of zeros is pages never touched, which the kernel copies, and sends, one page at a time).
 */
function writeRequests(path: string, count: number, bytes: number): Promise<unknown> {
  const script = `const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(path)}, 'r+');
    for (let i = 0; i < ${count}; i++) fs.writeSync(fd, Buffer.alloc(${bytes}, i % 250 + 1), 0, ${bytes}, i * ${bytes});
    fs.closeSync(fd);`;
  return run(process.execPath, ['-e', script]);
}

describe('mount-fuse3 reading requests', function () {
  this.timeout(60_000);
  let mount: Fuse3LowLevelMount | null = null;
  afterEach(async () => {
    await mount?.unmount();
    mount = null;
  });
  after(() => cleanupTempDirs());

  async function mounted(ops: IFileSystemOperations, busyPollUs?: number): Promise<string> {
    const dir = makeTempDir('mooseng-fuse3-reading-');
    mount = new Fuse3LowLevelMount(silentLogger);
    await mount.mount(dir, ops, { fsname: 'mooseng-test', readOnly: false, defaultPermissions: false, allowOther: false, busyPollUs });
    return dir;
  }

  it('keeps a write Buffer the file system holds intact while the receive buffers of dropped ones are reused', async () => {
    // Every fourth large write is kept as given (as a write-back cache would keep it); the others are dropped and
    // collected, so their receive buffers go back to the pool and later requests are read into them.
    const kept = new Map<number, Buffer>();
    const small = new Map<number, Buffer>();
    let writes = 0;
    const dir = await mounted(
      oneFile((data, offset) => {
        if (data.length < MIB) small.set(offset, data);
        else if (writes % 4 === 0) kept.set(offset, data);
        if (++writes % 8 === 0) collectGarbage();
      }),
    );
    await writeRequests(`${dir}/f`, 64, MIB);
    collectGarbage();
    await writeRequests(`${dir}/f`, 32, MIB);
    expect(kept.size).to.be.greaterThan(8);
    for (const [offset, data] of kept) {
      const i = offset / MIB;
      expect(data.length, `write ${i}`).to.equal(MIB);
      expect(
        data.every((b) => b === (i % 250) + 1),
        `the bytes of write ${i}, kept while others were reused`,
      ).to.equal(true);
    }
    // Small writes are copied out of the receive buffer: each keeps its own bytes too.
    await writeRequests(`${dir}/f`, 200, 4096);
    expect(small.size).to.equal(200);
    for (const [offset, data] of small)
      expect(
        data.every((b) => b === ((offset / 4096) % 250) + 1),
        `4 KiB write at ${offset}`,
      ).to.equal(true);
  });

  it('leaves the event loop to other work while it looks for the next request', async () => {
    // Looking for up to 30 s after every answered request: only the event loop's own readiness (here the pipes and
    // the exit of the child processes) ends the look early, so without that check every stat below would wait 30 s.
    const dir = await mounted(
      oneFile(() => undefined),
      30_000_000,
    );
    for (let i = 0; i < 5; i++) {
      const { stdout } = await run('stat', ['-c', '%s', `${dir}/f`]);
      expect(stdout.trim()).to.equal('0');
    }
  });

  it('lets a timer fire while it looks for the next request', async () => {
    // The program stats the file, then stays quiet for 3 s (nothing becomes readable meanwhile): a timer started as
    // the stat is answered must fire before the program ends, not when the look (30 s) is over.
    let timerFiredAt = 0;
    const dir = await mounted(
      {
        ...oneFile(() => undefined),
        getattr: async (ino) => {
          setTimeout(() => (timerFiredAt ||= Date.now()), 100);
          return {
            attr: { ino, mode: S_IFREG | 0o666, nlink: 1, uid: 0, gid: 0, size: 0, rdev: 0, atimeMs: 0, mtimeMs: 0, ctimeMs: 0 },
            attrTimeoutMs: 0,
          };
        },
      },
      30_000_000,
    );
    await run('sh', ['-c', `stat ${dir}/f >/dev/null; sleep 3`]);
    const programEndedAt = Date.now();
    expect(timerFiredAt, 'the timer fired').to.be.greaterThan(0);
    expect(programEndedAt - timerFiredAt, 'ms between the timer and the end of the program').to.be.greaterThan(1000);
  });
});
