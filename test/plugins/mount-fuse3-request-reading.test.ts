// How the libfuse 3 addon reads requests on the event loop: a write's data stays the program's bytes while the call
// lasts, and its receive buffer is reused once the call is over; looking for the next request (busy polling) never
// keeps the event loop from what else is ready.
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
import { Fuse3LowLevelMount, loadAddon } from '@mooseng/plugin-mount-fuse3';
import { cleanupTempDirs, makeTempDir } from '../support';
import { testOps } from './fuse3-test-ops';

const run = promisify(execFile);
const FILE_INO = 2;
const MIB = 1024 * 1024;

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

  it("keeps a write's bytes the program's while the call lasts, and reuses its receive buffer once the call is over", async () => {
    // Writes are lent for the call only (IFileSystemOperations.write): each call here waits a little (other
    // programs' writes come in meanwhile, into other receive buffers), checks its bytes, then copies them as a
    // file system that keeps them must. Once a call is over its receive buffer goes straight back to the pool, not
    // when the collector finds the Buffer.
    const copies = new Map<number, Buffer>();
    const wrong: string[] = [];
    let inCall = 0;
    let mostInCall = 0;
    const files = ['a', 'b', 'c', 'd']; // one file each: the kernel lets one write at a time into a file
    const base = oneFile(() => undefined);
    const dir = await mounted({
      ...base,
      lookup: async (parent, name, caller) => {
        const n = files.indexOf(name);
        if (n < 0) return base.lookup(parent, name, caller);
        const { attr } = await base.getattr(FILE_INO, undefined, caller);
        return { attr: { ...attr, ino: 10 + n }, entryTimeoutMs: 1000, attrTimeoutMs: 1000 };
      },
      write: async (_ino, _fh, data, offset) => {
        mostInCall = Math.max(mostInCall, ++inCall);
        await new Promise((resolve) => setTimeout(resolve, 2));
        const want = ((offset / MIB) % 250) + 1;
        if (!data.every((b) => b === want)) wrong.push(`write at ${offset / MIB} MiB changed during its call`);
        copies.set(offset, Buffer.from(data));
        inCall--;
        return data.length;
      },
    });
    const madeBefore = loadAddon().rxBuffersMade();
    // Four programs at once, each its own 16 MiB of the file.
    const script = (
      first: number,
    ) => `const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(`${dir}/${files[first / 16]}`)}, 'r+');
      for (let i = ${first}; i < ${first + 16}; i++) fs.writeSync(fd, Buffer.alloc(${MIB}, i % 250 + 1), 0, ${MIB}, i * ${MIB});
      fs.closeSync(fd);`;
    await Promise.all([0, 16, 32, 48].map((first) => run(process.execPath, ['-e', script(first)])));
    expect(wrong).to.deep.equal([]);
    expect(copies.size).to.equal(64);
    for (const [offset, data] of copies)
      expect(
        data.every((b) => b === ((offset / MIB) % 250) + 1),
        `write ${offset / MIB}`,
      ).to.equal(true);
    expect(mostInCall, 'several writes were in their calls at once').to.be.greaterThan(1);
    // 64 writes of 1 MiB, at most four in their calls at once: a few receive buffers, used again and again. Given
    // back only by the collector, about one per write was made (V8 collects every 64 MiB it is told of or so).
    expect(loadAddon().rxBuffersMade() - madeBefore, 'receive buffers made for 64 writes').to.be.at.most(mostInCall + 4);
    // Small writes are copied out of the receive buffer: each keeps its own bytes, kept past its call too.
    const small = new Map<number, Buffer>();
    await mount!.unmount();
    const dir2 = await mounted(oneFile((data, offset) => small.set(offset, data)));
    await writeRequests(`${dir2}/f`, 200, 4096);
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
