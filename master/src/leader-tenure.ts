// LeaderTenure: since when this master leads, and what a young leader does when it finds no chunkserver to serve a
// chunk request. A master that has just become leader (elected, or restarted alone) knows the chunkservers only as
// they register with it, within a heartbeat or two: until then "no chunkserver has room" or "no replica is live"
// may mean only "not heard from yet". The repair loop waits out the same grace before it acts on missing replicas.
import { ErrorCodes, type IClock, MoosengError } from '@mooseng/core';

/** How long one request waits for chunkservers to register before the client is told to ask again. */
export const SERVER_WAIT_SLICE_MS = 2_000;
/** How often the wait looks again. */
const SERVER_WAIT_POLL_MS = 50;

export class LeaderTenure {
  private since: number | null = null;
  /** Counts leadership changes: what a leader prepared in one tenure (NewChunkPool) is not used in another. */
  generation = 0;

  /** `graceMs`: how long after becoming leader chunkservers may still be registering (their heartbeat timeout). */
  constructor(
    private readonly clock: IClock,
    readonly graceMs: number,
  ) {}

  /** Follows every leadership change (consensus.onLeadershipChange): `isSelf` when this master now leads. */
  changed(isSelf: boolean): void {
    this.since = isSelf ? this.clock.monotonic() : null;
    this.generation++;
  }

  /** Milliseconds of the grace still to run: 0 once it is over, or when this master does not lead. */
  graceLeftMs(): number {
    if (this.since === null) return 0;
    return Math.max(0, this.since + this.graceMs - this.clock.monotonic());
  }

  /**
   * What `look` finds, once it finds anything. While the grace runs, an empty answer is looked at again (for up to
   * SERVER_WAIT_SLICE_MS in one request), then the request fails UNAVAILABLE, which clients retry: the servers may
   * register any moment. Once the grace is over, an empty answer is the answer (the caller fails as it always did).
   */
  async servers<T>(what: string, look: () => readonly T[]): Promise<readonly T[]> {
    let found = look();
    const until = this.clock.monotonic() + Math.min(SERVER_WAIT_SLICE_MS, this.graceLeftMs());
    while (found.length === 0 && this.clock.monotonic() < until) {
      await this.clock.sleep(SERVER_WAIT_POLL_MS);
      found = look();
    }
    if (found.length === 0 && this.graceLeftMs() > 0)
      throw new MoosengError(
        ErrorCodes.UNAVAILABLE,
        `this master became leader moments ago and has not heard from ${what} yet (chunkservers register within ${this.graceMs} ms); ask again`,
      );
    return found;
  }
}
