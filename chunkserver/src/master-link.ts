// MasterLink: registers with and heartbeats to every master over gRPC (chunkserver.proto) and reports corrupt and
// lost chunks. Masters send no commands this way: the leader drives chunkservers over the data plane.
import * as grpc from '@grpc/grpc-js';
import {
  callClientStream,
  callUnary,
  type ChunkRef,
  chunkserverClaims,
  type ChunkserverIdentityMsg,
  type ChunkserverMethodName,
  type ChunkserverReplyOf,
  type ChunkserverRequestOf,
  type ChunkserverToMasterCorrupt,
  type ChunkserverToMasterHeartbeat,
  chunkserverToMasterService,
  type ChunkVersionMsg,
  type DirectoryStateMsg,
  type DirectoryUsage,
  ErrorCodes,
  fromGrpcError,
  grpcControlChannel,
  hostOfAddress,
  type IClock,
  type ILogger,
  type MasterToChunkserverRegistered,
  type MemberProofKey,
  MoosengError,
  type NodeTls,
  REGISTER_BATCH_CHUNKS,
  type StoredChunk,
  toMoosengError,
} from '@mooseng/core';
import type { ChunkStoreSet } from './chunk-store-set';
import type { CorruptionFinder } from './data-plane-server';

/** Deadline of one control call to a master. */
export const MASTER_RPC_TIMEOUT_MS = 10_000;
/** Lost chunks held for a master that is unreachable; older ones are dropped (it re-learns them on Register). */
export const MAX_PENDING_REPORTS = 100_000;

export interface MasterLinkOptions {
  masters: readonly string[];
  identity: ChunkserverIdentityMsg;
  stores: ChunkStoreSet;
  heartbeatIntervalMs: number;
  clock: IClock;
  logger: ILogger;
  /** With a cluster secret: proves membership at each registration (member-proofs.ts). */
  memberProofs?: MemberProofKey;
  /**
   * node.tls: the masters are called over TLS, their certificates checked against the CA, and this chunkserver
   * shows its own (a master with TLS takes registrations only from the certificate of the id registered).
   */
  tls?: NodeTls | null;
}

/** What /health shows per master. */
export interface MasterLinkState {
  address: string;
  registered: boolean;
  session: number;
  masterId: string;
  lastHeartbeatAt: number | null;
  lastError: string | null;
}

class MasterPeer {
  readonly state: MasterLinkState;
  readonly client: grpc.Client;
  readonly lost: ChunkVersionMsg[] = [];

  constructor(address: string, tls: NodeTls | null) {
    this.state = { address, registered: false, session: 0, masterId: '', lastHeartbeatAt: null, lastError: null };
    const Service = chunkserverToMasterService();
    const channel = grpcControlChannel(hostOfAddress(address), tls);
    this.client = new Service(address, channel.credentials, channel.options);
  }
}

/** gRPC hands a successful call a reply always; should it not, that is the peer's protocol error, not a crash here. */
function noReply(method: ChunkserverMethodName, peer: MasterPeer): MoosengError {
  return new MoosengError(ErrorCodes.PROTOCOL_ERROR, `${method} to master ${peer.state.address} answered nothing`);
}

function dirState(u: DirectoryUsage): DirectoryStateMsg {
  return {
    dir: u.dir,
    totalBytes: u.totalBytes,
    freeBytes: u.freeBytes,
    usedBytes: u.usedBytes,
    chunks: u.chunks,
    usable: u.state !== 'unusable',
    error: u.error ?? '',
  };
}

function chunkMsg(c: StoredChunk): ChunkVersionMsg {
  return { chunkId: c.chunkId, version: c.version, length: c.length };
}

export class MasterLink {
  private readonly peers: MasterPeer[];
  private readonly abort = new AbortController();
  private loops: Array<Promise<void>> = [];
  private readonly background = new Set<Promise<void>>();
  /**
   * Corrupt copies reported and still here ("chunkId_version" → the report): told again to a master after each
   * registration with it, since a master that restarted, or a follower's map replaced by registrations when it
   * became leader, would otherwise count the copy as good again (and put it in a write chain).
   */
  private readonly corrupt = new Map<string, { ref: ChunkRef; blocks: number[]; dir: string; foundBy: CorruptionFinder }>();

  constructor(private readonly options: MasterLinkOptions) {
    this.peers = options.masters.map((m) => new MasterPeer(m, options.tls ?? null));
  }

  /** Starts one register-then-heartbeat loop per master; never throws (masters may come up later). */
  start(): void {
    this.loops = this.peers.map((peer) => this.run(peer));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
    await Promise.all([...this.background]);
    for (const peer of this.peers) peer.client.close();
  }

  states(): MasterLinkState[] {
    return this.peers.map((p) => ({ ...p.state }));
  }

  /** Tells every registered master about a corrupt chunk, so it reads another replica and repairs this one. */
  reportCorrupt(ref: ChunkRef, blocks: number[], dir: string, foundBy: CorruptionFinder): void {
    const report = { ref: { chunkId: ref.chunkId, version: ref.version }, blocks, dir, foundBy };
    if (this.corrupt.size < MAX_PENDING_REPORTS) this.corrupt.set(`${ref.chunkId}_${ref.version}`, report);
    // A master not registered yet hears of it right after it registers (see corrupt).
    for (const peer of this.peers) if (peer.state.registered) this.sendCorrupt(peer, report);
  }

  private sendCorrupt(peer: MasterPeer, r: { ref: ChunkRef; blocks: number[]; dir: string; foundBy: CorruptionFinder }): void {
    const msg: ChunkserverToMasterCorrupt = {
      nodeId: this.options.identity.nodeId,
      session: peer.state.session,
      chunkId: r.ref.chunkId,
      version: r.ref.version,
      blocks: r.blocks,
      dir: r.dir,
      foundBy: r.foundBy,
    };
    this.track(
      this.unary(peer, 'ReportCorrupt', msg).then(
        () => undefined,
        (err) =>
          this.options.logger.warn(`cannot report corrupt chunk ${r.ref.chunkId} to ${peer.state.address}`, {
            err: (err as Error).message,
          }),
      ),
    );
  }

  /** After a registration: the corrupt copies still here (same id and version) are reported to that master again. */
  private async reportCorruptAgain(peer: MasterPeer): Promise<void> {
    for (const [key, r] of this.corrupt) {
      const { stores } = this.options;
      const stored = stores.has(r.ref.chunkId) ? await stores.storeOf(r.ref.chunkId).stat(r.ref.chunkId) : null;
      if (stored?.version !== r.ref.version) {
        this.corrupt.delete(key); // deleted, replaced by a copy, or moved: that copy is gone
        continue;
      }
      this.sendCorrupt(peer, r);
    }
  }

  private track(p: Promise<void>): void {
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  private async run(peer: MasterPeer): Promise<void> {
    const { clock, logger, heartbeatIntervalMs } = this.options;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        await this.distributeLost();
        if (!peer.state.registered) await this.register(peer);
        await this.heartbeat(peer);
        if (peer.state.lastError) logger.info(`master ${peer.state.address} reachable again`);
        peer.state.lastError = null;
      } catch (err) {
        if (signal.aborted) break;
        const e = toMoosengError(err, `master ${peer.state.address}`);
        if (peer.state.lastError !== e.message) logger.warn(`master ${peer.state.address}: ${e.message}`, { code: e.code });
        peer.state.lastError = e.message;
        // Any failure may mean the master lost our session (restart, new leader): register again.
        peer.state.registered = false;
      }
      try {
        await clock.sleep(heartbeatIntervalMs, { signal });
      } catch {
        break;
      }
    }
  }

  /** Moves chunks of newly failed directories into every master's pending report. */
  private async distributeLost(): Promise<void> {
    const lost = await this.options.stores.collectLost();
    if (lost.length === 0) return;
    for (const peer of this.peers) {
      peer.lost.push(...lost.map(chunkMsg));
      if (peer.lost.length > MAX_PENDING_REPORTS) peer.lost.splice(0, peer.lost.length - MAX_PENDING_REPORTS);
    }
  }

  /** The identity with a fresh proof of membership, when this chunkserver has the cluster secret. */
  private provenIdentity(): ChunkserverIdentityMsg {
    const { identity, memberProofs } = this.options;
    if (!memberProofs) return identity;
    return { ...identity, memberProof: memberProofs.prove(chunkserverClaims(identity), this.options.clock.now()) };
  }

  private async register(peer: MasterPeer): Promise<void> {
    const dirs = (await this.options.stores.usage()).map(dirState);
    const chunks = (await this.options.stores.list()).map(chunkMsg);
    const reply = await new Promise<MasterToChunkserverRegistered>((resolve, reject) => {
      const options = { deadline: this.options.clock.now() + MASTER_RPC_TIMEOUT_MS };
      const call = callClientStream(
        peer.client,
        chunkserverToMasterService().service,
        'Register',
        new grpc.Metadata(),
        options,
        (err, res) =>
          err
            ? reject(fromGrpcError(err, `register with master ${peer.state.address}`))
            : res
              ? resolve(res)
              : reject(noReply('Register', peer)),
      );
      call.write({ identity: this.provenIdentity(), dirs, chunks: chunks.slice(0, REGISTER_BATCH_CHUNKS) });
      // Later batches carry no identity (null is not encoded: the same bytes as leaving it out).
      for (let i = REGISTER_BATCH_CHUNKS; i < chunks.length; i += REGISTER_BATCH_CHUNKS)
        call.write({ identity: null, dirs: [], chunks: chunks.slice(i, i + REGISTER_BATCH_CHUNKS) });
      call.end();
    });
    if (reply.clusterId && reply.clusterId !== this.options.identity.clusterId) {
      throw new MoosengError(
        ErrorCodes.CONFIG_INVALID,
        `master ${peer.state.address} belongs to cluster "${reply.clusterId}", this chunkserver to "${this.options.identity.clusterId}"; fix node.clusterId`,
      );
    }
    // Registration carried the full chunk list: pending lost reports are moot.
    peer.lost.length = 0;
    Object.assign(peer.state, { registered: true, session: reply.session, masterId: reply.masterId });
    this.options.logger.info(`registered with master ${peer.state.address}`, { masterId: reply.masterId, chunks: chunks.length });
    await this.reportCorruptAgain(peer);
  }

  private async heartbeat(peer: MasterPeer): Promise<void> {
    const dirs = (await this.options.stores.usage()).map(dirState);
    const lost = peer.lost.splice(0);
    const msg: ChunkserverToMasterHeartbeat = {
      nodeId: this.options.identity.nodeId,
      session: peer.state.session,
      dirs,
      totalBytes: dirs.reduce((n, d) => n + (d.usable ? d.totalBytes : 0), 0),
      freeBytes: dirs.reduce((n, d) => n + (d.usable ? d.freeBytes : 0), 0),
      usedBytes: dirs.reduce((n, d) => n + d.usedBytes, 0),
      chunks: dirs.reduce((n, d) => n + (d.usable ? d.chunks : 0), 0),
      lostChunks: lost,
    };
    try {
      await this.unary(peer, 'Heartbeat', msg);
    } catch (err) {
      // Not delivered: keep them for the next heartbeat.
      peer.lost.unshift(...lost);
      throw err;
    }
    peer.state.lastHeartbeatAt = this.options.clock.now();
  }

  private unary<M extends Exclude<ChunkserverMethodName, 'Register'>>(
    peer: MasterPeer,
    method: M,
    msg: ChunkserverRequestOf<M>,
  ): Promise<ChunkserverReplyOf<M>> {
    return new Promise((resolve, reject) => {
      callUnary(
        peer.client,
        chunkserverToMasterService().service,
        method,
        msg,
        new grpc.Metadata(),
        { deadline: this.options.clock.now() + MASTER_RPC_TIMEOUT_MS },
        (err, res) =>
          err
            ? reject(fromGrpcError(err, `${method} to master ${peer.state.address}`))
            : res
              ? resolve(res)
              : reject(noReply(method, peer)),
      );
    });
  }
}
