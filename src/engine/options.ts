/**
 * The engine's sampling options, their defaults and their validation.
 *
 * The engine reads the meters at instants drawn from a Poisson process with
 * mean interval `samplingInterval`. At a steady allocation rate R bytes/ms the
 * reading falls, per allocated byte, with probability p = 1 / (R ·
 * samplingInterval); past a limit, the chance that a task has allocated x
 * more bytes without being interrupted is e^(-p·x). docs/limits.md states the
 * default's guarantees with the statistics core's `detectionAllocations`.
 */

import {
  type AcceptedKeys,
  checkKeys,
  describe,
  isOptionsObject,
} from "../limits/validate.ts";

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

const ENGINE_OPTION_KEYS: AcceptedKeys<EngineOptions> = {
  samplingInterval: true,
};

/** Checks `start()`'s options; throws a TypeError or RangeError naming the bad one. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) {
    return { samplingInterval: DEFAULT_SAMPLING_INTERVAL_MS };
  }
  if (!isOptionsObject(options)) {
    throw new TypeError(
      `options must be an object or undefined, got ${describe(options)}`,
    );
  }
  checkKeys("options", options, ENGINE_OPTION_KEYS, "an option of start()");
  const interval = (options as EngineOptions).samplingInterval;
  if (interval === undefined) {
    return { samplingInterval: DEFAULT_SAMPLING_INTERVAL_MS };
  }
  if (typeof interval !== "number") {
    throw new TypeError(
      `options.samplingInterval must be a number of milliseconds, got ${
        describe(interval)
      }`,
    );
  }
  if (
    !(interval >= MIN_SAMPLING_INTERVAL_MS &&
      interval <= DEFAULT_SAMPLING_INTERVAL_MS)
  ) {
    throw new RangeError(
      `options.samplingInterval must be between ${MIN_SAMPLING_INTERVAL_MS} and ${DEFAULT_SAMPLING_INTERVAL_MS} ms ` +
        `(longer intervals are less accurate than the default), got ${interval}`,
    );
  }
  return { samplingInterval: interval };
}
