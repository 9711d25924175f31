// IRandom: the only source of randomness, so simulations seeded with one number replay exactly.

/** Random numbers for election timeouts, jitter, placement tie-breaks and ids. Not for secrets. */
export interface IRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}
export const IRandom = Symbol.for('mooseng.random');
