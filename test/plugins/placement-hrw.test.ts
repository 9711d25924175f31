// placement-hrw: distinct servers, racks spread, free space respected, stable under membership change.
import { expect } from 'chai';
import type { ChunkserverView } from '@mooseng/core';
import { HrwPlacement } from '@mooseng/plugin-placement-hrw';

const GiB = 1024 ** 3;
function server(id: string, over: Partial<ChunkserverView> = {}): ChunkserverView {
  return {
    id,
    address: `10.0.0.${id.replace(/\D/g, '')}:9420`,
    labels: {},
    totalBytes: 100 * GiB,
    freeBytes: 50 * GiB,
    alive: true,
    draining: false,
    ...over,
  };
}
const placement = new HrwPlacement({ domainLabel: 'rack', minFreeBytes: GiB });
const chunkIds = Array.from({ length: 2000 }, (_, i) => i * 7919 + 1);

describe('placement-hrw', () => {
  it('never puts two replicas of a chunk on one server, and returns fewer when servers run out', () => {
    const servers = [server('cs1'), server('cs2'), server('cs3')];
    for (const id of chunkIds.slice(0, 200)) {
      const chosen = placement.chooseForNewChunk(id, 3, servers);
      expect(new Set(chosen).size).to.equal(3);
    }
    expect(placement.chooseForNewChunk(1, 5, servers)).to.have.length(3);
  });

  it('skips dead, draining and full servers for new chunks', () => {
    const servers = [server('cs1', { alive: false }), server('cs2', { draining: true }), server('cs3', { freeBytes: 10 }), server('cs4')];
    for (const id of chunkIds.slice(0, 100)) expect(placement.chooseForNewChunk(id, 2, servers)).to.deep.equal(['cs4']);
  });

  it('spreads replicas across racks while there are enough racks', () => {
    const servers = [
      server('cs1', { labels: { rack: 'a' } }),
      server('cs2', { labels: { rack: 'a' } }),
      server('cs3', { labels: { rack: 'a' } }),
      server('cs4', { labels: { rack: 'b' } }),
    ];
    const rackOf = (id: string) => servers.find((s) => s.id === id)!.labels.rack;
    for (const id of chunkIds.slice(0, 300)) {
      const chosen = placement.chooseForNewChunk(id, 2, servers);
      expect(new Set(chosen.map(rackOf)).size, `chunk ${id}: ${chosen}`).to.equal(2);
    }
  });

  it('gives servers new chunks roughly in proportion to their free space', () => {
    const servers = [server('cs1', { freeBytes: 10 * GiB }), server('cs2', { freeBytes: 30 * GiB })];
    const firsts = chunkIds.map((id) => placement.chooseForNewChunk(id, 1, servers)[0]);
    const share = firsts.filter((s) => s === 'cs2').length / firsts.length;
    expect(share).to.be.within(0.68, 0.82); // 0.75 expected
  });

  it('moves only the chunks that must move when a server joins', () => {
    const before = [server('cs1'), server('cs2'), server('cs3')];
    const after = [...before, server('cs4')];
    let moved = 0;
    for (const id of chunkIds) {
      const a = placement.chooseForNewChunk(id, 1, before)[0];
      const b = placement.chooseForNewChunk(id, 1, after)[0];
      if (a !== b) {
        expect(b).to.equal('cs4'); // a chunk only ever moves to the newcomer
        moved++;
      }
    }
    expect(moved / chunkIds.length).to.be.within(0.18, 0.32); // 1/4 expected
  });

  it('picks repair targets outside the current holders and drops dead replicas first', () => {
    const servers = [server('cs1'), server('cs2'), server('cs3', { alive: false }), server('cs4')];
    const targets = placement.chooseRepairTargets(42, ['cs1', 'cs3'], 1, servers);
    expect(targets).to.have.length(1);
    expect(['cs2', 'cs4']).to.include(targets[0]);
    expect(placement.chooseToDrop(42, ['cs1', 'cs2', 'cs3'], 1, servers)).to.deep.equal(['cs3']);
  });

  it('orders reads with the replica on the client host first and skips dead ones', () => {
    const servers = [server('cs1'), server('cs2'), server('cs3', { alive: false })];
    const order = placement.orderForRead(9, ['cs1', 'cs2', 'cs3'], servers, '10.0.0.2');
    expect(order).to.deep.equal(['cs2', 'cs1']);
  });
});
