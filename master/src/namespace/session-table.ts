// Client sessions in the replicated state: which inodes each holds open, and its recent results for retried commands.
import { ROOT_INODE } from '@mooseng/core';
import { RECENT_RESULTS_PER_SESSION } from './constants';

/** One client session. Its id is chosen by the leader and carried in the openSession command. */
export class Session {
  /** Inode → how many times this session holds it open. */
  readonly opens = new Map<number, number>();
  /** requestId → encoded result, oldest first, at most RECENT_RESULTS_PER_SESSION. */
  readonly recent = new Map<number, Uint8Array>();
  /** The highest request id whose result was forgotten: a retry at or below it cannot be answered. */
  forgottenUpTo = 0;

  constructor(
    readonly id: number,
    /** Free text from the client (host, mount point, version), for operators. */
    readonly info: string,
    /** Command time when the session was opened (ms). */
    readonly openedAt: number,
    /**
     * The directory the session sees as its root (a subtree export's, exports.ts): it names that directory as inode
     * 1 and may name nothing outside it.
     */
    readonly root: number = ROOT_INODE,
  ) {}

  /** Remembers a result, forgetting the oldest beyond the bound. */
  remember(requestId: number, result: Uint8Array): void {
    this.recent.set(requestId, result);
    if (this.recent.size <= RECENT_RESULTS_PER_SESSION) return;
    const oldest = this.recent.keys().next().value as number;
    this.recent.delete(oldest);
    if (oldest > this.forgottenUpTo) this.forgottenUpTo = oldest;
  }
}

/** Every session, in opening order. */
export class SessionTable {
  readonly sessions = new Map<number, Session>();

  get(id: number): Session | undefined {
    return this.sessions.get(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  clear(): void {
    this.sessions.clear();
  }
}
