// Raft peer transport over gRPC (core/src/protocol/raft.proto): one server on the Raft port, and per peer a bounded
// send queue drained in batches by one call at a time, with exponential backoff after failures.
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ErrorCodes, MoosengError, PROTO_LOADER_OPTIONS, type IClock, type ILogger, type IRandom, type TimerHandle } from '@mooseng/core';
import type { Entry, EntryType, Member, Message, MessageType } from '../core/types';

/** Messages queued for one peer; beyond this the oldest are dropped (Raft retransmits what matters). */
export const MAX_PEER_QUEUE_MESSAGES = 4096;
/** Messages per Deliver call. */
export const MAX_BATCH_MESSAGES = 256;
/** Payload bytes per Deliver call, unless a single message is larger. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Largest gRPC message accepted (a snapshot travels in one message). */
export const MAX_GRPC_MESSAGE_BYTES = 1024 * 1024 * 1024;
/** Deadline of one Deliver call. */
export const DELIVER_TIMEOUT_MS = 10_000;
/** Backoff after a failed call to a peer: doubling from the first to the max, with jitter. */
export const BACKOFF_INITIAL_MS = 20;
export const BACKOFF_MAX_MS = 1_000;

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
  return { term: e.term, index: e.index, type: ENTRY_TYPES[e.type], data: Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength) };
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
  if (!type || typeof w.from !== 'string' || typeof w.to !== 'string') throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, `malformed Raft message of type ${w.type}`);
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
};

function messageBytes(m: Message): number {
  let n = 64 + (m.snapshot ? m.snapshot.data.byteLength : 0);
  for (const e of m.entries) n += 24 + e.data.byteLength;
  return n;
}

class PeerSender {
  private queue: Message[] = [];
  private busy = false;
  private backoffMs = 0;
  private retryTimer: TimerHandle | null = null;
  private closed = false;
  dropped = 0;

  constructor(
    readonly address: string,
    private readonly client: grpc.Client & Record<string, any>,
    private readonly clusterId: string,
    private readonly clock: IClock,
    private readonly random: IRandom,
    private readonly logger: ILogger,
  ) {}

  enqueue(m: Message): void {
    if (this.closed) return;
    if (this.queue.length >= MAX_PEER_QUEUE_MESSAGES) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(m);
    this.pump();
  }

  private pump(): void {
    if (this.busy || this.closed || this.retryTimer !== null || this.queue.length === 0) return;
    const batch: Message[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && batch.length < MAX_BATCH_MESSAGES) {
      const size = messageBytes(this.queue[0]);
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      batch.push(this.queue.shift()!);
    }
    this.busy = true;
    const deadline = new Date(this.clock.now() + DELIVER_TIMEOUT_MS);
    this.client.Deliver({ clusterId: this.clusterId, messages: batch.map(messageToWire) }, { deadline }, (err: grpc.ServiceError | null) => {
      this.busy = false;
      if (this.closed) return;
      if (err) {
        // The batch is lost; Raft resends what still matters. Back off so a dead peer costs little.
        this.backoffMs = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_INITIAL_MS, this.backoffMs * 2));
        const wait = this.backoffMs / 2 + this.random.int(Math.ceil(this.backoffMs / 2));
        if (this.backoffMs >= BACKOFF_MAX_MS) this.logger.debug('peer unreachable', { address: this.address, error: err.details });
        this.retryTimer = this.clock.setTimer(wait, () => {
          this.retryTimer = null;
          this.pump();
        });
        return;
      }
      this.backoffMs = 0;
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    this.retryTimer?.cancel();
    this.queue = [];
    this.client.close();
  }
}

export interface GrpcTransportOptions {
  selfId: string;
  clusterId: string;
  listenHost: string;
  port: number;
  clock: IClock;
  random: IRandom;
  logger: ILogger;
  /** Called for every message received from a peer. */
  onMessage(m: Message): void;
}

/** Sends core messages to peers by id and hands received ones to `onMessage`. */
export class GrpcTransport {
  private server: grpc.Server | null = null;
  private readonly senders = new Map<string, PeerSender>();

  constructor(private readonly options: GrpcTransportOptions) {}

  async start(): Promise<void> {
    const server = new grpc.Server(CHANNEL_OPTIONS);
    server.addService(raftPeerService().service, {
      Deliver: (call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) => {
        const req = call.request;
        if (req.clusterId !== this.options.clusterId) {
          callback({ code: grpc.status.PERMISSION_DENIED, details: `cluster id ${req.clusterId} is not ${this.options.clusterId}` });
          return;
        }
        try {
          for (const w of req.messages ?? []) this.options.onMessage(messageFromWire(w));
          callback(null, {});
        } catch (err) {
          callback({ code: grpc.status.INVALID_ARGUMENT, details: (err as Error).message });
        }
      },
    });
    const { listenHost, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(`${listenHost}:${port}`, grpc.ServerCredentials.createInsecure(), (err) => {
        if (err) reject(new MoosengError(ErrorCodes.UNAVAILABLE, `cannot listen for Raft peers on ${listenHost}:${port}: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
    this.server = server;
  }

  /** Points the transport at the current members (new peers get a sender, removed ones are closed). */
  setMembers(members: readonly Member[]): void {
    const wanted = new Map(members.filter((m) => m.id !== this.options.selfId).map((m) => [m.id, m.address]));
    for (const [id, sender] of this.senders) {
      if (wanted.get(id) !== sender.address) {
        sender.close();
        this.senders.delete(id);
      }
    }
    for (const [id, address] of wanted) {
      if (this.senders.has(id)) continue;
      const Client = raftPeerService();
      const client = new Client(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as grpc.Client & Record<string, any>;
      this.senders.set(id, new PeerSender(address, client, this.options.clusterId, this.options.clock, this.options.random, this.options.logger));
    }
  }

  send(m: Message): void {
    this.senders.get(m.to)?.enqueue(m);
  }

  async close(): Promise<void> {
    for (const s of this.senders.values()) s.close();
    this.senders.clear();
    const server = this.server;
    this.server = null;
    if (server) {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
    }
  }
}
