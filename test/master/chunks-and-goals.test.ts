// Files → chunks: allocation, version bumps, commit-write, truncate, deletion queue, goals and their inheritance.
import { expect } from 'chai';
import { CHUNK_SIZE_BYTES, S_ISUID } from '@mooseng/core';
import { ChunkLocations, NamespaceStateMachine } from '@mooseng/master';
import { ALICE, BOB, Harness, ROOT, ROOT_INODE } from './harness';

describe('master namespace: chunks and goals', () => {
  let h: Harness;
  const truncate = (ino: number, size: number) =>
    h.ok({ op: 'setattr', ino, mask: 8, mode: 0, uid: 0, gid: 0, size, atime: 0, mtime: 0, cred: ROOT });
  beforeEach(() => {
    h = new Harness();
  });

  it('allocates chunk ids from a counter and bumps the version when a chunk is opened again', () => {
    const f = h.create(ROOT_INODE, 'f');
    const g1 = h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 0, servers: ['cs1', 'cs2'], cred: ROOT });
    expect(g1).to.deep.include({ version: 1, isNew: true, servers: ['cs1', 'cs2'], fileSize: 0, truncateTo: -1 });
    const g2 = h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 3, servers: ['cs2'], cred: ROOT });
    expect(g2.chunkId).to.equal(g1.chunkId + 1);
    const again = h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 0, servers: ['cs1'], cred: ROOT });
    expect(again).to.deep.include({ chunkId: g1.chunkId, version: 2, isNew: false });
    expect(h.sm.fileChunks(f.ino)).to.deep.equal([
      { index: 0, chunkId: g1.chunkId, version: 2 },
      { index: 3, chunkId: g2.chunkId, version: 1 },
    ]);
    expect(h.sm.chunkInfo(g1.chunkId)).to.deep.equal({ chunkId: g1.chunkId, version: 2, goal: 2, refs: 1 });
  });

  it('refuses writes to directories, without chunkservers, or without permission', () => {
    const d = h.mkdir(ROOT_INODE, 'd');
    const f = h.create(ROOT_INODE, 'f', 0o644);
    expect(h.code({ op: 'openChunkForWrite', ino: d.ino, chunkIndex: 0, servers: ['cs1'], cred: ROOT })).to.equal('EISDIR');
    expect(h.code({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 0, servers: [], cred: ROOT })).to.equal('NO_CHUNKSERVERS');
    expect(h.code({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 0, servers: ['cs1', 'cs1'], cred: ROOT })).to.equal('EINVAL');
    expect(h.sm.statfs().chunks).to.equal(0);
    expect(h.code({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 0, servers: ['cs1'], cred: ALICE })).to.equal('EACCES');
    expect(h.code({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 2 ** 30, servers: ['cs1'], cred: ROOT })).to.equal('EFBIG');
  });

  it('commit-write grows the length (never shrinks it), sets mtime and drops setuid for non-root writers', () => {
    const pub = h.mkdir(ROOT_INODE, 'pub', 0o777);
    const f = h.create(pub.ino, 'f', 0o4666, ALICE);
    const g = h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 1, servers: ['cs1'], cred: BOB });
    const a = h.attr({ op: 'commitWrite', ino: f.ino, chunkIndex: 1, chunkId: g.chunkId, length: CHUNK_SIZE_BYTES + 10, cred: BOB });
    expect(a.size).to.equal(CHUNK_SIZE_BYTES + 10);
    expect(a.mtime).to.equal(h.now);
    expect(a.mode & S_ISUID).to.equal(0);
    const b = h.attr({ op: 'commitWrite', ino: f.ino, chunkIndex: 1, chunkId: g.chunkId, length: CHUNK_SIZE_BYTES + 1, cred: BOB });
    expect(b.size).to.equal(CHUNK_SIZE_BYTES + 10);
    expect(h.code({ op: 'commitWrite', ino: f.ino, chunkIndex: 1, chunkId: g.chunkId, length: 3 * CHUNK_SIZE_BYTES, cred: BOB })).to.equal(
      'EINVAL',
    );
    expect(h.code({ op: 'commitWrite', ino: f.ino, chunkIndex: 0, chunkId: g.chunkId, length: 5, cred: BOB })).to.equal(
      'CHUNK_STALE_VERSION',
    );
  });

  it('truncate drops whole chunks past the end, queues a cut of the boundary chunk, and leaves holes sparse', () => {
    const f = h.create(ROOT_INODE, 'f');
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const g = h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: i, servers: ['cs1'], cred: ROOT });
      h.ok({ op: 'commitWrite', ino: f.ino, chunkIndex: i, chunkId: g.chunkId, length: (i + 1) * CHUNK_SIZE_BYTES, cred: ROOT });
      ids.push(g.chunkId);
    }
    truncate(f.ino, CHUNK_SIZE_BYTES + 100);
    expect(h.sm.getattr(f.ino).size).to.equal(CHUNK_SIZE_BYTES + 100);
    expect(h.sm.fileChunks(f.ino).map((c) => c.chunkId)).to.deep.equal([ids[0], ids[1]]);
    expect(h.sm.pendingDeletions(10)).to.deep.equal([{ chunkId: ids[2], version: 1 }]);
    // The cut changes no version yet: that happens when the leader has cut replicas (cutChunk).
    expect(h.sm.pendingTruncations(10)).to.deep.equal([{ chunkId: ids[1], length: 100 }]);
    expect(h.sm.chunkInfo(ids[1])!.version).to.equal(1);
    // A second, longer truncate keeps the shorter cut: the bytes between were removed by the first one.
    truncate(f.ino, CHUNK_SIZE_BYTES + 5000);
    truncate(f.ino, CHUNK_SIZE_BYTES + 3000);
    expect(h.sm.pendingTruncations(10)).to.deep.equal([{ chunkId: ids[1], length: 100 }]);
    // The legacy grant (op 16) hands the cut to the chain and takes it off the queue.
    const g = h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 1, servers: ['cs1'], cred: ROOT });
    expect(g).to.deep.include({ chunkId: ids[1], version: 2, truncateTo: 100 });
    expect(h.sm.pendingTruncations(10)).to.deep.equal([]);
    // Truncating on a chunk boundary drops the chunk there without a cut.
    truncate(f.ino, CHUNK_SIZE_BYTES);
    expect(h.sm.fileChunks(f.ino).map((c) => c.chunkId)).to.deep.equal([ids[0]]);
    expect(h.sm.pendingTruncations(10)).to.deep.equal([]);
    // Growing makes a hole: no chunk is allocated for it.
    truncate(f.ino, 10 * CHUNK_SIZE_BYTES);
    expect(h.sm.fileChunks(f.ino).map((c) => c.index)).to.deep.equal([0]);
    expect(h.sm.statfs().chunks).to.equal(1);
    // Down to zero: every chunk goes, and the file can get new ones.
    truncate(f.ino, 0);
    expect(h.sm.fileChunks(f.ino)).to.deep.equal([]);
    expect(h.sm.statfs()).to.deep.include({ chunks: 0, fileBytes: 0 });
    expect(h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 0, servers: ['cs1'], cred: ROOT }).isNew).to.equal(true);
  });

  it('chunkOpsDone takes finished deletions off the queue, and (legacy) cuts whose chunk is at the version named', () => {
    const f = h.create(ROOT_INODE, 'f');
    const g0 = h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 0, servers: ['cs1'], cred: ROOT });
    const g1 = h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 1, servers: ['cs1'], cred: ROOT });
    h.ok({ op: 'commitWrite', ino: f.ino, chunkIndex: 1, chunkId: g1.chunkId, length: 2 * CHUNK_SIZE_BYTES, cred: ROOT });
    truncate(f.ino, 10);
    expect(h.sm.pendingDeletions(10).map((d) => d.chunkId)).to.deep.equal([g1.chunkId]);
    expect(h.sm.pendingTruncations(10)).to.deep.equal([{ chunkId: g0.chunkId, length: 10 }]);
    const stale = h.ok({ op: 'chunkOpsDone', deleted: [], truncated: [g0.chunkId, 2] });
    expect(stale).to.deep.equal({ kind: 'count', count: 0 });
    const done = h.ok({ op: 'chunkOpsDone', deleted: [g1.chunkId], truncated: [g0.chunkId, 1] });
    expect(done).to.deep.equal({ kind: 'count', count: 2 });
    expect(h.sm.pendingDeletions(10)).to.deep.equal([]);
    expect(h.sm.pendingTruncations(10)).to.deep.equal([]);
  });

  it("new children inherit their directory's goal; the root starts at the configured default", () => {
    const sm = new NamespaceStateMachine({ defaultGoal: 3 });
    const h3 = new Harness(sm);
    const d = h3.mkdir(ROOT_INODE, 'd');
    expect(d.goal).to.equal(3);
    h3.ok({ op: 'setGoal', ino: d.ino, goal: 5, recursive: false, cred: ROOT });
    const f = h3.create(d.ino, 'f');
    const sub = h3.mkdir(d.ino, 'sub');
    expect(f.goal).to.equal(5);
    expect(sub.goal).to.equal(5);
    expect(() => new NamespaceStateMachine({ defaultGoal: 10 })).to.throw(/defaultGoal/);
  });

  it('setGoal recursively changes a subtree and the goals of its chunks; bounds and ownership are enforced', () => {
    const d = h.mkdir(ROOT_INODE, 'd');
    const sub = h.mkdir(d.ino, 'sub');
    const f = h.create(sub.ino, 'f');
    const g = h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 0, servers: ['cs1'], cred: ROOT });
    expect(h.ok({ op: 'setGoal', ino: d.ino, goal: 4, recursive: true, cred: ROOT })).to.deep.equal({ kind: 'count', count: 3 });
    expect(h.sm.getattr(f.ino).goal).to.equal(4);
    expect(h.sm.chunkInfo(g.chunkId)!.goal).to.equal(4);
    expect(h.code({ op: 'setGoal', ino: d.ino, goal: 0, recursive: false, cred: ROOT })).to.equal('EINVAL');
    expect(h.code({ op: 'setGoal', ino: d.ino, goal: 10, recursive: false, cred: ROOT })).to.equal('EINVAL');
    expect(h.code({ op: 'setGoal', ino: d.ino, goal: 3, recursive: false, cred: ALICE })).to.equal('EPERM');
  });

  it('ChunkLocations (soft state) finds under-goal, over-goal, missing and surplus replicas against the chunk map', () => {
    const f = h.create(ROOT_INODE, 'f');
    const ids: number[] = [];
    for (let i = 0; i < 4; i++)
      ids.push(h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: i, servers: ['a'], cred: ROOT }).chunkId);
    h.grant({ op: 'openChunkForWrite', ino: f.ino, chunkIndex: 3, servers: ['a'], cred: ROOT }); // chunk 4 now at version 2
    const loc = new ChunkLocations();
    loc.register('a', [
      { chunkId: ids[0], version: 1 },
      { chunkId: ids[1], version: 1 },
      { chunkId: ids[3], version: 1 },
      { chunkId: 999, version: 1 },
    ]);
    loc.register('b', [
      { chunkId: ids[0], version: 1 },
      { chunkId: ids[1], version: 1 },
    ]);
    loc.register('c', [{ chunkId: ids[1], version: 1 }]);
    const c = loc.classify(h.sm, 100);
    expect(c.underGoal.map((x) => x.chunkId)).to.deep.equal([]);
    expect(c.overGoal.map((x) => x.chunkId)).to.deep.equal([ids[1]]);
    expect(c.missing.map((x) => x.chunkId)).to.deep.equal([ids[2], ids[3]]);
    // A chunk the catalog does not know goes; the old copy of chunk 4 stays: no good current copy exists elsewhere,
    // so it is the last one (and the version the repair loop promotes).
    expect(loc.surplusReplicas(h.sm, 100)).to.deep.equal([{ serverId: 'a', chunkId: 999, version: 1 }]);
    expect(loc.promotionFor(ids[3], 2, 1)).to.equal(1);
    // A dead server's replicas stop counting.
    loc.setAlive('b', false);
    const after = loc.classify(h.sm, 100);
    expect(after.underGoal.map((x) => x.chunkId)).to.deep.equal([ids[0]]);
    expect(after.underGoal[0].holders).to.deep.equal(['a']);
    expect(after.overGoal).to.deep.equal([]);
    loc.removeServer('a');
    expect(loc.holders(ids[0], 1)).to.deep.equal([]);
    expect(loc.classify(h.sm, 100).missing.map((x) => x.chunkId)).to.deep.equal([ids[0], ids[2], ids[3]]);
    // The lists stop at the limit; the counts (what /status and the metrics report) do not.
    const limited = loc.classify(h.sm, 1);
    expect(limited.missing.map((x) => x.chunkId)).to.deep.equal([ids[0]]);
    expect(limited.counts).to.deep.equal({ underGoal: 1, overGoal: 0, missing: 3 });
  });
});
