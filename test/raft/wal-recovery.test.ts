// Recovery of the Raft log keeps every acknowledged record: only a torn tail is cut; damage anywhere else stops the
// node with the file and the byte offset (issue 13, defect 7). On real files, and on the simulated disk's crashes.
import { expect } from 'chai';
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMoosengError, SeededRandom } from '@mooseng/core';
import {
  NodeFileSystem,
  RaftConsensus,
  replayWal,
  SegmentWal,
  type Entry,
  type HardState,
  type WalRecord,
} from '@mooseng/plugin-replication-raft';
import { cleanupTempDirs, freePort, makeTempDir, waitFor } from '../support';
import { SimDisk } from './sim/sim-fs';
import { encodeKvCommand, KvStore } from './support/kv-store';
import { testNodeOptions } from './support/node-options';

const fs = new NodeFileSystem();
const NO_SNAPSHOT = { index: 0, term: 0, members: [], data: new Uint8Array(0) };

function entries(from: number, to: number, term = 1): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push({ index: i, term, type: 'normal', data: Buffer.from(`command ${i}`) });
  return out;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

/** A log of one segment written batch by batch; returns the segment's path and where each batch began. */
async function writeBatches(dir: string, batches: WalRecord[][], hardState: HardState): Promise<{ path: string; starts: number[] }> {
  const wal = new SegmentWal({ fs, dir, segmentBytes: 1 << 20, fsync: true });
  await wal.open();
  const path = join(
    dir,
    readdirSync(dir).find((f) => f.startsWith('wal-'))!,
  );
  const starts: number[] = [];
  for (const b of batches) {
    starts.push(statSync(path).size);
    await wal.append(b, hardState);
  }
  await wal.close();
  return { path, starts };
}

function flipByte(path: string, offset: number): void {
  const buf = readFileSync(path);
  buf[offset] ^= 0x5a;
  writeFileSync(path, buf);
}

async function reopen(dir: string): Promise<{ records: WalRecord[]; truncatedBytes: number }> {
  const wal = new SegmentWal({ fs, dir, segmentBytes: 1 << 20, fsync: true });
  try {
    return await wal.open();
  } finally {
    await wal.close();
  }
}

const HS = { term: 1, vote: 'n1', commit: 0 };
const fiveBatches = (): WalRecord[][] => [1, 2, 3, 4, 5].map((i) => [{ type: 'entries', entries: entries(i * 3 - 2, i * 3) }]);

describe('raft log recovery: what is cut and what stops the node', () => {
  after(cleanupTempDirs);

  it('stops at a CRC failure in the middle of the last segment, naming the file and the byte offset, and cuts nothing', async () => {
    const dir = makeTempDir();
    const { path, starts } = await writeBatches(dir, fiveBatches(), HS);
    const damagedAt = starts[1] + 40;
    flipByte(path, damagedAt);
    const size = statSync(path).size;
    const err = await failure(reopen(dir));
    expect(isMoosengError(err, 'IO_ERROR'), String(err)).to.equal(true);
    const message = (err as Error).message;
    expect(message).to.include(path);
    expect(message).to.match(/at byte \d+/);
    const at = Number(/at byte (\d+)/.exec(message)![1]);
    expect(at).to.be.within(starts[1], damagedAt);
    expect(message).to.include('operations.md');
    // Nothing was cut: the operator (or a fixed build) still has every byte.
    expect(statSync(path).size).to.equal(size);
  });

  it('stops when the damage is in a record header with valid records after it', async () => {
    const dir = makeTempDir();
    const { path, starts } = await writeBatches(dir, fiveBatches(), HS);
    flipByte(path, starts[2] + 1); // the first record's length field
    const err = await failure(reopen(dir));
    expect(isMoosengError(err, 'IO_ERROR'), String(err)).to.equal(true);
    expect((err as Error).message)
      .to.include(path)
      .and.include(`at byte ${starts[2]}`);
  });

  it('refuses to recover an older term and vote when a later hard-state record is damaged', async () => {
    // Cutting at the damaged record would bring back term 1's vote: the node could vote again in term 2.
    const dir = makeTempDir();
    const term2 = { term: 2, vote: 'n2', commit: 0 };
    const { path, starts } = await writeBatches(
      dir,
      [
        [{ type: 'hard-state', hardState: HS }],
        [{ type: 'hard-state', hardState: term2 }],
        [{ type: 'entries', entries: entries(1, 2, 2) }],
      ],
      term2,
    );
    flipByte(path, starts[1] + (starts[2] - starts[1]) - 3); // inside the term-2 record's payload
    const err = await failure(reopen(dir));
    expect(isMoosengError(err, 'IO_ERROR'), String(err)).to.equal(true);
    expect((err as Error).message).to.include(path);
  });

  it('cuts a final write that was damaged in place, and keeps every write before it', async () => {
    const dir = makeTempDir();
    const { path, starts } = await writeBatches(dir, fiveBatches(), HS);
    flipByte(path, starts[4] + 30);
    const size = statSync(path).size;
    const { records, truncatedBytes } = await reopen(dir);
    expect(truncatedBytes).to.equal(size - starts[4]);
    expect(statSync(path).size).to.equal(starts[4]);
    expect(replayWal(NO_SNAPSHOT, records).entries.map((e) => e.index)).to.deep.equal(entries(1, 12).map((e) => e.index));
  });

  it('cuts a zero-filled tail (a file system that extended the file before writing it)', async () => {
    const dir = makeTempDir();
    const { path } = await writeBatches(dir, fiveBatches(), HS);
    const size = statSync(path).size;
    appendFileSync(path, Buffer.alloc(4096));
    const { records, truncatedBytes } = await reopen(dir);
    expect(truncatedBytes).to.equal(4096);
    expect(statSync(path).size).to.equal(size);
    expect(replayWal(NO_SNAPSHOT, records).entries.map((e) => e.index)).to.deep.equal(entries(1, 15).map((e) => e.index));
    // And the log goes on after the cut.
    const wal = new SegmentWal({ fs, dir, segmentBytes: 1 << 20, fsync: true });
    await wal.open();
    await wal.append([{ type: 'entries', entries: entries(16, 16) }], HS);
    await wal.close();
    expect(replayWal(NO_SNAPSHOT, (await reopen(dir)).records).entries.length).to.equal(16);
  });

  it('keeps its vote when the segment it rotated to lost its head and the older segments are compacted', async () => {
    // A crash while rotating can leave the new, last segment empty: the hard state it should begin with is then only
    // in the older segments, which compaction deletes.
    const dir = makeTempDir();
    const voted = { term: 4, vote: 'n3', commit: 0 };
    const first = new SegmentWal({ fs, dir, segmentBytes: 256, fsync: true });
    await first.open();
    await first.append([{ type: 'hard-state', hardState: voted }], voted);
    for (let i = 1; first.segmentCount() === 1; i += 2) await first.append([{ type: 'entries', entries: entries(i, i + 1, 4) }], voted);
    await first.close();
    const segments = readdirSync(dir).sort();
    expect(segments.length).to.equal(2);
    truncateSync(join(dir, segments[1]), 0);
    const second = new SegmentWal({ fs, dir, segmentBytes: 1 << 20, fsync: true });
    const recovered = replayWal(NO_SNAPSHOT, (await second.open()).records);
    const last = recovered.entries[recovered.entries.length - 1].index;
    await second.append([{ type: 'entries', entries: entries(last + 1, last + 2, 4) }], voted);
    await second.compact(last + 2 - 1);
    await second.close();
    const after = replayWal({ index: last, term: 4, members: [], data: new Uint8Array(0) }, (await reopen(dir)).records);
    expect(after.hardState).to.deep.include({ term: 4, vote: 'n3' });
  });
});

describe('raft log recovery: batches whose fsync was deferred (sync: quorum-memory)', () => {
  after(cleanupTempDirs);

  /** Batches appended as `deferred` says (true: written without waiting for the fsync), then the log closed. */
  async function writeMixed(dir: string, deferred: boolean[]): Promise<{ path: string; starts: number[] }> {
    const wal = new SegmentWal({ fs, dir, segmentBytes: 1 << 20, fsync: true });
    await wal.open();
    const path = join(
      dir,
      readdirSync(dir).find((f) => f.startsWith('wal-'))!,
    );
    const starts: number[] = [];
    for (let i = 0; i < deferred.length; i++) {
      starts.push(statSync(path).size);
      await wal.append([{ type: 'entries', entries: entries(i * 3 + 1, i * 3 + 3) }], HS, { deferFsync: deferred[i] });
    }
    await wal.close();
    return { path, starts };
  }

  it('cuts a deferred batch torn with deferred batches intact after it (a crash took the unsynced tail out of order)', async () => {
    const dir = makeTempDir();
    const { path, starts } = await writeMixed(dir, [false, true, true, true]);
    flipByte(path, starts[2] + 40);
    const { records, truncatedBytes } = await reopen(dir);
    expect(truncatedBytes).to.be.greaterThan(0);
    expect(statSync(path).size).to.equal(starts[2]);
    const kept = records.flatMap((r) => (r.type === 'entries' ? r.entries.map((e) => e.index) : []));
    expect(kept).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('stops on damage to a deferred batch with a fsynced batch after it (whose fsync made it durable)', async () => {
    const dir = makeTempDir();
    const { path, starts } = await writeMixed(dir, [false, true, true, false]);
    flipByte(path, starts[1] + 40);
    const err = await failure(reopen(dir));
    expect(isMoosengError(err, 'IO_ERROR'), String(err)).to.equal(true);
    expect((err as Error).message).to.include(path);
  });

  it('stops on damage to a fsynced batch even when only deferred batches follow it', async () => {
    const dir = makeTempDir();
    const { path, starts } = await writeMixed(dir, [false, false, true, true]);
    flipByte(path, starts[1] + 40);
    const err = await failure(reopen(dir));
    expect(isMoosengError(err, 'IO_ERROR'), String(err)).to.equal(true);
  });

  it('sync() makes the deferred batches durable: the log reports none unsynced after it', async () => {
    const dir = makeTempDir();
    const wal = new SegmentWal({ fs, dir, segmentBytes: 1 << 20, fsync: true });
    await wal.open();
    await wal.append([{ type: 'entries', entries: entries(1, 3) }], HS, { deferFsync: true });
    expect(wal.hasUnsyncedBatches()).to.equal(true);
    await wal.sync();
    expect(wal.hasUnsyncedBatches()).to.equal(false);
    await wal.append([{ type: 'entries', entries: entries(4, 6) }], HS, { deferFsync: true });
    await wal.append([{ type: 'entries', entries: entries(7, 9) }], HS);
    expect(wal.hasUnsyncedBatches()).to.equal(false);
    await wal.close();
  });
});

describe('raft log recovery: the hard state never goes backwards', () => {
  after(cleanupTempDirs);

  it('refuses a log whose term goes down, or whose vote changes within a term', () => {
    const at = (term: number, vote: string | null): WalRecord => ({ type: 'hard-state', hardState: { term, vote, commit: 0 } });
    expect(() => replayWal(NO_SNAPSHOT, [at(3, 'n1'), at(2, 'n2')])).to.throw(/term 3.*term 2/);
    expect(() => replayWal(NO_SNAPSHOT, [at(3, 'n1'), at(3, 'n2')])).to.throw(/vote/);
    expect(() => replayWal(NO_SNAPSHOT, [at(3, 'n1'), at(3, null)])).to.throw(/vote/);
    // What a node does write: the vote cast in a term, a later term with or without a vote.
    expect(replayWal(NO_SNAPSHOT, [at(3, null), at(3, 'n1'), at(3, 'n1'), at(4, null)]).hardState).to.deep.include({ term: 4, vote: null });
  });

  it('refuses a log with a segment missing between others, naming it', async () => {
    const dir = makeTempDir();
    const wal = new SegmentWal({ fs, dir, segmentBytes: 256, fsync: true });
    await wal.open();
    for (let i = 1; wal.segmentCount() < 4; i += 2) {
      const hs = { term: i, vote: 'n1', commit: 0 };
      await wal.append(
        [
          { type: 'entries', entries: entries(i, i + 1, i) },
          { type: 'hard-state', hardState: hs },
        ],
        hs,
      );
    }
    await wal.close();
    const segments = readdirSync(dir).sort();
    rmSync(join(dir, segments[2]));
    const err = await failure(reopen(dir));
    expect(isMoosengError(err, 'IO_ERROR'), String(err)).to.equal(true);
    expect((err as Error).message).to.include(segments[2]);
  });
});

describe('raft log recovery: a master whose log is damaged mid-segment', function () {
  this.timeout(30_000);
  after(cleanupTempDirs);

  it('does not start, and says which file, where, and what to do', async () => {
    const member = { id: 'solo', address: `127.0.0.1:${await freePort()}` };
    const dir = join(makeTempDir(), 'raft');
    const make = (): RaftConsensus =>
      new RaftConsensus(testNodeOptions(member, [member], dir, { segmentBytes: 1 << 20, maxBatchBytes: 1 << 20 }));
    const first = make();
    await first.start(new KvStore());
    await waitFor('leadership', () => first.status().role === 'leader', 5000);
    for (let i = 0; i < 5; i++) await first.propose(encodeKvCommand({ op: 'put', key: 'k', value: `v${i}` }));
    await first.stop();
    const path = join(
      dir,
      readdirSync(dir).find((f) => f.startsWith('wal-'))!,
    );
    flipByte(path, Math.floor(statSync(path).size / 3));
    const second = make();
    const err = await failure(second.start(new KvStore()));
    await second.stop();
    expect(isMoosengError(err, 'IO_ERROR'), String(err)).to.equal(true);
    expect((err as Error).message)
      .to.include(path)
      .and.match(/at byte \d+/);
  });
});

describe('raft log recovery after crashes (simulated disk)', () => {
  it('opens after every power loss and SIGKILL with every acknowledged batch, and each batch whole or not at all', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = new SeededRandom(seed);
      const disk = new SimDisk({ at: (_ms, fn) => queueMicrotask(fn), random: rng, fsyncMaxMs: 0 });
      let acknowledged = 0;
      let acknowledgedTerm = 0;
      for (let life = 0; life < 4; life++) {
        const wal = new SegmentWal({ fs: disk.mount(), dir: '/raft', segmentBytes: 256 + rng.int(1024), fsync: true });
        const recovered = replayWal(NO_SNAPSHOT, (await wal.open()).records);
        const last = recovered.entries.length === 0 ? 0 : recovered.entries[recovered.entries.length - 1].index;
        expect(last, `seed ${seed} life ${life}`).to.be.at.least(acknowledged);
        expect(recovered.hardState.term, `seed ${seed} life ${life}`).to.be.at.least(acknowledgedTerm);
        let term = Math.max(1, recovered.hardState.term, recovered.entries[recovered.entries.length - 1]?.term ?? 0);
        let next = last + 1;
        const batches = rng.int(6);
        for (let b = 0; b < batches; b++) {
          const n = 1 + rng.int(3);
          term += rng.next() < 0.3 ? 1 : 0;
          const hs = { term, vote: `n${term % 3}`, commit: next - 1 };
          await wal.append(
            [
              { type: 'entries', entries: entries(next, next + n - 1, term) },
              { type: 'hard-state', hardState: hs },
            ],
            hs,
          );
          next += n;
          acknowledged = next - 1;
          acknowledgedTerm = term;
        }
        // A batch in flight when the crash comes: written to the page cache, its fsync not yet done.
        const n = 1 + rng.int(3);
        const hs = { term: term + 1, vote: 'n0', commit: next - 1 };
        void wal.append([{ type: 'entries', entries: entries(next, next + n - 1, term + 1) }], hs).catch(() => undefined);
        if (rng.next() < 0.5) disk.powerLoss();
        else disk.processCrash();
      }
      const wal = new SegmentWal({ fs: disk.mount(), dir: '/raft', segmentBytes: 1 << 20, fsync: true });
      const final = replayWal(NO_SNAPSHOT, (await wal.open()).records);
      const indexes = final.entries.map((e) => e.index);
      expect(indexes.slice(0, acknowledged), `seed ${seed}`).to.deep.equal(entries(1, acknowledged).map((e) => e.index));
    }
  });
});
