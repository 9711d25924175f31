// ClientApi: the ClientToMaster gRPC service. Each RPC is one command through consensus or one read behind the
// read barrier; write grants also choose the replication chain and move existing replicas to the new version.
import * as grpc from '@grpc/grpc-js';
import {
  type ClientMessage, type ClientMethodName, type ClientToMasterHandlers, type Counter, DEFAULT_READDIR_PAGE_ENTRIES, ErrorCodes, type Histogram, type ILogger, type IMetrics,
  type IPlacement, type IRandom, isMoosengError, MAX_NAME_BYTES, MAX_READDIR_PAGE_ENTRIES, MoosengError, type ReplyOf, type RequestOf, ROOT_INODE, toGrpcError,
} from '@mooseng/core';
import type { ChunkOperations } from './chunk-operations';
import type { ChunkLocations } from './chunks/chunk-locations';
import type { ChunkserverRegistry } from './chunkserver-registry';
import type { MetadataService, RequestOrigin } from './metadata-service';
import type { Credentials } from './namespace/commands';
import type { InodeAttr } from './namespace/results';

export interface ClientApiOptions {
  metadata: MetadataService;
  registry: ChunkserverRegistry;
  locations: ChunkLocations;
  placement: IPlacement;
  chunkOps: ChunkOperations;
  random: IRandom;
  clusterId: string;
  logger: ILogger;
  metrics: IMetrics;
  /** Told of every request that names a session: it is alive. */
  onSessionSeen: (sessionId: number) => void;
  sessionTimeoutMs: number;
}

/** The wire form of attributes. */
export function wireAttr(a: InodeAttr): ClientMessage<'Attr'> {
  return { ino: a.ino, mode: a.mode, nlink: a.nlink, uid: a.uid, gid: a.gid, size: a.size, rdev: a.rdev, atimeMs: a.atime, mtimeMs: a.mtime, ctimeMs: a.ctime, goal: a.goal, hasXattrs: a.hasXattrs };
}

export class ClientApi {
  /** The grant in progress per file chunk slot: grants of one slot run one after another (see writeChunk). */
  private readonly slotQueues = new Map<string, Promise<unknown>>();

  constructor(private readonly o: ClientApiOptions) {}

  /** The gRPC implementation of ClientToMaster: every method, typed by client.proto, timed and counted. */
  service(): grpc.UntypedServiceImplementation {
    const rpcs = this.handlers();
    const requests = this.o.metrics.counter({ name: 'mooseng_master_requests_total', help: 'ClientToMaster calls served, by method and result code', labelNames: ['method', 'code'] });
    const latency = this.o.metrics.histogram({ name: 'mooseng_master_request_duration_seconds', help: 'Time to serve a ClientToMaster call (consensus commit included)', labelNames: ['method'] });
    const impl: grpc.UntypedServiceImplementation = {};
    for (const name of Object.keys(rpcs) as ClientMethodName[]) impl[name] = this.served(name, rpcs[name], requests, latency);
    return impl;
  }

  /**
   * Every ClientToMaster method as a plain async function of its decoded request (what service() wraps for gRPC;
   * tests that drive a master without sockets call these).
   */
  handlers(): ClientToMasterHandlers {
    const m = this.o.metadata;
    const h = (req: { h: ClientMessage<'RequestHeader'> | null }): { origin: RequestOrigin; cred: Credentials } => {
      const head = req.h;
      if (!head?.cred) throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, 'request header with credentials is required');
      this.o.onSessionSeen(head.sessionId);
      return { origin: { sessionId: head.sessionId, requestId: head.requestId }, cred: { uid: head.cred.uid, gids: head.cred.gids } };
    };
    /** Decodes the request header once and hands its credentials and origin to the handler. */
    const withHeader = <T>(req: { h: ClientMessage<'RequestHeader'> | null }, run: (cred: Credentials, origin: RequestOrigin) => Promise<T>): Promise<T> => {
      const { cred, origin } = h(req);
      return run(cred, origin);
    };
    const ok = async (p: Promise<unknown>): Promise<ReplyOf<'Unlink'>> => (await p, {});
    const attrOf = async (op: Parameters<MetadataService['mutate']>[1], origin: RequestOrigin): Promise<ReplyOf<'Lookup'>> => {
      const r = await m.mutate(origin, op);
      if (r.kind !== 'attr') throw new Error(`invariant broken: ${op.op} returned ${r.kind}`);
      return { attr: wireAttr(r.attr) };
    };
    // Typed by method from client.proto: a method missing here, or a reply of the wrong shape, does not compile.
    const rpcs: ClientToMasterHandlers = {
      OpenSession: async (req) => {
        const sessionId = 1 + this.o.random.int(2 ** 47);
        await m.mutate({ sessionId, requestId: 0 }, { op: 'openSession', info: `${req.host} ${req.info}`.trim() });
        this.o.onSessionSeen(sessionId);
        return { sessionId, clusterId: this.o.clusterId, rootIno: ROOT_INODE, sessionTimeoutMs: this.o.sessionTimeoutMs };
      },
      KeepAlive: async (req) => {
        // Answered by the leader only, so a client keeps the master that judges its session informed.
        await m.read((s) => {
          if (!s.sessions.get(req.sessionId)) throw new MoosengError(ErrorCodes.SESSION_EXPIRED, `session ${req.sessionId} does not exist (expired or closed); open a new one`);
        });
        this.o.onSessionSeen(req.sessionId);
        return { sessionTimeoutMs: this.o.sessionTimeoutMs };
      },
      CloseSession: async (req) => {
        await m.mutate({ sessionId: req.sessionId, requestId: 0 }, { op: 'closeSession' });
        return {};
      },
      Lookup: async (req) => {
        const { cred } = h(req);
        return { attr: wireAttr(await m.read((s) => s.lookup(req.parent, req.name, cred))) };
      },
      GetAttr: async (req) => {
        h(req);
        return { attr: wireAttr(await m.read((s) => s.getattr(req.ino))) };
      },
      ResolvePath: async (req) => {
        const { cred } = h(req);
        return { attr: wireAttr(await m.read((s) => s.resolve(req.path, cred, { followFinal: req.follow }))) };
      },
      ReadDir: async (req) => {
        const { cred } = h(req);
        const limit = Math.min(Math.max(req.limit || DEFAULT_READDIR_PAGE_ENTRIES, 1), MAX_READDIR_PAGE_ENTRIES);
        return m.read((s) => {
          const page = s.readdir(req.ino, cred, req.after || null, limit);
          return { entries: page.entries.map((e) => ({ name: e.name, attr: wireAttr(s.getattr(e.ino)) })), more: page.next !== null };
        });
      },
      Mknod: (req) => withHeader(req, (cred, origin) => attrOf({ op: 'mknod', parent: req.parent, name: req.name, mode: req.mode, rdev: req.rdev, open: req.open, cred }, origin)),
      Mkdir: (req) => withHeader(req, (cred, origin) => attrOf({ op: 'mkdir', parent: req.parent, name: req.name, mode: req.mode, cred }, origin)),
      Symlink: (req) => withHeader(req, (cred, origin) => attrOf({ op: 'symlink', parent: req.parent, name: req.name, target: req.target, cred }, origin)),
      Link: (req) => withHeader(req, (cred, origin) => attrOf({ op: 'link', ino: req.ino, parent: req.parent, name: req.name, cred }, origin)),
      Unlink: (req) => withHeader(req, (cred, origin) => ok(m.mutate(origin, { op: 'unlink', parent: req.parent, name: req.name, cred }))),
      Rmdir: (req) => withHeader(req, (cred, origin) => ok(m.mutate(origin, { op: 'rmdir', parent: req.parent, name: req.name, cred }))),
      Rename: (req) =>
        withHeader(req, (cred, origin) =>
          ok(m.mutate(origin, { op: 'rename', parent: req.parent, name: req.name, newParent: req.newParent, newName: req.newName, flags: req.flags, cred })),
        ),
      ReadLink: async (req) => {
        h(req);
        return { target: await m.read((s) => s.readlink(req.ino)) };
      },
      SetAttr: (req) =>
        withHeader(req, (cred, origin) =>
          attrOf({ op: 'setattr', ino: req.ino, mask: req.mask, mode: req.mode, uid: req.uid, gid: req.gid, size: req.size, atime: req.atimeMs, mtime: req.mtimeMs, cred }, origin),
        ),
      Open: (req) => withHeader(req, (cred, origin) => attrOf({ op: 'open', ino: req.ino, flags: req.flags, cred }, origin)),
      Release: (req) => withHeader(req, (_cred, origin) => ok(m.mutate(origin, { op: 'release', ino: req.ino }))),
      SetXattr: (req) => withHeader(req, (cred, origin) => ok(m.mutate(origin, { op: 'setxattr', ino: req.ino, name: req.name, value: req.value, flags: req.flags, cred }))),
      GetXattr: async (req) => {
        const { cred } = h(req);
        return { value: Buffer.from(await m.read((s) => s.getxattr(req.ino, req.name, cred))) };
      },
      ListXattr: async (req) => {
        const { cred } = h(req);
        return { names: await m.read((s) => s.listxattr(req.ino, cred)) };
      },
      RemoveXattr: (req) => withHeader(req, (cred, origin) => ok(m.mutate(origin, { op: 'removexattr', ino: req.ino, name: req.name, cred }))),
      StatFs: async (req) => {
        h(req);
        const stats = await m.read((s) => s.statfs());
        const live = this.o.registry.list().filter((s) => s.alive);
        const totalBytes = live.reduce((n, s) => n + s.totalBytes, 0);
        const freeBytes = live.reduce((n, s) => n + s.freeBytes, 0);
        return { totalBytes, freeBytes, files: stats.inodes, freeFiles: Math.max(0, 2 ** 32 - stats.inodes), blockSize: 64 * 1024, nameMax: MAX_NAME_BYTES };
      },
      SetGoal: (req) =>
        withHeader(req, async (cred, origin) => {
          const r = await m.mutate(origin, { op: 'setGoal', ino: req.ino, goal: req.goal, recursive: req.recursive, cred });
          return { changed: r.kind === 'count' ? r.count : 0 };
        }),
      ReadChunk: (req) => this.readChunk(req, h(req).cred),
      WriteChunk: (req) => this.serializedBySlot(`${req.ino}:${req.chunkIndex}`, () => this.writeChunk(req, h(req))),
      CommitWrite: async (req) => {
        const { origin, cred } = h(req);
        return attrOf({ op: 'commitWrite', ino: req.ino, chunkIndex: req.chunkIndex, chunkId: req.chunkId, length: req.length, cred }, origin);
      },
      ReportReplica: async (req) => {
        h(req);
        this.o.logger.warn('client reports a failed replica', { chunkId: req.chunkId, server: req.serverId, code: req.code });
        if (req.code === ErrorCodes.CHUNK_CORRUPT || req.code === ErrorCodes.CHUNK_STALE_VERSION || req.code === ErrorCodes.CHUNK_NOT_FOUND) {
          this.o.locations.removeReplica(req.serverId, req.chunkId);
        }
        return {};
      },
    };
    return rpcs;
  }

  /** One method as gRPC calls it: the handler, timed and counted, its failure sent as a MooseNG error. */
  private served<M extends ClientMethodName>(name: M, handler: ClientToMasterHandlers[M], requests: Counter, latency: Histogram): grpc.handleUnaryCall<RequestOf<M>, ReplyOf<M>> {
    const method = { method: name };
    return (call, callback) => {
      const elapsed = latency.startTimer(method);
      handler(call.request).then(
        (reply) => {
          elapsed();
          requests.inc({ method: name, code: 'OK' });
          callback(null, reply);
        },
        (err: unknown) => {
          elapsed();
          requests.inc({ method: name, code: isMoosengError(err) ? err.code : 'INTERNAL' });
          if (!isMoosengError(err)) this.o.logger.error(`ClientToMaster.${name} failed`, { err });
          callback(toGrpcError(err) as grpc.ServiceError);
        },
      );
    };
  }

  /**
   * Runs grants of one chunk slot one at a time. Two concurrent grants would otherwise race: one moves the
   * replicas to a new version while the other looks for holders of the version it read.
   */
  private serializedBySlot<T>(slot: string, work: () => Promise<T>): Promise<T> {
    const previous = this.slotQueues.get(slot) ?? Promise.resolve();
    const mine = previous.then(work, work);
    const tail = mine.catch(() => undefined);
    this.slotQueues.set(slot, tail);
    void tail.then(() => {
      if (this.slotQueues.get(slot) === tail) this.slotQueues.delete(slot);
    });
    return mine;
  }

  private async readChunk(req: RequestOf<'ReadChunk'>, _cred: Credentials): Promise<ReplyOf<'ReadChunk'>> {
    const { slot, size } = await this.o.metadata.read((s) => ({ slot: s.fileChunks(req.ino, req.chunkIndex, 1)[0], size: s.getattr(req.ino).size }));
    if (!slot || slot.index !== req.chunkIndex) return { chunkId: 0, version: 0, fileLength: size, locations: [] };
    const holders = this.o.locations.holders(slot.chunkId, slot.version);
    const ordered = this.o.placement.orderForRead(slot.chunkId, holders, this.o.registry.views());
    return { chunkId: slot.chunkId, version: slot.version, fileLength: size, locations: this.locate(ordered) };
  }

  private async writeChunk(req: RequestOf<'WriteChunk'>, head: { origin: RequestOrigin; cred: Credentials }): Promise<ReplyOf<'WriteChunk'>> {
    // A truncate may have left this chunk to be cut: do that first, so its replicas hold the version we bump from.
    const pendingCut = await this.o.metadata.read((s) => {
      const slot = s.fileChunks(req.ino, req.chunkIndex, 1)[0];
      return slot && slot.index === req.chunkIndex ? s.tree.chunkTable.truncations.get(slot.chunkId) : undefined;
    });
    if (pendingCut) await this.o.chunkOps.truncate(pendingCut.chunkId, pendingCut.version, pendingCut.length);
    const { slot, goal, nextChunkId } = await this.o.metadata.read((s) => ({
      slot: s.fileChunks(req.ino, req.chunkIndex, 1)[0],
      goal: s.getattr(req.ino).goal,
      nextChunkId: s.tree.chunkTable.nextChunkId,
    }));
    const existing = slot && slot.index === req.chunkIndex ? slot : undefined;
    let servers: string[];
    if (existing) {
      servers = this.o.locations.holders(existing.chunkId, existing.version);
      if (servers.length === 0) {
        throw new MoosengError(ErrorCodes.IO_ERROR, `chunk ${existing.chunkId} (chunk ${req.chunkIndex} of inode ${req.ino}) has no live replica to write to`);
      }
    } else {
      servers = this.o.placement.chooseForNewChunk(nextChunkId, goal, this.o.registry.views());
      if (servers.length === 0) throw new MoosengError(ErrorCodes.NO_CHUNKSERVERS, 'no live chunkserver with free space can take a new chunk; start chunkservers or free space');
    }
    const r = await this.o.metadata.mutate(head.origin, { op: 'openChunkForWrite', ino: req.ino, chunkIndex: req.chunkIndex, servers, cred: head.cred });
    if (r.kind !== 'chunk') throw new Error(`invariant broken: openChunkForWrite returned ${r.kind}`);
    const grant = r.grant;
    let chain = grant.servers;
    if (!grant.isNew) {
      // Move every holder to the new version before anyone writes it: a replica that misses this keeps the old
      // version, which is stale from now on.
      chain = await this.o.chunkOps.moveVersion(grant.chunkId, chain, grant.version - 1, grant.version);
      if (chain.length === 0) throw new MoosengError(ErrorCodes.IO_ERROR, `no replica of chunk ${grant.chunkId} accepted version ${grant.version}`);
    } else {
      for (const id of chain) this.o.locations.addReplica(id, grant.chunkId, grant.version);
    }
    return { chunkId: grant.chunkId, version: grant.version, fileLength: grant.fileSize, chain: this.locate(chain), isNew: grant.isNew, truncateTo: grant.truncateTo };
  }

  private locate(ids: readonly string[]): Array<ClientMessage<'ChunkLocation'>> {
    return ids.flatMap((id) => {
      const address = this.o.registry.addressOf(id);
      return address ? [{ serverId: id, address }] : [];
    });
  }
}
