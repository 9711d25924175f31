// The scrubber walks every chunk at the configured rate and reports each corrupt one once.
import { expect } from 'chai';
import { chunkFilePath, slotOffset } from '@mooseng/block-store';
import { ChunkStoreSet, SCRUB_MIN_CHUNK_COST_BYTES, SCRUB_PASS_PAUSE_MS, Scrubber } from '@mooseng/chunkserver';
import { BLOCK_SIZE_BYTES, ErrorCodes, MoosengError, NoopMetrics, silentLogger, type ChunkRef, type IClock } from '@mooseng/core';
import { FsChunkStoreFactory } from '@mooseng/plugin-storage-fs';
import { cleanupTempDirs, makeTempDir, waitFor } from '../support';
import { flipByte, randomBytes } from './helpers';

const MIB = 1024 * 1024;

/** A clock that never advances: it records each sleep and ends the test's scrub after the first full pass. */
class RecordingClock implements IClock {
  readonly sleeps: number[] = [];
  now(): number {
    return 0;
  }
  monotonic(): number {
    return 0;
  }
  setTimer(): { cancel(): void } {
    return { cancel: () => undefined };
  }
  async sleep(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.sleeps.push(Math.round(ms));
    if (ms === SCRUB_PASS_PAUSE_MS) {
      // Hold the loop here until the scrubber is stopped.
      await new Promise<void>((_, reject) =>
        options.signal?.addEventListener('abort', () => reject(new MoosengError(ErrorCodes.ABORTED, 'stopped'))),
      );
    }
  }
}

describe('scrubber', () => {
  after(() => cleanupTempDirs());

  it('re-reads every chunk at the configured MiB/s, a small one costing a seek, and reports the corrupt one once', async () => {
    const dir = makeTempDir('mooseng-scrub-');
    const factory = new FsChunkStoreFactory({ fsync: 'on-close' });
    const seed = await factory.open(dir);
    const chunks: Array<{ ref: ChunkRef; bytes: number }> = [
      { ref: { chunkId: 1, version: 1 }, bytes: 2 * MIB },
      { ref: { chunkId: 2, version: 3 }, bytes: MIB },
      { ref: { chunkId: 3, version: 1 }, bytes: 3 * BLOCK_SIZE_BYTES },
      { ref: { chunkId: 4, version: 1 }, bytes: 4096 },
    ];
    for (const c of chunks) {
      await seed.create(c.ref);
      await seed.write(c.ref, 0, randomBytes(c.bytes, c.ref.chunkId));
    }
    await seed.close();
    flipByte(chunkFilePath(dir, 2, 3), slotOffset(5) + 1);

    const stores = await ChunkStoreSet.open([dir], factory, undefined, silentLogger);
    const clock = new RecordingClock();
    const reports: Array<{ ref: ChunkRef; blocks: number[]; foundBy: string }> = [];
    const scrubber = new Scrubber({
      stores,
      rateMBps: 4,
      clock,
      logger: silentLogger,
      metrics: new NoopMetrics(),
      onCorrupt: (ref, blocks, _dir, foundBy) => reports.push({ ref, blocks, foundBy }),
    });
    scrubber.start();
    await waitFor('a full scrub pass', () => clock.sleeps.includes(SCRUB_PASS_PAUSE_MS));
    await scrubber.stop();
    await stores.close();

    // 4 MiB/s: 2 MiB costs 500 ms, 1 MiB 250 ms; 192 KiB and 4 KiB cost what a chunk costs at least (1 MiB: a
    // chunk of a few KiB must not be re-read thousands of times a second); then the pause before the next pass.
    expect(SCRUB_MIN_CHUNK_COST_BYTES).to.equal(MIB);
    const perChunk = clock.sleeps.slice(0, -1).sort((a, b) => a - b);
    expect(perChunk).to.deep.equal([250, 250, 250, 500]);
    expect(reports).to.deep.equal([{ ref: { chunkId: 2, version: 3 }, blocks: [5], foundBy: 'scrub' }]);
    expect(scrubber.status).to.deep.include({ enabled: true, chunksChecked: 4, corrupt: ['2_3'] });
  });

  it('does nothing when the rate is 0', async () => {
    const stores = await ChunkStoreSet.open(
      [makeTempDir('mooseng-scrub-')],
      new FsChunkStoreFactory({ fsync: 'never' }),
      undefined,
      silentLogger,
    );
    const clock = new RecordingClock();
    const scrubber = new Scrubber({
      stores,
      rateMBps: 0,
      clock,
      logger: silentLogger,
      metrics: new NoopMetrics(),
      onCorrupt: () => expect.fail('no scrub'),
    });
    scrubber.start();
    await scrubber.stop();
    expect(scrubber.status.enabled).to.equal(false);
    expect(clock.sleeps).to.deep.equal([]);
    await stores.close();
  });
});
