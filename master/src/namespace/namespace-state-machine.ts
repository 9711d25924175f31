// The master's replicated state machine (IStateMachine): decodes a command, applies it once, returns its encoded result.
import {
  ErrorCodes,
  isMoosengError,
  type IStateMachine,
  LockType,
  MAX_GOAL,
  MIN_GOAL,
  MoosengError,
  OpenFlags,
  ROOT_INODE,
  S_IFMT,
  S_IFREG,
} from '@mooseng/core';
import type { CatalogChunk } from '../chunks/chunk-locations';
import type { PendingDeletion, PendingTruncation } from '../chunks/chunk-table';
import { decodeCommand, type Command, type Credentials } from './commands';
import { DEFAULT_GOAL, MAX_RESERVED_CHUNK_IDS } from './constants';
import { type LockConflict, type LockRequest, LockTable } from './lock-table';
import { NamespaceTree, type DirEntryInfo, type NamespaceStats, type ReaddirPage } from './namespace-tree';
import { resolveParentPath, resolvePath, type ResolveOptions } from './path-resolver';
import { encodeResult, type CommandResult, type InodeAttr } from './results';
import { Session, SessionTable } from './session-table';
import { readSnapshot, writeSnapshot } from './snapshot-codec';

export interface NamespaceStateMachineOptions {
  /**
   * Goal of the root directory of a fresh file system (the master section's defaultGoal). It is part of the
   * initial state, so every master of a cluster must be created with the same value.
   */
  defaultGoal?: number;
  /**
   * Told of every write grant as it is applied, on every master: the chain a chunk version was handed to. It feeds
   * the soft-state location map (never the replicated state), so a follower that becomes leader already knows where
   * recent chunks went before the chunkservers re-register.
   */
  onChunkGranted?: (chunkId: number, version: number, servers: readonly string[]) => void;
}

/** A session as the read side reports it. */
export interface SessionInfo {
  id: number;
  info: string;
  openedAt: number;
  /** Distinct inodes it holds open. */
  openInodes: number;
}

/** The chunk map entry of one chunk (replicated part only; locations come from ChunkLocations). */
export interface ChunkInfo {
  chunkId: number;
  version: number;
  goal: number;
  refs: number;
}

/** See NamespaceStateMachine.chunkVersions. */
export interface ChunkVersions {
  version: number;
  base: number;
  top: number;
  goal: number;
  pendingCut: number;
}

/**
 * The master's namespace and chunk map as one deterministic state machine. Mutations arrive only through apply()
 * (committed consensus entries, in log order); everything else is a read the leader serves after a read barrier.
 *
 * Determinism: apply() reads no clock, no random source and no soft state. Time (`now`), credentials, new session
 * ids and chosen chunkservers come in the command; inode numbers and chunk ids come from counters in the state.
 * Retries: a (sessionId, requestId) already applied returns the remembered result bytes instead of applying again.
 */
export class NamespaceStateMachine implements IStateMachine {
  private treeState: NamespaceTree;
  private sessionState = new SessionTable();
  private lockState = new LockTable();
  private lastApplied = 0;
  private readonly defaultGoal: number;
  private readonly onChunkGranted: NamespaceStateMachineOptions['onChunkGranted'];

  constructor(options: NamespaceStateMachineOptions = {}) {
    this.onChunkGranted = options.onChunkGranted;
    const goal = options.defaultGoal ?? DEFAULT_GOAL;
    if (!Number.isInteger(goal) || goal < MIN_GOAL || goal > MAX_GOAL) {
      throw new MoosengError(ErrorCodes.CONFIG_INVALID, `defaultGoal ${goal} must be an integer in ${MIN_GOAL}..${MAX_GOAL}`);
    }
    this.defaultGoal = goal;
    this.treeState = new NamespaceTree(goal);
  }

  /** The namespace (read access for queries; mutate only through apply()). */
  get tree(): NamespaceTree {
    return this.treeState;
  }

  get sessions(): SessionTable {
    return this.sessionState;
  }

  /** File locks (read access; mutate only through apply()). */
  get locks(): LockTable {
    return this.lockState;
  }

  /** Index of the last applied entry. */
  get lastAppliedIndex(): number {
    return this.lastApplied;
  }

  // ---------------------------------------------------------------- IStateMachine

  apply(command: Uint8Array, index: number): Uint8Array {
    this.lastApplied = index;
    let cmd: Command;
    try {
      cmd = decodeCommand(command);
    } catch (err) {
      // Every master decodes the same bytes the same way, so a bad entry fails identically everywhere.
      if (isMoosengError(err)) return encodeResult({ kind: 'error', code: err.code, message: err.message });
      throw err;
    }
    const session = cmd.sessionId === 0 || cmd.op === 'openSession' ? undefined : this.sessionState.get(cmd.sessionId);
    const deduplicated = session !== undefined && cmd.requestId !== 0 && cmd.op !== 'closeSession';
    if (deduplicated) {
      const earlier = session.recent.get(cmd.requestId);
      if (earlier !== undefined) return new Uint8Array(earlier);
      if (cmd.requestId <= session.forgottenUpTo) {
        return encodeResult({
          kind: 'error',
          code: ErrorCodes.INVALID_ARGUMENT,
          message: `request ${cmd.requestId} of session ${cmd.sessionId} is older than the ${session.recent.size} remembered results; keep fewer requests in flight`,
        });
      }
    }
    let result: CommandResult;
    try {
      if (cmd.sessionId !== 0 && session === undefined && cmd.op !== 'openSession' && cmd.op !== 'closeSession') {
        throw new MoosengError(ErrorCodes.SESSION_EXPIRED, `session ${cmd.sessionId} does not exist (expired or closed); open a new one`);
      }
      result = this.execute(cmd, session);
    } catch (err) {
      if (!isMoosengError(err)) throw err; // a broken invariant: crash rather than diverge
      result = { kind: 'error', code: err.code, message: err.message };
    }
    const bytes = encodeResult(result);
    // The table keeps its own copy: the caller owns the returned bytes.
    if (deduplicated && this.sessionState.get(cmd.sessionId) === session) session.remember(cmd.requestId, new Uint8Array(bytes));
    return bytes;
  }

  /** The whole state as one buffer (see snapshotPieces() to stream it instead). */
  async snapshot(): Promise<Uint8Array> {
    const pieces = [...this.snapshotPieces()];
    return Buffer.concat(pieces);
  }

  /**
   * The snapshot as a sequence of buffers of about 1 MiB, to write out without building one large buffer. The
   * pieces describe the state as the generator walks it: apply no command until the generator is exhausted.
   */
  snapshotPieces(): Generator<Buffer> {
    return writeSnapshot(this.treeState, this.sessionState, this.lockState, { lastAppliedIndex: this.lastApplied });
  }

  /** Replaces the state; a damaged snapshot throws PROTOCOL_ERROR and leaves the current state untouched. */
  async restore(snapshot: Uint8Array): Promise<void> {
    const tree = new NamespaceTree(this.defaultGoal);
    const sessions = new SessionTable();
    const locks = new LockTable();
    const meta = readSnapshot(snapshot, tree, sessions, locks);
    this.treeState = tree;
    this.sessionState = sessions;
    this.lockState = locks;
    this.lastApplied = meta.lastAppliedIndex;
  }

  // ---------------------------------------------------------------- commands

  private needSession(session: Session | undefined, op: string): Session {
    if (session === undefined) throw new MoosengError(ErrorCodes.EINVAL, `${op} needs a session`);
    return session;
  }

  private attr(attr: InodeAttr): CommandResult {
    return { kind: 'attr', attr };
  }

  private execute(cmd: Command, session: Session | undefined): CommandResult {
    const t = this.treeState;
    switch (cmd.op) {
      case 'openSession': {
        if (cmd.sessionId === 0) throw new MoosengError(ErrorCodes.EINVAL, 'session id 0 is reserved');
        if (!this.sessionState.sessions.has(cmd.sessionId)) {
          // A subtree export's directory, looked up when the leader proposed this: it must still be one now.
          const root = cmd.root || ROOT_INODE;
          if (t.getDir(root).nlink === 0) throw new MoosengError(ErrorCodes.ENOENT, `directory ${root} was removed`);
          this.sessionState.sessions.set(cmd.sessionId, new Session(cmd.sessionId, cmd.info, cmd.now, root));
        }
        return { kind: 'session', sessionId: cmd.sessionId };
      }
      case 'closeSession': {
        const s = this.sessionState.get(cmd.sessionId);
        if (s === undefined) return { kind: 'ok' };
        this.sessionState.sessions.delete(cmd.sessionId);
        this.lockState.releaseSession(cmd.sessionId);
        for (const [ino, count] of s.opens) t.removeOpen(ino, count);
        return { kind: 'ok' };
      }
      case 'mknod': {
        const s = cmd.open ? this.needSession(session, 'create-and-open') : undefined;
        // A new chunk for the file's first write, granted with the create: checked before the create, so the two
        // commit together or not at all.
        const chunkId = cmd.chunkId ?? 0;
        if (chunkId !== 0) {
          if (!cmd.open || (cmd.mode & S_IFMT) !== S_IFREG)
            throw new MoosengError(ErrorCodes.EINVAL, 'only a regular file created and opened takes a chunk with its create');
          t.checkNewChunk(chunkId, cmd.chunkVersion ?? 0);
        }
        const inode = t.mknod(cmd.parent, cmd.name, cmd.mode, cmd.rdev, cmd.umask ?? 0, cmd.cred, cmd.now);
        if (s !== undefined) this.recordOpen(s, inode.ino);
        if (chunkId !== 0) {
          t.attachNewChunk(inode.ino, chunkId, cmd.chunkVersion!);
          this.onChunkGranted?.(chunkId, cmd.chunkVersion!, cmd.chunkServers ?? []);
        }
        return this.attr(inode.attr());
      }
      case 'mkdir':
        return this.attr(t.mkdir(cmd.parent, cmd.name, cmd.mode, cmd.umask ?? 0, cmd.cred, cmd.now).attr());
      case 'symlink':
        return this.attr(t.symlink(cmd.parent, cmd.name, cmd.target, cmd.cred, cmd.now).attr());
      case 'link':
        return this.attr(t.link(cmd.ino, cmd.parent, cmd.name, cmd.cred, cmd.now).attr());
      case 'unlink':
        t.unlink(cmd.parent, cmd.name, cmd.cred, cmd.now);
        return { kind: 'ok' };
      case 'rmdir':
        t.rmdir(cmd.parent, cmd.name, cmd.cred, cmd.now);
        return { kind: 'ok' };
      case 'rename':
        t.rename(cmd.parent, cmd.name, cmd.newParent, cmd.newName, cmd.flags, cmd.cred, cmd.now);
        return { kind: 'ok' };
      case 'setattr':
        return this.attr(t.setattr(cmd.ino, cmd, cmd.cred, cmd.now, session?.opens.has(cmd.ino) === true).attr());
      case 'open': {
        const s = this.needSession(session, 'open');
        const read = (cmd.flags & OpenFlags.READ) !== 0;
        const write = (cmd.flags & OpenFlags.WRITE) !== 0;
        if ((cmd.flags & OpenFlags.TRUNCATE) !== 0 && !write) throw new MoosengError(ErrorCodes.EINVAL, 'O_TRUNC needs write access');
        const inode = t.checkOpen(cmd.ino, read, write, cmd.cred);
        if ((cmd.flags & OpenFlags.TRUNCATE) !== 0) t.truncateAtOpen(inode, cmd.cred, cmd.now);
        this.recordOpen(s, inode.ino);
        return this.attr(inode.attr());
      }
      case 'release': {
        const s = this.needSession(session, 'release');
        if (!s.opens.has(cmd.ino)) throw new MoosengError(ErrorCodes.EINVAL, `inode ${cmd.ino} is not open in session ${s.id}`);
        this.releaseOne(s, cmd.ino);
        return { kind: 'ok' };
      }
      case 'releaseFiles': {
        const s = this.needSession(session, 'release');
        let count = 0;
        const released = new Set<number>();
        // Skipped, not refused: one stale inode (opened under a session since replaced) must not keep the rest open.
        for (const ino of cmd.inos) {
          if (!s.opens.has(ino)) continue;
          this.releaseOne(s, ino);
          released.add(ino);
          count++;
        }
        // Chunks granted with a create and never written (of files this release let go): freed where nothing else
        // can mean them any more.
        for (const ino of cmd.unwritten ?? []) if (released.has(ino)) t.dropUnwrittenChunk(ino);
        return { kind: 'count', count };
      }
      case 'setxattr':
        t.setxattr(cmd.ino, cmd.name, cmd.value, cmd.flags, cmd.cred, cmd.now);
        return { kind: 'ok' };
      case 'removexattr':
        t.removexattr(cmd.ino, cmd.name, cmd.cred, cmd.now);
        return { kind: 'ok' };
      case 'setGoal':
        return { kind: 'count', count: t.setGoal(cmd.ino, cmd.goal, cmd.recursive, cmd.cred, cmd.now) };
      case 'openChunkForWrite': {
        const grant = t.openChunkForWrite(cmd.ino, cmd.chunkIndex, cmd.servers, cmd.cred, session?.opens.has(cmd.ino) === true);
        this.onChunkGranted?.(grant.chunkId, grant.version, grant.servers);
        return { kind: 'chunk', grant };
      }
      case 'commitWrite':
        return this.attr(t.commitWrite(cmd.ino, cmd.chunkIndex, cmd.chunkId, cmd.length, cmd.cred, cmd.now).attr());
      case 'grantChunkWrite': {
        const grant = t.grantChunkWrite(
          cmd.ino,
          cmd.chunkIndex,
          cmd.chunkId,
          cmd.version,
          cmd.servers,
          cmd.cred,
          session?.opens.has(cmd.ino) === true,
        );
        this.onChunkGranted?.(grant.chunkId, grant.version, grant.servers);
        return { kind: 'chunk', grant };
      }
      case 'commitChunkWrite':
        return this.attr(t.commitChunkWrite(cmd.ino, cmd.chunkIndex, cmd.chunkId, cmd.version, cmd.length, cmd.cred, cmd.now).attr());
      case 'reserveChunkVersion':
        return { kind: 'count', count: t.chunkTable.reserveVersion(cmd.chunkId) };
      case 'reserveChunkIds':
        if (!Number.isSafeInteger(cmd.count) || cmd.count < 1 || cmd.count > MAX_RESERVED_CHUNK_IDS) {
          throw new MoosengError(ErrorCodes.EINVAL, `reserve 1..${MAX_RESERVED_CHUNK_IDS} chunk ids at a time, not ${cmd.count}`);
        }
        return { kind: 'count', count: t.chunkTable.reserveIds(cmd.count) };
      case 'excludeReplicas': {
        this.needServers(cmd.servers, cmd.chunkId);
        t.chunkTable.recordChange(cmd.chunkId, 'exclude', cmd.fromVersion, cmd.version);
        this.onChunkGranted?.(cmd.chunkId, cmd.version, cmd.servers);
        return { kind: 'count', count: cmd.version };
      }
      case 'moveReplicas': {
        this.needServers(cmd.servers, cmd.chunkId);
        t.chunkTable.recordChange(cmd.chunkId, 'move', cmd.fromVersion, cmd.version);
        this.onChunkGranted?.(cmd.chunkId, cmd.version, cmd.servers);
        return { kind: 'count', count: cmd.version };
      }
      case 'cutChunk': {
        this.needServers(cmd.servers, cmd.chunkId);
        t.chunkTable.recordChange(cmd.chunkId, 'cut', cmd.fromVersion, cmd.version);
        t.chunkTable.cutDone(cmd.chunkId, cmd.length);
        this.onChunkGranted?.(cmd.chunkId, cmd.version, cmd.servers);
        return { kind: 'count', count: cmd.version };
      }
      case 'promoteChunk':
        t.chunkTable.promote(cmd.chunkId, cmd.fromVersion, cmd.version);
        return { kind: 'count', count: cmd.version };
      case 'setLock': {
        const s = this.needSession(session, 'a lock');
        const req: LockRequest = { kind: cmd.kind, type: cmd.type, start: cmd.start, end: cmd.end };
        LockTable.validate(cmd.owner, req);
        // Locks are taken through an open file; a session renewed after expiry no longer holds the files it had open.
        if (cmd.type !== LockType.UNLOCK && !s.opens.has(cmd.ino))
          throw new MoosengError(ErrorCodes.ENOLCK, `inode ${cmd.ino} is not open in session ${s.id}: reopen the file to lock it`);
        this.lockState.set(cmd.ino, s.id, cmd.owner, req, cmd.pid);
        return { kind: 'ok' };
      }
      case 'releaseLocks': {
        const s = this.needSession(session, 'releasing locks');
        LockTable.validateOwner(cmd.owner);
        return { kind: 'count', count: this.lockState.release(cmd.ino, s.id, cmd.owner, cmd.kinds) };
      }
      case 'chunkOpsDone': {
        if (cmd.truncated.length % 2 !== 0) throw new MoosengError(ErrorCodes.EINVAL, 'truncated must hold (chunkId, version) pairs');
        const n = t.chunkTable.deletionsDone(cmd.deleted) + t.chunkTable.truncationsDone(cmd.truncated);
        return { kind: 'count', count: n };
      }
    }
  }

  /** A version change names the replicas that confirmed it: at least one, none twice. */
  private needServers(servers: readonly string[], chunkId: number): void {
    if (servers.length === 0) throw new MoosengError(ErrorCodes.EINVAL, `a version change of chunk ${chunkId} names no replica`);
    if (new Set(servers).size !== servers.length)
      throw new MoosengError(ErrorCodes.EINVAL, `a version change of chunk ${chunkId} names a replica twice`);
  }

  /** One release of `ino` by the session, which holds it open. */
  private releaseOne(s: Session, ino: number): void {
    const count = s.opens.get(ino)!;
    if (count === 1) {
      s.opens.delete(ino);
      // Nothing on that client has the file open any more: no lock of it can still be meant (a lost FLUSH).
      this.lockState.releaseSessionInode(ino, s.id);
    } else s.opens.set(ino, count - 1);
    this.treeState.removeOpen(ino, 1);
  }

  private recordOpen(session: Session, ino: number): void {
    session.opens.set(ino, (session.opens.get(ino) ?? 0) + 1);
    this.treeState.addOpen(ino);
  }

  // ---------------------------------------------------------------- queries (serve behind a read barrier)

  getattr(ino: number): InodeAttr {
    return this.treeState.getattr(ino);
  }

  /** The inode's goal, or undefined when there is no such inode (a hint: read it behind a barrier to rely on it). */
  goalOf(ino: number): number | undefined {
    return this.treeState.inodes.get(ino)?.goal;
  }

  seek(ino: number, offset: number, whence: number): number {
    return this.treeState.seek(ino, offset, whence);
  }

  lookup(parent: number, name: string, cred: Credentials): InodeAttr {
    return this.treeState.lookup(parent, name, cred).attr();
  }

  readdir(ino: number, cred: Credentials, after: string | null, limit: number): ReaddirPage {
    return this.treeState.readdir(ino, cred, after, limit);
  }

  readlink(ino: number): string {
    return this.treeState.readlink(ino);
  }

  getxattr(ino: number, name: string, cred: Credentials): Uint8Array {
    return this.treeState.getxattr(ino, name, cred);
  }

  listxattr(ino: number, cred: Credentials): string[] {
    return this.treeState.listxattr(ino, cred);
  }

  access(ino: number, cred: Credentials, want: number): boolean {
    return this.treeState.access(ino, cred, want);
  }

  /** True when `ino` is directory `root` or lies beneath it (what a session rooted there may name). */
  isWithin(ino: number, root: number): boolean {
    return this.treeState.isWithin(ino, root);
  }

  /** Resolves an absolute path (from `options.root`, the file system's root by default) to attributes (lstat by default; `followFinal` for stat). */
  resolve(path: string, cred: Credentials, options?: ResolveOptions): InodeAttr {
    return resolvePath(this.treeState, path, cred, options).inode.attr();
  }

  /** The parent directory and final name of a path, for create-by-path (the parent must exist). */
  resolveParent(path: string, cred: Credentials): { parent: number; name: string } {
    const r = resolveParentPath(this.treeState, path, cred);
    return { parent: r.parent.ino, name: r.name };
  }

  /** Namespace figures for statfs (space figures come from the chunkservers' reports). */
  statfs(): NamespaceStats {
    return this.treeState.stats();
  }

  fileChunks(ino: number, first = 0, count = Number.MAX_SAFE_INTEGER): Array<{ index: number; chunkId: number; version: number }> {
    return this.treeState.fileChunks(ino, first, count);
  }

  chunkInfo(chunkId: number): ChunkInfo | undefined {
    const rec = this.treeState.chunkTable.get(chunkId);
    return rec === undefined ? undefined : { chunkId, version: rec.version, goal: rec.goal, refs: rec.refs };
  }

  /**
   * A chunk's version bookkeeping (docs/chunk-lifecycle.md): the current version, the base (commits of writes made
   * under older versions are refused), the highest reserved number, and the length of a pending cut (-1: none).
   */
  chunkVersions(chunkId: number): ChunkVersions | undefined {
    const ct = this.treeState.chunkTable;
    const rec = ct.get(chunkId);
    if (rec === undefined) return undefined;
    return { version: rec.version, base: rec.base, top: rec.top, goal: rec.goal, pendingCut: ct.truncations.get(chunkId)?.length ?? -1 };
  }

  /** The live chunk map (id → version, goal) the repair scans walk (ChunkLocations.classify, ChunkSweep). */
  chunks(): ReadonlyMap<number, CatalogChunk> {
    return this.treeState.chunkTable.chunks;
  }

  pendingDeletions(limit: number): PendingDeletion[] {
    return this.treeState.chunkTable.pendingDeletions(limit);
  }

  pendingTruncations(limit: number): PendingTruncation[] {
    return this.treeState.chunkTable.pendingTruncations(limit);
  }

  /**
   * F_GETLK: the first lock of another owner than (session, owner) that would stand in the way of `req`, or
   * undefined. Also how a waiting client learns, without proposing, that a retry may succeed.
   */
  lockConflict(ino: number, sessionId: number, owner: string, req: LockRequest): LockConflict | undefined {
    LockTable.validate(owner, req);
    return this.lockState.conflict(ino, sessionId, owner, req);
  }

  listSessions(): SessionInfo[] {
    return [...this.sessionState.sessions.values()].map((s) => ({
      id: s.id,
      info: s.info,
      openedAt: s.openedAt,
      openInodes: s.opens.size,
    }));
  }
}

export type { DirEntryInfo };
