// IClock: the only source of time, so simulations can replace it and replay exactly.

/** A cancellable timer handle. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Time for every component. `now()` is wall time (for file timestamps and logs); `monotonic()` never goes back and
 * is what timeouts and rates are measured with. Timers run their callback at most once; a cancelled timer never runs.
 */
export interface IClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Milliseconds from an arbitrary origin; never decreases. */
  monotonic(): number;
  /** Runs `fn` after `ms` milliseconds unless cancelled first. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  /** Resolves after `ms`; rejects with ABORTED if the signal fires first. */
  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void>;
}
export const IClock = Symbol.for('mooseng.clock');
