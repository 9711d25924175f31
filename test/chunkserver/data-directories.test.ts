// Several data directories: new chunks go where there is most room; a full directory takes no new chunks but keeps
// serving; a broken one is marked unusable and reported; the others keep serving.
import { expect } from 'chai';
import { closeSync, existsSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { chunkFilePath } from '@mooseng/block-store';
import { DataPlaneClient, MAX_FRAME_DATA_BYTES, SystemClock, isMoosengError } from '@mooseng/core';
import { FsChunkStoreFactory } from '@mooseng/plugin-storage-fs';
import { DirectIoChunkStoreFactory } from '@mooseng/plugin-storage-directio';
import { cleanupTempDirs, makeTempDir, waitFor } from '../support';
import { expectCode, mountTmpfs, randomBytes, startChunkserver, unmount, type RunningChunkserver } from './helpers';

describe('data directories', function () {
  this.timeout(30_000);
  const mounts: string[] = [];
  let cs: RunningChunkserver | undefined;
  const client = new DataPlaneClient({ clock: new SystemClock() });

  after(async () => {
    client.close();
    await cs?.stop();
    while (mounts.length > 0) unmount(mounts.pop()!);
    cleanupTempDirs();
  });

  it('fills a small tmpfs directory: it becomes full, not failed: it keeps serving what it holds, takes no new chunks, and is usable again once space returns', async function () {
    // Mounting a tmpfs needs root (the test machines run as root; elsewhere this one is skipped, and says so).
    if (process.getuid?.() !== 0) this.skip();
    const small = mountTmpfs('4m');
    mounts.push(small);
    const big = makeTempDir('mooseng-big-');
    // A chunk that already lives on the small directory (written there before this start).
    const seed = await new FsChunkStoreFactory({ fsync: 'on-close' }).open(small);
    await seed.create({ chunkId: 1, version: 1 });
    await seed.close();

    cs = await startChunkserver({ dataDirs: [small, big] });
    // New chunks go to the directory with the most free space.
    await client.create(cs.address, { chunkId: 2, version: 1 });
    expect(existsSync(chunkFilePath(big, 2, 1))).to.equal(true);
    const kept = randomBytes(MAX_FRAME_DATA_BYTES, 2);
    await client.write(cs.address, { chunkId: 2, version: 1 }, 0, kept);

    const written: Buffer[] = [];
    let full: unknown = null;
    for (let i = 0; i < 8 && !full; i++) {
      const block = randomBytes(MAX_FRAME_DATA_BYTES, 10 + i);
      try {
        await client.write(cs.address, { chunkId: 1, version: 1 }, i * MAX_FRAME_DATA_BYTES, block);
        written.push(block);
      } catch (err) {
        full = err;
      }
    }
    expect(isMoosengError(full, 'NO_SPACE'), String(full)).to.equal(true);
    expect((full as Error).message).to.contain(small);
    expect(written.length, 'some writes fit before the disk filled').to.be.above(0);

    type Health = { status: string; dirs: Array<{ dir: string; state: string; error?: string }> };
    const health = (await (await fetch(`${cs.httpUrl}/health`)).json()) as Health;
    expect(health.status).to.equal('degraded');
    expect(health.dirs.find((d) => d.dir === small)).to.deep.include({ state: 'full' });
    expect(health.dirs.find((d) => d.dir === small)!.error).to.contain('full');
    expect(health.dirs.find((d) => d.dir === big)).to.deep.include({ state: 'ok' });

    // A full disk is not a failed one: what it acknowledged still reads back, and its chunk is not given up as lost
    // (which would make the masters copy every chunk of the disk elsewhere, and fill the next disk).
    const back = await client.read(cs.address, { chunkId: 1, version: 1 }, 0, written.length * MAX_FRAME_DATA_BYTES);
    expect(back.equals(Buffer.concat(written))).to.equal(true);
    expect(await cs.runtime.stores.collectLost()).to.deep.equal([]);
    expect(cs.runtime.stores.has(1)).to.equal(true);

    // New chunks go to the other directory.
    const data = randomBytes(2 * MAX_FRAME_DATA_BYTES, 3);
    await client.create(cs.address, { chunkId: 3, version: 1 });
    await client.write(cs.address, { chunkId: 3, version: 1 }, 0, data);
    expect((await client.read(cs.address, { chunkId: 3, version: 1 }, 0, data.length)).equals(data)).to.equal(true);
    expect(existsSync(chunkFilePath(big, 3, 1))).to.equal(true);
    expect((await client.read(cs.address, { chunkId: 2, version: 1 }, 0, kept.length)).equals(kept)).to.equal(true);

    // Space comes back (the chunk is cut to nothing): the directory is usable again and takes writes.
    await client.truncate(cs.address, { chunkId: 1, version: 1 }, 0);
    await waitFor('the small directory to be usable again', async () => {
      const h = (await (await fetch(`${cs!.httpUrl}/health`)).json()) as Health;
      return h.dirs.find((d) => d.dir === small)?.state === 'ok';
    });
    await client.write(cs.address, { chunkId: 1, version: 1 }, 0, kept);
    expect((await client.read(cs.address, { chunkId: 1, version: 1 }, 0, kept.length)).equals(kept)).to.equal(true);
  });

  it('calls a directory full as soon as another program filled its file system, before any write failed, and usable again once that space is freed', async function () {
    if (process.getuid?.() !== 0) this.skip();
    const small = mountTmpfs('4m');
    mounts.push(small);
    const store = await new FsChunkStoreFactory({ fsync: 'on-close' }).open(small);
    try {
      await store.create({ chunkId: 1, version: 1 });
      expect((await store.usage()).state).to.equal('ok');
      // The filler takes every byte the file system has left, as a log or a core dump sharing the disk would.
      const filler = join(small, 'filler');
      const fd = openSync(filler, 'w');
      try {
        for (const size of [1024 * 1024, 4096]) {
          const block = Buffer.alloc(size, 1);
          for (;;) {
            try {
              writeSync(fd, block);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw err;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      const full = await store.usage();
      expect(full.state, 'no write failed yet: only the free space says so').to.equal('full');
      expect(full.error).to.contain('bytes free');
      await expectCode(store.create({ chunkId: 2, version: 1 }), 'NO_SPACE');
      // What it holds still serves.
      expect(await store.read({ chunkId: 1, version: 1 }, 0, 0)).to.have.length(0);
      unlinkSync(filler);
      expect((await store.usage()).state).to.equal('ok');
      await store.create({ chunkId: 2, version: 1 });
    } finally {
      await store.close();
    }
  });

  it('starts with a directory that cannot be opened, reporting it, and serves from the rest', async () => {
    const base = makeTempDir('mooseng-dirs-');
    const notADir = join(base, 'file');
    writeFileSync(notADir, 'not a directory');
    const good = join(base, 'good');
    const second = await startChunkserver({ dataDirs: [join(notADir, 'disk'), good] });
    try {
      const health = (await (await fetch(`${second.httpUrl}/health`)).json()) as {
        status: string;
        dirs: Array<{ dir: string; state: string; error?: string }>;
      };
      expect(health.status).to.equal('degraded');
      expect(health.dirs[0]).to.deep.include({ dir: join(notADir, 'disk'), state: 'unusable' });
      await client.create(second.address, { chunkId: 9, version: 1 });
      expect(existsSync(chunkFilePath(good, 9, 1))).to.equal(true);
    } finally {
      await second.stop();
    }
  });

  it('notices a data directory that vanished, stops serving its chunks and places new ones elsewhere', async () => {
    const base = makeTempDir('mooseng-dirs-');
    const doomed = join(base, 'doomed');
    const kept = join(base, 'kept');
    const third = await startChunkserver({ dataDirs: [doomed, kept] });
    try {
      const ref = { chunkId: 20, version: 1 };
      await client.create(third.address, ref);
      const home = existsSync(chunkFilePath(doomed, 20, 1)) ? doomed : kept;
      const other = home === doomed ? kept : doomed;
      rmSync(home, { recursive: true, force: true });
      await waitFor('the vanished directory to be reported', async () => {
        const health = (await (await fetch(`${third.httpUrl}/health`)).json()) as {
          dirs: Array<{ dir: string; state: string; error?: string }>;
        };
        return health.dirs.find((d) => d.dir === home)?.state === 'unusable';
      });
      const refused = await client.read(third.address, ref, 0, 1).then(
        () => null,
        (err: { code: string }) => err.code,
      );
      expect(refused).to.be.oneOf(['DISK_UNUSABLE', 'CHUNK_NOT_FOUND']);
      await client.create(third.address, { chunkId: 21, version: 1 });
      expect(existsSync(chunkFilePath(other, 21, 1))).to.equal(true);
    } finally {
      await third.stop();
    }
  });

  it('refuses a directory storage-directio cannot use with DISK_UNUSABLE naming it', async () => {
    const base = makeTempDir('mooseng-dirs-');
    writeFileSync(join(base, 'file'), '');
    const dir = join(base, 'file', 'disk');
    const err = await expectCode(new DirectIoChunkStoreFactory({ fsync: 'on-close' }).open(dir), 'DISK_UNUSABLE');
    expect(err.message).to.contain(dir);
  });
});
