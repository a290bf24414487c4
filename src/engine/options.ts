/**
 * The engine's sampling options and their defaults (resolve_options.ts
 * validates them).
 *
 * The engine reads the meters at instants drawn from a Poisson process with
 * mean interval `samplingInterval`. At a steady allocation rate R bytes/ms the
 * reading falls, per allocated byte, with probability p = 1 / (R ·
 * samplingInterval); past a limit, the chance that a task has allocated x
 * more bytes without being interrupted is e^(-p·x). docs/limits.md states the
 * default's guarantees with the statistics core's `detectionAllocations`.
 */

/** Default mean time between two timer readings, in milliseconds. */
export const DEFAULT_SAMPLING_INTERVAL_MS = 10;
/** Shortest mean interval accepted: timers have a 1 ms resolution. */
export const MIN_SAMPLING_INTERVAL_MS = 1;

/**
 * Share of a synchronous loop's time that sampled `checkpoint()` readings
 * may take: a reading that costs c µs is made about every c/share µs of
 * the loop (and at least once per sampling interval).
 */
export const CHECKPOINT_READING_SHARE = 0.01;

/**
 * Options of `start()`.
 *
 * @example
 * ```ts
 * import { start } from "memlimits";
 * using engine = start({ samplingInterval: 2 }); // more accurate than the default
 * ```
 */
export interface EngineOptions {
  /**
   * Mean time between two readings of the meters while a limit is active, in
   * milliseconds (default 10). Only values from 1 to the default are
   * accepted: a longer interval would weaken the documented guarantees.
   */
  samplingInterval?: number;
}

/** Validated options. */
export interface ResolvedOptions {
  samplingInterval: number;
}
