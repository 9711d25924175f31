// Raft peer transport over gRPC (core/src/protocol/raft.proto): one server on the Raft port, and per peer one
// long-lived Stream call that every queued message is written to as soon as it is queued (pipelined, in order), a
// separate Deliver call for snapshots, and exponential backoff before reopening a failed stream.
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  checkCertificateIdentity,
  ErrorCodes,
  type MemberProofKey,
  MoosengError,
  type NodeTls,
  SampledWarning,
  PROTO_LOADER_OPTIONS,
  type IClock,
  type ILogger,
  type IRandom,
  type TimerHandle,
} from '@mooseng/core';
import type { Entry, EntryType, Member, Message, MessageType } from '../core/types';
import type { RaftTransport } from './transport';

/** Messages queued for one peer and not yet written to its stream; beyond this the oldest are dropped (Raft retransmits what matters). */
export const MAX_PEER_QUEUE_MESSAGES = 4096;
/** Messages per stream write. */
export const MAX_BATCH_MESSAGES = 256;
/** Payload bytes per stream write, unless a single message is larger. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Largest gRPC message accepted (a snapshot travels in one message). */
export const MAX_GRPC_MESSAGE_BYTES = 1024 * 1024 * 1024;
/**
 * How long a stream may refuse more writes (the peer reads nothing: stopped, or cut off with the TCP connection
 * still up) before it is cancelled and reopened; what was queued meanwhile beyond MAX_PEER_QUEUE_MESSAGES is dropped.
 */
export const STREAM_STALL_TIMEOUT_MS = 10_000;
/** Deadline of a snapshot's Deliver call: this much, plus SNAPSHOT_DEADLINE_MS_PER_MIB for each MiB it carries. */
export const SNAPSHOT_DEADLINE_MS = 10_000;
export const SNAPSHOT_DEADLINE_MS_PER_MIB = 100;
/**
 * Keepalive pings on a peer's connection: a peer whose connection went silent (a partition keeps TCP up) is found
 * within about KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS, and its stream fails and is reopened once it is back.
 */
export const KEEPALIVE_TIME_MS = 5_000;
export const KEEPALIVE_TIMEOUT_MS = 5_000;
/** Backoff after a failed call to a peer: doubling from the first to the max, with jitter. */
export const BACKOFF_INITIAL_MS = 20;
/** The longest wait between attempts to reach a peer. */
export const BACKOFF_MAX_MS = 1_000;
/**
 * Call metadata naming the sender as "id=host:raftPort", so a receiver can answer a peer it does not know as a
 * member yet: a new member that became leader while this node's log still lacks the entry that added it. Metadata,
 * not a raft.proto field, so peers without it interoperate (they just cannot be answered that way).
 */
export const SENDER_METADATA_KEY = 'mooseng-raft-sender';
/** Metadata of every call with a cluster secret: the sender's member id and its proof of membership (base64). */
export const MEMBER_ID_METADATA_KEY = 'mooseng-raft-member';
export const MEMBER_PROOF_METADATA_KEY = 'mooseng-raft-proof';
/** Peers outside the membership remembered at once for replies (the most recent senders). */
export const MAX_REPLY_PEERS = 16;

const MESSAGE_TYPES: Record<MessageType, string> = {
  'pre-vote': 'PRE_VOTE',
  'pre-vote-resp': 'PRE_VOTE_RESP',
  vote: 'VOTE',
  'vote-resp': 'VOTE_RESP',
  append: 'APPEND',
  'append-resp': 'APPEND_RESP',
  snapshot: 'SNAPSHOT',
  heartbeat: 'HEARTBEAT',
  'heartbeat-resp': 'HEARTBEAT_RESP',
  'timeout-now': 'TIMEOUT_NOW',
};
const MESSAGE_TYPES_BACK = new Map(Object.entries(MESSAGE_TYPES).map(([k, v]) => [v, k as MessageType]));
const ENTRY_TYPES: Record<EntryType, string> = { normal: 'ENTRY_NORMAL', config: 'ENTRY_CONFIG', empty: 'ENTRY_EMPTY' };
const ENTRY_TYPES_BACK = new Map(Object.entries(ENTRY_TYPES).map(([k, v]) => [v, k as EntryType]));

/* eslint-disable @typescript-eslint/no-explicit-any */
function entryToWire(e: Entry): any {
  return {
    term: e.term,
    index: e.index,
    type: ENTRY_TYPES[e.type],
    data: Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength),
  };
}

function entryFromWire(e: any): Entry {
  const type = ENTRY_TYPES_BACK.get(e.type);
  if (!type) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `unknown entry type ${e.type}`);
  return { term: Number(e.term), index: Number(e.index), type, data: e.data ?? Buffer.alloc(0) };
}

/** A core message as its raft.proto PeerMessage. */
export function messageToWire(m: Message): any {
  return {
    type: MESSAGE_TYPES[m.type],
    from: m.from,
    to: m.to,
    term: m.term,
    logTerm: m.logTerm,
    index: m.index,
    entries: m.entries.map(entryToWire),
    commit: m.commit,
    reject: m.reject,
    rejectHint: m.rejectHint,
    snapshot: m.snapshot
      ? { index: m.snapshot.index, term: m.snapshot.term, members: m.snapshot.members, data: Buffer.from(m.snapshot.data) }
      : null,
    context: m.context,
    force: m.force,
  };
}

/** A raft.proto PeerMessage as a core message; PROTOCOL_ERROR when it is malformed. */
export function messageFromWire(w: any): Message {
  const type = MESSAGE_TYPES_BACK.get(w.type);
  if (!type || typeof w.from !== 'string' || typeof w.to !== 'string')
    throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `malformed Raft message of type ${w.type}`);
  return {
    type,
    from: w.from,
    to: w.to,
    term: Number(w.term),
    logTerm: Number(w.logTerm),
    index: Number(w.index),
    entries: (w.entries ?? []).map(entryFromWire),
    commit: Number(w.commit),
    reject: Boolean(w.reject),
    rejectHint: Number(w.rejectHint),
    snapshot: w.snapshot
      ? {
          index: Number(w.snapshot.index),
          term: Number(w.snapshot.term),
          members: (w.snapshot.members ?? []).map((m: any) => ({ id: m.id, address: m.address })),
          data: w.snapshot.data ?? Buffer.alloc(0),
        }
      : null,
    context: Number(w.context),
    force: Boolean(w.force),
  };
}

let cachedService: grpc.ServiceClientConstructor | null = null;

/** The RaftPeer service from raft.proto, found through @mooseng/core's package (it ships src/protocol/*.proto). */
export function raftPeerService(): grpc.ServiceClientConstructor {
  if (!cachedService) {
    const protoPath = join(dirname(require.resolve('@mooseng/core/package.json')), 'src', 'protocol', 'raft.proto');
    const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, PROTO_LOADER_OPTIONS)) as any;
    cachedService = pkg.mooseng.raft.RaftPeer as grpc.ServiceClientConstructor;
  }
  return cachedService;
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_send_message_length': MAX_GRPC_MESSAGE_BYTES,
  'grpc.max_receive_message_length': MAX_GRPC_MESSAGE_BYTES,
  // A restarted peer should be reachable again within a heartbeat or two, not grpc's default seconds.
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.min_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': BACKOFF_MAX_MS,
  'grpc.enable_retries': 0,
  'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
  'grpc.keepalive_permit_without_calls': 1,
};

function messageBytes(m: Message): number {
  let n = 64 + (m.snapshot ? m.snapshot.data.byteLength : 0);
  for (const e of m.entries) n += 24 + e.data.byteLength;
  return n;
}

/** What every PeerSender of one transport shares. */
interface SenderContext {
  clusterId: string;
  clock: IClock;
  random: IRandom;
  logger: ILogger;
  /** The metadata naming this node, or null while its own address is unknown. */
  senderMetadata(): grpc.Metadata | null;
}

/** Doubling backoff with jitter between attempts to reach one peer. */
class Backoff {
  private ms = 0;

  constructor(private readonly random: IRandom) {}

  /** How long to wait after another failure. */
  next(): number {
    this.ms = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_INITIAL_MS, this.ms * 2));
    return this.ms / 2 + this.random.int(Math.ceil(this.ms / 2));
  }

  get atMax(): boolean {
    return this.ms >= BACKOFF_MAX_MS;
  }

  reset(): void {
    this.ms = 0;
  }
}

/**
 * Sends one peer its messages. Everything but snapshots goes on one long-lived Stream call, written as soon as it
 * is queued (all the messages queued in one turn of the event loop share a write), so a lone commit never waits
 * for an earlier call to return, and messages arrive in the order sent. A snapshot goes in a Deliver call of its
 * own, one at a time (a newer one replaces one still waiting), so a large one does not hold up heartbeats and
 * appends; the core copes with it overtaking or being overtaken, as with any reordering.
 */
class PeerSender {
  private queue: Message[] = [];
  private stream: grpc.ClientWritableStream<unknown> | null = null;
  /** False while the open stream refuses more writes, until it drains. */
  private writable = true;
  private stallTimer: TimerHandle | null = null;
  private flushQueued = false;
  private readonly streamBackoff: Backoff;
  private retryTimer: TimerHandle | null = null;
  private snapshotInFlight = false;
  private snapshotWaiting: Message | null = null;
  private readonly snapshotBackoff: Backoff;
  private snapshotRetryTimer: TimerHandle | null = null;
  private closed = false;
  dropped = 0;

  constructor(
    readonly address: string,
    private readonly client: grpc.Client & Record<string, any>,
    private readonly ctx: SenderContext,
  ) {
    this.streamBackoff = new Backoff(ctx.random);
    this.snapshotBackoff = new Backoff(ctx.random);
  }

  enqueue(m: Message): void {
    if (this.closed) return;
    if (m.type === 'snapshot') {
      this.snapshotWaiting = m;
      this.sendSnapshot();
      return;
    }
    if (this.queue.length >= MAX_PEER_QUEUE_MESSAGES) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(m);
    // The host queues a Ready's messages in one synchronous run: write them together once it is done.
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    if (this.closed || this.retryTimer !== null || !this.writable || this.queue.length === 0) return;
    const stream = this.stream ?? this.openStream();
    while (this.queue.length > 0 && this.writable) {
      const batch = takeBatch(this.queue);
      this.writable = stream.write({ clusterId: this.ctx.clusterId, messages: batch.map(messageToWire) });
    }
    if (this.writable) return;
    this.stallTimer = this.ctx.clock.setTimer(STREAM_STALL_TIMEOUT_MS, () => {
      this.stallTimer = null;
      // The peer has read nothing for that long: start again on a fresh stream (the cancel fails this one).
      if (this.stream === stream) stream.cancel();
    });
    stream.once('drain', () => {
      if (this.stream !== stream) return;
      this.stallTimer?.cancel();
      this.stallTimer = null;
      this.writable = true;
      this.flush();
    });
  }

  private openStream(): grpc.ClientWritableStream<unknown> {
    const done = (err: grpc.ServiceError | null): void => {
      if (this.stream !== stream) return;
      this.stream = null;
      this.writable = true;
      this.stallTimer?.cancel();
      this.stallTimer = null;
      if (this.closed) return;
      // What was written and not yet read is lost; Raft resends what still matters. Back off so a dead peer costs
      // little; a stream the peer ended on purpose (it is shutting down) is treated the same.
      const wait = this.streamBackoff.next();
      if (this.streamBackoff.atMax)
        this.ctx.logger.debug('peer unreachable', { address: this.address, error: err?.details ?? 'stream ended' });
      this.retryTimer = this.ctx.clock.setTimer(wait, () => {
        this.retryTimer = null;
        this.flush();
      });
    };
    const metadata = this.ctx.senderMetadata();
    const stream: grpc.ClientWritableStream<unknown> = metadata ? this.client.Stream(metadata, done) : this.client.Stream(done);
    // A stream that opened resets the backoff once the peer has sent its response headers (it is there).
    stream.once('metadata', () => {
      if (this.stream === stream) this.streamBackoff.reset();
    });
    this.stream = stream;
    return stream;
  }

  private sendSnapshot(): void {
    if (this.closed || this.snapshotInFlight || this.snapshotRetryTimer !== null || this.snapshotWaiting === null) return;
    const m = this.snapshotWaiting;
    this.snapshotWaiting = null;
    this.snapshotInFlight = true;
    const { clock } = this.ctx;
    const mib = (m.snapshot?.data.byteLength ?? 0) / (1024 * 1024);
    const deadline = new Date(clock.now() + SNAPSHOT_DEADLINE_MS + Math.ceil(mib * SNAPSHOT_DEADLINE_MS_PER_MIB));
    const request = { clusterId: this.ctx.clusterId, messages: [messageToWire(m)] };
    const done = (err: grpc.ServiceError | null): void => {
      this.snapshotInFlight = false;
      if (this.closed) return;
      if (err) {
        // Lost; the leader sends it again if the follower still needs it, so only a newer one is worth sending.
        this.snapshotRetryTimer = clock.setTimer(this.snapshotBackoff.next(), () => {
          this.snapshotRetryTimer = null;
          this.sendSnapshot();
        });
        return;
      }
      this.snapshotBackoff.reset();
      this.sendSnapshot();
    };
    const metadata = this.ctx.senderMetadata();
    if (metadata) this.client.Deliver(request, metadata, { deadline }, done);
    else this.client.Deliver(request, { deadline }, done);
  }

  close(): void {
    this.closed = true;
    this.retryTimer?.cancel();
    this.snapshotRetryTimer?.cancel();
    this.stallTimer?.cancel();
    this.queue = [];
    this.snapshotWaiting = null;
    this.stream?.cancel();
    this.stream = null;
    this.client.close();
  }
}

/** Takes from the front of `queue` what one write carries (at least one message). */
function takeBatch(queue: Message[]): Message[] {
  const batch: Message[] = [];
  let bytes = 0;
  while (queue.length > 0 && batch.length < MAX_BATCH_MESSAGES) {
    const size = messageBytes(queue[0]);
    if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
    bytes += size;
    batch.push(queue.shift()!);
  }
  return batch;
}

/** Who this node is, where it listens, and its clock, randomness (backoff jitter) and logger. */
export interface GrpcTransportOptions {
  selfId: string;
  /** Batches from another cluster are refused. */
  clusterId: string;
  listenHost: string;
  port: number;
  clock: IClock;
  random: IRandom;
  logger: ILogger;
  /**
   * With a cluster secret: every call this node makes proves its membership, and calls that do not prove the
   * sender's (or carry messages from another member than the one proven) are refused before anything is decoded.
   */
  memberProofs?: MemberProofKey;
  /**
   * Mutual TLS with the cluster CA: the port takes only peers whose certificate the CA signed for a master (OU
   * "master"), and the certificate's CN is the member id the peer's messages must come from.
   */
  tls?: NodeTls;
}

/** What a Raft call's member proof signs: that a master of this cluster with this id sent it. */
function raftClaims(memberId: string, clusterId: string): string[] {
  return ['master', memberId, clusterId];
}

/**
 * RaftTransport over gRPC: sends core messages to members by id and hands received ones to `onMessage`. It can
 * also answer a peer that is not a member yet but named itself in its calls (SENDER_METADATA_KEY).
 */
export class GrpcTransport implements RaftTransport {
  private server: grpc.Server | null = null;
  private readonly senders = new Map<string, PeerSender>();
  /** Addresses of recent senders that are not members, oldest first, and the senders opened to answer them. */
  private readonly replyAddresses = new Map<string, string>();
  private readonly replySenders = new Map<string, PeerSender>();
  private onMessage: (m: Message) => void = () => undefined;
  /** The open incoming streams, by the function that ends each (they never end by themselves). */
  private readonly streams = new Set<(err: Partial<grpc.StatusObject> | null) => void>();
  private selfMetadata: grpc.Metadata | null = null;
  private readonly ctx: SenderContext;
  /** Calls refused for want of a member proof or a master's certificate: a stranger repeats them at will. */
  private readonly refusals: SampledWarning;

  constructor(private readonly options: GrpcTransportOptions) {
    this.refusals = new SampledWarning(options.logger, 100);
    this.ctx = {
      clusterId: options.clusterId,
      clock: options.clock,
      random: options.random,
      logger: options.logger,
      senderMetadata: () => this.callMetadata(),
    };
  }

  /** Ends a call whose metadata carries no valid member proof, before anything of its message is received. */
  private proofInterceptor(): grpc.ServerInterceptor {
    return (_method, call) =>
      new grpc.ServerInterceptingCall(call, {
        start: (next) =>
          next({
            onReceiveMetadata: (metadata, passOn) => {
              const refused = this.proofRefusal(metadata);
              if (refused) call.sendStatus({ code: refused.code, details: refused.details, metadata: new grpc.Metadata() });
              else passOn(metadata);
            },
          }),
      });
  }

  /** The status to end a call with when its metadata does not prove a member, else null. */
  private proofRefusal(metadata: grpc.Metadata): { code: grpc.status; details: string } | null {
    const proofs = this.options.memberProofs!;
    const claimed = String(metadata.get(MEMBER_ID_METADATA_KEY)[0] ?? '');
    const proof = Buffer.from(String(metadata.get(MEMBER_PROOF_METADATA_KEY)[0] ?? ''), 'base64');
    try {
      proofs.check(raftClaims(claimed, this.options.clusterId), proof, this.options.clock.now(), `Raft peer "${claimed || '?'}"`);
      return null;
    } catch (err) {
      return { code: grpc.status.PERMISSION_DENIED, details: this.noteRefusal((err as Error).message) };
    }
  }

  /** Counts a refused call and logs it now and then (a stranger retrying must not flood the log); returns `details`. */
  private noteRefusal(details: string): string {
    this.refusals.warn(`refused a Raft call: ${details}`);
    return details;
  }

  /** Mutual TLS with the cluster CA when node.tls is set: a client certificate is required. */
  private serverCredentials(): grpc.ServerCredentials {
    const { tls } = this.options;
    if (!tls) return grpc.ServerCredentials.createInsecure();
    return grpc.ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true);
  }

  private channelCredentials(): grpc.ChannelCredentials {
    const { tls } = this.options;
    if (!tls) return grpc.credentials.createInsecure();
    return grpc.credentials.createSsl(tls.ca, tls.key, tls.cert);
  }

  /** The metadata of a call this node makes: its address (once known) and, with a secret, a fresh member proof. */
  private callMetadata(): grpc.Metadata | null {
    const proofs = this.options.memberProofs;
    if (!proofs) return this.selfMetadata;
    const metadata = this.selfMetadata ? this.selfMetadata.clone() : new grpc.Metadata();
    const { selfId, clusterId, clock } = this.options;
    metadata.set(MEMBER_ID_METADATA_KEY, selfId);
    metadata.set(MEMBER_PROOF_METADATA_KEY, proofs.prove(raftClaims(selfId, clusterId), clock.now()).toString('base64'));
    return metadata;
  }

  /**
   * Who sent a call, proven: the member id, or the status to refuse it with. Without a secret every call is
   * taken (null id: no check of the messages' senders).
   */
  private admit(
    call: Pick<grpc.ServerUnaryCall<unknown, unknown>, 'metadata' | 'getAuthContext'>,
  ): { memberId: string | null } | { refused: Partial<grpc.StatusObject> } {
    const { memberProofs: proofs, tls } = this.options;
    const metadata = call.metadata;
    try {
      let memberId: string | null = null;
      if (tls) {
        // The handshake already checked the CA; what the certificate was issued for is checked here.
        memberId = checkCertificateIdentity(call.getAuthContext().sslPeerCertificate?.subject, { role: 'master' }, 'a Raft peer');
      }
      if (proofs) {
        const claimed = String(metadata.get(MEMBER_ID_METADATA_KEY)[0] ?? '');
        if (memberId !== null && claimed !== memberId)
          throw new MoosengError(ErrorCodes.PERMIT_REFUSED, `Raft peer "${memberId}" claims to be "${claimed}"`);
        const proof = Buffer.from(String(metadata.get(MEMBER_PROOF_METADATA_KEY)[0] ?? ''), 'base64');
        proofs.check(raftClaims(claimed, this.options.clusterId), proof, this.options.clock.now(), `Raft peer "${claimed || '?'}"`);
        memberId = claimed;
      }
      return { memberId };
    } catch (err) {
      return { refused: { code: grpc.status.PERMISSION_DENIED, details: this.noteRefusal((err as Error).message) } };
    }
  }

  /**
   * Hands one batch's messages to `onMessage`; the status to end its call with when it is refused (another
   * cluster's, or malformed), else null.
   */
  private receive(batch: any, memberId: string | null): Partial<grpc.StatusObject> | null {
    if (batch.clusterId !== this.options.clusterId)
      return { code: grpc.status.PERMISSION_DENIED, details: `cluster id ${batch.clusterId} is not ${this.options.clusterId}` };
    try {
      const messages = (batch.messages ?? []).map(messageFromWire);
      // A member speaks for itself only: messages in another member's name are refused, all of the batch.
      const forged = memberId === null ? undefined : messages.find((m: Message) => m.from !== memberId);
      if (forged) return { code: grpc.status.PERMISSION_DENIED, details: `member ${memberId} sent a message from ${forged.from}` };
      for (const m of messages) this.onMessage(m);
      return null;
    } catch (err) {
      return { code: grpc.status.INVALID_ARGUMENT, details: (err as Error).message };
    }
  }

  async start(onMessage: (m: Message) => void): Promise<void> {
    this.onMessage = onMessage;
    // With a secret, a call's proof is checked on its metadata, before its message is read: a stranger cannot make
    // this master take in (up to MAX_GRPC_MESSAGE_BYTES) or decode anything.
    const server = new grpc.Server({ ...CHANNEL_OPTIONS, interceptors: this.options.memberProofs ? [this.proofInterceptor()] : [] });
    server.addService(raftPeerService().service, {
      Stream: (call: grpc.ServerReadableStream<any, any>, callback: grpc.sendUnaryData<any>) => {
        const admitted = this.admit(call);
        if ('refused' in admitted) {
          callback(admitted.refused);
          return;
        }
        this.noteSender(call.metadata.get(SENDER_METADATA_KEY)[0]);
        let ended = false;
        const end = (err: Partial<grpc.StatusObject> | null): void => {
          if (ended) return;
          ended = true;
          this.streams.delete(end);
          callback(err, err ? undefined : {});
        };
        this.streams.add(end);
        // Headers now, not with the final status: the sender takes them as the sign that the stream is up.
        call.sendMetadata(new grpc.Metadata());
        call.on('data', (batch: any) => {
          if (ended) return;
          const refused = this.receive(batch, admitted.memberId);
          if (refused) end(refused);
        });
        call.on('end', () => end(null));
        call.on('error', () => end(null));
        call.on('cancelled', () => end(null));
      },
      Deliver: (call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) => {
        const admitted = this.admit(call);
        if ('refused' in admitted) {
          callback(admitted.refused);
          return;
        }
        this.noteSender(call.metadata.get(SENDER_METADATA_KEY)[0]);
        const refused = this.receive(call.request, admitted.memberId);
        if (refused) callback(refused);
        else callback(null, {});
      },
    });
    const { listenHost, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(`${listenHost}:${port}`, this.serverCredentials(), (err) => {
        if (err)
          reject(
            new MoosengError(ErrorCodes.UNAVAILABLE, `cannot listen for Raft peers on ${listenHost}:${port}: ${err.message}`, {
              cause: err,
            }),
          );
        else resolve();
      });
    });
    this.server = server;
  }

  /** Points the transport at the current members (new peers get a sender, removed ones are closed). */
  setMembers(members: readonly Member[]): void {
    const self = members.find((m) => m.id === this.options.selfId);
    if (self) {
      this.selfMetadata = new grpc.Metadata();
      this.selfMetadata.set(SENDER_METADATA_KEY, `${self.id}=${self.address}`);
    }
    const wanted = new Map(members.filter((m) => m.id !== this.options.selfId).map((m) => [m.id, m.address]));
    for (const [id, sender] of this.senders) {
      if (wanted.get(id) !== sender.address) {
        sender.close();
        this.senders.delete(id);
      }
    }
    for (const [id, address] of wanted) {
      this.forgetReplyPeer(id);
      if (!this.senders.has(id)) this.senders.set(id, this.openSender(id, address));
    }
  }

  /** Queues `m` for a member, or for a non-member that has named itself in a call to us (a reply); else drops it. */
  send(m: Message): void {
    const sender = this.senders.get(m.to) ?? this.replySender(m.to);
    sender?.enqueue(m);
  }

  async close(): Promise<void> {
    for (const s of this.senders.values()) s.close();
    this.senders.clear();
    for (const s of this.replySenders.values()) s.close();
    this.replySenders.clear();
    this.replyAddresses.clear();
    const server = this.server;
    this.server = null;
    if (server) {
      // Peers' streams stay open for good: end them, or a graceful shutdown would wait for them for ever.
      for (const end of [...this.streams]) end({ code: grpc.status.UNAVAILABLE, details: 'this Raft node is stopping' });
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
    }
  }

  private openSender(id: string, address: string): PeerSender {
    const Client = raftPeerService();
    // Over TLS the peer must show a certificate for its member id (`mooseng certs issue` puts the name in the
    // certificate's names), whatever address it is dialled at: a master of the CA cannot pose as another.
    const options = this.options.tls
      ? { ...CHANNEL_OPTIONS, 'grpc.ssl_target_name_override': id, 'grpc.default_authority': id }
      : CHANNEL_OPTIONS;
    const client = new Client(address, this.channelCredentials(), options) as grpc.Client & Record<string, any>;
    return new PeerSender(address, client, this.ctx);
  }

  /** Remembers where a calling peer that is not a member can be answered (header "id=host:port"). */
  private noteSender(header: grpc.MetadataValue | undefined): void {
    if (typeof header !== 'string') return;
    const eq = header.indexOf('=');
    if (eq <= 0 || eq === header.length - 1) return;
    const id = header.slice(0, eq);
    const address = header.slice(eq + 1);
    if (id === this.options.selfId || this.senders.has(id)) return;
    if (this.replyAddresses.get(id) !== address) this.forgetReplyPeer(id);
    // Most recent last, so the oldest goes first when there are too many.
    this.replyAddresses.delete(id);
    this.replyAddresses.set(id, address);
    while (this.replyAddresses.size > MAX_REPLY_PEERS) this.forgetReplyPeer(this.replyAddresses.keys().next().value!);
  }

  private replySender(id: string): PeerSender | undefined {
    const existing = this.replySenders.get(id);
    if (existing) return existing;
    const address = this.replyAddresses.get(id);
    if (address === undefined) return undefined;
    const sender = this.openSender(id, address);
    this.replySenders.set(id, sender);
    return sender;
  }

  private forgetReplyPeer(id: string): void {
    this.replyAddresses.delete(id);
    this.replySenders.get(id)?.close();
    this.replySenders.delete(id);
  }
}
