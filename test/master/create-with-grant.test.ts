// A create that asks for chunk 0's write grant (Mknod want_grant): with a new chunk ready in the pool, the file and
// its chunk commit as one command, so a small file (create, write, close) costs two commits, not three. A chunk
// granted with a create and never written is freed when the file is released empty, and only then.
import { expect } from 'chai';
import { FixtureSession as Session, LifecycleMaster, masterWithFullPool } from './lifecycle-fixture';

const POOL = 4;

const primed = (): ReturnType<typeof masterWithFullPool> => masterWithFullPool(POOL);

/** Commands committed so far (the fixture's consensus commits each proposal at once). */
const commits = (m: LifecycleMaster): number => m.consensus.status().commitIndex;

describe('create with chunk 0 granted', () => {
  it('commits the file and its chunk in one command; a 4 KiB file then costs two commits, and reads back', async () => {
    const { m, s } = await primed();
    const before = commits(m);
    const created = await s.create('small');
    const ino = created.attr!.ino;
    expect(created.grant, 'the grant in the create answer').to.not.equal(null);
    const grant = created.grant!;
    expect(grant.version).to.equal(2);
    expect(grant.chain).to.have.length(2);
    expect(m.state.fileChunks(ino, 0, 1)).to.deep.equal([{ index: 0, chunkId: grant.chunkId, version: 2 }]);
    const data = Buffer.alloc(4096, 7);
    await s.writeAndCommit(ino, grant, data);
    expect(commits(m) - before, 'commits for create, write and commit').to.equal(2);
    expect(await m.read(ino, 4096)).to.deep.equal(data);
    for (const r of await m.readEverywhere(ino, 4096)) expect(r.data.equals(data), `read from ${r.server}`).to.equal(true);
  });

  it('answers without a grant when no pooled chunk is ready, and the file takes a grant as before', async () => {
    const m = new LifecycleMaster({ servers: ['a', 'b', 'c'], goal: 2, newChunkPoolSize: 0 });
    const s = await Session.open(m);
    const created = await s.create('plain');
    expect(created.grant).to.equal(null);
    const ino = created.attr!.ino;
    await m.write(ino, 0, Buffer.from('granted the usual way'));
    expect((await m.read(ino, 100)).toString()).to.equal('granted the usual way');
  });

  it('gives no grant to a retried create answered with its first result (that chunk is not the file’s)', async () => {
    const { m, s } = await primed();
    const h = s.h();
    const first = await s.create('retried', true, h);
    const again = await s.create('retried', true, h);
    expect(again.attr!.ino).to.equal(first.attr!.ino);
    expect(again.grant).to.equal(null);
    expect(m.state.fileChunks(first.attr!.ino, 0, 1)[0]!.chunkId).to.equal(first.grant!.chunkId);
  });

  it('frees the chunk of a file released empty and unwritten; its replicas are then deleted', async () => {
    const { m, s } = await primed();
    const created = await s.create('touched');
    const ino = created.attr!.ino;
    const chunkId = created.grant!.chunkId;
    await s.release([ino], [ino]);
    expect(m.state.fileChunks(ino, 0, 1)).to.deep.equal([]);
    expect(m.state.chunks().has(chunkId)).to.equal(false);
    await m.repairPasses(3);
    expect(m.holdersOnDisk(chunkId)).to.deep.equal([]);
    expect(m.state.getattr(ino).size).to.equal(0);
  });

  it('keeps the chunk when the file was written, or is still open elsewhere', async () => {
    const { m, s } = await primed();
    // Written and committed by someone, whatever the creator says: the file is not empty.
    const written = await s.create('written');
    await s.writeAndCommit(written.attr!.ino, written.grant!, Buffer.from('kept'));
    await s.release([written.attr!.ino], [written.attr!.ino]);
    expect((await m.read(written.attr!.ino, 100)).toString()).to.equal('kept');

    // Open in another session too: that one may still write it.
    const other = await Session.open(m);
    const shared = await s.create('shared');
    const ino = shared.attr!.ino;
    await m.client.Open({ h: other.h(), ino, flags: 3 });
    await s.release([ino], [ino]);
    expect(m.state.fileChunks(ino, 0, 1)[0]?.chunkId).to.equal(shared.grant!.chunkId);
    await m.repairPasses(3);
    expect(m.holdersOnDisk(shared.grant!.chunkId)).to.have.length(2);
  });
});
