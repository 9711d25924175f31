// The model checker's own parts, checked without a cluster: the sparse file against a plain dense buffer, and a seed
// against the sequence it must give (a replay is only as good as this).
import { expect } from 'chai';
import { CHUNK_BYTES, generateOps, patternBytes, Rng } from './model-checker';
import { SparseFile } from './sparse-file';

/** A dense file big enough for the random operations below. */
const DENSE_BYTES = 64 * 1024;
const RANDOM_OPS = 3_000;
/** Operations generated per seed: enough for every kind, and for writes across a chunk boundary. */
const GENERATED_OPS = 1_000;

describe('model checker: its model and its randomness', () => {
  it('agrees with a dense buffer over random writes, truncates and reads', () => {
    const rng = new Rng(42);
    const sparse = new SparseFile();
    let dense = Buffer.alloc(0);
    for (let i = 0; i < RANDOM_OPS; i++) {
      const choice = rng.int(10);
      if (choice < 5) {
        const offset = rng.int(DENSE_BYTES - 1024);
        const data = patternBytes(rng.next(), 1 + rng.int(1024));
        sparse.write(offset, data);
        if (dense.length < offset + data.length) dense = Buffer.concat([dense, Buffer.alloc(offset + data.length - dense.length)]);
        data.copy(dense, offset);
      } else if (choice < 7) {
        const size = rng.int(DENSE_BYTES);
        sparse.truncate(size);
        dense = size <= dense.length ? Buffer.from(dense.subarray(0, size)) : Buffer.concat([dense, Buffer.alloc(size - dense.length)]);
      } else {
        const offset = rng.int(DENSE_BYTES);
        const length = rng.int(4096);
        expect(sparse.read(offset, length).equals(dense.subarray(offset, offset + length)), `op ${i}`).to.equal(true);
      }
      expect(sparse.size).to.equal(dense.length);
    }
    expect(sparse.read(0, DENSE_BYTES).equals(dense)).to.equal(true);
  });

  it('gives the same numbers for the same seed, and other numbers for another seed', () => {
    const draw = (seed: number): number[] => {
      const r = new Rng(seed);
      return Array.from({ length: 8 }, () => r.next());
    };
    expect(draw(7)).to.deep.equal(draw(7));
    expect(draw(7)).to.not.deep.equal(draw(8));
    expect(patternBytes(5, 100).equals(patternBytes(5, 100))).to.equal(true);
    expect(patternBytes(5, 100).equals(patternBytes(6, 100))).to.equal(false);
  });

  it('generates one operation sequence per seed, with every kind of operation and offsets past a chunk boundary', function () {
    // generateOps fills the model with every write's bytes: a few seconds for thousands of operations.
    this.timeout(30_000);
    const a = generateOps({ seed: 7, ops: GENERATED_OPS, mounts: 2 });
    expect(generateOps({ seed: 7, ops: GENERATED_OPS, mounts: 2 })).to.deep.equal(a);
    expect(generateOps({ seed: 8, ops: GENERATED_OPS, mounts: 2 })).to.not.deep.equal(a);
    expect(new Set(a.map((op) => op.kind))).to.have.lengthOf(9);
    expect(a.some((op) => op.kind === 'pwrite' && op.offset < CHUNK_BYTES && op.offset + op.length > CHUNK_BYTES)).to.equal(true);
    expect(a.some((op) => op.kind === 'ftruncate' && op.size === 0)).to.equal(true);
    // With one mount there is nothing to read from a second one.
    expect(generateOps({ seed: 7, ops: GENERATED_OPS, mounts: 1 }).some((op) => op.kind === 'otherMountRead')).to.equal(false);
  });
});
