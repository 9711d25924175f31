// ChangeWatcher: this session's stream of change notices from the leader (client.proto's ChangeFeed.Watch), kept
// open across leader changes; each notice goes to a listener that drops what the client and its kernel cache.
import * as grpc from '@grpc/grpc-js';
import {
  changeFeedService,
  type ChangeNotice,
  type DialTls,
  fromGrpcError,
  grpcControlChannel,
  hostOfAddress,
  type IClock,
  type ILogger,
  type TimerHandle,
} from '@mooseng/core';
import type { MasterClient } from './master-client';

/** Pause before watching again after a stream ended or failed. */
export const WATCH_RETRY_MS = 500;
/** How often the watcher checks that it watches the master the client now calls leader. */
export const WATCH_LEADER_CHECK_MS = 1_000;

/** What to do with notices. Neither method may throw. */
export interface ChangeListener {
  /** Another session changed these inodes and entries. */
  changed(notice: ChangeNotice): void;
  /**
   * Notices may have been lost (a new stream, or this client fell behind): drop everything cached. Also says the feed
   * is live again: from here on every other client's change is told.
   */
  resync(): void;
  /**
   * The stream ended (its master died, stepped down, or the watch moves to a new leader): until the next stream's
   * resync, other clients' changes are not told, so nothing may be answered from the cache on the feed's word.
   */
  lost(): void;
}

export interface ChangeWatcherOptions {
  master: MasterClient;
  /** Every master's control address, tried in turn while the leader is unknown. */
  masters: readonly string[];
  clock: IClock;
  logger: ILogger;
  listener: ChangeListener;
  /** Watch over TLS with the cluster CA (the client's node.tls), as the client's calls go; absent: plain. */
  tls?: DialTls | null;
}

/** Watches the leader's change feed for this session until stop(). */
export class ChangeWatcher {
  private readonly stubs = new Map<string, grpc.Client>();
  private call: grpc.ClientReadableStream<ChangeNotice> | null = null;
  private address: string | null = null;
  private retry: TimerHandle | null = null;
  private leaderCheck: TimerHandle | null = null;
  private stopped = false;

  constructor(private readonly o: ChangeWatcherOptions) {}

  start(): void {
    this.watch(this.o.master.currentLeader ?? this.o.masters[0]!);
    this.scheduleLeaderCheck();
  }

  stop(): void {
    this.stopped = true;
    this.retry?.cancel();
    this.leaderCheck?.cancel();
    this.call?.cancel();
    this.call = null;
    for (const stub of this.stubs.values()) stub.close();
    this.stubs.clear();
  }

  /** The master whose feed is watched now (null between streams). */
  get watching(): string | null {
    return this.call ? this.address : null;
  }

  private watch(address: string): void {
    if (this.stopped) return;
    this.address = address;
    const m = changeFeedService().service.Watch;
    const call = this.stub(address).makeServerStreamRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize,
      { sessionId: this.o.master.sessionId, sessionKey: this.o.master.sessionKey },
      new grpc.Metadata(),
      {},
    ) as grpc.ClientReadableStream<ChangeNotice>;
    this.call = call;
    call.on('data', (notice: ChangeNotice) => {
      if (notice.resync) this.o.listener.resync();
      else this.o.listener.changed(notice);
    });
    call.on('error', (err: grpc.ServiceError) => this.ended(call, err));
    call.on('end', () => this.ended(call, null));
  }

  /** The stream ended: watch again soon, at the leader if known, else at the next master. */
  private ended(call: grpc.ClientReadableStream<ChangeNotice>, err: grpc.ServiceError | null): void {
    if (call !== this.call || this.stopped) return;
    this.call = null;
    this.o.listener.lost();
    const failed = this.address!;
    if (err) this.o.logger.debug('the change feed ended; watching again', { master: failed, err: fromGrpcError(err, 'Watch').message });
    const leader = this.o.master.currentLeader;
    const hint = err ? fromGrpcError(err, 'Watch').details.leaderAddress : undefined;
    const next =
      typeof hint === 'string' && this.o.masters.includes(hint)
        ? hint
        : leader && leader !== failed
          ? leader
          : this.o.masters[(this.o.masters.indexOf(failed) + 1) % this.o.masters.length]!;
    this.retry = this.o.clock.setTimer(WATCH_RETRY_MS, () => this.watch(next));
  }

  /** A leader change the client's calls found (NOT_LEADER, a dead master) moves the watch there. */
  private scheduleLeaderCheck(): void {
    this.leaderCheck = this.o.clock.setTimer(WATCH_LEADER_CHECK_MS, () => {
      const leader = this.o.master.currentLeader;
      if (this.call && leader && leader !== this.address) {
        const old = this.call;
        this.call = null;
        old.cancel();
        this.o.listener.lost();
        this.watch(leader);
      }
      if (!this.stopped) this.scheduleLeaderCheck();
    });
  }

  private stub(address: string): grpc.Client {
    let stub = this.stubs.get(address);
    if (!stub) {
      const Service = changeFeedService();
      const channel = grpcControlChannel(hostOfAddress(address), this.o.tls ?? null);
      stub = new Service(address, channel.credentials, channel.options);
      this.stubs.set(address, stub);
    }
    return stub;
  }
}
