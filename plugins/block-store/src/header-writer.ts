// HeaderWriter: writes a chunk file's header with at most one write in flight, folding the requests made meanwhile.
import type { IBlockFile } from './block-file-io';
import type { ChunkHeader } from './chunk-file-format';

function noop(): void {}

/**
 * Every write to a chunk changes its header (block entries, length), and writes to different blocks run in parallel,
 * so each would write the 16 KiB header page set. One header write runs at a time; the requests made while it runs
 * share a single follow-up write, which snapshots the header when it starts and so carries all of their changes.
 */
export class HeaderWriter {
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  /**
   * The snapshot each write sends, reused: one write runs at a time and the file borrows a buffer only while its call
   * runs, so a new 16 KiB copy per write (external memory that makes the collector run) is not needed.
   */
  private snapshot: Buffer | null = null;

  constructor(
    private readonly file: IBlockFile,
    private readonly header: ChunkHeader,
  ) {}

  /** Resolves once the header as it is now (or later) is in the file; rejects if the write that carries it fails. */
  persist(): Promise<void> {
    if (!this.inFlight) {
      // A snapshot: the write runs on another thread while this one keeps changing the header for other blocks, and
      // the file contract borrows buffers only while a call runs.
      const bytes = this.header.bytes;
      if (this.snapshot?.length !== bytes.length) this.snapshot = Buffer.allocUnsafe(bytes.length);
      this.snapshot.set(bytes);
      this.inFlight = this.file.writev(0, [this.snapshot]).finally(() => {
        this.inFlight = null;
      });
      return this.inFlight;
    }
    this.next ??= this.inFlight.then(noop, noop).then(() => {
      this.next = null;
      return this.persist();
    });
    return this.next;
  }
}
