// DirtyExtents alone: a sequential writer's range grows in a slab sent as it is and used again once the send is
// acknowledged; a slab a range still refers to is never written over; an overwrite is joined right, and a range
// longer than a slab goes as one write per slab, the next one on a block boundary.
import { expect } from 'chai';
import { APPEND_SLAB_BYTES, APPEND_SLAB_FROM_BYTES, DirtyExtents, type DirtyRange } from '@mooseng/client';

const KIB = 1024;
const WRITE = 256 * KIB;

/** Write i of a writer seeded `seed`: every byte (seed + i) % 251 + 1. */
const bytesOf = (seed: number, i: number, length = WRITE): Buffer => Buffer.alloc(length, ((seed + i) % 251) + 1);

/** `count` sequential writes from offset 0; the one range taken. */
function writeSequentially(seed: number, count: number): DirtyRange {
  const extents = new DirtyExtents();
  for (let i = 0; i < count; i++) extents.insert(i * WRITE, bytesOf(seed, i));
  const ranges = extents.take();
  expect(ranges).to.have.length(1);
  return ranges[0]!;
}

function expectSequential(range: DirtyRange, seed: number, count: number, what: string): void {
  expect(range.data.length, what).to.equal(count * WRITE);
  for (let i = 0; i < count; i++)
    expect(range.data.subarray(i * WRITE, (i + 1) * WRITE).equals(bytesOf(seed, i)), `${what}: write ${i}`).to.equal(true);
}

describe('client DirtyExtents', () => {
  const FULL = APPEND_SLAB_BYTES / WRITE;

  it("keeps a sequential writer's range in one slab, sent as it is, and uses the slab again once released", () => {
    const first = writeSequentially(1, FULL);
    expectSequential(first, 1, FULL, 'first');
    expect(first.release, 'a slab range can be given back').to.be.a('function');
    const slab = first.data.buffer;
    first.release!();
    first.release!(); // once only
    const second = writeSequentially(2, FULL);
    expect(second.data.buffer, "the released slab holds the next writer's range").to.equal(slab);
    expectSequential(second, 2, FULL, 'second');
    second.release!();
  });

  it('never writes over a range that was not released, however many writers come after', () => {
    const held = writeSequentially(3, FULL);
    const snapshot = Buffer.from(held.data);
    for (let seed = 4; seed < 12; seed++) writeSequentially(seed, FULL).release!();
    expect(held.data.equals(snapshot), 'the range not released keeps its bytes').to.equal(true);
    held.release!();
  });

  it('keeps small ranges out of slabs, and joins an overwrite or an overflow into memory of its own', () => {
    const small = writeSequentially(20, APPEND_SLAB_FROM_BYTES / WRITE - 1);
    expect(small.release, 'below the threshold: no slab').to.equal(undefined);

    const extents = new DirtyExtents();
    for (let i = 0; i < 8; i++) extents.insert(i * WRITE, bytesOf(21, i));
    extents.insert(WRITE + 100, Buffer.alloc(10, 0xee)); // into the middle of the slab's range
    const [merged] = extents.take();
    expect(merged!.release, 'joined: nothing to give back').to.equal(undefined);
    expect(merged!.data.subarray(WRITE + 100, WRITE + 110).every((b) => b === 0xee)).to.equal(true);
    expect(merged!.data.subarray(0, WRITE).equals(bytesOf(21, 0))).to.equal(true);
    expect(merged!.data.subarray(WRITE + 110, 2 * WRITE).equals(bytesOf(21, 1).subarray(110))).to.equal(true);

    // Past one slab: the next one starts on a block boundary, and the range goes as one write per slab.
    const long = new DirtyExtents();
    const start = 1000; // not on a block boundary: the first slab ends on the first one past 8 MiB - 1000
    for (let i = 0; i < FULL + 3; i++) long.insert(start + i * WRITE, bytesOf(22, i));
    const parts = long.take();
    expect(parts.map((r) => r.offset)).to.deep.equal([start, APPEND_SLAB_BYTES]);
    expect(parts.every((r) => typeof r.release === 'function')).to.equal(true);
    const whole = Buffer.concat(parts.map((r) => r.data));
    expect(whole.length).to.equal((FULL + 3) * WRITE);
    for (let i = 0; i < FULL + 3; i++)
      expect(whole.subarray(i * WRITE, (i + 1) * WRITE).equals(bytesOf(22, i)), `write ${i}`).to.equal(true);
    for (const r of parts) r.release!();
  });
});
