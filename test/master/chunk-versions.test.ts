// The replicated half of the chunk lifecycle: reserved version numbers are never reused, grants and cuts take only
// the reserved number, commits are refused once a chunk lost the bytes, promotions never go below the base, and all
// of it survives a snapshot (format 2, and format 1 written before it).
import { expect } from 'chai';
import { BinaryWriter, NamespaceStateMachine } from '@mooseng/master';
import { Harness, ROOT, ROOT_INODE } from './harness';

describe('master namespace: chunk versions', () => {
  let h: Harness;
  let ino: number;
  let chunkId: number;
  const versions = () => h.sm.chunkVersions(chunkId)!;
  const grant = (version: number, servers = ['a', 'b']) =>
    h.code({ op: 'grantChunkWrite', ino, chunkIndex: 0, chunkId, version, servers, cred: ROOT });
  const commit = (version: number, length: number) =>
    h.code({ op: 'commitChunkWrite', ino, chunkIndex: 0, chunkId, version, length, cred: ROOT });
  const reserve = () => {
    const r = h.ok({ op: 'reserveChunkVersion', chunkId });
    if (r.kind !== 'count') throw new Error(`reserve returned ${r.kind}`);
    return r.count;
  };
  const truncate = (size: number) => h.ok({ op: 'setattr', ino, mask: 8, mode: 0, uid: 0, gid: 0, size, atime: 0, mtime: 0, cred: ROOT });

  beforeEach(() => {
    h = new Harness();
    ino = h.create(ROOT_INODE, 'f').ino;
    chunkId = newChunk(h, ino, 0, ['a', 'b']);
  });

  it('records a new chunk only under a reserved, unused id, at version 1 with version 2 reserved for the proposer, into an empty slot', () => {
    expect(versions()).to.deep.equal({ version: 1, base: 1, top: 2, goal: 2, pendingCut: -1 });
    const g = h.ok({ op: 'reserveChunkIds', count: 3 });
    expect(g).to.deep.equal({ kind: 'count', count: chunkId + 1 });
    const free = chunkId + 1;
    expect(
      h.code({ op: 'grantChunkWrite', ino, chunkIndex: 1, chunkId: free + 3, version: 1, servers: ['a'], cred: ROOT }),
      'not reserved',
    ).to.equal('CHUNK_STALE_VERSION');
    expect(h.code({ op: 'grantChunkWrite', ino, chunkIndex: 1, chunkId, version: 1, servers: ['a'], cred: ROOT }), 'taken').to.equal(
      'CHUNK_STALE_VERSION',
    );
    expect(
      h.code({ op: 'grantChunkWrite', ino, chunkIndex: 1, chunkId: free, version: 0, servers: ['a'], cred: ROOT }),
      'version',
    ).to.equal('EINVAL');
    expect(h.grant({ op: 'grantChunkWrite', ino, chunkIndex: 1, chunkId: free, version: 1, servers: ['a'], cred: ROOT })).to.deep.include({
      chunkId: free,
      version: 1,
      isNew: false,
    });
    // Above 1 when some create went unconfirmed and the others moved on: the next number is reserved as usual.
    h.grant({ op: 'grantChunkWrite', ino, chunkIndex: 2, chunkId: free + 1, version: 3, servers: ['a'], cred: ROOT });
    expect(h.sm.chunkVersions(free + 1)).to.deep.include({ version: 3, base: 3, top: 4 });
    // A slot that holds a chunk takes no other.
    expect(h.code({ op: 'grantChunkWrite', ino, chunkIndex: 0, chunkId: free + 1, version: 1, servers: ['a'], cred: ROOT })).to.equal(
      'CHUNK_STALE_VERSION',
    );
    expect(h.code({ op: 'reserveChunkIds', count: 0 })).to.equal('EINVAL');
    expect(h.code({ op: 'reserveChunkIds', count: 5000 })).to.equal('EINVAL');
  });

  it('takes a grant only at the reserved number, and never hands out a number twice after a failed attempt', () => {
    expect(grant(3)).to.equal('CHUNK_STALE_VERSION');
    expect(grant(2)).to.equal('OK');
    expect(versions()).to.deep.include({ version: 2, top: 3 });
    // An attempt that reserved 4 and moved replicas to it, but whose grant never committed: 4 is burnt.
    expect(reserve()).to.equal(4);
    expect(reserve()).to.equal(5);
    expect(grant(4)).to.equal('CHUNK_STALE_VERSION');
    expect(grant(5)).to.equal('OK');
    expect(versions()).to.deep.include({ version: 5, base: 1, top: 6 });
  });

  it('refuses a grant while a cut is pending, and a commit too: a write must not land before the cut removes it', () => {
    expect(commit(1, 20)).to.equal('OK');
    truncate(5);
    expect(versions()).to.deep.include({ version: 1, pendingCut: 5 });
    expect(grant(2)).to.equal('CHUNK_STALE_VERSION');
    expect(commit(1, 14)).to.equal('CHUNK_STALE_VERSION');
    expect(h.sm.getattr(ino).size).to.equal(5);
  });

  it('records a cut: the catalog moves only when the leader says replicas are cut, and commits from before are refused', () => {
    expect(commit(1, 20)).to.equal('OK');
    truncate(5);
    expect(h.code({ op: 'cutChunk', chunkId, fromVersion: 1, version: 2, length: 5, servers: [] })).to.equal('EINVAL');
    expect(h.code({ op: 'cutChunk', chunkId, fromVersion: 3, version: 2, length: 5, servers: ['a'] })).to.equal('CHUNK_STALE_VERSION');
    expect(h.code({ op: 'cutChunk', chunkId, fromVersion: 1, version: 2, length: 5, servers: ['a'] })).to.equal('OK');
    expect(versions()).to.deep.equal({ version: 2, base: 2, top: 3, goal: 2, pendingCut: -1 });
    expect(commit(1, 14)).to.equal('CHUNK_STALE_VERSION');
    expect(commit(2, 8)).to.equal('OK');
    // Nothing to cut now: a second cut is refused.
    expect(h.code({ op: 'cutChunk', chunkId, fromVersion: 2, version: 3, length: 5, servers: ['a'] })).to.equal('CHUNK_STALE_VERSION');
  });

  it('keeps a cut pending when a shorter truncate came while it was carried out', () => {
    expect(commit(1, 10)).to.equal('OK');
    truncate(0); // nothing to cut: the chunk is dropped
    chunkId = newChunk(h, ino, 0, ['a']);
    expect(commit(1, 100)).to.equal('OK');
    truncate(50);
    truncate(30);
    expect(versions().pendingCut).to.equal(30);
    truncate(60); // growing keeps the shorter cut
    expect(versions().pendingCut).to.equal(30);
    expect(h.code({ op: 'cutChunk', chunkId, fromVersion: 1, version: 2, length: 40, servers: ['a'] })).to.equal('OK');
    expect(versions()).to.deep.include({ version: 2, pendingCut: 30 });
  });

  it('an exclusion moves the version without losing the writes made before it', () => {
    expect(grant(2)).to.equal('OK');
    expect(h.code({ op: 'excludeReplicas', chunkId, fromVersion: 2, version: 4, servers: ['a'] })).to.equal('CHUNK_STALE_VERSION');
    expect(h.code({ op: 'excludeReplicas', chunkId, fromVersion: 2, version: 3, servers: ['a'] })).to.equal('OK');
    expect(versions()).to.deep.include({ version: 3, base: 1, top: 4 });
    // The writer's commit under the version the failure happened at still counts: its bytes are on "a".
    expect(commit(2, 10)).to.equal('OK');
    expect(commit(4, 10)).to.equal('CHUNK_STALE_VERSION');
  });

  it('promotes to a surviving version, never below the base, and moves the reservation past it', () => {
    expect(grant(2)).to.equal('OK');
    expect(h.code({ op: 'promoteChunk', chunkId, fromVersion: 2, version: 2 })).to.equal('EINVAL');
    expect(h.code({ op: 'promoteChunk', chunkId, fromVersion: 1, version: 3 })).to.equal('CHUNK_STALE_VERSION');
    // Ahead: an attempt that moved replicas to 3 and never committed.
    expect(h.code({ op: 'promoteChunk', chunkId, fromVersion: 2, version: 3 })).to.equal('OK');
    expect(versions()).to.deep.include({ version: 3, base: 3, top: 4 });
    expect(commit(2, 10)).to.equal('CHUNK_STALE_VERSION');
    expect(h.code({ op: 'promoteChunk', chunkId, fromVersion: 3, version: 2 })).to.equal('EINVAL');
  });

  it('reports a freed chunk to a late reservation or change as CHUNK_NOT_FOUND instead of breaking an invariant', () => {
    expect(commit(1, 10)).to.equal('OK');
    truncate(0);
    expect(h.code({ op: 'reserveChunkVersion', chunkId })).to.equal('CHUNK_NOT_FOUND');
    expect(h.code({ op: 'promoteChunk', chunkId, fromVersion: 1, version: 2 })).to.equal('CHUNK_NOT_FOUND');
  });

  it('tells the location hook which replicas a grant, an exclusion and a cut moved', () => {
    const seen: string[] = [];
    const sm = new NamespaceStateMachine({
      defaultGoal: 2,
      onChunkGranted: (id, v, servers) => seen.push(`${id}@${v}:${servers.join(',')}`),
    });
    const k = new Harness(sm);
    const f = k.create(ROOT_INODE, 'f').ino;
    const id = newChunk(k, f, 0, ['a', 'b']);
    k.ok({ op: 'grantChunkWrite', ino: f, chunkIndex: 0, chunkId: id, version: 2, servers: ['b', 'a'], cred: ROOT });
    k.ok({ op: 'excludeReplicas', chunkId: id, fromVersion: 2, version: 3, servers: ['b'] });
    k.ok({ op: 'setattr', ino: f, mask: 8, mode: 0, uid: 0, gid: 0, size: 1, atime: 0, mtime: 0, cred: ROOT });
    k.ok({ op: 'setattr', ino: f, mask: 8, mode: 0, uid: 0, gid: 0, size: 0, atime: 0, mtime: 0, cred: ROOT });
    expect(seen).to.deep.equal([`${id}@1:a,b`, `${id}@2:b,a`, `${id}@3:b`]);
  });

  it('keeps base, reserved version and pending cut through a snapshot, and restores format 1', async () => {
    expect(commit(1, 3 * 1000)).to.equal('OK');
    expect(grant(2)).to.equal('OK');
    expect(reserve()).to.equal(4);
    truncate(100);
    const b = new NamespaceStateMachine({ defaultGoal: 2 });
    await b.restore(await h.sm.snapshot());
    expect(b.chunkVersions(chunkId)).to.deep.equal({ version: 2, base: 1, top: 4, goal: 2, pendingCut: 100 });
    expect(Buffer.from(await b.snapshot()).equals(Buffer.from(await h.sm.snapshot()))).to.equal(true);

    const c = new NamespaceStateMachine({ defaultGoal: 2 });
    await c.restore(formatOneSnapshot(h.sm));
    // Format 1 knew nothing of bases or reservations: commits of any version pass, as they did.
    expect(c.chunkVersions(chunkId)).to.deep.equal({ version: 2, base: 1, top: 2, goal: 2, pendingCut: 100 });
    expect(c.getattr(ino).size).to.equal(100);
  });
});

/** A new chunk as a leader makes one: an id reserved, then recorded with the servers that created it. */
function newChunk(h: Harness, ino: number, chunkIndex: number, servers: string[]): number {
  const r = h.ok({ op: 'reserveChunkIds', count: 1 });
  if (r.kind !== 'count') throw new Error(`reserveChunkIds returned ${r.kind}`);
  return h.grant({ op: 'grantChunkWrite', ino, chunkIndex, chunkId: r.count, version: 1, servers, cred: ROOT }).chunkId;
}

/** The state as the format-1 writer laid it out (before bases and reservations): a frozen copy of that layout. */
function formatOneSnapshot(sm: NamespaceStateMachine): Uint8Array {
  const tree = sm.tree;
  const w = new BinaryWriter(1 << 16);
  for (const b of [0x4d, 0x4e, 0x47, 0x53]) w.u8(b);
  w.u8(1).uint(sm.lastAppliedIndex).uint(tree.nextInode).uint(tree.chunkTable.nextChunkId);
  w.uint(tree.inodes.size);
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
      .uint(inode.parent)
      .uint(inode.rdev);
    if ((inode.mode & 0o170000) === 0o040000) {
      w.uint(inode.entries.size);
      for (const [name, child] of inode.entries) w.str(name).uint(child);
    } else if ((inode.mode & 0o170000) === 0o100000) {
      w.uints(inode.chunks);
    }
    w.uint(0);
  }
  const ct = tree.chunkTable;
  w.uint(ct.chunks.size);
  for (const [id, rec] of ct.chunks) w.uint(id).uint(rec.version).uint(rec.goal).uint(rec.refs);
  w.uint(ct.deletions.size);
  for (const [id, version] of ct.deletions) w.uint(id).uint(version);
  w.uint(ct.truncations.size);
  for (const t of ct.truncations.values()) w.uint(t.chunkId).uint(ct.get(t.chunkId)!.version).uint(t.length);
  w.uint(0);
  for (const b of [0x45, 0x4e, 0x44, 0x21]) w.u8(b);
  return w.finish();
}
