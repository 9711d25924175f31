// Seeded fault schedules: which fault hits which node when, and for how long, all drawn from one seed.
import { SeededRandom } from '@mooseng/core';

/** The faults the harness can apply to a running cluster. */
export type FaultKind =
  /** SIGKILL of the leader master, restarted after the hold. */
  | 'kill-leader'
  /** SIGKILL of a follower master, restarted after the hold. */
  | 'kill-follower'
  /** SIGKILL of a chunkserver (most likely in the middle of a chain write: the workload never pauses). */
  | 'kill-chunkserver'
  /** SIGSTOP of the leader for the hold (it wakes up deposed), then SIGCONT. */
  | 'pause-leader'
  /** SIGSTOP of a chunkserver for the hold, then SIGCONT. */
  | 'pause-chunkserver'
  /** A byte flipped in the data of a chunk file on one chunkserver (a silently rotting disk). */
  | 'flip-byte'
  /** A chunkserver stopped, its data directories saved, restarted; at the hold's end stopped again and restarted on
   * the saved (now stale) chunk files. */
  | 'stale-restart'
  /** A chunkserver's data directory (a tmpfs) filled to the last byte by a filler file, freed after the hold. */
  | 'disk-full'
  /** The leader master cut off from every other node (its network namespace's port moved off the bridge), then
   * joined again; held at least until it stepped down. */
  | 'partition-leader'
  /** A follower master cut off for the hold. */
  | 'partition-follower'
  /** A chunkserver cut off for the hold. */
  | 'partition-chunkserver'
  /** A mount's client cut off from the masters and chunkservers for the hold. */
  | 'partition-mount';

export const FAULT_KINDS: readonly FaultKind[] = [
  'kill-leader',
  'kill-follower',
  'kill-chunkserver',
  'pause-leader',
  'pause-chunkserver',
  'flip-byte',
  'stale-restart',
  'disk-full',
  'partition-leader',
  'partition-follower',
  'partition-chunkserver',
  'partition-mount',
];

/** One fault of a schedule. */
export interface FaultStep {
  kind: FaultKind;
  /** Milliseconds after the schedule's start at which the fault is applied. */
  atMs: number;
  /** How long the fault lasts before it is healed, in milliseconds. */
  holdMs: number;
  /** A number from the seed that picks the victim among the candidates (chunkserver, chunk file, byte). */
  pick: number;
}

/** Shortest and longest hold of one fault, in milliseconds. */
export const FAULT_HOLD_MIN_MS = 500;
export const FAULT_HOLD_MAX_MS = 4_000;
/** Pause between the end of one fault and the start of the next, at most, in milliseconds. */
export const FAULT_GAP_MAX_MS = 2_000;

/** The faults of schedule number `index` of `seed`: the same seed and index always give the same steps. */
export function faultSchedule(seed: number, index: number, faults: number, kinds: readonly FaultKind[] = FAULT_KINDS): FaultStep[] {
  const random = new SeededRandom(seed * 1_000_003 + index);
  const steps: FaultStep[] = [];
  let at = 500 + Math.floor(random.next() * FAULT_GAP_MAX_MS);
  for (let i = 0; i < faults; i++) {
    const kind = kinds[Math.floor(random.next() * kinds.length)]!;
    const holdMs = FAULT_HOLD_MIN_MS + Math.floor(random.next() * (FAULT_HOLD_MAX_MS - FAULT_HOLD_MIN_MS));
    steps.push({ kind, atMs: at, holdMs, pick: Math.floor(random.next() * 2 ** 31) });
    at += holdMs + Math.floor(random.next() * FAULT_GAP_MAX_MS);
  }
  return steps;
}
