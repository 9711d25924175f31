// The pool of new chunks (NewChunkPool): the leader creates chunks on chunkservers ahead of need, so the first write
// of a file is granted without waiting for a create. A pooled chunk is only used while it is what a grant would make
// now (the same servers, each still holding it, the same leader tenure); anything else is dropped, and its replicas,
// of ids the catalog never knows, are deleted by the repair loop, never while the pool may still hand them out.
import { expect } from 'chai';
import { LifecycleMaster } from './lifecycle-fixture';
import { waitFor } from '../support';

const POOL = 4;

/** A master at goal 2 on three servers with the pool on, after one write has shown the pool what goal 2 needs. */
async function primed(): Promise<LifecycleMaster> {
  const m = new LifecycleMaster({ servers: ['a', 'b', 'c'], goal: 2, newChunkPoolSize: POOL });
  const ino = await m.createFile('first');
  await m.write(ino, 0, Buffer.from('first file'));
  await waitFor('the pool to fill', () => m.ops.newChunkPool.made >= POOL);
  return m;
}

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
  it('a first write into an empty slot takes a pooled chunk: no create on its grant, and the bytes read back', async () => {
    const m = await primed();
    const pooled = uncatalogued(m);
    expect(pooled).to.have.length(POOL);
    const callsBefore = m.chunkservers.calls.length;
    const ino = await m.createFile('second');
    const grant = await m.write(ino, 0, Buffer.from('second file'));
    expect(pooled).to.include(grant.chunkId);
    const creates = m.chunkservers.calls.slice(callsBefore).filter((c) => c.startsWith(`create `) && c.endsWith(` ${grant.chunkId}:1`));
    expect(creates, 'creates of the granted chunk after the grant was asked for').to.deep.equal([]);
    expect(grant.version).to.equal(1);
    expect(m.holdersOnDisk(grant.chunkId)).to.have.length(2);
    for (const r of await m.readEverywhere(ino, 100)) expect(r.data.toString(), `read from ${r.server}`).to.equal('second file');
    expect(m.ops.newChunkPool.taken).to.equal(1);
    // The pool makes up for the chunk taken.
    await waitFor('the pool to refill', () => m.ops.newChunkPool.made >= POOL + 1);
  });

  it('repair passes leave pooled replicas alone, and delete them once a new tenure has made them strangers', async () => {
    const m = await primed();
    const pooled = uncatalogued(m);
    await m.repairPasses(3);
    for (const id of pooled) expect(m.holdersOnDisk(id), `holders of pooled chunk ${id}`).to.have.length(2);

    // Leadership lost and won again: what the old tenure made is not handed out, and it is deleted.
    m.tenure.changed(false);
    m.tenure.changed(true);
    await m.repairPasses(3);
    for (const id of pooled) expect(m.holdersOnDisk(id), `holders of stale pooled chunk ${id}`).to.deep.equal([]);
    const ino = await m.createFile('after');
    const grant = await m.write(ino, 0, Buffer.from('after the new tenure'));
    expect(pooled).to.not.include(grant.chunkId);
    expect(m.ops.newChunkPool.dropped).to.be.at.least(POOL);
    expect((await m.read(ino, 100)).toString()).to.equal('after the new tenure');
  });

  it('a pooled chunk on a server that died is not granted', async () => {
    const m = await primed();
    // c falls silent: a and b keep heartbeating (they register again), c is expired.
    m.clock.advance(61_000);
    m.startServer('a');
    m.startServer('b');
    expect(m.registry.expire()).to.deep.equal(['c']);
    for (let i = 0; i < POOL; i++) {
      const ino = await m.createFile(`f${i}`);
      const grant = await m.write(ino, 0, Buffer.from(`file ${i}`));
      expect(grant.chain.map((l) => l.serverId).sort()).to.deep.equal(['a', 'b']);
      for (const r of await m.readEverywhere(ino, 100)) expect(r.data.toString(), `read from ${r.server}`).to.equal(`file ${i}`);
    }
  });

  it('a pooled chunk one of whose servers lost its replica is not granted', async () => {
    const m = await primed();
    // The chunk the next grant would take: the first one the pool made.
    const [next] = uncatalogued(m);
    const server = m.holdersOnDisk(next!)[0]!;
    m.chunkservers.disks.get(m.address(server))!.delete(next!);
    m.startServer(server); // registers again without it
    const ino = await m.createFile('g');
    const grant = await m.write(ino, 0, Buffer.from('not on a lost replica'));
    expect(grant.chunkId).to.not.equal(next);
    for (const r of await m.readEverywhere(ino, 100)) expect(r.data.toString(), `read from ${r.server}`).to.equal('not on a lost replica');
  });
});
