// The log's size limit holds on the way in: what the decoder would refuse is never written (issue 13, defect 7).
import { expect } from 'chai';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMoosengError } from '@mooseng/core';
import {
  MAX_ENTRY_BYTES,
  MAX_RECORD_BYTES,
  NodeFileSystem,
  RaftConsensus,
  replayWal,
  SegmentWal,
  type Entry,
} from '@mooseng/plugin-replication-raft';
import { cleanupTempDirs, freePort, makeTempDir, waitFor } from '../support';
import { encodeKvCommand, KvStore } from './support/kv-store';
import { testNodeOptions } from './support/node-options';

const HS = { term: 1, vote: 'n1', commit: 0 };
const fs = new NodeFileSystem();
const NO_SNAPSHOT = { index: 0, term: 0, members: [], data: new Uint8Array(0) };
const MiB = 1024 * 1024;

function bigEntry(index: number, bytes: number): Entry {
  return { index, term: 1, type: 'normal', data: Buffer.alloc(bytes, index) };
}

function logBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.startsWith('wal-'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

describe('raft log: record size limit', function () {
  this.timeout(120_000);
  after(cleanupTempDirs);

  it('reads back a batch of entries larger than one record may be (a busy Ready)', async () => {
    // One Ready carries every proposal that arrived during an fsync: together they may exceed the record cap even
    // though each is small enough. Written as one over-long record, it was fsynced, acknowledged, and cut as torn on
    // restart.
    const dir = makeTempDir();
    const wal = new SegmentWal({ fs, dir, segmentBytes: 1024 * MiB, fsync: true });
    await wal.open();
    const batch = [bigEntry(1, 100 * MiB), bigEntry(2, 100 * MiB), bigEntry(3, 100 * MiB)];
    await wal.append([{ type: 'entries', entries: batch }], HS);
    await wal.close();
    const again = new SegmentWal({ fs, dir, segmentBytes: 1024 * MiB, fsync: true });
    const { records, truncatedBytes } = await again.open();
    await again.close();
    expect(truncatedBytes).to.equal(0);
    const state = replayWal(NO_SNAPSHOT, records);
    expect(state.entries.map((e) => [e.index, e.data.byteLength, e.data[0]])).to.deep.equal([
      [1, 100 * MiB, 1],
      [2, 100 * MiB, 2],
      [3, 100 * MiB, 3],
    ]);
  });

  it('refuses to write an entry no record can hold, writing nothing, and names its size and the cap', async () => {
    const dir = makeTempDir();
    const wal = new SegmentWal({ fs, dir, segmentBytes: 1024 * MiB, fsync: true });
    await wal.open();
    const before = logBytes(dir);
    const err = await wal.append([{ type: 'entries', entries: [bigEntry(1, MAX_ENTRY_BYTES + 1)] }], HS).then(
      () => null,
      (e: unknown) => e,
    );
    await wal.close();
    expect(isMoosengError(err, 'INVALID_ARGUMENT'), String(err)).to.equal(true);
    expect((err as Error).message)
      .to.include(String(MAX_ENTRY_BYTES + 1))
      .and.include(String(MAX_ENTRY_BYTES));
    expect(logBytes(dir)).to.equal(before);
  });

  it('holds the largest entry allowed in one record under the cap', () => {
    expect(MAX_ENTRY_BYTES).to.be.below(MAX_RECORD_BYTES);
    expect(MAX_ENTRY_BYTES).to.be.above(MAX_RECORD_BYTES - 64);
  });
});

describe('raft log: a proposal too large for the log', function () {
  this.timeout(120_000);
  let consensus: RaftConsensus | null = null;
  after(async () => {
    await consensus?.stop();
    cleanupTempDirs();
  });

  it('fails at propose time with the size and the cap, and the node goes on', async () => {
    const member = { id: 'solo', address: `127.0.0.1:${await freePort()}` };
    const dir = join(makeTempDir(), 'raft');
    const options = testNodeOptions(member, [member], dir, { segmentBytes: 64 * MiB, maxBatchBytes: MiB });
    const kv = new KvStore();
    consensus = new RaftConsensus(options);
    await consensus.start(kv);
    await waitFor('leadership', () => consensus!.status().role === 'leader', 5000);
    const huge = encodeKvCommand({ op: 'put', key: 'big', value: 'x'.repeat(MAX_ENTRY_BYTES) });
    const lastIndex = consensus.status().lastIndex;
    const before = logBytes(dir);
    const err = await consensus.propose(huge).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isMoosengError(err, 'INVALID_ARGUMENT'), String(err)).to.equal(true);
    expect((err as Error).message)
      .to.include(String(huge.byteLength))
      .and.include(String(MAX_ENTRY_BYTES));
    expect(consensus.status().lastIndex).to.equal(lastIndex);
    expect(logBytes(dir)).to.equal(before);
    // Still leading and writing.
    await consensus.propose(encodeKvCommand({ op: 'put', key: 'small', value: 'ok' }));
    expect(kv.get('small')).to.equal('ok');
    expect(kv.get('big')).to.equal('');
  });
});
