// MasterClient: the client side of ClientToMaster. Finds the leader among the masters, follows NOT_LEADER hints, and
// retries a mutation with the same request id so that it is applied at most once across a leader change.
import {
  type ClientMethodName,
  type DialTls,
  ErrorCodes,
  ExportPasswordKey,
  fromGrpcError,
  type IClock,
  type ILogger,
  isMoosengError,
  MoosengError,
  type ReplyOf,
  type RequestOf,
  sessionClaims,
  type TimerHandle,
} from '@mooseng/core';
import { type ControlTransport, DEFAULT_CONTROL_TRANSPORT, type MasterConnection, openMasterConnection } from './master-connection';

/** Deadline of one RPC attempt. */
export const MASTER_CALL_TIMEOUT_MS = 10_000;
/** How long a call keeps retrying through elections and restarts before it fails with UNAVAILABLE. */
export const MASTER_RETRY_BUDGET_MS = 30_000;
/** Pause between rounds over all masters; doubles up to the cap. */
export const MASTER_RETRY_BACKOFF_MS = 50;
export const MASTER_RETRY_BACKOFF_MAX_MS = 1_000;

/** Credentials sent with every request (the caller's uid and groups). */
export interface CallerCredentials {
  uid: number;
  gids: number[];
}

export interface MasterClientOptions {
  /** Control API addresses, host:port; any subset that includes a live master will do. */
  masters: readonly string[];
  logger: ILogger;
  clock: IClock;
  /** Describes this client in the master's session table (host, mount point). */
  sessionInfo: string;
  host: string;
  /** The export's password (client.password), proven when a session opens; absent or '' for an export without one. */
  password?: string;
  /** A directory beneath the export's to be the session's root (client.subdir); absent, '' or '/': the export's. */
  subdir?: string;
  rpcTimeoutMs?: number;
  retryBudgetMs?: number;
  /** How unary calls travel (client.controlTransport); framed by default. */
  transport?: ControlTransport;
  /** Call the masters over TLS with the cluster CA (node.tls; the CA alone will do); absent: plain. */
  tls?: DialTls | null;
}

/** The methods that carry a request header (session, request id, credentials): all but the session's own. */
export type HeaderedMethodName = { [M in ClientMethodName]: RequestOf<M> extends { h: unknown } ? M : never }[ClientMethodName];
/** What a caller gives call(): the request without its header, which call() adds. */
export type CallBody<M extends HeaderedMethodName> = Omit<RequestOf<M>, 'h'>;

/** Errors worth another try at another master (or the same one after an election). */
const RETRYABLE = new Set<string>([
  ErrorCodes.NOT_LEADER,
  ErrorCodes.UNAVAILABLE,
  ErrorCodes.TIMEOUT,
  ErrorCodes.PROPOSAL_DROPPED,
  ErrorCodes.QUORUM_LOST,
]);

export class MasterClient {
  private readonly connections = new Map<string, MasterConnection>();
  private leader: string | null = null;
  private sessionIdValue = 0;
  /** The key OpenSession gave with the id, carried in every request of the session (empty from a cluster without one). */
  private sessionKeyValue: Buffer = Buffer.alloc(0);
  /** The master that last said it acknowledges a change only once a majority has it on disk (null: none did). */
  private durableAcknowledger: string | null = null;
  private nextRequestId = 1;
  private closed = false;
  private closing = false;
  /** The leader's session timeout (0 from a master that has none); keep-alives go at a quarter of it. */
  private sessionTimeoutMs = 0;
  private keepAliveTimer: TimerHandle | null = null;
  private renewing: Promise<void> | null = null;

  constructor(private readonly options: MasterClientOptions) {
    if (options.masters.length === 0)
      throw new MoosengError(ErrorCodes.CONFIG_INVALID, 'no master addresses given; set client.masters or --master host:port');
  }

  /** The session id the leader gave this client (0 before connect()). */
  get sessionId(): number {
    return this.sessionIdValue;
  }

  /** The key that goes with the session id (for the change feed's Watch, which MasterClient does not call). */
  get sessionKey(): Buffer {
    return this.sessionKeyValue;
  }

  /**
   * Whether the leader acknowledges a change only once a majority has it on disk (Raft's sync: commit), as it said
   * in the last OpenSession or KeepAlive answer: an fsync then has nothing left to wait for at the masters. Only
   * the leader that said so counts; after a change of leader this is false until the new one says the same.
   */
  get durableWhenAcknowledged(): boolean {
    return this.durableAcknowledger !== null && this.durableAcknowledger === this.leader;
  }

  /** The master that last answered as leader. */
  get currentLeader(): string | null {
    return this.leader;
  }

  /**
   * Opens a session with the leader and keeps it alive. Fails with UNAVAILABLE naming every master tried when none
   * answers.
   */
  async connect(options: { signal?: AbortSignal } = {}): Promise<{ sessionId: number; clusterId: string; rootIno: number }> {
    const reply = await this.invoke('OpenSession', this.openSessionRequest(), options.signal);
    this.sessionIdValue = reply.sessionId;
    this.sessionKeyValue = Buffer.from(reply.sessionKey);
    this.durableAcknowledger = reply.durableWhenAcknowledged ? this.leader : null;
    this.sessionTimeoutMs = reply.sessionTimeoutMs || 0;
    this.scheduleKeepAlive();
    return reply;
  }

  /**
   * Calls one ClientToMaster RPC with a request header (session, a fresh request id, credentials). The same request
   * id is reused on every retry, so the leader returns the first result of a mutation that did apply. A session the
   * master expired is replaced by a new one and the call made once more. Request and reply are typed by `method`.
   */
  async call<M extends HeaderedMethodName>(
    method: M,
    body: CallBody<M>,
    cred: CallerCredentials,
    options: { signal?: AbortSignal } = {},
  ): Promise<ReplyOf<M>> {
    // Omit<RequestOf<M>, 'h'> plus h is RequestOf<M>, which TypeScript cannot see through a generic M.
    const attempt = (): Promise<ReplyOf<M>> =>
      this.invoke(
        method,
        {
          h: { sessionId: this.sessionIdValue, sessionKey: this.sessionKeyValue, requestId: this.nextRequestId++, cred },
          ...body,
        } as RequestOf<M>,
        options.signal,
      );
    try {
      return await attempt();
    } catch (err) {
      if (!isMoosengError(err, ErrorCodes.SESSION_EXPIRED)) throw err;
      await this.renewSession();
      return attempt();
    }
  }

  /** Closes the session (the master releases files this client still held open) and the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true; // a keep-alive in flight does not schedule another
    this.keepAliveTimer?.cancel();
    if (this.sessionIdValue !== 0) {
      await this.invoke('CloseSession', { sessionId: this.sessionIdValue, sessionKey: this.sessionKeyValue }, undefined, 3_000).catch(
        (err) =>
          this.options.logger.warn('could not close the session cleanly; the master will expire it', { err: (err as Error).message }),
      );
    }
    this.closed = true;
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }

  private scheduleKeepAlive(): void {
    this.keepAliveTimer?.cancel();
    if (this.sessionTimeoutMs <= 0 || this.closing) return;
    const interval = this.sessionTimeoutMs / 4;
    this.keepAliveTimer = this.options.clock.setTimer(interval, () => {
      const session = this.sessionIdValue;
      void this.invoke('KeepAlive', { sessionId: session, sessionKey: this.sessionKeyValue }, undefined, interval)
        .then((reply) => {
          // The key under the secret the masters sign with now: the one this session had stops working once a
          // rotation retires the old secret (docs/security.md).
          if (reply.sessionKey.length > 0 && this.sessionIdValue === session) this.sessionKeyValue = Buffer.from(reply.sessionKey);
          this.durableAcknowledger = reply.durableWhenAcknowledged ? this.leader : null;
        })
        .catch(async (err: unknown) => {
          if (isMoosengError(err, ErrorCodes.SESSION_EXPIRED)) await this.renewSession();
          // Anything else (no leader for a while) is tried again at the next tick, well within the timeout.
          else this.options.logger.debug('keep-alive failed; next one soon', { err: (err as Error).message });
        })
        .catch((err: unknown) =>
          this.options.logger.warn('could not open a new session yet; next try soon', { err: (err as Error).message }),
        )
        .finally(() => this.scheduleKeepAlive());
    });
  }

  /** What OpenSession says of this client, with the proof of its export's password when it has one. */
  private openSessionRequest(): RequestOf<'OpenSession'> {
    const claims = { info: this.options.sessionInfo, host: this.options.host };
    const password = this.options.password ?? '';
    const passwordProof =
      password === '' ? Buffer.alloc(0) : new ExportPasswordKey(password).prove(sessionClaims(claims), this.options.clock.now());
    return { ...claims, passwordProof, subdir: this.options.subdir ?? '' };
  }

  /** Replaces an expired session (one at a time, however many calls found it expired). */
  private renewSession(): Promise<void> {
    this.renewing ??= (async () => {
      const old = this.sessionIdValue;
      const reply = await this.invoke('OpenSession', this.openSessionRequest());
      this.sessionIdValue = reply.sessionId;
      this.sessionKeyValue = Buffer.from(reply.sessionKey);
      this.durableAcknowledger = reply.durableWhenAcknowledged ? this.leader : null;
      this.sessionTimeoutMs = reply.sessionTimeoutMs || 0;
      this.options.logger.error(
        "the masters expired this client's session (it was silent too long); opened a new one: files open here are no longer held open on the masters",
        {
          expired: old,
          session: reply.sessionId,
        },
      );
    })().finally(() => (this.renewing = null));
    return this.renewing;
  }

  private async invoke<M extends ClientMethodName>(
    method: M,
    request: RequestOf<M>,
    signal?: AbortSignal,
    budgetMs = this.options.retryBudgetMs ?? MASTER_RETRY_BUDGET_MS,
  ): Promise<ReplyOf<M>> {
    const { clock } = this.options;
    const deadline = clock.monotonic() + budgetMs;
    let backoff = MASTER_RETRY_BACKOFF_MS;
    let lastError: MoosengError | null = null;
    for (;;) {
      // The known leader first, then every other master once per round.
      const order = [...new Set([...(this.leader ? [this.leader] : []), ...this.options.masters])];
      for (const address of order) {
        if (this.closed) throw new MoosengError(ErrorCodes.ABORTED, 'master client is closed');
        if (signal?.aborted) throw new MoosengError(ErrorCodes.ABORTED, `${method} aborted`);
        try {
          const reply = await this.once(address, method, request, signal);
          this.leader = address;
          return reply;
        } catch (err) {
          const e = isMoosengError(err) ? err : fromGrpcError(err, `${method} at ${address}`);
          if (!RETRYABLE.has(e.code)) throw e;
          lastError = e;
          if (this.leader === address) this.leader = null;
          const hint = e.details.leaderAddress;
          if (e.code === ErrorCodes.NOT_LEADER && typeof hint === 'string' && hint !== address && this.options.masters.includes(hint)) {
            this.leader = hint;
            break; // start a new round at the hinted leader
          }
        }
      }
      if (clock.monotonic() > deadline) {
        throw new MoosengError(
          ErrorCodes.UNAVAILABLE,
          `no master leader answered ${method} within ${budgetMs} ms (tried ${this.options.masters.join(', ')}): ${lastError?.message ?? 'no answer'}; check that a majority of masters is running`,
          { cause: lastError ?? undefined },
        );
      }
      await clock.sleep(backoff, { signal });
      backoff = Math.min(backoff * 2, MASTER_RETRY_BACKOFF_MAX_MS);
    }
  }

  private once<M extends ClientMethodName>(address: string, method: M, request: RequestOf<M>, signal?: AbortSignal): Promise<ReplyOf<M>> {
    return this.connection(address).call(method, request, { timeoutMs: this.options.rpcTimeoutMs ?? MASTER_CALL_TIMEOUT_MS, signal });
  }

  private connection(address: string): MasterConnection {
    let connection = this.connections.get(address);
    if (!connection) {
      connection = openMasterConnection(address, this.options.transport ?? DEFAULT_CONTROL_TRANSPORT, this.options.tls ?? null);
      this.connections.set(address, connection);
    }
    return connection;
  }
}
