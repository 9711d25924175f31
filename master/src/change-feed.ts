// ChangeFeed: the leader's stream of change notices to sessions (client.proto's ChangeFeed.Watch). After each
// mutation a session's request applied, every other watching session is told which inodes and directory entries
// it changed, so clients drop their caches, and their kernels', at once instead of when the timeouts run out.
import type * as grpc from '@grpc/grpc-js';
import {
  type ChangeFeedRpcs,
  type ChangeNotice,
  type ClientMethodName,
  ErrorCodes,
  type IClock,
  type ILogger,
  MoosengError,
  OpenFlags,
  type RequestOf,
  type TimerHandle,
  toGrpcError,
} from '@mooseng/core';
import type { SessionKeys } from './session-keys';

/**
 * Notices a watcher may have queued, unsent, before it counts as fallen behind: the feed then stops writing to it
 * and, once its stream drains, sends one notice with `resync` in place of everything it missed.
 */
export const MAX_PENDING_NOTICES = 1_000;
/** How often a master with watchers checks it still leads (a deposed leader ends their streams: they move on). */
export const LEADERSHIP_CHECK_MS = 1_000;

type WatchCall = grpc.ServerWritableStream<ChangeFeedRpcs['Watch']['request'], ChangeNotice>;

interface Watcher {
  sessionId: number;
  call: WatchCall;
  /** Notices were dropped: the next thing it gets is a resync. */
  behind: boolean;
}

/** What a served request changed, as a notice (null: nothing another client caches). */
export function noticeOf<M extends ClientMethodName>(method: M, request: RequestOf<M>): ChangeNotice | null {
  const notice = (inodes: number[], entries: Array<{ parent: number; name: string }> = []): ChangeNotice => ({
    inodes: [...new Set(inodes)],
    entries,
    resync: false,
  });
  // Each case narrows `request` by the method it names.
  const r = request as RequestOf<ClientMethodName> & Record<string, unknown>;
  switch (method) {
    case 'Mknod':
    case 'Mkdir':
    case 'Symlink':
    case 'Unlink':
    case 'Rmdir': {
      const { parent, name } = r as unknown as RequestOf<'Unlink'>;
      return notice([parent], [{ parent, name }]);
    }
    case 'Link': {
      const { ino, parent, name } = r as unknown as RequestOf<'Link'>;
      return notice([ino, parent], [{ parent, name }]);
    }
    case 'Rename': {
      const { parent, name, newParent, newName } = r as unknown as RequestOf<'Rename'>;
      return notice(
        [parent, newParent],
        [
          { parent, name },
          { parent: newParent, name: newName },
        ],
      );
    }
    case 'Open': {
      const { ino, flags } = r as unknown as RequestOf<'Open'>;
      return flags & OpenFlags.TRUNCATE ? notice([ino]) : null;
    }
    case 'SetAttr':
    case 'SetXattr':
    case 'RemoveXattr':
    case 'SetGoal':
    case 'CommitWrite':
      return notice([(r as unknown as RequestOf<'SetAttr'>).ino]);
    default:
      return null;
  }
}

/** The watchers of this master and what it tells them; only a leader accepts watchers. */
export class ChangeFeed {
  private readonly watchers = new Set<Watcher>();
  private leadershipCheck: TimerHandle | null = null;

  constructor(
    /** True while this master leads (a follower refuses watchers with NOT_LEADER, as every client call). */
    private readonly isLeader: () => boolean,
    private readonly logger: ILogger,
    /** Runs the leadership check; without one (unit tests) streams end only at close(). */
    private readonly clock?: IClock,
    /** Watchers prove their session as every call does (absent in unit tests: any session id watches). */
    private readonly sessionKeys?: SessionKeys,
    /** What a watcher's session is bound to, from its call (ClientApi.bindingOf). */
    private readonly bindingOf: (call: WatchCall) => string = () => '',
    /** What a watching session may be told of a notice (session-roots.ts noticeFor; absent in unit tests: all). */
    private readonly noticeFor: (sessionId: number, notice: ChangeNotice) => ChangeNotice | null = (_id, notice) => notice,
  ) {}

  /** Sessions watching now. */
  get size(): number {
    return this.watchers.size;
  }

  /** The gRPC implementation of ChangeFeed. */
  service(): grpc.UntypedServiceImplementation {
    return { Watch: (call: WatchCall) => this.watch(call) };
  }

  /** Tells every watcher but the session that made the change (it knows) what a served request changed. */
  published<M extends ClientMethodName>(method: M, request: RequestOf<M>): void {
    if (this.watchers.size === 0) return;
    const notice = noticeOf(method, request);
    if (!notice) return;
    const origin = (request as { h?: { sessionId: number } | null }).h?.sessionId;
    for (const w of this.watchers) {
      if (w.sessionId === origin) continue;
      const told = this.noticeFor(w.sessionId, notice);
      if (told) this.send(w, told);
    }
  }

  /** Ends every stream (this master stops): their clients resync and watch the new leader. */
  close(): void {
    this.leadershipCheck?.cancel();
    this.leadershipCheck = null;
    this.endStreams();
  }

  private endStreams(): void {
    for (const w of this.watchers) w.call.end();
    this.watchers.clear();
  }

  /** While there are watchers: a master that no longer leads ends their streams, which then find the new leader. */
  private checkLeadership(): void {
    this.leadershipCheck = null;
    if (this.watchers.size === 0 || !this.clock) return;
    if (!this.isLeader()) {
      this.logger.info('no longer the leader: ending the change feeds of watching sessions', { watchers: this.watchers.size });
      this.endStreams();
      return;
    }
    this.leadershipCheck = this.clock.setTimer(LEADERSHIP_CHECK_MS, () => this.checkLeadership());
  }

  private watch(call: WatchCall): void {
    if (!this.isLeader()) {
      // How grpc-js ends a server stream with a status.
      call.emit('error', toGrpcError(new MoosengError(ErrorCodes.NOT_LEADER, 'only the leader streams changes; watch the leader')));
      return;
    }
    try {
      this.sessionKeys?.check('Watch', call.request.sessionId, call.request.sessionKey, this.bindingOf(call));
    } catch (err) {
      call.emit('error', toGrpcError(err as MoosengError));
      return;
    }
    const w: Watcher = { sessionId: call.request.sessionId, call, behind: false };
    this.watchers.add(w);
    if (this.clock && !this.leadershipCheck) this.leadershipCheck = this.clock.setTimer(LEADERSHIP_CHECK_MS, () => this.checkLeadership());
    const gone = (): void => {
      this.watchers.delete(w);
    };
    call.on('cancelled', gone);
    call.on('close', gone);
    call.on('error', gone);
    // Every stream starts with a resync: whatever changed before the leader knew of this watcher (since its
    // previous stream ended, or before it first watched) is covered.
    call.write({ inodes: [], entries: [], resync: true });
    call.on('drain', () => {
      if (w.behind && this.watchers.has(w)) {
        w.behind = false;
        call.write({ inodes: [], entries: [], resync: true });
      }
    });
    this.logger.debug('a session watches changes', { session: w.sessionId });
  }

  private send(w: Watcher, notice: ChangeNotice): void {
    if (w.behind) return;
    if (w.call.writableLength >= MAX_PENDING_NOTICES) {
      // Lossy on purpose: a slow client must not make the leader hold notices without bound. It resyncs instead.
      w.behind = true;
      this.logger.warn('a watching session fell behind; it will be told to resync', { session: w.sessionId });
      return;
    }
    w.call.write(notice);
  }
}
