// An in-process master for chunk-lifecycle tests: the real state machine, ClientApi, ChunkOperations and RepairLoop,
// over a consensus that applies each proposal at once and chunkservers that are maps in memory (test doubles only).
import {
  type ChunkRef,
  type ClientMessage,
  type ClientToMasterHandlers,
  type ConsensusStatus,
  ErrorCodes,
  type IConsensus,
  type ILogger,
  type IStateMachine,
  type LogFields,
  MoosengError,
  NoopMetrics,
  type RequestOf,
  type ReplyOf,
  type StoredChunk,
} from '@mooseng/core';
import {
  ChunkLocations,
  ChunkOperations,
  LeaderTenure,
  ChunkserverRegistry,
  ClientApi,
  type Command,
  decodeCommand,
  MetadataService,
  NamespaceStateMachine,
  RepairLoop,
  DEFAULT_EXPORTS,
  Exports,
  SessionKeys,
} from '@mooseng/master';
import { HrwPlacement } from '@mooseng/plugin-placement-hrw';
import { ManualClock, waitFor } from '../support';

/** The credentials every request of these tests carries (root: permission checks are not what is tested here). */
export const ROOT_CRED = { uid: 0, gids: [0] };

/** How a proposal fails when the leader dies: before the entry commits, or after it committed but before the answer. */
export type LostProposal = 'before-commit' | 'after-commit';

/** IConsensus that is always leader and applies every proposal on the spot; `lose` makes chosen proposals fail. */
export class InstantConsensus implements IConsensus {
  readonly nodeId = 'm1';
  private index = 0;
  private sm: IStateMachine | null = null;
  /** Decides, per proposed command, whether the leader "dies" around it (and how). */
  lose: ((cmd: Command) => LostProposal | null) | null = null;

  async start(stateMachine: IStateMachine): Promise<void> {
    this.sm = stateMachine;
  }
  async stop(): Promise<void> {}

  async propose(command: Uint8Array): Promise<Uint8Array> {
    const how = this.lose?.(decodeCommand(command)) ?? null;
    if (how === 'before-commit') throw new MoosengError(ErrorCodes.PROPOSAL_DROPPED, 'leader died before the entry committed (test)');
    const result = this.sm!.apply(command, ++this.index);
    if (how === 'after-commit') throw new MoosengError(ErrorCodes.PROPOSAL_DROPPED, 'leader died after the entry committed (test)');
    return result;
  }
  async readBarrier(): Promise<void> {}
  async waitDurable(): Promise<void> {}
  status(): ConsensusStatus {
    return {
      nodeId: this.nodeId,
      role: 'leader',
      term: 1,
      leaderId: this.nodeId,
      commitIndex: this.index,
      appliedIndex: this.index,
      lastIndex: this.index,
      members: [],
    };
  }
  onLeadershipChange(): () => void {
    return () => undefined;
  }
  async addMember(): Promise<void> {}
  async removeMember(): Promise<void> {}
  async transferLeadership(): Promise<void> {}
  async compact(): Promise<void> {}
}

/** A logger that keeps every line (tests look for events). */
export class RecordingLogger implements ILogger {
  readonly lines: Array<{ level: string; msg: string; fields: LogFields }> = [];
  debug(msg: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'debug', msg, fields });
  }
  info(msg: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'info', msg, fields });
  }
  warn(msg: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'warn', msg, fields });
  }
  error(msg: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'error', msg, fields });
  }
  child(): ILogger {
    return this;
  }
}

/** One replica on a fake chunkserver: its version and bytes. */
export interface FakeReplica {
  version: number;
  data: Buffer;
  /** Blocks whose CRC a verify finds wrong (the disk rotted under them); none when absent. */
  corruptBlocks?: number[];
}

/** The data-plane operations a fake chunkserver can be told to fail. */
export type FakeOp = 'create' | 'write' | 'read' | 'truncate' | 'set-version' | 'cut' | 'delete' | 'replicate' | 'stat' | 'verify';

/**
 * Chunkservers as maps in memory, answering the data-plane calls ChunkOperations and the simulated client make, with
 * the real stores' error codes: CHUNK_NOT_FOUND, CHUNK_STALE_VERSION (the version held in details.version),
 * CHUNK_EXISTS, UNAVAILABLE for a stopped server. `fail` injects failures per call.
 */
export class FakeChunkservers {
  /** address → chunk id → replica. */
  readonly disks = new Map<string, Map<number, FakeReplica>>();
  readonly down = new Set<string>();
  /** Decides whether a call fails (return the error) or runs. */
  fail: ((address: string, op: FakeOp, chunkId: number) => MoosengError | null) | null = null;
  /** Decides whether a call's answer is lost after it was carried out (the caller sees UNAVAILABLE). */
  loseAnswer: ((address: string, op: FakeOp, chunkId: number) => boolean) | null = null;
  /** Runs (and is awaited) while a repair copy streams: after the source was read, before the target has it. */
  duringCopy: (() => Promise<void>) | null = null;
  /** Runs (and is awaited) before each call does anything: a test lets something else happen at that moment. */
  before: ((address: string, op: FakeOp, chunkId: number) => Promise<void>) | null = null;
  /** Every call made, in order: "op address chunk:version". */
  readonly calls: string[] = [];

  addServer(address: string): void {
    this.disks.set(address, new Map());
  }

  replica(address: string, chunkId: number): FakeReplica | undefined {
    return this.disks.get(address)?.get(chunkId);
  }

  private async enter(address: string, op: FakeOp, ref: { chunkId: number; version?: number }): Promise<Map<number, FakeReplica>> {
    await this.before?.(address, op, ref.chunkId);
    this.calls.push(`${op} ${address} ${ref.chunkId}:${ref.version ?? '-'}`);
    const disk = this.disks.get(address);
    if (!disk || this.down.has(address)) throw new MoosengError(ErrorCodes.UNAVAILABLE, `${address} is down (test)`);
    const injected = this.fail?.(address, op, ref.chunkId);
    if (injected) throw injected;
    return disk;
  }

  private held(disk: Map<number, FakeReplica>, ref: ChunkRef): FakeReplica {
    const r = disk.get(ref.chunkId);
    if (!r)
      throw new MoosengError(ErrorCodes.CHUNK_NOT_FOUND, `chunk ${ref.chunkId} not here (test)`, { details: { chunkId: ref.chunkId } });
    if (r.version !== ref.version) {
      throw new MoosengError(ErrorCodes.CHUNK_STALE_VERSION, `chunk ${ref.chunkId} is at version ${r.version}, not ${ref.version} (test)`, {
        details: { chunkId: ref.chunkId, version: r.version },
      });
    }
    return r;
  }

  /** The answer of a call that was carried out is lost, when loseAnswer says so. */
  private answer(address: string, op: FakeOp, chunkId: number): void {
    if (this.loseAnswer?.(address, op, chunkId))
      throw new MoosengError(ErrorCodes.UNAVAILABLE, `${address}: the answer to ${op} was lost (test)`);
  }

  async create(address: string, ref: ChunkRef): Promise<void> {
    const disk = await this.enter(address, 'create', ref);
    if (disk.has(ref.chunkId)) throw new MoosengError(ErrorCodes.CHUNK_EXISTS, `chunk ${ref.chunkId} exists (test)`);
    disk.set(ref.chunkId, { version: ref.version, data: Buffer.alloc(0) });
    this.answer(address, 'create', ref.chunkId);
  }

  async write(address: string, ref: ChunkRef, offset: number, data: Uint8Array): Promise<void> {
    const r = this.held(await this.enter(address, 'write', ref), ref);
    const end = offset + data.length;
    if (end > r.data.length) r.data = Buffer.concat([r.data, Buffer.alloc(end - r.data.length)]);
    Buffer.from(data).copy(r.data, offset);
  }

  async read(address: string, ref: ChunkRef, offset: number, length: number): Promise<Buffer> {
    const r = this.held(await this.enter(address, 'read', ref), ref);
    return Buffer.from(r.data.subarray(offset, offset + length));
  }

  async truncate(address: string, ref: ChunkRef, length: number): Promise<void> {
    const r = this.held(await this.enter(address, 'truncate', ref), ref);
    r.data =
      length <= r.data.length ? Buffer.from(r.data.subarray(0, length)) : Buffer.concat([r.data, Buffer.alloc(length - r.data.length)]);
  }

  async setVersion(address: string, ref: ChunkRef, newVersion: number): Promise<void> {
    const r = this.held(await this.enter(address, 'set-version', ref), ref);
    r.version = newVersion;
    this.answer(address, 'set-version', ref.chunkId);
  }

  /** Cut to `length` and move to `newVersion` in one step (the chunkserver's CUT). */
  async cut(address: string, ref: ChunkRef, length: number, newVersion: number): Promise<void> {
    const r = this.held(await this.enter(address, 'cut', ref), ref);
    r.data =
      length <= r.data.length ? Buffer.from(r.data.subarray(0, length)) : Buffer.concat([r.data, Buffer.alloc(length - r.data.length)]);
    r.version = newVersion;
  }

  async delete(address: string, ref: ChunkRef): Promise<void> {
    const disk = await this.enter(address, 'delete', ref);
    this.held(disk, ref);
    disk.delete(ref.chunkId);
  }

  async replicate(address: string, ref: ChunkRef, source: string): Promise<void> {
    const disk = await this.enter(address, 'replicate', ref);
    const from = this.held(this.disks.get(source) ?? new Map(), ref);
    const local = disk.get(ref.chunkId);
    if (local?.version === ref.version)
      throw new MoosengError(ErrorCodes.CHUNK_EXISTS, `chunk ${ref.chunkId} version ${ref.version} is already here (test)`);
    const copy = Buffer.from(from.data);
    await this.duringCopy?.();
    disk.set(ref.chunkId, { version: ref.version, data: copy });
    this.answer(address, 'replicate', ref.chunkId);
  }

  /** The whole-replica check: CHUNK_CORRUPT naming the replica's corruptBlocks, when it has any. */
  async verify(address: string, ref: ChunkRef): Promise<void> {
    const r = this.held(await this.enter(address, 'verify', ref), ref);
    const bad = r.corruptBlocks ?? [];
    if (bad.length > 0)
      throw new MoosengError(ErrorCodes.CHUNK_CORRUPT, `chunk ${ref.chunkId}: blocks ${bad.join(', ')} are corrupt (test)`, {
        details: { chunkId: ref.chunkId, blocks: bad },
      });
  }

  async stat(address: string, chunkId: number): Promise<StoredChunk> {
    const disk = await this.enter(address, 'stat', { chunkId });
    const r = disk.get(chunkId);
    if (!r) throw new MoosengError(ErrorCodes.CHUNK_NOT_FOUND, `chunk ${chunkId} not here (test)`);
    return { chunkId, version: r.version, length: r.data.length };
  }
}

/** Options of an in-process master. */
export interface LifecycleMasterOptions {
  /** Chunkserver ids; each gets the address "<id>:9420". */
  servers: string[];
  goal: number;
  /**
   * New chunks the leader keeps created ahead of need per goal (NewChunkPool); 0 (the default here) turns the pool
   * off, so these tests see each grant's chunkserver calls in the order the grant makes them.
   */
  newChunkPoolSize?: number;
}

/**
 * One master (always leader) with its chunkservers in memory. `client` calls are the ClientToMaster handlers as the
 * gRPC service runs them; the helpers below play the client's part of a write (create, chain write, commit).
 */
export class LifecycleMaster {
  readonly clock = new ManualClock();
  readonly logger = new RecordingLogger();
  /** The leader's chunkserver commands: the address dialled and the chunkserver id the call names. */
  readonly commandsNaming: Array<{ op: string; address: string; serverId: string | undefined }> = [];
  readonly consensus = new InstantConsensus();
  readonly state: NamespaceStateMachine;
  readonly metadata: MetadataService;
  readonly locations = new ChunkLocations();
  readonly registry: ChunkserverRegistry;
  readonly chunkservers = new FakeChunkservers();
  readonly ops: ChunkOperations;
  readonly repair: RepairLoop;
  readonly client: ClientToMasterHandlers;
  /** The leader's tenure: a test ends and starts one with tenure.changed(false) / tenure.changed(true). */
  readonly tenure: LeaderTenure;
  private nextRequest = 1;

  constructor(readonly options: LifecycleMasterOptions) {
    const locations = this.locations;
    this.state = new NamespaceStateMachine({
      defaultGoal: options.goal,
      onChunkGranted: (chunkId, version, servers) => {
        for (const id of servers) locations.addReplica(id, chunkId, version);
      },
    });
    void this.consensus.start(this.state);
    this.metadata = new MetadataService(this.consensus, this.state, this.clock);
    this.registry = new ChunkserverRegistry({
      masterId: 'm1',
      clusterId: 'test',
      clock: this.clock,
      logger: this.logger,
      locations,
      timeoutMs: 60_000,
      newSession: () => 1,
      onCorrupt: (server, chunkId, version) => void this.ops.corrupt(server, chunkId, version),
    });
    for (const id of options.servers) this.startServer(id);
    // No grace: the servers are all there from the start, and the tests expect answers at once.
    const tenure = new LeaderTenure(this.clock, 0);
    tenure.changed(true);
    this.tenure = tenure;
    // Every command the leader sends, with the chunkserver id it names (over TLS, the certificate it takes).
    const named = new Proxy(this.chunkservers, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const last = args[args.length - 1] as { serverId?: string } | undefined;
          this.commandsNaming.push({ op: String(prop), address: String(args[0]), serverId: last?.serverId });
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    this.ops = new ChunkOperations(this.metadata, locations, this.registry, named, this.logger, this.clock, tenure, {
      newChunkPoolSize: options.newChunkPoolSize ?? 0,
    });
    const placement = new HrwPlacement({ domainLabel: 'rack', minFreeBytes: 0 });
    this.repair = new RepairLoop({
      metadata: this.metadata,
      locations,
      registry: this.registry,
      placement,
      ops: this.ops,
      clock: this.clock,
      logger: this.logger,
      graceMs: 0,
      metrics: new NoopMetrics(),
    });
    const api = new ClientApi({
      metadata: this.metadata,
      registry: this.registry,
      locations,
      placement,
      chunkOps: this.ops,
      tenure,
      exports: new Exports(DEFAULT_EXPORTS),
      sessionKeys: new SessionKeys(null),
      clock: this.clock,
      clusterId: 'test',
      logger: this.logger,
      metrics: new NoopMetrics(),
      onSessionSeen: () => undefined,
      sessionTimeoutMs: 60_000,
    });
    this.client = api.handlers();
  }

  address(id: string): string {
    return `${id}:9420`;
  }

  /** The server (re-)registers with whatever its disk holds now. */
  startServer(id: string): void {
    const address = this.address(id);
    if (!this.chunkservers.disks.has(address)) this.chunkservers.addServer(address);
    this.chunkservers.down.delete(address);
    const chunks = [...this.chunkservers.disks.get(address)!].map(([chunkId, r]) => ({ chunkId, version: r.version }));
    const dirs = [{ dir: '/d', totalBytes: 1e12, freeBytes: 1e12, usedBytes: 0, chunks: chunks.length, usable: true, error: '' }];
    this.registry.admit(
      { nodeId: id, clusterId: 'test', dataAddress: address, httpPort: 0, labels: {}, memberProof: Buffer.alloc(0) },
      dirs,
      chunks,
    );
  }

  /** A request header for the handlers (root, no session: writes need none here). */
  h(): ClientMessage<'RequestHeader'> {
    return { sessionId: 0, sessionKey: Buffer.alloc(0), requestId: this.nextRequest++, cred: ROOT_CRED };
  }

  async createFile(name: string): Promise<number> {
    const r = await this.client.Mknod({ h: this.h(), parent: 1, name, mode: 0o100644, rdev: 0, open: false, umask: 0, wantGrant: false });
    return r.attr!.ino;
  }

  async grant(ino: number, chunkIndex = 0): Promise<ReplyOf<'WriteChunk'>> {
    return this.client.WriteChunk({ h: this.h(), ino, chunkIndex });
  }

  /**
   * The client's chain write under `grant`: creates the chunk when new, then writes each replica in chain order
   * until `failAt` (an index into the chain: that replica and those after it never get the write).
   */
  async chainWrite(grant: ReplyOf<'WriteChunk'>, offset: number, data: Buffer, failAt = grant.chain.length): Promise<void> {
    const ref = { chunkId: grant.chunkId, version: grant.version };
    for (const [i, loc] of grant.chain.entries()) {
      if (i >= failAt) return;
      if (grant.isNew && !this.chunkservers.replica(loc.address, ref.chunkId)) await this.chunkservers.create(loc.address, ref);
      await this.chunkservers.write(loc.address, ref, offset, data);
    }
  }

  async commit(
    ino: number,
    grant: ReplyOf<'WriteChunk'>,
    length: number,
    chunkIndex = 0,
    extra: Partial<RequestOf<'CommitWrite'>> = {},
  ): Promise<ReplyOf<'CommitWrite'>> {
    return this.client.CommitWrite({ h: this.h(), ino, chunkIndex, chunkId: grant.chunkId, length, ...extra } as RequestOf<'CommitWrite'>);
  }

  /** A whole write as a client does it: grant, chain write, commit. */
  async write(ino: number, offset: number, data: Buffer): Promise<ReplyOf<'WriteChunk'>> {
    const g = await this.grant(ino);
    await this.chainWrite(g, offset, data);
    await this.commit(ino, g, offset + data.length, 0, { version: g.version });
    return g;
  }

  async truncate(ino: number, size: number): Promise<void> {
    await this.client.SetAttr({ h: this.h(), ino, mask: 8, mode: 0, uid: 0, gid: 0, size, atimeMs: 0, mtimeMs: 0 });
  }

  /**
   * Reads the file's first chunk from every location the master names; each location's bytes, in its order.
   * `knownLength`: how long the reading client knows the file to be (its uncommitted writes make it longer than the
   * master's length); it reads that far.
   */
  async readEverywhere(ino: number, length: number, knownLength = 0): Promise<Array<{ server: string; data: Buffer }>> {
    const r = await this.client.ReadChunk({ h: this.h(), ino, chunkIndex: 0, knownLength });
    const n = Math.min(length, Math.max(r.fileLength, knownLength));
    const out: Array<{ server: string; data: Buffer }> = [];
    for (const loc of r.locations)
      out.push({ server: loc.serverId, data: await this.chunkservers.read(loc.address, { chunkId: r.chunkId, version: r.version }, 0, n) });
    return out;
  }

  /** Reads as a client does: the first location that answers. */
  async read(ino: number, length: number): Promise<Buffer> {
    const all = await this.readEverywhere(ino, length);
    if (all.length === 0) throw new MoosengError(ErrorCodes.IO_ERROR, 'no location to read from');
    return all[0]!.data;
  }

  /** A chunkserver's ReportCorrupt, through the registry's gRPC handler. */
  reportCorrupt(server: string, chunkId: number, version: number): Promise<void> {
    return new Promise((resolve, reject) => {
      // Under the server's own registration session, as a real chunkserver reports.
      const session = this.registry.list().find((s) => s.id === server)?.session ?? 0;
      const request = { nodeId: server, session, chunkId, version, blocks: [0], dir: '/d', foundBy: 'scrub' };
      const handler = this.registry.service().ReportCorrupt as unknown as (
        call: { request: typeof request; getPeer: () => string; getAuthContext: () => object },
        cb: (err: Error | null) => void,
      ) => void;
      // A call as gRPC hands it over, from a plain connection (no certificate).
      const call = { request, getPeer: () => 'ipv4:127.0.0.1:5000', getAuthContext: () => ({}) };
      handler(call, (err) => (err ? reject(err) : resolve()));
    });
  }

  /**
   * Repair passes, one after another, with the background work a pass started (copies) let run in between, as the
   * real loop's second between passes does.
   */
  async repairPasses(n = 3): Promise<void> {
    for (let i = 0; i < n; i++) {
      await this.repair.runPass();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Servers whose disk holds chunk `chunkId` (any version). */
  holdersOnDisk(chunkId: number): string[] {
    return [...this.chunkservers.disks].filter(([, disk]) => disk.has(chunkId)).map(([address]) => address.split(':')[0]!);
  }
}

/** A client session on the fixture's master: creates and opens need one. */
export class FixtureSession {
  private next = 1;
  constructor(
    readonly m: LifecycleMaster,
    readonly id: number,
    readonly key: Buffer,
  ) {}

  static async open(m: LifecycleMaster): Promise<FixtureSession> {
    const r = await m.client.OpenSession({ info: 'test', host: 'test', passwordProof: Buffer.alloc(0), subdir: '' });
    return new FixtureSession(m, r.sessionId, r.sessionKey);
  }

  h(requestId = this.next++): ClientMessage<'RequestHeader'> {
    return { sessionId: this.id, sessionKey: this.key, requestId, cred: ROOT_CRED };
  }

  create(name: string, wantGrant = true, h = this.h()): Promise<ReplyOf<'Mknod'>> {
    return this.m.client.Mknod({ h, parent: 1, name, mode: 0o100644, rdev: 0, open: true, umask: 0, wantGrant });
  }

  release(inos: number[], unwritten: number[] = []): Promise<ReplyOf<'ReleaseFiles'>> {
    return this.m.client.ReleaseFiles({ h: this.h(), inos, unwritten });
  }

  /** The client's write under a grant: the chain write, then the commit of the length. */
  async writeAndCommit(ino: number, grant: ReplyOf<'WriteChunk'>, data: Buffer): Promise<void> {
    await this.m.chainWrite(grant, 0, data);
    await this.m.client.CommitWrite({
      h: this.h(),
      ino,
      chunkIndex: 0,
      chunkId: grant.chunkId,
      length: data.length,
      version: grant.version,
    });
  }
}

/**
 * A master at goal 2 on three servers with a pool of `poolSize` new chunks, filled: a first create (for writing)
 * has shown the pool what goal 2 needs.
 */
export async function masterWithFullPool(poolSize: number): Promise<{ m: LifecycleMaster; s: FixtureSession }> {
  const m = new LifecycleMaster({ servers: ['a', 'b', 'c'], goal: 2, newChunkPoolSize: poolSize });
  const s = await FixtureSession.open(m);
  await s.create('first');
  await waitFor('the pool to fill', () => m.ops.newChunkPool.made >= poolSize);
  return { m, s };
}
