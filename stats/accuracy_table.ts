/**
 * The data of memprof-limits' "accuracy of limit" table: for each number of
 * samples k, the limit l = k/p, the safe allocations N and the relative error
 * (l − N)/N. Formatting is left to callers.
 */
import { safeAllocations } from "./limits.ts";
import { checkPositive, checkRate, checkTarget } from "./validate.ts";

/**
 * The default sampling rate of memprof-limits: 1e-4 samples per word.
 *
 * @example
 * ```ts
 * import { DEFAULT_SAMPLING_RATE } from "memlimits/stats";
 * console.log(1 / DEFAULT_SAMPLING_RATE); // 10000 words between samples on average
 * ```
 */
export const DEFAULT_SAMPLING_RATE = 1e-4;

/**
 * The default grid of k: 1, 2, 5 per decade from 1 to 1e5.
 *
 * @example
 * ```ts
 * import { DEFAULT_KS } from "memlimits/stats";
 * console.log(DEFAULT_KS.length); // 16
 * ```
 */
export const DEFAULT_KS: readonly number[] = Object.freeze(
  [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5],
);

/**
 * Options of {@link accuracyTable}.
 *
 * @example
 * ```ts
 * import { accuracyTable, type AccuracyTableOptions } from "memlimits/stats";
 * const options: AccuracyTableOptions = { target: 1e-9, ks: [10, 100, 1000] };
 * console.log(accuracyTable(options).length); // 3
 * ```
 */
export interface AccuracyTableOptions {
  /** Target probability t of an interrupt before N, in (0, 1). */
  readonly target: number;
  /** Sampling rate p per unit, in (0, 1]; default {@link DEFAULT_SAMPLING_RATE}. */
  readonly rate?: number;
  /** Numbers of samples k (real, in (0, 1e50]) for the rows; default {@link DEFAULT_KS}. */
  readonly ks?: readonly number[];
}

/**
 * One row of the accuracy table; sizes are in the unit of 1/p.
 *
 * @example
 * ```ts
 * import { type AccuracyRow, accuracyTable } from "memlimits/stats";
 * const [row]: AccuracyRow[] = accuracyTable({ target: 1e-9, ks: [1000] });
 * console.log(`limit ${row.limit} is ${(100 * row.error).toFixed(0)}% above ${row.safe}`);
 * ```
 */
export interface AccuracyRow {
  /** Samples needed to interrupt: k = l·p. */
  readonly k: number;
  /** The limit l = k/p. */
  readonly limit: number;
  /** N = safeAllocations(l, t, p): the largest n with P_a(n) < t. */
  readonly safe: number;
  /** (l − N)/N, how far above N the limit lies (Infinity when N = 0). */
  readonly error: number;
}

/**
 * Rows of k, l = k/p, N and (l − N)/N for target `t`: how much larger than
 * the memory a task may safely use its allocation limit has to be.
 *
 * @throws {RangeError} for an out-of-range target, rate or k
 * @throws {TypeError} for options that are not an object, or ks not an array
 * @example
 * ```ts
 * import { accuracyTable } from "memlimits/stats";
 * for (const row of accuracyTable({ target: 4e-15 })) {
 *   console.log(row.k, row.limit, row.safe, row.error.toFixed(2));
 * }
 * ```
 */
export function accuracyTable(options: AccuracyTableOptions): AccuracyRow[] {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `options must be an object with a target, got ${
        options === null ? "null" : typeof options
      }`,
    );
  }
  const { target, rate = DEFAULT_SAMPLING_RATE, ks = DEFAULT_KS } = options;
  checkTarget("target", target);
  checkRate("rate", rate);
  if (!Array.isArray(ks)) {
    throw new TypeError(`ks must be an array of numbers, got ${typeof ks}`);
  }
  ks.forEach((k, i) => checkPositive(`ks[${i}]`, k));
  return ks.map((k) => {
    const limit = k / rate;
    const safe = safeAllocations(limit, target, rate);
    return { k, limit, safe, error: (limit - safe) / safe };
  });
}
