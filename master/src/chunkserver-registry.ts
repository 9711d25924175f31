// ChunkserverRegistry: what this master knows of the chunkservers, from their registrations and heartbeats (soft
// state, kept by every master), and the ChunkserverToMaster gRPC service that feeds it.
import type * as grpc from '@grpc/grpc-js';
import {
  callerOfGrpcCall,
  chunkserverClaims,
  type ChunkserverIdentityMsg,
  type ChunkserverReplyOf,
  type ChunkserverRequestOf,
  type ChunkserverToMasterHandlers,
  type ChunkserverView,
  checkPeerIdentity,
  type DirectoryStateMsg,
  ErrorCodes,
  type IClock,
  type ILogger,
  type MemberProofKey,
  MoosengError,
  type PeerIdentity,
  SampledWarning,
  toGrpcError,
  toMoosengError,
} from '@mooseng/core';
import type { ChunkLocations } from './chunks/chunk-locations';

/** A registration stream may carry at most this many chunk reports (bounds the memory one peer can make us use). */
export const MAX_REGISTERED_CHUNKS = 50_000_000;

/** One chunkserver as this master sees it. */
export interface ChunkserverEntry extends ChunkserverView {
  httpPort: number;
  usedBytes: number;
  chunks: number;
  dirs: DirectoryStateMsg[];
  /** Monotonic ms of the last registration or heartbeat. */
  lastSeen: number;
  session: number;
}

export interface ChunkserverRegistryOptions {
  masterId: string;
  clusterId: string;
  clock: IClock;
  logger: ILogger;
  locations: ChunkLocations;
  /** A server silent this long is dead. */
  timeoutMs: number;
  /** Session numbers for registrations: any number unique enough per master run. */
  newSession: () => number;
  /** Told when a chunkserver reports a corrupt replica (it marks it in the map); without it the registry marks it itself. */
  onCorrupt?: (serverId: string, chunkId: number, version: number) => void;
  /** With a cluster secret: a registration must prove membership (member-proofs.ts). */
  memberProofs?: MemberProofKey;
  /**
   * The control port runs TLS and takes no plain connections (node.tls, master.allowPlainControl off): every
   * registration, heartbeat and report must then come with the chunkserver's own certificate. Whatever this says,
   * a call that shows a certificate must show the one of the chunkserver it names.
   */
  requireCertificates?: boolean;
}

export class ChunkserverRegistry {
  private readonly servers = new Map<string, ChunkserverEntry>();

  /** A chunkserver without the secret retries its registration every heartbeat: counted, logged now and then. */
  private readonly refusedRegistrations: SampledWarning;

  constructor(private readonly options: ChunkserverRegistryOptions) {
    this.refusedRegistrations = new SampledWarning(options.logger, 100);
  }

  /** Every known server, dead ones included (marked alive: false). */
  list(): ChunkserverEntry[] {
    return [...this.servers.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Placement's view of the servers. */
  views(): ChunkserverView[] {
    return this.list();
  }

  get(id: string): ChunkserverEntry | undefined {
    return this.servers.get(id);
  }

  addressOf(id: string): string | undefined {
    return this.servers.get(id)?.address;
  }

  /**
   * Makes every chunkserver register again (its next heartbeat is refused): used by a new leader to replace its
   * location hints with each server's full chunk list. Servers stay alive meanwhile.
   */
  requireReregistration(): void {
    for (const s of this.servers.values()) s.session = 0;
  }

  /** Marks servers whose heartbeats stopped as dead (their replicas stop counting). Returns the newly dead ids. */
  expire(): string[] {
    const now = this.options.clock.monotonic();
    const dead: string[] = [];
    for (const s of this.servers.values()) {
      if (s.alive && now - s.lastSeen > this.options.timeoutMs) {
        s.alive = false;
        this.options.locations.setAlive(s.id, false);
        dead.push(s.id);
        this.options.logger.warn('chunkserver is silent: marked dead; its chunks will be re-replicated', {
          server: s.id,
          silentMs: Math.round(now - s.lastSeen),
        });
      }
    }
    return dead;
  }

  /** The gRPC implementation of ChunkserverToMaster for this master, typed by method from chunkserver.proto. */
  service(): ChunkserverToMasterHandlers {
    return {
      Register: (call, callback) => this.register(call, callback),
      Heartbeat: (call, callback) =>
        this.guard(callback, () => {
          this.checkCertificate(callerOfGrpcCall(call).identity, call.request.nodeId);
          return this.heartbeat(call.request);
        }),
      ReportCorrupt: (call, callback) =>
        this.guard(callback, () => {
          this.checkCertificate(callerOfGrpcCall(call).identity, call.request.nodeId);
          return this.corrupt(call.request);
        }),
    };
  }

  private register(
    call: grpc.ServerReadableStream<ChunkserverRequestOf<'Register'>, ChunkserverReplyOf<'Register'>>,
    callback: grpc.sendUnaryData<ChunkserverReplyOf<'Register'>>,
  ): void {
    let identity: ChunkserverIdentityMsg | null = null;
    const peer = callerOfGrpcCall(call).identity;
    let dirs: DirectoryStateMsg[] = [];
    const chunks: Array<{ chunkId: number; version: number }> = [];
    let failed = false;
    const fail = (err: MoosengError): void => {
      if (failed) return;
      failed = true;
      callback(toGrpcError(err) as grpc.ServiceError);
      call.destroy();
    };
    call.on('data', (msg: ChunkserverRequestOf<'Register'>) => {
      if (failed) return;
      if (msg.identity && !identity) {
        identity = msg.identity;
        dirs = msg.dirs ?? [];
        if (identity.clusterId !== this.options.clusterId) {
          fail(
            new MoosengError(
              ErrorCodes.CONFIG_INVALID,
              `chunkserver ${identity.nodeId} is in cluster "${identity.clusterId}", this master serves "${this.options.clusterId}"`,
            ),
          );
          return;
        }
        try {
          this.checkCertificate(peer, identity.nodeId);
          this.options.memberProofs?.check(
            chunkserverClaims(identity),
            identity.memberProof,
            this.options.clock.now(),
            `chunkserver ${identity.nodeId} at ${identity.dataAddress}`,
          );
        } catch (err) {
          const e = toMoosengError(err, 'checking a registration');
          this.refusedRegistrations.warn(`refused a registration: ${e.message}`);
          fail(e);
          return;
        }
      }
      if (chunks.length + msg.chunks.length > MAX_REGISTERED_CHUNKS) {
        fail(new MoosengError(ErrorCodes.INVALID_ARGUMENT, `registration reports more than ${MAX_REGISTERED_CHUNKS} chunks`));
        return;
      }
      for (const c of msg.chunks) chunks.push({ chunkId: c.chunkId, version: c.version });
    });
    call.on('error', () => (failed = true));
    call.on('end', () => {
      if (failed) return;
      if (!identity) return fail(new MoosengError(ErrorCodes.PROTOCOL_ERROR, 'registration carried no identity'));
      callback(null, this.admit(identity, dirs, chunks));
    });
  }

  /**
   * Takes in one complete registration (what a Register stream carried): the server is alive with exactly these
   * replicas, under a new session. The gRPC stream ends here; so do tests that drive a master without sockets.
   */
  admit(
    identity: ChunkserverIdentityMsg,
    dirs: DirectoryStateMsg[],
    chunks: ReadonlyArray<{ chunkId: number; version: number }>,
  ): ChunkserverReplyOf<'Register'> {
    const session = this.options.newSession();
    const id = identity.nodeId;
    const totals = sumDirs(dirs);
    this.servers.set(id, {
      id,
      address: identity.dataAddress,
      httpPort: identity.httpPort,
      labels: identity.labels ?? {},
      alive: true,
      draining: false,
      ...totals,
      chunks: chunks.length,
      dirs,
      lastSeen: this.options.clock.monotonic(),
      session,
    });
    this.options.locations.register(id, chunks);
    this.options.logger.info('chunkserver registered', { server: id, address: identity.dataAddress, chunks: chunks.length });
    return { masterId: this.options.masterId, clusterId: this.options.clusterId, session };
  }

  /**
   * Refuses a call for chunkserver `nodeId` whose TLS certificate is not that chunkserver's (OU chunkserver, CN its
   * id), or that shows none while certificates are required: one chunkserver cannot speak for another, nor a client
   * for a chunkserver.
   */
  private checkCertificate(peer: PeerIdentity | null, nodeId: string): void {
    if (peer === null) {
      if (!this.options.requireCertificates) return;
      throw new MoosengError(
        ErrorCodes.PERMIT_REFUSED,
        `chunkserver ${nodeId} showed no certificate; this master takes chunkservers over TLS with their own certificate only: give it node.tls with one from mooseng certs issue --role chunkserver --name ${nodeId}`,
      );
    }
    checkPeerIdentity(
      peer,
      { role: 'chunkserver', id: nodeId },
      `a call for chunkserver ${nodeId}`,
      'a chunkserver must show its own certificate (OU chunkserver, CN its node.id)',
    );
  }

  private heartbeat(req: ChunkserverRequestOf<'Heartbeat'>): ChunkserverReplyOf<'Heartbeat'> {
    const s = this.registered(req);
    if (!s.alive) {
      s.alive = true;
      this.options.locations.setAlive(s.id, true);
      this.options.logger.info('chunkserver is back', { server: s.id });
    }
    s.lastSeen = this.options.clock.monotonic();
    if (req.dirs) this.noteDiskChanges(s.id, s.dirs, req.dirs);
    s.dirs = req.dirs ?? s.dirs;
    s.chunks = req.chunks;
    Object.assign(s, sumDirs(s.dirs));
    for (const lost of req.lostChunks ?? []) this.options.locations.removeReplica(s.id, lost.chunkId);
    return {};
  }

  /**
   * The server a request names, if it comes under the session its registration opened (which only it and this
   * master know); otherwise UNAVAILABLE: this master restarted or expired the server, which registers again with
   * its full chunk list, or the request is not the server's own.
   */
  private registered(req: { nodeId: string; session: number }): ChunkserverEntry {
    const s = this.servers.get(req.nodeId);
    if (!s || s.session === 0 || s.session !== req.session)
      throw new MoosengError(
        ErrorCodes.UNAVAILABLE,
        `chunkserver ${req.nodeId} is not registered with this master (session ${req.session}); register again`,
      );
    return s;
  }

  /** Logs a data directory that stopped (or started again) being usable: operators replace disks on this line. */
  private noteDiskChanges(server: string, before: DirectoryStateMsg[], after: DirectoryStateMsg[]): void {
    const was = new Map(before.map((d) => [d.dir, d.usable]));
    for (const d of after) {
      const usable = was.get(d.dir);
      if (usable === true && !d.usable)
        this.options.logger.warn('chunkserver disk failed', { server, dir: d.dir, error: d.error || undefined });
      if (usable === false && d.usable) this.options.logger.info('chunkserver disk usable again', { server, dir: d.dir });
    }
  }

  private corrupt(req: ChunkserverRequestOf<'ReportCorrupt'>): ChunkserverReplyOf<'ReportCorrupt'> {
    // Only from the server itself: a report in its name from outside its session would make good copies stop counting.
    this.registered(req);
    this.options.logger.warn('chunkserver reports a corrupt replica', {
      server: req.nodeId,
      chunkId: req.chunkId,
      version: req.version,
      foundBy: req.foundBy,
    });
    // The copy stops counting at once but is not forgotten: it is deleted once good copies elsewhere reach the goal
    // (onCorrupt), and until then repair must not pick its server as the target of a new copy.
    if (this.options.onCorrupt) this.options.onCorrupt(req.nodeId, req.chunkId, req.version);
    else this.options.locations.markCorrupt(req.nodeId, req.chunkId, req.version);
    return {};
  }

  private guard<T>(callback: grpc.sendUnaryData<T>, work: () => T): void {
    try {
      callback(null, work());
    } catch (err) {
      callback(toGrpcError(err) as grpc.ServiceError);
    }
  }
}

function sumDirs(dirs: readonly DirectoryStateMsg[]): { totalBytes: number; freeBytes: number; usedBytes: number } {
  let totalBytes = 0;
  let freeBytes = 0;
  let usedBytes = 0;
  for (const d of dirs) {
    if (!d.usable) continue;
    totalBytes += d.totalBytes;
    freeBytes += d.freeBytes;
    usedBytes += d.usedBytes;
  }
  return { totalBytes, freeBytes, usedBytes };
}
