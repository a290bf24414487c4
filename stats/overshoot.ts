/**
 * How far past a limit a task gets under memlimits' own engine. Its limits
 * read exact meters (the allocation counter, the heap, the resident set) at
 * instants of a Poisson process of mean interval τ, so a limit never fires
 * before it is reached; what is random is the overshoot. For a task that
 * allocates a steady R bytes per second, the bytes allocated between passing
 * the limit and the next reading are exponential with mean R·τ: a reading
 * falls on any one byte with probability p = 1/(R·τ), and the chance of
 * having gone x bytes past the limit without one is (1 − p)^x ≤ e^(−x/(R·τ)).
 */
import { detectionAllocations } from "./limits.ts";
import { checkPositive, checkTarget } from "./validate.ts";
import { DEFAULT_SAMPLING_INTERVAL_MS } from "../src/engine/options.ts";

/**
 * The in-thread engine's default mean sampling interval τ, in milliseconds
 * (its `samplingInterval` option; the engine's own constant).
 *
 * @example
 * ```ts
 * import { ENGINE_SAMPLING_INTERVAL_MS } from "memlimits/stats";
 * console.log(ENGINE_SAMPLING_INTERVAL_MS); // 10
 * ```
 */
export const ENGINE_SAMPLING_INTERVAL_MS: number = DEFAULT_SAMPLING_INTERVAL_MS;

/**
 * The worker pool's watch interval, in milliseconds: how often the pool reads
 * its workers' meters. Defined here once; the pool reads it from here. The
 * pool reads at a fixed period rather than at Poisson instants, for which the
 * exponential model is an upper bound (a reading comes within one period).
 *
 * @example
 * ```ts
 * import { POOL_WATCH_INTERVAL_MS } from "memlimits/stats";
 * console.log(POOL_WATCH_INTERVAL_MS); // 1
 * ```
 */
export const POOL_WATCH_INTERVAL_MS = 1;

/**
 * The mean overshoot R·τ in bytes: the bytes a task allocating `bytesPerSecond`
 * allocates in one mean sampling interval of `intervalMs` milliseconds.
 *
 * @param bytesPerSecond R, the allocation rate, in (0, 1e50]
 * @param intervalMs τ, the mean interval between readings, in (0, 1e50]
 * @throws {RangeError} for NaN, infinite or out-of-range arguments
 * @example
 * ```ts
 * import { meanOvershoot } from "memlimits/stats";
 * console.log(meanOvershoot(100 * 2 ** 20, 10)); // 1048576 (1 MiB)
 * ```
 */
export function meanOvershoot(
  bytesPerSecond: number,
  intervalMs: number,
): number {
  checkPositive("bytesPerSecond", bytesPerSecond);
  checkPositive("intervalMs", intervalMs);
  return (bytesPerSecond * intervalMs) / 1000;
}

/**
 * The overshoot bound in bytes: the allocation past a limit after which the
 * chance that a task allocating `bytesPerSecond` has not yet been interrupted
 * is at most `target`, with readings at Poisson instants of mean interval
 * `intervalMs`. It is `detectionAllocations(t, 1/(R·τ))`, about −ln(t)·R·τ.
 *
 * @param target t in (0, 1): the accepted chance of no interrupt yet
 * @param bytesPerSecond R, the allocation rate; R·τ must be at least 1 byte
 * @param intervalMs τ in milliseconds (default {@linkcode ENGINE_SAMPLING_INTERVAL_MS})
 * @throws {RangeError} for out-of-range arguments, R·τ below 1 byte, or an
 *   overshoot above 2^53 bytes
 * @example
 * ```ts
 * import { overshootBytes } from "memlimits/stats";
 * // 100 MiB/s at the default 10 ms: interrupted within ≈ 20.7 MiB but for 1e-9
 * console.log(overshootBytes(1e-9, 100 * 2 ** 20)); // 21729909
 * ```
 */
export function overshootBytes(
  target: number,
  bytesPerSecond: number,
  intervalMs: number = ENGINE_SAMPLING_INTERVAL_MS,
): number {
  checkTarget("target", target);
  const mean = meanOvershoot(bytesPerSecond, intervalMs);
  if (!(mean >= 1)) {
    throw new RangeError(
      `bytesPerSecond · intervalMs / 1000 must be at least 1 byte (a reading per byte at most), got ${mean} for bytesPerSecond = ${bytesPerSecond}, intervalMs = ${intervalMs}`,
    );
  }
  try {
    return detectionAllocations(target, 1 / mean);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new RangeError(
      `target = ${target} is too small for bytesPerSecond = ${bytesPerSecond} at intervalMs = ${intervalMs}: the overshoot would exceed 2^53 bytes (Number.MAX_SAFE_INTEGER)`,
    );
  }
}
