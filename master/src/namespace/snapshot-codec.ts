// Serializes the whole replicated master state to bytes and back, piece by piece (1 M inodes without a huge buffer).
import { ErrorCodes, MoosengError, ROOT_INODE, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from '@mooseng/core';
import { ChunkRecord } from '../chunks/chunk-table';
import { BinaryReader, BinaryWriter } from './binary-codec';
import { Inode, type DirEntries } from './inode';
import { InodeLocks, type LockTable } from './lock-table';
import type { NamespaceTree } from './namespace-tree';
import { Session, type SessionTable } from './session-table';

/** "MNGS": the first bytes of a master state snapshot. */
const SNAPSHOT_MAGIC = 0x4d4e4753;
/**
 * Layout version of the snapshot written. 2 added each chunk's base and highest reserved version and dropped the
 * version of a pending cut (a cut's version is chosen when it is carried out); 3 added the file locks after the
 * sessions; 4 added each session's root directory (a subtree export's). Restore also reads 1 to 3 (no locks before
 * 3, every session at the file system's root before 4).
 */
export const SNAPSHOT_FORMAT_VERSION = 4;
/** The oldest layout restore still reads. */
export const OLDEST_SNAPSHOT_FORMAT_VERSION = 1;
/** Inodes written between hand-overs of finished pieces. */
const INODES_PER_PIECE_CHECK = 4096;
/** Size of one snapshot piece. */
const SNAPSHOT_PIECE_BYTES = 1024 * 1024;
/** "END!": closes a snapshot, so a cut-off file is refused instead of half-restored. */
const SNAPSHOT_END = 0x454e4421;

/** What a snapshot holds besides the tree and the sessions. */
export interface SnapshotMeta {
  lastAppliedIndex: number;
}

/**
 * Writes the state as a sequence of pieces. Order is the state's own iteration order (insertion order of every
 * map), so two masters with the same history produce the same bytes, and a restored state iterates as the original.
 */
export function* writeSnapshot(tree: NamespaceTree, sessions: SessionTable, locks: LockTable, meta: SnapshotMeta): Generator<Buffer> {
  const w = new BinaryWriter(SNAPSHOT_PIECE_BYTES);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(SNAPSHOT_MAGIC);
  for (const b of header) w.u8(b);
  w.u8(SNAPSHOT_FORMAT_VERSION).uint(meta.lastAppliedIndex).uint(tree.nextInode).uint(tree.chunkTable.nextChunkId);

  w.uint(tree.inodes.size);
  let n = 0;
  for (const inode of tree.inodes.values()) {
    w.uint(inode.ino)
      .uint(inode.mode)
      .uint(inode.uid)
      .uint(inode.gid)
      .uint(inode.nlink)
      .uint(inode.size)
      .int(inode.atime)
      .int(inode.mtime)
      .int(inode.ctime)
      .uint(inode.goal)
      .uint(inode.isDir() ? inode.parent : 0) // a non-directory's names are derived (restoreLinkParents)
      .uint(inode.rdev);
    const type = inode.mode & S_IFMT;
    if (type === S_IFDIR) {
      const entries = inode.entries;
      w.uint(entries.size);
      for (const [name, ino] of entries) w.str(name).uint(ino);
    } else if (type === S_IFLNK) {
      w.str(inode.payload as string);
    } else if (type === S_IFREG) {
      w.uints(inode.chunks);
    }
    const xattrs = inode.xattrs;
    w.uint(xattrs === null ? 0 : xattrs.size);
    if (xattrs !== null) for (const [k, v] of xattrs) w.str(k).bytes(v);
    if (++n % INODES_PER_PIECE_CHECK === 0) yield* w.takePieces();
  }

  const ct = tree.chunkTable;
  w.uint(ct.chunks.size);
  n = 0;
  for (const [id, rec] of ct.chunks) {
    w.uint(id).uint(rec.version).uint(rec.goal).uint(rec.refs).uint(rec.base).uint(rec.top);
    if (++n % INODES_PER_PIECE_CHECK === 0) yield* w.takePieces();
  }
  w.uint(ct.deletions.size);
  for (const [id, version] of ct.deletions) w.uint(id).uint(version);
  w.uint(ct.truncations.size);
  for (const t of ct.truncations.values()) w.uint(t.chunkId).uint(t.length);

  w.uint(sessions.sessions.size);
  for (const s of sessions.sessions.values()) {
    w.uint(s.id).str(s.info).int(s.openedAt).uint(s.forgottenUpTo).uint(s.root);
    w.uint(s.opens.size);
    for (const [ino, count] of s.opens) w.uint(ino).uint(count);
    w.uint(s.recent.size);
    for (const [req, result] of s.recent) w.uint(req).bytes(result);
    yield* w.takePieces();
  }
  w.uint(locks.inodes.size);
  for (const [ino, l] of locks.inodes) {
    w.uint(ino).uint(l.flocks.length);
    for (const f of l.flocks) w.uint(f.sessionId).str(f.owner).uint(f.type);
    w.uint(l.ranges.length);
    for (const r of l.ranges) w.uint(r.sessionId).str(r.owner).uint(r.type).uint(r.start).uint(r.end).uint(r.pid);
    if (++n % INODES_PER_PIECE_CHECK === 0) yield* w.takePieces();
  }
  const end = Buffer.alloc(4);
  end.writeUInt32BE(SNAPSHOT_END);
  for (const b of end) w.u8(b);
  yield* w.takePieces(true);
}

/** Rebuilds the state from a snapshot into empty `tree`, `sessions` and `locks`. PROTOCOL_ERROR on a damaged snapshot. */
export function readSnapshot(bytes: Uint8Array, tree: NamespaceTree, sessions: SessionTable, locks: LockTable): SnapshotMeta {
  const r = new BinaryReader(bytes);
  const magic = ((r.u8() << 24) | (r.u8() << 16) | (r.u8() << 8) | r.u8()) >>> 0;
  if (magic !== SNAPSHOT_MAGIC) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, 'not a master state snapshot (bad magic)');
  const version = r.u8();
  if (version < OLDEST_SNAPSHOT_FORMAT_VERSION || version > SNAPSHOT_FORMAT_VERSION) {
    throw new MoosengError(
      ErrorCodes.PROTOCOL_ERROR,
      `snapshot format ${version} is not supported (expected ${OLDEST_SNAPSHOT_FORMAT_VERSION}..${SNAPSHOT_FORMAT_VERSION})`,
    );
  }
  tree.clearForRestore();
  sessions.clear();
  locks.clear();
  const meta: SnapshotMeta = { lastAppliedIndex: r.uint() };
  tree.nextInode = r.uint();
  tree.chunkTable.nextChunkId = r.uint();

  const inodeCount = r.count();
  for (let i = 0; i < inodeCount; i++) {
    const ino = r.uint();
    const mode = r.uint();
    const uid = r.uint();
    const gid = r.uint();
    const nlink = r.uint();
    const size = r.uint();
    const atime = r.int();
    const mtime = r.int();
    const ctime = r.int();
    const goal = r.uint();
    const parent = r.uint();
    const rdev = r.uint();
    let payload: Inode['payload'] = null;
    const type = mode & S_IFMT;
    if (type === S_IFDIR) {
      const entries: DirEntries = new Map();
      const count = r.count();
      for (let j = 0; j < count; j++) {
        const name = r.str();
        entries.set(name, r.uint());
      }
      payload = entries;
    } else if (type === S_IFLNK) {
      payload = r.str();
    } else if (type === S_IFREG) {
      const slots = r.uints();
      payload = slots.length === 0 ? null : slots;
    }
    const xattrCount = r.count();
    let xattrs: Map<string, Uint8Array> | null = null;
    if (xattrCount > 0) {
      xattrs = new Map();
      for (let j = 0; j < xattrCount; j++) {
        const k = r.str();
        xattrs.set(k, r.bytes());
      }
    }
    tree.restoreInode(new Inode(ino, mode, uid, gid, nlink, size, atime, mtime, ctime, goal, parent, rdev, payload, xattrs));
  }
  tree.restoreLinkParents();

  const ct = tree.chunkTable;
  const chunkCount = r.count();
  for (let i = 0; i < chunkCount; i++) {
    const id = r.uint();
    const rec = new ChunkRecord(r.uint(), r.uint(), r.uint());
    if (version >= 2) {
      rec.base = r.uint();
      rec.top = r.uint();
    } else {
      // Format 1 did not track which writes a chunk still holds: accept commits of any version, as it did.
      rec.base = 1;
    }
    ct.chunks.set(id, rec);
  }
  const delCount = r.count();
  for (let i = 0; i < delCount; i++) {
    const id = r.uint();
    ct.deletions.set(id, r.uint());
  }
  const truncCount = r.count();
  for (let i = 0; i < truncCount; i++) {
    const chunkId = r.uint();
    if (version < 2) r.uint(); // format 1: the version the truncate had bumped the chunk to
    ct.truncations.set(chunkId, { chunkId, length: r.uint() });
  }

  const sessionCount = r.count();
  for (let i = 0; i < sessionCount; i++) {
    const id = r.uint();
    const info = r.str();
    const openedAt = r.int();
    const forgottenUpTo = r.uint();
    const s = new Session(id, info, openedAt, version >= 4 ? r.uint() : ROOT_INODE);
    s.forgottenUpTo = forgottenUpTo;
    const opens = r.count();
    for (let j = 0; j < opens; j++) {
      const ino = r.uint();
      const count = r.uint();
      s.opens.set(ino, count);
      tree.openCounts.set(ino, (tree.openCounts.get(ino) ?? 0) + count);
    }
    const recent = r.count();
    for (let j = 0; j < recent; j++) {
      const req = r.uint();
      s.recent.set(req, r.bytes());
    }
    sessions.sessions.set(s.id, s);
  }
  const lockedInodes = version >= 3 ? r.count() : 0;
  for (let i = 0; i < lockedInodes; i++) {
    const ino = r.uint();
    const l = new InodeLocks();
    const flocks = r.count();
    for (let j = 0; j < flocks; j++) l.flocks.push({ sessionId: r.uint(), owner: r.str(), type: r.uint() });
    const ranges = r.count();
    for (let j = 0; j < ranges; j++)
      l.ranges.push({ sessionId: r.uint(), owner: r.str(), type: r.uint(), start: r.uint(), end: r.uint(), pid: r.uint() });
    locks.inodes.set(ino, l);
  }
  const end = ((r.u8() << 24) | (r.u8() << 16) | (r.u8() << 8) | r.u8()) >>> 0;
  if (end !== SNAPSHOT_END) throw new MoosengError(ErrorCodes.PROTOCOL_ERROR, 'snapshot end marker missing (truncated file?)');
  r.end();
  return meta;
}
