// The pool of new chunks (NewChunkPool): the leader creates chunks on chunkservers ahead of need, and a create for
// writing takes one as the file's chunk 0. A pooled chunk is only used while it is what a grant would make now (the
// same servers, each still holding it, the same leader tenure), and only at version 2, never at the version an old
// copy of a chunkserver's disk can hold it at empty; anything else is dropped, and its replicas, of ids the catalog
// never knows, are deleted by the repair loop, never while the pool may still hand them out.
import { expect } from 'chai';
import { type LifecycleMaster, masterWithFullPool } from './lifecycle-fixture';
import { waitFor } from '../support';

const POOL = 4;

const primed = (): ReturnType<typeof masterWithFullPool> => masterWithFullPool(POOL);

/** Chunk ids created on some chunkserver that the catalog does not know: the pooled chunks (and any orphans). */
function uncatalogued(m: LifecycleMaster): number[] {
  const ids = new Set<number>();
  for (const call of m.chunkservers.calls) {
    const [op, , ref] = call.split(' ');
    if (op === 'create') ids.add(Number(ref!.split(':')[0]));
  }
  return [...ids].filter((id) => !m.state.chunks().has(id));
}

describe('pool of new chunks', () => {
  it('a create takes a pooled chunk: no chunkserver create on its way, version 2, and the bytes read back', async () => {
    const { m, s } = await primed();
    const pooled = uncatalogued(m);
    expect(pooled).to.have.length(POOL);
    const callsBefore = m.chunkservers.calls.length;
    const created = await s.create('second');
    const grant = created.grant!;
    expect(pooled).to.include(grant.chunkId);
    const calls = m.chunkservers.calls.slice(callsBefore).filter((c) => c.endsWith(` ${grant.chunkId}:1`));
    expect(calls.map((c) => c.split(' ')[0]).sort(), 'calls on the taken chunk at version 1').to.deep.equal(['set-version', 'set-version']);
    expect(grant.version).to.equal(2);
    await s.writeAndCommit(created.attr!.ino, grant, Buffer.from('second file'));
    for (const r of await m.readEverywhere(created.attr!.ino, 100))
      expect(r.data.toString(), `read from ${r.server}`).to.equal('second file');
    expect(m.ops.newChunkPool.taken).to.equal(1);
    // The pool makes up for the chunks taken.
    await waitFor('the pool to refill', () => m.ops.newChunkPool.made >= POOL + 1);
  });

  it('an old copy of a disk holding the pooled chunk empty does not count as a copy of the file written since', async () => {
    const { m, s } = await primed();
    const created = await s.create('written');
    const grant = created.grant!;
    await s.writeAndCommit(created.attr!.ino, grant, Buffer.from('written after the copy was taken'));
    // Server `stale` comes back with its disks as they were before the create: the chunk there, empty, at version 1.
    const stale = grant.chain[0]!.serverId;
    m.chunkservers.disks.get(m.address(stale))!.set(grant.chunkId, { version: 1, data: Buffer.alloc(0) });
    m.startServer(stale);
    const copies = await m.readEverywhere(created.attr!.ino, 100);
    expect(copies.map((c) => c.server)).to.not.include(stale);
    for (const r of copies) expect(r.data.toString(), `read from ${r.server}`).to.equal('written after the copy was taken');
    // The repair loop copies the chunk back to its goal from the good copy and deletes the stale one.
    await m.repairPasses(5);
    for (const r of await m.readEverywhere(created.attr!.ino, 100))
      expect(r.data.toString(), `read from ${r.server} after repair`).to.equal('written after the copy was taken');
  });

  it('repair passes leave pooled replicas alone, and delete them once a new tenure has made them strangers', async () => {
    const { m, s } = await primed();
    const pooled = uncatalogued(m);
    await m.repairPasses(3);
    for (const id of pooled) expect(m.holdersOnDisk(id), `holders of pooled chunk ${id}`).to.have.length(2);

    // Leadership lost and won again: what the old tenure made is not handed out, and it is deleted.
    m.tenure.changed(false);
    m.tenure.changed(true);
    await m.repairPasses(3);
    for (const id of pooled) expect(m.holdersOnDisk(id), `holders of stale pooled chunk ${id}`).to.deep.equal([]);
    const created = await s.create('after');
    expect(created.grant, 'no grant from a pool of another tenure').to.equal(null);
    expect(m.ops.newChunkPool.dropped).to.be.at.least(POOL);
    await m.write(created.attr!.ino, 0, Buffer.from('after the new tenure'));
    expect((await m.read(created.attr!.ino, 100)).toString()).to.equal('after the new tenure');
  });

  it('a pooled chunk on a server that died is not granted', async () => {
    const { m, s } = await primed();
    // c falls silent: a and b keep heartbeating (they register again), c is expired.
    m.clock.advance(61_000);
    m.startServer('a');
    m.startServer('b');
    expect(m.registry.expire()).to.deep.equal(['c']);
    for (let i = 0; i < POOL; i++) {
      const created = await s.create(`f${i}`);
      if (!created.grant) continue; // the pool had nothing on a and b at that moment
      expect(created.grant.chain.map((l) => l.serverId).sort()).to.deep.equal(['a', 'b']);
      await s.writeAndCommit(created.attr!.ino, created.grant, Buffer.from(`file ${i}`));
      for (const r of await m.readEverywhere(created.attr!.ino, 100))
        expect(r.data.toString(), `read from ${r.server}`).to.equal(`file ${i}`);
    }
  });

  it('a pooled chunk one of whose servers lost its replica is not granted', async () => {
    const { m, s } = await primed();
    // The chunk the next create would take: the first one the pool made.
    const [next] = uncatalogued(m);
    const server = m.holdersOnDisk(next!)[0]!;
    m.chunkservers.disks.get(m.address(server))!.delete(next!);
    m.startServer(server); // registers again without it
    const created = await s.create('g');
    expect(created.grant?.chunkId).to.not.equal(next);
  });
});
