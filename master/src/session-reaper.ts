// SessionReaper: on the leader, closes the sessions of clients that went silent (a crashed or cut-off mount), so
// the files they held open are released: an unlinked file kept alive by a dead client is freed, its chunks deleted.
// When a client was last heard of is soft state (every request and KeepAlive marks it). A session is judged from
// when this leader first knew of it: a master that has just become leader gives every session a whole timeout to
// reach it, and so does a session that shows up in the table before its first request is marked (OpenSession marks
// it only after the entry applies, and a pass can run in between).
import type { IClock, ILogger } from '@mooseng/core';
import type { MetadataService } from './metadata-service';
import { PeriodicPass } from './periodic-pass';

export interface SessionReaperOptions {
  metadata: MetadataService;
  clock: IClock;
  logger: ILogger;
  timeoutMs: number;
}

export class SessionReaper {
  /** Session id → monotonic ms when a request of it last reached this master. */
  private readonly lastSeen = new Map<number, number>();
  private leaderSince: number | null = null;
  private readonly loop: PeriodicPass;

  constructor(private readonly o: SessionReaperOptions) {
    this.loop = new PeriodicPass({
      clock: o.clock,
      logger: o.logger,
      intervalMs: Math.max(500, o.timeoutMs / 4),
      what: 'session expiry pass',
      pass: () => this.pass(),
    });
  }

  /** Marks a session as alive now (any request carrying its id, or a KeepAlive). */
  seen(sessionId: number): void {
    if (sessionId !== 0) this.lastSeen.set(sessionId, this.o.clock.monotonic());
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  /** Closes every session silent for longer than the timeout (PeriodicPass runs passes one at a time). */
  private async pass(): Promise<void> {
    const { metadata, clock, timeoutMs } = this.o;
    if (!metadata.isLeader()) {
      this.leaderSince = null;
      return;
    }
    const now = clock.monotonic();
    this.leaderSince ??= now;
    await metadata.read(() => undefined); // judge the committed session table, as leader
    for (const session of [...metadata.state.sessions.sessions.values()]) {
      const seen = this.lastSeen.get(session.id);
      if (seen === undefined) {
        this.lastSeen.set(session.id, now); // first noticed now: judged a whole timeout from here
        continue;
      }
      const heard = Math.max(seen, this.leaderSince);
      if (now - heard <= timeoutMs) continue;
      await metadata.mutate({ sessionId: session.id, requestId: 0 }, { op: 'closeSession' });
      this.lastSeen.delete(session.id);
      this.o.logger.info('client session expired: the files it held open are released', {
        session: session.id,
        client: session.info,
        openFiles: session.opens.size,
        silentMs: Math.round(now - heard),
      });
    }
    // Forget ids whose sessions are gone (closed by their clients or above).
    for (const id of this.lastSeen.keys()) if (!metadata.state.sessions.sessions.has(id)) this.lastSeen.delete(id);
  }
}
