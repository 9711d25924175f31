// ClientApi: the ClientToMaster service, one set of handlers for gRPC and the framed transport. Each RPC is one
// command through consensus or one read behind the read barrier; write grants also choose the replication chain and
// move existing replicas to the new version.
import { AsyncLocalStorage } from 'node:async_hooks';
import type * as grpc from '@grpc/grpc-js';
import {
  type CallerAddress,
  CHUNK_SIZE_BYTES,
  type ClientMessage,
  type ClientMethodName,
  type ClientToMasterHandlers,
  type ClientToMasterRpcs,
  type Counter,
  DEFAULT_READDIR_PAGE_ENTRIES,
  ErrorCodes,
  type Histogram,
  type ILogger,
  type IMetrics,
  type IClock,
  type IPlacement,
  isMoosengError,
  LockType,
  MAX_NAME_BYTES,
  MAX_READDIR_PAGE_ENTRIES,
  MoosengError,
  OpenFlags,
  R_OK,
  sessionClaims,
  W_OK,
  type ReplyOf,
  type RequestOf,
  type Respond,
  grpcUnaryImplementation,
  ROOT_INODE,
  S_IFDIR,
  S_IFMT,
  S_IFREG,
  type UnaryDispatch,
} from '@mooseng/core';
import type { ChunkOperations } from './chunk-operations';
import type { GrantPermits } from './grant-permits';
import type { ExportRule, Exports } from './exports';
import type { LeaderTenure } from './leader-tenure';
import { newSessionId } from './session-ids';
import { rootedReply, rootedRequest, sessionRootOf } from './session-roots';
import type { SessionKeys } from './session-keys';
import type { ChunkLocations } from './chunks/chunk-locations';
import type { ChunkserverRegistry } from './chunkserver-registry';
import type { MetadataService, RequestOrigin } from './metadata-service';
import type { Credentials } from './namespace/commands';
import type { NamespaceStateMachine } from './namespace/namespace-state-machine';
import { type ChunkWriteGrant, type CommandResult, decodeResult, type InodeAttr } from './namespace/results';

/** The most of a session's description (its host and mount point) the master keeps, in bytes of UTF-8. */
export const MAX_SESSION_INFO_BYTES = 1024;

export interface ClientApiOptions {
  metadata: MetadataService;
  registry: ChunkserverRegistry;
  locations: ChunkLocations;
  placement: IPlacement;
  chunkOps: ChunkOperations;
  /** A young leader waits for chunkservers to register before it answers that a chunk has no replica. */
  tenure: LeaderTenure;
  /** Which clients may call, and how (master.exports). */
  exports: Exports;
  /** Times password proofs are checked against. */
  clock: IClock;
  /** The keys that bind sessions to their clients (required in a cluster with a secret). */
  sessionKeys: SessionKeys;
  /** The permits write grants carry (absent in tests that need none: grants then carry none). */
  permits?: GrantPermits;
  clusterId: string;
  logger: ILogger;
  metrics: IMetrics;
  /** Told of every request that names a session: it is alive. */
  onSessionSeen: (sessionId: number) => void;
  /** Told of every request served successfully, after its reply went out (the change feed picks the mutations). */
  onServed?: <M extends ClientMethodName>(method: M, request: RequestOf<M>) => void;
  sessionTimeoutMs: number;
}

/** Methods that change nothing: allowed under a read-only export (Open only without write access or truncation). */
const READ_ONLY_METHODS: ReadonlySet<ClientMethodName> = new Set<ClientMethodName>([
  'OpenSession',
  'CloseSession',
  'KeepAlive',
  'Lookup',
  'GetAttr',
  'ResolvePath',
  'ReadDir',
  'ReadLink',
  'Open',
  'Release',
  'ReleaseFiles',
  'GetXattr',
  'ListXattr',
  'StatFs',
  'Seek',
  'ReadChunk',
  'ReportReplica',
  'SetLock',
  'GetLock',
  'ReleaseLocks',
  // A durability barrier: it waits for what is already committed, and changes nothing.
  'Sync',
]);

/** Codes of a report that a write to the replica failed: they move the chunk's other replicas on without it. */
const WRITE_FAILURES: ReadonlySet<string> = new Set([ErrorCodes.REPLICA_FAILED, ErrorCodes.NO_SPACE]);

/**
 * Refuses a report of a failed replica unless the chunk is the named file's and the caller may write the file (a
 * failed write: the report leaves that replica behind) or read it (a failed read), or its session holds it open. A
 * report changes which copies count: from anyone else it could drop good copies of any chunk.
 */
/** Refuses `what` on a file unless the caller may write it or its session holds it open (opened for writing then). */
function mayWrite(s: NamespaceStateMachine, ino: number, cred: Credentials, sessionId: number, what: string): void {
  if (s.sessions.get(sessionId)?.opens.has(ino) === true || s.access(ino, cred, W_OK)) return;
  throw new MoosengError(ErrorCodes.EACCES, `uid ${cred.uid} may not ${what} inode ${ino}, and its session does not hold it open`);
}

function mayReport(s: NamespaceStateMachine, req: RequestOf<'ReportReplica'>, cred: Credentials, sessionId: number): void {
  if (req.ino === 0)
    throw new MoosengError(
      ErrorCodes.EPERM,
      `ReportReplica of chunk ${req.chunkId} names no file (a client older than the masters?); the report is ignored`,
    );
  const writes = WRITE_FAILURES.has(req.code);
  const held = s.sessions.get(sessionId)?.opens.has(req.ino) === true;
  if (!held && !s.access(req.ino, cred, writes ? W_OK : R_OK))
    throw new MoosengError(
      ErrorCodes.EACCES,
      `uid ${cred.uid} may not ${writes ? 'write' : 'read'} inode ${req.ino}, and its session does not hold it open: it cannot report its replicas`,
    );
  if (!s.fileChunks(req.ino).some((c) => c.chunkId === req.chunkId))
    throw new MoosengError(ErrorCodes.EINVAL, `chunk ${req.chunkId} is not a chunk of inode ${req.ino}`);
}

/** Methods about the session itself: they name no inode. */
const SESSION_METHODS: ReadonlySet<ClientMethodName> = new Set<ClientMethodName>(['OpenSession', 'KeepAlive', 'CloseSession']);

function opensForWriting(name: ClientMethodName, request: unknown): boolean {
  return name === 'Open' && ((request as RequestOf<'Open'>).flags & (OpenFlags.WRITE | OpenFlags.TRUNCATE)) !== 0;
}

/** A call without a transport address (handlers driven in-process): matched as the local host. */
const LOCAL_CALLER = '127.0.0.1';

/** What the handlers of the call being served need to know of its caller, found once per call in serve(). */
interface CallContext {
  /** The caller's export rule (the header decoding maps credentials with it). */
  rule: ExportRule;
  /** What the caller's session is bound to (sessionBinding). */
  binding: string;
  /** The directory the caller's session sees as its root (session-roots.ts). */
  root: number;
}

const callContext = new AsyncLocalStorage<CallContext>();

/** The session a request names and the key it carries: in its header, or in the request itself (KeepAlive, CloseSession). */
function sessionOf(request: unknown): { sessionId: number; key: Uint8Array | undefined } {
  const r = request as { h?: ClientMessage<'RequestHeader'> | null; sessionId?: number; sessionKey?: Uint8Array };
  if (r.h !== undefined) return { sessionId: r.h?.sessionId ?? 0, key: r.h?.sessionKey };
  return { sessionId: r.sessionId ?? 0, key: r.sessionKey };
}

/**
 * Who a session is bound to (session-keys.ts): the client's certificate over TLS (none when it shows only the CA),
 * and its export when that has a password. Another client that learns the key still cannot use it.
 */
function sessionBinding(caller: CallerAddress | undefined, rule: ExportRule): string {
  const cert = caller?.identity;
  return `${cert ? `${cert.role}/${cert.name}` : ''}\0${rule.sessionBinding}`;
}

/** What an answer carries for a permit in a cluster without a secret. */
const NO_PERMIT = Buffer.alloc(0);

/** The wire form of attributes. */
export function wireAttr(a: InodeAttr): ClientMessage<'Attr'> {
  return {
    ino: a.ino,
    mode: a.mode,
    nlink: a.nlink,
    uid: a.uid,
    gid: a.gid,
    size: a.size,
    rdev: a.rdev,
    atimeMs: a.atime,
    mtimeMs: a.mtime,
    ctimeMs: a.ctime,
    goal: a.goal,
    hasXattrs: a.hasXattrs,
    storedBytes: a.storedBytes ?? a.size,
  };
}

/**
 * The creator's umask, for the master to apply (a mount whose kernel leaves it to the file system, as with POSIX
 * ACLs, sends it); 0 means the client applied it already, and the command is then logged without it.
 */
function umaskOf(req: { umask: number }): { umask?: number } {
  return req.umask ? { umask: req.umask & 0o777 } : {};
}

export class ClientApi {
  /** The grant in progress per file chunk slot: grants of one slot run one after another (see writeChunk). */
  private readonly slotQueues = new Map<string, Promise<unknown>>();
  private served: UnaryDispatch<ClientToMasterRpcs> | null = null;

  constructor(private readonly o: ClientApiOptions) {}

  /**
   * Every ClientToMaster method as served, whatever the transport: the handler, timed and counted, its reply or
   * error passed to `respond`, then onServed told. Built once (the metrics register once): the gRPC service and
   * the framed control server both call this table.
   */
  dispatch(): UnaryDispatch<ClientToMasterRpcs> {
    if (this.served) return this.served;
    const rpcs = this.handlers();
    const requests = this.o.metrics.counter({
      name: 'mooseng_master_requests_total',
      help: 'ClientToMaster calls served, by method and result code',
      labelNames: ['method', 'code'],
    });
    const latency = this.o.metrics.histogram({
      name: 'mooseng_master_request_duration_seconds',
      help: 'Time to serve a ClientToMaster call (consensus commit included)',
      labelNames: ['method'],
    });
    const table: Partial<Record<ClientMethodName, unknown>> = {};
    for (const name of Object.keys(rpcs) as ClientMethodName[]) table[name] = this.serve(name, rpcs[name], requests, latency);
    // Every method was set by the loop over the handlers, which the type of handlers() makes complete.
    this.served = table as UnaryDispatch<ClientToMasterRpcs>;
    return this.served;
  }

  /** What a session opened by `caller` is bound to (for the change feed, which checks session keys too). */
  bindingOf(caller: CallerAddress): string {
    return sessionBinding(caller, this.o.exports.ruleFor(caller.address, caller.identity));
  }

  /** The gRPC implementation of ClientToMaster: dispatch(), its errors sent as MooseNG errors. */
  service(): grpc.UntypedServiceImplementation {
    return grpcUnaryImplementation(this.dispatch());
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
      const stated = { uid: head.cred.uid, gids: head.cred.gids };
      // Under an export that maps root or everyone, the caller acts as the mapped identity (tests that call
      // handlers() directly run outside any export: as stated).
      const cred = callContext.getStore()?.rule.map(stated) ?? stated;
      return { origin: { sessionId: head.sessionId, requestId: head.requestId }, cred };
    };
    /** Decodes the request header once and hands its credentials and origin to the handler. */
    const withHeader = <T>(
      req: { h: ClientMessage<'RequestHeader'> | null },
      run: (cred: Credentials, origin: RequestOrigin) => Promise<T>,
    ): Promise<T> => {
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
        // Kept in the replicated state for the session's life: bounded before anything is proposed.
        const info = `${req.host} ${req.info}`.trim();
        if (Buffer.byteLength(info, 'utf8') > MAX_SESSION_INFO_BYTES)
          throw new MoosengError(
            ErrorCodes.INVALID_ARGUMENT,
            `the session's host and info take ${Buffer.byteLength(info, 'utf8')} bytes; at most ${MAX_SESSION_INFO_BYTES} are kept`,
          );
        const call = callContext.getStore();
        const rule = call?.rule;
        if (rule?.password) {
          try {
            rule.password.check(sessionClaims(req), req.passwordProof, this.o.clock.now(), `a client at ${req.host || 'an unnamed host'}`);
          } catch (err) {
            throw new MoosengError(ErrorCodes.EACCES, (err as Error).message);
          }
        }
        const root = await this.sessionRoot(rule?.directory ?? '/', rule?.name ?? 'the default export', req.subdir);
        const sessionId = newSessionId();
        await m.mutate({ sessionId, requestId: 0 }, { op: 'openSession', info, ...(root === ROOT_INODE ? {} : { root }) });
        this.o.onSessionSeen(sessionId);
        return {
          sessionId,
          clusterId: this.o.clusterId,
          // The session's root is inode 1 to it, whichever directory its export gives it (session-roots.ts).
          rootIno: ROOT_INODE,
          sessionTimeoutMs: this.o.sessionTimeoutMs,
          sessionKey: this.o.sessionKeys.keyOf(sessionId, call?.binding ?? ''),
          durableWhenAcknowledged: m.durableWhenAcknowledged,
        };
      },
      KeepAlive: async (req) => {
        // Answered by the leader only, so a client keeps the master that judges its session informed.
        await m.read((s) => {
          if (!s.sessions.get(req.sessionId))
            throw new MoosengError(
              ErrorCodes.SESSION_EXPIRED,
              `session ${req.sessionId} does not exist (expired or closed); open a new one`,
            );
        });
        this.o.onSessionSeen(req.sessionId);
        return {
          sessionTimeoutMs: this.o.sessionTimeoutMs,
          sessionKey: this.o.sessionKeys.keyOf(req.sessionId, callContext.getStore()?.binding ?? ''),
          durableWhenAcknowledged: m.durableWhenAcknowledged,
        };
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
        const root = callContext.getStore()?.root ?? ROOT_INODE;
        return { attr: wireAttr(await m.read((s) => s.resolve(req.path, cred, { followFinal: req.follow, root }))) };
      },
      ReadDir: async (req) => {
        const { cred } = h(req);
        const limit = Math.min(Math.max(req.limit || DEFAULT_READDIR_PAGE_ENTRIES, 1), MAX_READDIR_PAGE_ENTRIES);
        return m.read((s) => {
          const page = s.readdir(req.ino, cred, req.after || null, limit);
          return { entries: page.entries.map((e) => ({ name: e.name, attr: wireAttr(s.getattr(e.ino)) })), more: page.next !== null };
        });
      },
      Mknod: (req) =>
        withHeader(req, async (cred, origin) => {
          const body = {
            op: 'mknod',
            parent: req.parent,
            name: req.name,
            mode: req.mode,
            rdev: req.rdev,
            open: req.open,
            cred,
            ...umaskOf(req),
          } as const;
          // A creator that will write the file: chunk 0 from the pool of new chunks, recorded with the create (one
          // commit for both), and its write grant in the answer. The pool is the parent's goal, read here without a
          // barrier, since it only picks the pool (the state machine gives the file its goal when it applies the
          // create; a chunk placed for another goal is brought to the file's by the repair loop). A parent that is
          // not there fails the plain create.
          const goal = req.wantGrant && req.open && (req.mode & S_IFMT) === S_IFREG ? m.state.goalOf(req.parent) : undefined;
          const made =
            goal === undefined
              ? null
              : await this.o.chunkOps.createWithChunk(
                  goal,
                  (chunkId) => this.o.placement.chooseForNewChunk(chunkId, goal, this.o.registry.views()),
                  (chunk) => attrOf({ ...body, chunkId: chunk.chunkId, chunkVersion: chunk.version, chunkServers: chunk.servers }, origin),
                );
          if (!made) return { ...(await attrOf(body, origin)), grant: null };
          // A retried request answered with its first result created the file without this chunk (or another
          // client's change took the chunk since): no grant then; the first write asks for one.
          const [slot] = m.state.fileChunks(made.created.attr!.ino, 0, 1);
          const held = slot?.index === 0 && slot.chunkId === made.grant.chunkId && slot.version === made.grant.version;
          return { ...made.created, grant: held ? this.grantReply(made.grant) : null };
        }),
      Mkdir: (req) =>
        withHeader(req, (cred, origin) =>
          attrOf({ op: 'mkdir', parent: req.parent, name: req.name, mode: req.mode, cred, ...umaskOf(req) }, origin),
        ),
      Symlink: (req) =>
        withHeader(req, (cred, origin) => attrOf({ op: 'symlink', parent: req.parent, name: req.name, target: req.target, cred }, origin)),
      Link: (req) =>
        withHeader(req, (cred, origin) => attrOf({ op: 'link', ino: req.ino, parent: req.parent, name: req.name, cred }, origin)),
      Unlink: (req) => withHeader(req, (cred, origin) => ok(m.mutate(origin, { op: 'unlink', parent: req.parent, name: req.name, cred }))),
      Rmdir: (req) => withHeader(req, (cred, origin) => ok(m.mutate(origin, { op: 'rmdir', parent: req.parent, name: req.name, cred }))),
      Rename: (req) =>
        withHeader(req, (cred, origin) =>
          ok(
            m.mutate(origin, {
              op: 'rename',
              parent: req.parent,
              name: req.name,
              newParent: req.newParent,
              newName: req.newName,
              flags: req.flags,
              cred,
            }),
          ),
        ),
      ReadLink: async (req) => {
        h(req);
        return { target: await m.read((s) => s.readlink(req.ino)) };
      },
      SetAttr: (req) =>
        withHeader(req, (cred, origin) =>
          attrOf(
            {
              op: 'setattr',
              ino: req.ino,
              mask: req.mask,
              mode: req.mode,
              uid: req.uid,
              gid: req.gid,
              size: req.size,
              atime: req.atimeMs,
              mtime: req.mtimeMs,
              cred,
            },
            origin,
          ),
        ),
      Open: (req) => withHeader(req, (cred, origin) => attrOf({ op: 'open', ino: req.ino, flags: req.flags, cred }, origin)),
      Release: (req) => withHeader(req, (_cred, origin) => ok(m.mutate(origin, { op: 'release', ino: req.ino }))),
      ReleaseFiles: (req) =>
        withHeader(req, async (_cred, origin) => {
          const unwritten = req.unwritten.length > 0 ? { unwritten: req.unwritten } : {};
          const r = await m.mutate(origin, { op: 'releaseFiles', inos: req.inos, ...unwritten });
          return { released: r.kind === 'count' ? r.count : 0 };
        }),
      SetXattr: (req) =>
        withHeader(req, (cred, origin) =>
          ok(m.mutate(origin, { op: 'setxattr', ino: req.ino, name: req.name, value: req.value, flags: req.flags, cred })),
        ),
      GetXattr: async (req) => {
        const { cred } = h(req);
        return { value: Buffer.from(await m.read((s) => s.getxattr(req.ino, req.name, cred))) };
      },
      ListXattr: async (req) => {
        const { cred } = h(req);
        return { names: await m.read((s) => s.listxattr(req.ino, cred)) };
      },
      RemoveXattr: (req) =>
        withHeader(req, (cred, origin) => ok(m.mutate(origin, { op: 'removexattr', ino: req.ino, name: req.name, cred }))),
      Seek: async (req) => {
        h(req);
        return { offset: await m.read((s) => s.seek(req.ino, req.offset, req.whence)) };
      },
      StatFs: async (req) => {
        h(req);
        const stats = await m.read((s) => s.statfs());
        const live = this.o.registry.list().filter((s) => s.alive);
        const totalBytes = live.reduce((n, s) => n + s.totalBytes, 0);
        const freeBytes = live.reduce((n, s) => n + s.freeBytes, 0);
        return {
          totalBytes,
          freeBytes,
          files: stats.inodes,
          freeFiles: Math.max(0, 2 ** 32 - stats.inodes),
          blockSize: 64 * 1024,
          nameMax: MAX_NAME_BYTES,
        };
      },
      Sync: async (req) => {
        h(req);
        await m.sync();
        return {};
      },
      SetGoal: (req) =>
        withHeader(req, async (cred, origin) => {
          const r = await m.mutate(origin, { op: 'setGoal', ino: req.ino, goal: req.goal, recursive: req.recursive, cred });
          return { changed: r.kind === 'count' ? r.count : 0 };
        }),
      ReadChunk: (req) => {
        const { cred, origin } = h(req);
        return this.readChunk(req, cred, origin.sessionId);
      },
      WriteChunk: (req) => this.serializedBySlot(`${req.ino}:${req.chunkIndex}`, () => this.writeChunk(req, h(req))),
      CommitWrite: async (req) => {
        const { origin, cred } = h(req);
        // Checked before anything is proposed (the commit command itself checks no permission, as the logs of
        // earlier versions were written without one): only a writer grows a file and moves its mtime. Against
        // this master's state without a read barrier, which would cost every commit a round to the other masters:
        // a leader has applied everything it acknowledged, and a deposed one cannot commit the proposal anyway.
        mayWrite(m.state, req.ino, cred, origin.sessionId, 'commit a write to');
        // Version 0 comes from a client that predates the field (a rolling upgrade): it gets the old check.
        if (req.version === 0)
          return attrOf(
            { op: 'commitWrite', ino: req.ino, chunkIndex: req.chunkIndex, chunkId: req.chunkId, length: req.length, cred },
            origin,
          );
        return attrOf(
          {
            op: 'commitChunkWrite',
            ino: req.ino,
            chunkIndex: req.chunkIndex,
            chunkId: req.chunkId,
            version: req.version,
            length: req.length,
            cred,
          },
          origin,
        );
      },
      SetLock: (req) =>
        withHeader(req, (_cred, origin) =>
          ok(
            m.mutate(origin, {
              op: 'setLock',
              ino: req.ino,
              kind: req.kind,
              type: req.type,
              owner: req.owner,
              start: req.start,
              end: req.end,
              pid: req.pid,
            }),
          ),
        ),
      GetLock: async (req) => {
        const { origin } = h(req);
        const ask = { kind: req.kind, type: req.type, start: req.start, end: req.end };
        const held = await m.read((s) => s.lockConflict(req.ino, origin.sessionId, req.owner, ask));
        return held === undefined
          ? { type: LockType.UNLOCK, start: 0, end: 0, pid: 0 }
          : { type: held.type, start: held.start, end: held.end, pid: held.pid };
      },
      ReleaseLocks: (req) =>
        withHeader(req, (_cred, origin) => ok(m.mutate(origin, { op: 'releaseLocks', ino: req.ino, owner: req.owner, kinds: req.kinds }))),
      ReportReplica: async (req) => {
        const { cred, origin } = h(req);
        mayReport(this.o.metadata.state, req, cred, origin.sessionId); // as CommitWrite's check: no read barrier
        this.o.logger.warn('client reports a failed replica', {
          chunkId: req.chunkId,
          server: req.serverId,
          code: req.code,
          version: req.version,
        });
        await this.replicaReported(req);
        return {};
      },
    };
    return rpcs;
  }

  /** One method as served: the handler, timed and counted; a failure that is no MooseNG error is logged. */
  private serve<M extends ClientMethodName>(
    name: M,
    handler: ClientToMasterHandlers[M],
    requests: Counter,
    latency: Histogram,
  ): (request: RequestOf<M>, respond: Respond<ReplyOf<M>>, caller?: CallerAddress) => void {
    const method = { method: name };
    const changes = !READ_ONLY_METHODS.has(name);
    return (request, respond, caller) => {
      const elapsed = latency.startTimer(method);
      // The caller's export rule, found once per call; the handler's header decoding (h) maps credentials with it.
      // The request as served: a subtree session's inodes translated (session-roots.ts), for onServed too.
      let served = request;
      let root = ROOT_INODE;
      const run = async (): Promise<ReplyOf<M>> => {
        const rule = this.o.exports.ruleFor(caller?.address ?? LOCAL_CALLER, caller?.identity ?? null);
        if (rule.readOnly && (changes || opensForWriting(name, request)))
          throw new MoosengError(ErrorCodes.EROFS, `${name}: this client's export (${rule.name}) is read-only`);
        if (name === 'SetGoal') rule.checkGoal((request as RequestOf<'SetGoal'>).goal);
        const binding = sessionBinding(caller, rule);
        if (name !== 'OpenSession') {
          const { sessionId, key } = sessionOf(request);
          this.o.sessionKeys.check(name, sessionId, key, binding);
          if (!SESSION_METHODS.has(name)) {
            const state = this.o.metadata.state;
            // A session this master does not know could be a subtree's: without its root, nothing can be served.
            if (rule.directory !== '/' && !state.sessions.get(sessionId))
              throw new MoosengError(ErrorCodes.SESSION_EXPIRED, `session ${sessionId} does not exist (expired or closed); open a new one`);
            root = sessionRootOf(state, sessionId);
            if (root !== ROOT_INODE) served = rootedRequest(state, name, request, sessionId, root);
          }
        }
        const reply = await callContext.run({ rule, binding, root }, () => handler(served));
        return root === ROOT_INODE ? reply : rootedReply<M>(reply, root);
      };
      run().then(
        (reply) => {
          elapsed();
          requests.inc({ method: name, code: 'OK' });
          respond(null, reply);
          this.o.onServed?.(name, served);
        },
        (err: unknown) => {
          elapsed();
          requests.inc({ method: name, code: isMoosengError(err) ? err.code : 'INTERNAL' });
          if (!isMoosengError(err)) this.o.logger.error(`ClientToMaster.${name} failed`, { err });
          respond(err);
        },
      );
    };
  }

  /**
   * The inode a new session sees as its root: the export's directory, or `subdir` beneath it (MooseFS's
   * mfssubfolder). Resolved as root, following symbolic links, so the result must still lie within the export's
   * directory: a link in the export to "/" would otherwise hand out the whole file system. ENOENT naming the rule,
   * or the subdirectory, when it is not a directory there.
   */
  private async sessionRoot(exportDirectory: string, ruleName: string, subdir: string): Promise<number> {
    const sub = subdir.split('/').filter((p) => p !== '');
    if (sub.some((p) => p === '.' || p === '..') || subdir.includes('\0'))
      throw new MoosengError(
        ErrorCodes.INVALID_ARGUMENT,
        `subdirectory "${subdir}": name a directory beneath the export without "." or ".."`,
      );
    if (exportDirectory === '/' && sub.length === 0) return ROOT_INODE;
    const directoryOf = (s: NamespaceStateMachine, path: string): number | null => {
      try {
        const attr = s.resolve(path, { uid: 0, gids: [0] }, { followFinal: true });
        return (attr.mode & S_IFMT) === S_IFDIR ? attr.ino : null;
      } catch (err) {
        if (isMoosengError(err)) return null;
        throw err;
      }
    };
    return this.o.metadata.read((s) => {
      const exported = directoryOf(s, exportDirectory);
      if (exported === null)
        throw new MoosengError(
          ErrorCodes.ENOENT,
          `this client's export (${ruleName}) gives it ${exportDirectory}, which is not a directory of the file system; create it, or change the export`,
        );
      if (sub.length === 0) return exported;
      const path = `${exportDirectory === '/' ? '' : exportDirectory}/${sub.join('/')}`;
      const root = directoryOf(s, path);
      if (root === null || !s.isWithin(root, exported))
        throw new MoosengError(
          ErrorCodes.ENOENT,
          `subdirectory /${sub.join('/')} is not a directory within this client's export (${ruleName}, ${exportDirectory}); create it, or mount another`,
        );
      return root;
    });
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

  /**
   * Where a chunk of a file is, with the permit to read it: for a caller who may read the file, or whose session
   * holds it open (POSIX: an open descriptor keeps reading after a chmod).
   */
  private async readChunk(req: RequestOf<'ReadChunk'>, cred: Credentials, sessionId: number): Promise<ReplyOf<'ReadChunk'>> {
    const look = (s: NamespaceStateMachine) => {
      if (s.sessions.get(sessionId)?.opens.has(req.ino) !== true && !s.access(req.ino, cred, R_OK))
        throw new MoosengError(ErrorCodes.EACCES, `uid ${cred.uid} may not read inode ${req.ino}, and its session does not hold it open`);
      return { slot: s.fileChunks(req.ino, req.chunkIndex, 1)[0], size: s.getattr(req.ino).size };
    };
    let { slot, size } = await this.o.metadata.read(look);
    if (!slot || slot.index !== req.chunkIndex) return { chunkId: 0, version: 0, fileLength: size, locations: [], permit: NO_PERMIT };
    const cut = this.o.metadata.state.chunkVersions(slot.chunkId)?.pendingCut ?? -1;
    // The client may know the file longer than its committed length: its own writes, not committed yet, grew it
    // (in another chunk: a grant of this one would have cut it already). It reads up to that length.
    const readable = Math.max(size, req.knownLength);
    if (cut >= 0 && readable > req.chunkIndex * CHUNK_SIZE_BYTES + cut) {
      // The file grew past a pending cut (a truncate, then a longer setattr or a write elsewhere in the file): uncut
      // replicas would show the bytes the truncate removed there. Cut first; without a cut no replica may be read.
      await this.o.chunkOps.cut(slot.chunkId);
      ({ slot, size } = await this.o.metadata.read(look));
      if (!slot || slot.index !== req.chunkIndex) return { chunkId: 0, version: 0, fileLength: size, locations: [], permit: NO_PERMIT };
      if ((this.o.metadata.state.chunkVersions(slot.chunkId)?.pendingCut ?? -1) >= 0) {
        throw new MoosengError(
          ErrorCodes.IO_ERROR,
          `chunk ${slot.chunkId} (chunk ${req.chunkIndex} of inode ${req.ino}) must be cut before it is read past the cut, and no replica took the cut`,
        );
      }
    }
    const { chunkId, version } = slot;
    let holders = await this.o.tenure.servers(`the replicas of chunk ${chunkId}`, () => this.o.locations.holders(chunkId, version));
    if (holders.length === 0) {
      // Copies reported corrupt are read only when there is nothing else: a bad block fails its CRC (the client then
      // gets EIO for it), the others still read.
      holders = this.o.locations
        .replicas(slot.chunkId)
        .filter((r) => r.alive && r.corrupt && r.version === slot.version)
        .map((r) => r.serverId);
    }
    const ordered = this.o.placement.orderForRead(slot.chunkId, holders, this.o.registry.views());
    const locations = this.locate(ordered);
    const permit =
      this.o.permits?.forRead(
        { chunkId: slot.chunkId, version: slot.version },
        locations.map((l) => l.address),
      ) ?? NO_PERMIT;
    return { chunkId: slot.chunkId, version: slot.version, fileLength: size, locations, permit };
  }

  private async writeChunk(
    req: RequestOf<'WriteChunk'>,
    head: { origin: RequestOrigin; cred: Credentials },
  ): Promise<ReplyOf<'WriteChunk'>> {
    const { slot, goal, earlier } = await this.o.metadata.read((s) => ({
      slot: s.fileChunks(req.ino, req.chunkIndex, 1)[0],
      goal: s.getattr(req.ino).goal,
      earlier: s.sessions.get(head.origin.sessionId)?.recent.get(head.origin.requestId),
    }));
    let grant: ChunkWriteGrant;
    if (head.origin.sessionId !== 0 && earlier !== undefined) {
      // A retry of a grant that committed (its answer was lost with a leader): the same grant, without moving the
      // replicas again (they would be ahead of the version it names).
      grant = this.unwrapGrant(earlier);
    } else if (slot && slot.index === req.chunkIndex) {
      grant = await this.o.chunkOps.grantExisting(head.origin, head.cred, req.ino, req.chunkIndex, slot.chunkId);
    } else {
      grant = await this.o.chunkOps.grantNew(head.origin, head.cred, req.ino, req.chunkIndex, (chunkId) =>
        this.o.placement.chooseForNewChunk(chunkId, goal, this.o.registry.views()),
      );
    }
    return this.grantReply(grant);
  }

  /** A write grant as the client gets it: the chain's addresses and the permit its chunkservers check. */
  private grantReply(grant: ChunkWriteGrant): ReplyOf<'WriteChunk'> {
    const chain = this.locate(grant.servers);
    return {
      chunkId: grant.chunkId,
      version: grant.version,
      fileLength: grant.fileSize,
      chain,
      isNew: grant.isNew,
      truncateTo: grant.truncateTo,
      permit:
        this.o.permits?.forGrant(
          grant,
          chain.map((c) => c.address),
        ) ?? NO_PERMIT,
    };
  }

  private unwrapGrant(r: CommandResult | Uint8Array): ChunkWriteGrant {
    const result = r instanceof Uint8Array ? decodeResult(r) : r;
    if (result.kind === 'error') throw new MoosengError(result.code, result.message);
    if (result.kind !== 'chunk') throw new Error(`invariant broken: a write grant returned ${result.kind}`);
    return result.grant;
  }

  /** What a client's report of a failed replica changes (docs/chunk-lifecycle.md). */
  private async replicaReported(req: RequestOf<'ReportReplica'>): Promise<void> {
    const ops = this.o.chunkOps;
    switch (req.code) {
      case ErrorCodes.REPLICA_FAILED:
        // The write stood on the replicas before the failed one: they move on, the others are left behind.
        await ops.exclude(req.chunkId, req.version, req.acknowledged, req.serverId);
        return;
      case ErrorCodes.NO_SPACE:
        // The replica's disk is full: it cannot take this chunk's writes, so every grant naming it would fail the
        // same way. Every write acknowledged under this version went through the whole chain, so the other current
        // replicas hold all of it: they move on (acknowledged is empty: all but the full one), it is left behind,
        // and the repair loop copies the chunk to a server with room.
        await ops.exclude(req.chunkId, req.version, [], req.serverId);
        return;
      case ErrorCodes.CHUNK_CORRUPT:
        // Counted only once the chunkserver's own re-read agrees (a client's word alone costs no good copy).
        await ops.verifyReported(req.serverId, req.chunkId, req.version || (this.o.locations.versionOn(req.serverId, req.chunkId) ?? 0));
        return;
      case ErrorCodes.CHUNK_STALE_VERSION:
      case ErrorCodes.CHUNK_NOT_FOUND:
        // Often only the client's cached version is old: ask the chunkserver instead of forgetting a good replica.
        await ops.refresh(req.serverId, req.chunkId);
        return;
      default:
        return; // unreachable, timed out: the heartbeat timeout judges the server
    }
  }

  private locate(ids: readonly string[]): Array<ClientMessage<'ChunkLocation'>> {
    return ids.flatMap((id) => {
      const address = this.o.registry.addressOf(id);
      return address ? [{ serverId: id, address }] : [];
    });
  }
}
