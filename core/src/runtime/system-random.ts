// SystemRandom and SeededRandom: IRandom from Math.random, or from a seed so a run can be replayed.
import type { IRandom } from '../contracts/random';

export class SystemRandom implements IRandom {
  next(): number {
    return Math.random();
  }

  int(maxExclusive: number): number {
    return Math.floor(Math.random() * maxExclusive);
  }
}

/** A small, fast, seedable generator (mulberry32): the same seed gives the same sequence on every machine. */
export class SeededRandom implements IRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
}
