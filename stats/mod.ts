/**
 * The statistics core of memlimits: the regularized incomplete beta function
 * and the numbers that say which limit to choose. Three models:
 *
 * - memlimits' own limits read exact meters at Poisson instants: they never
 *   fire early, and {@linkcode overshootBytes} bounds how far past the limit a
 *   task gets;
 * - limits from observed runs: {@linkcode observedLimit} and
 *   {@linkcode runsNeeded} (distribution-free, after Wilks);
 * - memprof's sampled allocation limits (the analysis of memprof-limits):
 *   {@linkcode recommendLimit}, {@linkcode safeAllocations} and the rest.
 *
 * Notation (from memprof-limits): sampling rate `p` per unit, limit `l`,
 * `k = l·p` samples to interrupt, `n` units allocated, target probability `t`.
 * Sizes `n`, `l` and `1/p` share one unit (words or bytes).
 *
 * @example
 * ```ts
 * import { recommendLimit, DEFAULT_SAMPLING_RATE } from "memlimits/stats";
 * // a limit (in words) under which 1 Mword runs with P(interrupt) ≤ 1e-9
 * console.log(recommendLimit(1_000_000, 1e-9, DEFAULT_SAMPLING_RATE));
 * ```
 *
 * @module
 */
export { ibeta, ibetac, logIbeta } from "./special/ibeta.ts";
export {
  detectionAllocations,
  interruptProbability,
  minimalSamplingRate,
  recommendLimit,
  safeAllocations,
  triggerProbability,
} from "./limits.ts";
export {
  type AccuracyRow,
  accuracyTable,
  type AccuracyTableOptions,
  DEFAULT_KS,
  DEFAULT_SAMPLING_RATE,
} from "./accuracy_table.ts";
export {
  DEFAULT_CONFIDENCE,
  type ObservedLimit,
  observedLimit,
  runsNeeded,
  supportedTarget,
} from "./observed.ts";
export {
  ENGINE_SAMPLING_INTERVAL_MS,
  meanOvershoot,
  overshootBytes,
  POOL_WATCH_INTERVAL_MS,
} from "./overshoot.ts";
