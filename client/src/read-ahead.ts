// ReadAhead: one handle's read pattern, and what to fetch ahead of it into the block cache. Reads that follow on from
// each other (or land in what was fetched ahead: the kernel sends several reads of a file at once, not always in
// order) make a sequential run, and each window fetched for it is twice the last, up to a bound; a read elsewhere
// ends the run and shrinks the window, so random readers fetch nothing they did not ask for. It does no I/O: it
// only says which range to fetch (FileSystemClient fetches it through FileIo.prefetch).

const KIB = 1024;
/** The first window of a sequential run. */
export const READ_AHEAD_MIN_BYTES = 256 * KIB;
/** The largest window (fetched as 1 MiB requests, all at once). */
export const READ_AHEAD_MAX_BYTES = 16 * 1024 * KIB;

/** A range of the file to fetch ahead of the reader. */
export interface ReadAheadRange {
  offset: number;
  length: number;
}

export class ReadAhead {
  /** Where the sequential run has read up to (the furthest end of its reads). */
  private lastEnd = 0;
  /** Where what was fetched ahead ends (0: nothing fetched ahead for this run). */
  private aheadEnd = 0;
  /** The next window's size. */
  private window: number;

  constructor(
    readonly minBytes = READ_AHEAD_MIN_BYTES,
    /** Below minBytes: read-ahead is off (the cache it fills is too small to hold a window). */
    readonly maxBytes = READ_AHEAD_MAX_BYTES,
  ) {
    if (!(minBytes > 0)) throw new RangeError(`read-ahead needs a first window of at least one byte (got ${minBytes})`);
    this.window = minBytes;
  }

  /** The window the next sequential fetch will have (for tests and metrics). */
  get windowBytes(): number {
    return this.window;
  }

  /**
   * A read of `length` bytes at `position` came: the range to fetch ahead now, or null (the read is not part of a
   * sequential run, or what is fetched ahead already reaches far enough past it).
   */
  next(position: number, length: number): ReadAheadRange | null {
    if (this.maxBytes < this.minBytes) return null;
    const end = position + length;
    const inRun = position === this.lastEnd || (this.aheadEnd > 0 && position >= this.lastEnd - this.window && position <= this.aheadEnd);
    if (!inRun) {
      // Random access: the run is over, and the next one starts smaller.
      this.window = Math.max(this.minBytes, Math.floor(this.window / 4));
      this.aheadEnd = 0;
      this.lastEnd = end;
      return null;
    }
    this.lastEnd = Math.max(this.lastEnd, end);
    // Fetch again once the reader is within half a window of where the fetched-ahead bytes end, so the next window
    // is on its way while the reader consumes the last half of this one.
    if (this.aheadEnd > 0 && this.aheadEnd - this.lastEnd >= this.window / 2) return null;
    const offset = Math.max(this.lastEnd, this.aheadEnd);
    const range = { offset, length: this.window };
    this.aheadEnd = offset + this.window;
    this.window = Math.min(this.maxBytes, this.window * 2);
    return range;
  }

  /** Forgets the run (the file was cut): the next read starts over. */
  reset(): void {
    this.lastEnd = 0;
    this.aheadEnd = 0;
    this.window = this.minBytes;
  }
}
