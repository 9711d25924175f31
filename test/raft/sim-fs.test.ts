// The simulation's disk model (sim/sim-fs.ts) keeps POSIX's promises and no more: what the host's storage code is
// tested against in every simulated crash.
import { expect } from 'chai';
import { SeededRandom } from '@mooseng/core';
import type { RaftFileSystem } from '@mooseng/plugin-replication-raft';
import { SimDisk } from './sim/sim-fs';

/** A disk whose fsyncs complete on the next turn of the microtask queue (the latency is not what is tested). */
function disk(seed = 1): SimDisk {
  return new SimDisk({ at: (_ms, fn) => queueMicrotask(fn), random: new SeededRandom(seed), fsyncMaxMs: 0 });
}

async function write(fs: RaftFileSystem, path: string, text: string, opts: { sync?: boolean; syncDir?: boolean } = {}): Promise<void> {
  const f = await fs.openAppend(path);
  await f.append(Buffer.from(text));
  if (opts.sync) await f.sync();
  await f.close();
  if (opts.syncDir) await fs.syncDir('/d');
}

const text = async (fs: RaftFileSystem, path: string): Promise<string | null> => (await fs.read(path))?.toString() ?? null;

describe('simulated disk', () => {
  it('keeps synced bytes and files through power loss, and loses unsynced ones', async () => {
    const d = disk();
    const fs = d.mount();
    await write(fs, '/d/a', 'durable', { sync: true, syncDir: true });
    await write(fs, '/d/b', 'unsynced file', { sync: true });
    d.powerLoss();
    const after = d.mount();
    expect(await text(after, '/d/a')).to.match(/^durable/);
    // Its data was synced, but its directory entry never was.
    expect(await text(after, '/d/b')).to.equal(null);
  });

  it('keeps a torn prefix of an unsynced append at most, never bytes before the synced ones', async () => {
    const kept = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const d = disk(seed);
      const fs = d.mount();
      await write(fs, '/d/log', 'AAAA', { sync: true, syncDir: true });
      await write(fs, '/d/log', 'BBBBBBBB');
      d.powerLoss();
      const got = (await text(d.mount(), '/d/log'))!;
      expect(got.startsWith('AAAA')).to.equal(true);
      expect(got.length).to.be.lessThan(12);
      kept.add(got.length === 4 ? 'none' : 'torn');
    }
    expect([...kept].sort()).to.deep.equal(['none', 'torn']);
  });

  it('keeps everything written when only the process dies (the page cache survives)', async () => {
    const d = disk();
    const fs = d.mount();
    await write(fs, '/d/a', 'written, never synced');
    d.processCrash();
    expect(await text(d.mount(), '/d/a')).to.equal('written, never synced');
  });

  it('makes a rename durable only with its directory, and atomic either way', async () => {
    const d = disk();
    const fs = d.mount();
    await write(fs, '/d/snap', 'old', { sync: true, syncDir: true });
    await write(fs, '/d/snap.tmp', 'new', { sync: true });
    await fs.rename('/d/snap.tmp', '/d/snap');
    expect(await text(fs, '/d/snap')).to.equal('new');
    d.powerLoss();
    expect(await text(d.mount(), '/d/snap')).to.equal('old');
    const fs2 = d.mount();
    await write(fs2, '/d/snap.tmp', 'new', { sync: true });
    await fs2.rename('/d/snap.tmp', '/d/snap');
    await fs2.syncDir('/d');
    d.powerLoss();
    expect(await text(d.mount(), '/d/snap')).to.equal('new');
  });

  it('never completes an operation of a process that has died', async () => {
    const d = disk();
    const fs = d.mount();
    d.processCrash();
    let settled = false;
    void fs.read('/d/a').then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setImmediate(r));
    expect(settled).to.equal(false);
  });

  it('with a lying fsync, loses what it claimed to have synced', async () => {
    const d = disk();
    d.lyingFsync = true;
    const fs = d.mount();
    await write(fs, '/d/a', '', { syncDir: true });
    await write(fs, '/d/a', 'claimed durable', { sync: true });
    d.powerLoss();
    expect(await text(d.mount(), '/d/a')).to.not.equal('claimed durable');
  });
});
