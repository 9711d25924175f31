// The repair loop's bounded sweep: a part of the catalog per pass, a backlog of chunks away from their goal judged
// by every pass, counts of the last complete walk, surplus replicas found across passes.
import { expect } from 'chai';
import { type CatalogChunk, type ChunkCatalog, ChunkLocations, ChunkSweep } from '@mooseng/master';

/** A catalog of chunks 1..n at version 1, goal 2 (the state machine's map is the same shape). */
class Catalog implements ChunkCatalog {
  map = new Map<number, CatalogChunk>();
  constructor(n: number) {
    for (let id = 1; id <= n; id++) this.map.set(id, { version: 1, goal: 2 });
  }
  chunks(): ReadonlyMap<number, CatalogChunk> {
    return this.map;
  }
}

/** Chunks 1..n on cs1 and cs2, except `underGoal` (cs1 only) and `missing` (nowhere). */
function locationsFor(n: number, underGoal: number[], missing: number[]): ChunkLocations {
  const loc = new ChunkLocations();
  loc.register('cs1', []);
  loc.register('cs2', []);
  for (let id = 1; id <= n; id++) {
    if (missing.includes(id)) continue;
    loc.addReplica('cs1', id, 1);
    if (!underGoal.includes(id)) loc.addReplica('cs2', id, 1);
  }
  return loc;
}

const ids = (list: Array<{ chunkId: number }>) => list.map((h) => h.chunkId);

describe('master: the repair sweep', () => {
  it('walks a catalog larger than a pass over several passes and keeps what it found until it is repaired', () => {
    const catalog = new Catalog(10);
    const loc = locationsFor(10, [2, 7], [9]);
    const sweep = new ChunkSweep(loc, 4);

    // Pass 1 walks chunks 1-4: chunk 2 is found; no walk has ended, so the counts are the walk's so far.
    let c = sweep.pass(catalog, 100);
    expect(ids(c.underGoal)).to.deep.equal([2]);
    expect(c.counts).to.deep.equal({ underGoal: 1, overGoal: 0, missing: 0 });
    // Pass 2 walks 5-8 and still lists 2, from the backlog, first.
    c = sweep.pass(catalog, 100);
    expect(ids(c.underGoal)).to.deep.equal([2, 7]);
    // Chunk 2 is repaired: pass 3 drops it from the backlog, walks 9-10 and ends the walk: its counts are published.
    loc.addReplica('cs2', 2, 1);
    c = sweep.pass(catalog, 100);
    expect(ids(c.underGoal)).to.deep.equal([7]);
    expect(ids(c.missing)).to.deep.equal([9]);
    expect(c.counts).to.deep.equal({ underGoal: 2, overGoal: 0, missing: 1 });
    // The next walk starts over; until it ends, the last complete walk's counts stand.
    c = sweep.pass(catalog, 100);
    expect(ids(c.underGoal)).to.deep.equal([7]);
    expect(c.counts).to.deep.equal({ underGoal: 2, overGoal: 0, missing: 1 });
    // A chunk freed meanwhile leaves the backlog.
    catalog.map.delete(9);
    c = sweep.pass(catalog, 100);
    expect(ids(c.missing)).to.deep.equal([]);
    c = sweep.pass(catalog, 100); // walks 9(gone)-10 and ends
    expect(c.counts).to.deep.equal({ underGoal: 1, overGoal: 0, missing: 0 });
  });

  it('walks a small catalog whole every pass, agreeing with a full classify', () => {
    const catalog = new Catalog(6);
    const loc = locationsFor(6, [1, 4], [5]);
    loc.register('cs3', []);
    loc.addReplica('cs3', 6, 1); // 6: three copies at goal 2
    const sweep = new ChunkSweep(loc, 100);
    for (let pass = 0; pass < 3; pass++) {
      const c = sweep.pass(catalog, 100);
      const full = loc.classify(catalog, 100);
      expect(c.counts).to.deep.equal(full.counts);
      expect([ids(c.underGoal), ids(c.overGoal), ids(c.missing)]).to.deep.equal([
        ids(full.underGoal),
        ids(full.overGoal),
        ids(full.missing),
      ]);
    }
  });

  it('lists at most the limit of each kind, leaves settling chunks out, and holds the backlog to its bound', () => {
    const catalog = new Catalog(8);
    const loc = locationsFor(8, [1, 2, 3, 4, 5, 6], []);
    const sweep = new ChunkSweep(loc, 100, 3);
    let c = sweep.pass(catalog, 2, (id) => id === 1);
    expect(ids(c.underGoal)).to.deep.equal([2, 3]);
    expect(c.counts.underGoal).to.equal(5); // all but the settling one are counted
    // The backlog kept 2, 3, 4; 5 and 6 were only counted. Repaired, the backlog empties and the walk finds 5, 6.
    for (const id of [2, 3, 4]) loc.addReplica('cs2', id, 1);
    c = sweep.pass(catalog, 10);
    expect(ids(c.underGoal)).to.deep.equal([1, 5, 6]);
  });

  it('starts the walk again when the catalog is replaced (a snapshot restored)', () => {
    const catalog = new Catalog(6);
    const loc = locationsFor(6, [5], []);
    const sweep = new ChunkSweep(loc, 4);
    sweep.pass(catalog, 10); // 1-4
    catalog.map = new Map([...catalog.map].reverse()); // the same chunks in another map: walked from its start
    const c = sweep.pass(catalog, 10);
    expect(ids(c.underGoal)).to.deep.equal([5]);
    expect(c.counts.underGoal).to.equal(1);
  });

  it('finds surplus replicas across passes, resuming where the last pass stopped', () => {
    const catalog = new Catalog(6);
    const loc = locationsFor(6, [], []);
    loc.addReplica('cs1', 99, 1); // a chunk the catalog does not know
    loc.register('cs3', []);
    loc.addReplica('cs3', 3, 1); // a third copy of chunk 3 at goal 2 is not surplus: it is over goal
    catalog.map.set(4, { version: 2, goal: 2 });
    loc.addReplica('cs3', 4, 2); // chunk 4 moved to version 2 on cs3 only: its version-1 copies must stay
    const sweep = new ChunkSweep(loc, 3);
    const found: string[] = [];
    for (let pass = 0; pass < 4; pass++) for (const s of sweep.surplus(catalog, 10)) found.push(`${s.serverId}:${s.chunkId}@${s.version}`);
    expect(found).to.deep.equal(['cs1:99@1']);
    expect(loc.surplusReplicas(catalog, 10).map((s) => `${s.serverId}:${s.chunkId}@${s.version}`)).to.deep.equal(['cs1:99@1']);
  });
});
