// The leader's view of one follower: how far its log matches, what to send next, and the pipelining window.

/**
 * probe: one append at a time until the follower's match point is found; replicate: pipelined appends, `next`
 * advanced optimistically, bounded by the in-flight window; snapshot: an InstallSnapshot is outstanding.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** What the leader tracks for one follower (see ProgressState). */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append was sent and no reply or heartbeat reply came since. */
  probeSent = false;
  /** Last index of each in-flight append, oldest first (replicate state). */
  inflights: number[] = [];
  /** The snapshot index being installed (snapshot state). */
  pendingSnapshot = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** The highest read sequence this follower has acknowledged (ReadIndex). */
  readAck = 0;

  constructor(
    next: number,
    private readonly maxInflight: number,
  ) {
    this.next = next;
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') this.next = Math.max(this.match + 1, this.pendingSnapshot + 1);
    else this.next = this.match + 1;
    this.state = 'probe';
    this.probeSent = false;
    this.inflights = [];
    this.pendingSnapshot = 0;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.inflights = [];
    this.probeSent = false;
  }

  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = index;
    this.inflights = [];
  }

  /** Records an acknowledgement up to `index`; false when it told us nothing new. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (index > this.match) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    while (this.inflights.length > 0 && this.inflights[0] <= index) this.inflights.shift();
    return updated;
  }

  /** After a rejection of the append at `rejected`; false when the rejection is stale. */
  maybeDecrease(rejected: number, hintLast: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(1, Math.min(rejected, hintLast + 1));
    this.probeSent = false;
    return true;
  }

  /** Bookkeeping after sending an append whose last entry is `last`. */
  sentAppend(last: number, count: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = last + 1;
        this.inflights.push(last);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  isPaused(): boolean {
    if (this.state === 'probe') return this.probeSent;
    if (this.state === 'replicate') return this.inflights.length >= this.maxInflight;
    return true;
  }
}
