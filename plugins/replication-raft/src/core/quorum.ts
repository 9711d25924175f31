// Majority arithmetic over the current voters.

/** The largest value that a majority of `values` reach (the commit rule's "N such that a majority have match >= N"). */
export function majorityValue(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => b - a);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Votes needed to win among `voters`. */
export function quorumSize(voters: number): number {
  return Math.floor(voters / 2) + 1;
}
