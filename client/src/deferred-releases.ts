// DeferredReleases: the releases of files this mount closed, held a moment and sent to the leader together (one
// ReleaseFiles command for many), so that a close costs no consensus commit of its own.
import type { IClock, ILogger, TimerHandle } from '@mooseng/core';
import type { CallerCredentials, MasterClient } from './master-client';

/**
 * How long a release waits for others to share its command. A release only lets the master free an unlinked file
 * and drop a lost FLUSH's locks, so a little later changes nothing another client can see but when space returns.
 */
export const RELEASE_BATCH_DELAY_MS = 200;
/** Releases in one command at most; a batch this full goes at once. */
export const MAX_RELEASES_PER_BATCH = 512;

/** Batches the mount's releases. Releases are counted: an inode released twice is listed twice. */
export class DeferredReleases {
  private pending: number[] = [];
  /** Of those, files created with chunk 0 granted and never written (ReleaseFiles.unwritten). */
  private unwritten: number[] = [];
  /** Whose release opened the pending batch: the command is sent as that caller (the master checks nothing of it). */
  private batchCred: CallerCredentials | null = null;
  private timer: TimerHandle | null = null;
  /** The batches sent and not answered yet, in order. */
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly master: MasterClient,
    private readonly clock: IClock,
    private readonly logger: ILogger,
  ) {}

  /** Releases pending, not sent yet. */
  get size(): number {
    return this.pending.length;
  }

  /**
   * One release of `ino`: sent within RELEASE_BATCH_DELAY_MS, with whatever other releases came meanwhile.
   * `unwritten`: the file was created with its chunk 0 granted and nothing was written (the master may free it).
   */
  add(ino: number, cred: CallerCredentials, unwritten = false): void {
    this.pending.push(ino);
    if (unwritten) this.unwritten.push(ino);
    this.batchCred ??= cred;
    if (this.pending.length >= MAX_RELEASES_PER_BATCH) this.send();
    else this.timer ??= this.clock.setTimer(RELEASE_BATCH_DELAY_MS, () => this.send());
  }

  /** Sends what is pending now; resolves when every batch sent so far has been answered (or failed, logged). */
  drain(): Promise<void> {
    this.send();
    return this.sending;
  }

  private send(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.pending.length === 0) return;
    const inos = this.pending;
    const unwritten = this.unwritten;
    const cred = this.batchCred!;
    this.pending = [];
    this.unwritten = [];
    this.batchCred = null;
    this.sending = this.sending.then(() =>
      this.master.call('ReleaseFiles', { inos, unwritten }, cred).then(
        () => undefined,
        // The master releases everything of a session that ends; one that lives on keeps these open until it ends.
        (err: unknown) => this.logger.warn('release failed', { files: inos.length, err: (err as Error).message }),
      ),
    );
  }
}
