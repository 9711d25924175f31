// LookupCounts: how many references the kernel holds to each inode (one per entry it was given), so the file
// system is told to forget an inode exactly when the kernel has forgotten all of them.

/** Per-inode lookup counts, kept as libfuse's low-level API defines them. */
export class LookupCounts {
  private readonly counts = new Map<number, number>();

  /** The kernel was given one more entry for `ino` (a reply that went out: lookup, create, mkdir, readdirplus ...). */
  add(ino: number, n = 1): void {
    if (ino === 0 || n <= 0) return;
    this.counts.set(ino, (this.counts.get(ino) ?? 0) + n);
  }

  /**
   * The kernel dropped `nlookup` references. Returns true when none is left (the inode may be forgotten). A forget of
   * more than was counted is clamped (and reported as the last), since the kernel is the authority on its own count.
   */
  forget(ino: number, nlookup: number): boolean {
    const have = this.counts.get(ino);
    if (have === undefined) return false;
    const left = have - nlookup;
    if (left > 0) {
      this.counts.set(ino, left);
      return false;
    }
    this.counts.delete(ino);
    return true;
  }

  /** References the kernel holds to `ino` (0 when none). */
  get(ino: number): number {
    return this.counts.get(ino) ?? 0;
  }

  /** Inodes the kernel holds at all. */
  get size(): number {
    return this.counts.size;
  }
}
