// The host's durable storage: segmented WAL (CRC, rotation, torn tail, corruption, compaction) and the snapshot file.
import { expect } from 'chai';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMoosengError, SeededRandom } from '@mooseng/core';
import {
  NodeFileSystem,
  readSnapshotFile,
  replayWal,
  SegmentWal,
  writeSnapshotFile,
  type Entry,
  type WalRecord,
} from '@mooseng/plugin-replication-raft';
import { cleanupTempDirs, makeTempDir } from '../support';
import { SimDisk } from './sim/sim-fs';

function entries(from: number, to: number, term = 1): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ index: i, term, type: 'normal', data: Buffer.from(`command ${i}`) });
  return out;
}

const HS = { term: 1, vote: 'n1', commit: 0 };
const fs = new NodeFileSystem();

describe('raft host: segmented WAL', () => {
  after(cleanupTempDirs);

  it('reads back what it wrote, across reopen and segment rotation', async () => {
    const dir = makeTempDir();
    const wal = new SegmentWal({ fs, dir, segmentBytes: 4096, fsync: true });
    await wal.open();
    for (let i = 0; i < 50; i++) {
      await wal.append(
        [
          { type: 'entries', entries: entries(i * 4 + 1, i * 4 + 4) },
          { type: 'hard-state', hardState: { ...HS, commit: i * 4 } },
        ],
        HS,
      );
    }
    expect(wal.segmentCount()).to.be.greaterThan(1);
    await wal.close();
    const again = new SegmentWal({ fs, dir, segmentBytes: 4096, fsync: true });
    const { records, truncatedBytes } = await again.open();
    await again.close();
    expect(truncatedBytes).to.equal(0);
    const state = replayWal({ index: 0, term: 0, members: [], data: new Uint8Array(0) }, records);
    expect(state.entries.map((e) => e.index)).to.deep.equal(entries(1, 200).map((e) => e.index));
    expect(Buffer.from(state.entries[199].data).toString()).to.equal('command 200');
    expect(state.hardState).to.deep.equal({ ...HS, commit: 196 });
  });

  for (const cut of [1, 7, 20]) {
    it(`cuts a torn last record (${cut} bytes short) and keeps everything before it`, async () => {
      const dir = makeTempDir();
      const wal = new SegmentWal({ fs, dir, segmentBytes: 1 << 20, fsync: true });
      await wal.open();
      await wal.append([{ type: 'entries', entries: entries(1, 3) }], HS);
      await wal.append([{ type: 'entries', entries: entries(4, 6) }], HS);
      await wal.close();
      const seg = join(dir, readdirSync(dir)[0]);
      const full = readFileSync(seg);
      // Simulate a crash mid-write: the last record loses its end.
      writeFileSync(seg, full.subarray(0, full.length - cut));
      const again = new SegmentWal({ fs, dir, segmentBytes: 1 << 20, fsync: true });
      const { records, truncatedBytes } = await again.open();
      expect(truncatedBytes).to.be.greaterThan(0);
      const state = replayWal({ index: 0, term: 0, members: [], data: new Uint8Array(0) }, records);
      expect(state.entries.map((e) => e.index)).to.deep.equal([1, 2, 3]);
      // The log goes on after the cut.
      await again.append([{ type: 'entries', entries: entries(4, 5, 2) }], HS);
      await again.close();
      const third = new SegmentWal({ fs, dir, segmentBytes: 1 << 20, fsync: true });
      const reread = replayWal({ index: 0, term: 0, members: [], data: new Uint8Array(0) }, (await third.open()).records);
      await third.close();
      expect(reread.entries.map((e) => `${e.index}@${e.term}`)).to.deep.equal(['1@1', '2@1', '3@1', '4@2', '5@2']);
    });
  }

  it('refuses to open a log whose earlier segment is corrupt, naming the file', async () => {
    const dir = makeTempDir();
    const wal = new SegmentWal({ fs, dir, segmentBytes: 512, fsync: false });
    await wal.open();
    for (let i = 0; i < 20; i++) await wal.append([{ type: 'entries', entries: entries(i * 2 + 1, i * 2 + 2) }], HS);
    await wal.close();
    const first = join(dir, readdirSync(dir).sort()[0]);
    const buf = readFileSync(first);
    buf[20] ^= 0xff;
    writeFileSync(first, buf);
    const again = new SegmentWal({ fs, dir, segmentBytes: 512, fsync: false });
    const err = await again.open().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMoosengError(err, 'IO_ERROR')).to.equal(true);
    expect((err as Error).message).to.include(first);
  });

  it('deletes segments a snapshot covers, keeping the hard state', async () => {
    const dir = makeTempDir();
    const wal = new SegmentWal({ fs, dir, segmentBytes: 512, fsync: true });
    await wal.open();
    for (let i = 0; i < 20; i++)
      await wal.append([{ type: 'entries', entries: entries(i * 2 + 1, i * 2 + 2) }], { term: 3, vote: 'n2', commit: i * 2 });
    const before = wal.segmentCount();
    const removed = await wal.compact(30);
    expect(removed).to.be.greaterThan(0);
    expect(wal.segmentCount()).to.equal(before - removed);
    await wal.close();
    const again = new SegmentWal({ fs, dir, segmentBytes: 512, fsync: true });
    const { records } = await again.open();
    await again.close();
    const state = replayWal({ index: 30, term: 1, members: [], data: new Uint8Array(0) }, records);
    expect(state.entries[0].index).to.equal(31);
    expect(state.entries[state.entries.length - 1].index).to.equal(40);
    expect(state.hardState.term).to.equal(3);
    expect(state.hardState.vote).to.equal('n2');
  });
});

describe('raft host: the node:fs file', () => {
  after(cleanupTempDirs);

  it('keeps appends and synced appends in the order made, whichever descriptor wrote them', async () => {
    const path = join(makeTempDir('raft-file-'), 'f.log');
    const file = await fs.openAppend(path);
    await file.append(Buffer.from('a'));
    await file.appendSynced(Buffer.from('b'));
    await file.appendSynced(Buffer.from('c'));
    await file.append(Buffer.from('d'));
    await file.sync();
    await file.appendSynced(Buffer.from('e'));
    expect(await file.size()).to.equal(5);
    await file.close();
    expect(readFileSync(path, 'utf8')).to.equal('abcde');
    const again = await fs.openAppend(path);
    await again.appendSynced(Buffer.from('f'));
    await again.close();
    expect(readFileSync(path, 'utf8')).to.equal('abcdef');
  });
});

describe('raft host: segmented WAL after power loss (simulated disk)', () => {
  it('keeps every batch through a rotation and power loss', async () => {
    // Commit-index batches fill the segment until the next one starts; power loss may then tear only the final
    // batch, in the last segment (the host once wrote such batches unsynced, and a rotation left a torn record in
    // the middle of the log: the master refused to start). Seeds vary where the tear falls.
    for (let seed = 1; seed <= 20; seed++) {
      const disk = new SimDisk({ at: (_ms, fn) => queueMicrotask(fn), random: new SeededRandom(seed), fsyncMaxMs: 0 });
      const wal = new SegmentWal({ fs: disk.mount(), dir: '/raft', segmentBytes: 256, fsync: true });
      await wal.open();
      await wal.append([{ type: 'entries', entries: entries(1, 4) }], HS);
      for (let commit = 1; wal.segmentCount() === 1; commit++) {
        await wal.append([{ type: 'hard-state', hardState: { ...HS, commit } }], { ...HS, commit });
      }
      disk.powerLoss();
      const again = new SegmentWal({ fs: disk.mount(), dir: '/raft', segmentBytes: 256, fsync: true });
      const { records } = await again.open();
      const state = replayWal({ index: 0, term: 0, members: [], data: new Uint8Array(0) }, records);
      expect(
        state.entries.map((e) => e.index),
        `seed ${seed}`,
      ).to.deep.equal([1, 2, 3, 4]);
    }
  });
});

describe('raft host: a process that died before fsyncing its directory (simulated disk)', () => {
  it('makes the segments it finds durable before appending to them', async () => {
    // The first process creates its first segment and dies before the directory fsync completes: the file lives on
    // in the page cache, so the next process finds it and appends to it, but its name was never made durable.
    let hold = true;
    const held: (() => void)[] = [];
    const disk = new SimDisk({ at: (_ms, fn) => (hold ? held.push(fn) : queueMicrotask(fn)), random: new SeededRandom(1), fsyncMaxMs: 0 });
    void new SegmentWal({ fs: disk.mount(), dir: '/raft', segmentBytes: 1 << 20, fsync: true }).open();
    await new Promise((r) => setImmediate(r));
    disk.processCrash();
    hold = false;
    const second = new SegmentWal({ fs: disk.mount(), dir: '/raft', segmentBytes: 1 << 20, fsync: true });
    await second.open();
    await second.append(
      [
        { type: 'entries', entries: entries(1, 3) },
        { type: 'hard-state', hardState: HS },
      ],
      HS,
    );
    disk.powerLoss();
    const third = new SegmentWal({ fs: disk.mount(), dir: '/raft', segmentBytes: 1 << 20, fsync: true });
    const state = replayWal({ index: 0, term: 0, members: [], data: new Uint8Array(0) }, (await third.open()).records);
    expect(state.entries.map((e) => e.index)).to.deep.equal([1, 2, 3]);
    expect(state.hardState.vote).to.equal('n1');
  });
});

describe('raft host: snapshot file', () => {
  after(cleanupTempDirs);

  it('round-trips and replaces the previous snapshot whole', async () => {
    const dir = makeTempDir();
    await writeSnapshotFile(fs, dir, { index: 5, term: 2, members: [{ id: 'n1', address: 'h:1' }], data: Buffer.from('old') }, true);
    await writeSnapshotFile(fs, dir, { index: 9, term: 3, members: [{ id: 'n1', address: 'h:1' }], data: Buffer.from('new state') }, true);
    const snap = await readSnapshotFile(fs, dir);
    expect(snap!.index).to.equal(9);
    expect(snap!.term).to.equal(3);
    expect(Buffer.from(snap!.data).toString()).to.equal('new state');
    expect(existsSync(join(dir, 'snapshot.bin.tmp'))).to.equal(false);
  });

  it('reports a damaged snapshot instead of loading it', async () => {
    const dir = makeTempDir();
    await writeSnapshotFile(fs, dir, { index: 5, term: 2, members: [], data: Buffer.from('state') }, false);
    appendFileSync(join(dir, 'snapshot.bin'), 'garbage');
    const err = await readSnapshotFile(fs, dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMoosengError(err, 'IO_ERROR')).to.equal(true);
  });

  it('is absent on a fresh node', async () => {
    expect(await readSnapshotFile(fs, makeTempDir())).to.equal(null);
  });
});

describe('raft host: WAL replay', () => {
  const base = { index: 0, term: 0, members: [], data: new Uint8Array(0) };

  it('applies truncations and resets in order', () => {
    const records: WalRecord[] = [
      { type: 'entries', entries: entries(1, 5, 1) },
      { type: 'entries', entries: entries(3, 4, 2) },
      { type: 'reset', index: 10, term: 2 },
      { type: 'entries', entries: entries(11, 12, 3) },
    ];
    const state = replayWal({ ...base, index: 10, term: 2 }, records);
    expect(state.entries.map((e) => `${e.index}@${e.term}`)).to.deep.equal(['11@3', '12@3']);
    expect(state.needsReset).to.equal(false);
    const before = replayWal(base, records.slice(0, 2));
    expect(before.entries.map((e) => `${e.index}@${e.term}`)).to.deep.equal(['1@1', '2@1', '3@2', '4@2']);
  });

  it('asks for a reset when the snapshot is newer than the whole log', () => {
    const state = replayWal({ ...base, index: 20, term: 4 }, [{ type: 'entries', entries: entries(1, 5) }]);
    expect(state.entries).to.deep.equal([]);
    expect(state.needsReset).to.equal(true);
    expect(state.hardState.commit).to.equal(20);
  });

  it('drops a log suffix that disagrees with the snapshot at its index', () => {
    const state = replayWal({ ...base, index: 3, term: 5 }, [{ type: 'entries', entries: entries(1, 6, 1) }]);
    expect(state.entries).to.deep.equal([]);
    expect(state.needsReset).to.equal(true);
  });
});
