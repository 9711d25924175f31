// Scrubber: re-reads every chunk in the background at a bounded rate and reports the ones whose blocks fail their CRC.
import { type Counter, ErrorCodes, type IClock, type ILogger, type IMetrics, isMoosengError } from '@mooseng/core';
import type { ChunkStoreSet } from './chunk-store-set';
import type { CorruptionReporter } from './data-plane-server';

/** Pause between two passes over all chunks. */
export const SCRUB_PASS_PAUSE_MS = 1_000;
const MIB = 1024 * 1024;
/**
 * What one chunk costs the rate at least, however short it is. Opening a chunk, reading its header and seeking to
 * it cost a disk about what streaming 1 MiB does, and the CPU per chunk is the same for 4 KiB as for 1 MiB: without
 * this floor a disk of small files (4 KiB each: 2,000 chunks a second at 8 MiB/s) was re-read without a pause, at a
 * third of a core per chunkserver.
 */
export const SCRUB_MIN_CHUNK_COST_BYTES = MIB;

export interface ScrubberOptions {
  stores: ChunkStoreSet;
  /** Read rate in MiB/s; 0 turns scrubbing off. */
  rateMBps: number;
  clock: IClock;
  logger: ILogger;
  metrics: IMetrics;
  onCorrupt: CorruptionReporter;
}

/** What the scrubber has done so far, for /health. */
export interface ScrubStatus {
  enabled: boolean;
  passes: number;
  chunksChecked: number;
  /** Corrupt chunks found ("<chunkId>_<version>"), newest last. */
  corrupt: string[];
}

export class Scrubber {
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private readonly checked: Counter;
  private readonly found: Counter;
  private readonly reported = new Set<string>();
  readonly status: ScrubStatus;

  constructor(private readonly options: ScrubberOptions) {
    this.status = { enabled: options.rateMBps > 0, passes: 0, chunksChecked: 0, corrupt: [] };
    this.checked = options.metrics.counter({ name: 'mooseng_chunkserver_scrubbed_chunks_total', help: 'Chunks re-read by the scrubber' });
    this.found = options.metrics.counter({
      name: 'mooseng_chunkserver_corrupt_chunks_total',
      help: 'Corrupt chunks found by the scrubber',
    });
  }

  start(): void {
    if (!this.status.enabled || this.loop) return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.loop = (async () => {
      while (!signal.aborted) {
        await this.pass(signal);
        this.status.passes++;
        await this.options.clock.sleep(SCRUB_PASS_PAUSE_MS, { signal });
      }
    })().catch((err) => {
      if (!isMoosengError(err, ErrorCodes.ABORTED)) this.options.logger.error('scrubber stopped', { err });
    });
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = null;
  }

  /** One pass over every chunk of every usable directory, sleeping after each chunk to hold the rate (each chunk counted as at least SCRUB_MIN_CHUNK_COST_BYTES). */
  private async pass(signal: AbortSignal): Promise<void> {
    const bytesPerMs = (this.options.rateMBps * MIB) / 1000;
    for (const store of this.options.stores.usableStores()) {
      for (const chunk of await store.list({ signal })) {
        if (signal.aborted) return;
        const t0 = this.options.clock.monotonic();
        let bad: number[];
        let unreadable = false;
        try {
          bad = await store.verify(chunk, { signal });
        } catch (err) {
          if (isMoosengError(err, ErrorCodes.ABORTED)) throw err;
          // Deleted or re-versioned meanwhile, or the directory failed: nothing to report here.
          if (!isMoosengError(err, ErrorCodes.CHUNK_CORRUPT)) continue;
          // The header itself is damaged: the whole chunk is.
          bad = [];
          unreadable = true;
        }
        this.status.chunksChecked++;
        this.checked.inc();
        if (bad.length > 0 || unreadable) this.report(store.dir, chunk.chunkId, chunk.version, bad);
        const budgetMs = Math.max(chunk.length, SCRUB_MIN_CHUNK_COST_BYTES) / bytesPerMs;
        const spent = this.options.clock.monotonic() - t0;
        if (budgetMs > spent) await this.options.clock.sleep(budgetMs - spent, { signal });
      }
    }
  }

  private report(dir: string, chunkId: number, version: number, blocks: number[]): void {
    const key = `${chunkId}_${version}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.status.corrupt.push(key);
    this.found.inc();
    this.options.logger.error(`scrub: chunk ${chunkId} version ${version} in ${dir} is corrupt`, { blocks });
    this.options.onCorrupt({ chunkId, version }, blocks, dir, 'scrub');
  }
}
