/**
 * Limits from observed runs, without a model of the task: the distribution-free
 * tolerance bound of Wilks. With n values from independent runs sorted,
 * x_(1) ≤ … ≤ x_(n), the share of the distribution at or below x_(m) (its
 * coverage) is Beta(m, n − m + 1)-distributed whatever the distribution (if it
 * is continuous). The confidence that a new run exceeds x_(m) with
 * probability at most t is therefore P[coverage ≥ 1 − t] = I_t(n − m + 1, m).
 */
import { ibeta, ibetac } from "./special/ibeta.ts";
import { checkRange, checkTarget } from "./validate.ts";

/**
 * The confidence used when none is given: 95 %.
 *
 * @example
 * ```ts
 * import { DEFAULT_CONFIDENCE, runsNeeded } from "memlimits/stats";
 * console.log(runsNeeded(0.01, DEFAULT_CONFIDENCE)); // 299
 * ```
 */
export const DEFAULT_CONFIDENCE = 0.95;

/**
 * A limit chosen from observed values by {@linkcode observedLimit}.
 *
 * @example
 * ```ts
 * import { type ObservedLimit, observedLimit } from "memlimits/stats";
 * const peaks = Array.from({ length: 500 }, (_, i) => 100 + i);
 * const chosen: ObservedLimit | undefined = observedLimit(peaks, 0.01);
 * if (chosen) console.log(`limit ${chosen.value} (the ${chosen.index}th of 500)`);
 * ```
 */
export interface ObservedLimit {
  /** m: the rank of the value chosen among the sorted values, 1-based. */
  index: number;
  /** x_(m): the limit, in the values' own unit. */
  value: number;
  /** I_t(n − m + 1, m): the confidence that a new run exceeds it with probability at most t. */
  confidence: number;
}

/**
 * The confidence I_t(n − m + 1, m) of x_(m) and whether it reaches c. Where c
 * is close to 1, the comparison is made on the complement (exact for c ≥ 1/2),
 * which keeps its digits.
 */
function rankConfidence(
  n: number,
  m: number,
  target: number,
  confidence: number,
): { confidence: number; enough: boolean } {
  const a = n - m + 1;
  if (confidence >= 0.5) {
    const miss = ibetac(target, a, m);
    return { confidence: 1 - miss, enough: miss <= 1 - confidence };
  }
  const reached = ibeta(target, a, m);
  return { confidence: reached, enough: reached >= confidence };
}

/** Throws unless `values` is a non-empty array of finite numbers. */
function checkValues(values: readonly number[]): void {
  if (!Array.isArray(values)) {
    throw new TypeError(
      `values must be an array of finite numbers, got ${typeof values}`,
    );
  }
  if (values.length === 0) {
    throw new RangeError("values must hold at least one number, got none");
  }
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== "number") {
      throw new TypeError(
        `values[${i}] must be a finite number, got ${typeof value}`,
      );
    }
    if (!Number.isFinite(value)) {
      throw new RangeError(
        `values[${i}] must be a finite number, got ${value}`,
      );
    }
  }
}

/** Throws unless `confidence` is in (0, 1). */
function checkConfidence(confidence: number): void {
  checkRange("confidence", confidence, {
    min: 0,
    minOpen: true,
    max: 1,
    maxOpen: true,
  });
}

/**
 * The limit to choose from the values of `values.length` observed runs: the
 * smallest order statistic x_(m) such that, with confidence at least
 * `confidence`, a new run from the same distribution exceeds it with
 * probability at most `target`. Undefined when even the largest value is not
 * enough (see {@linkcode runsNeeded}).
 *
 * Ties are kept as they are; the bound assumes independent runs from one
 * continuous distribution (with ties it errs on the safe side).
 *
 * @param values observed values (peak memory, allocated bytes, CPU ms, …), finite, at least one
 * @param target t in (0, 1): the accepted chance that a new run exceeds the limit
 * @param confidence c in (0, 1), default 0.95
 * @returns `{ index, value, confidence }`, or undefined when x_(n) is not enough
 * @throws {RangeError} for no values, a value that is not finite, or t or c outside (0, 1)
 * @example
 * ```ts
 * import { observedLimit } from "memlimits/stats";
 * const runs = Array.from({ length: 1000 }, (_, i) => 1000 + i); // e.g. peak bytes
 * console.log(observedLimit(runs, 0.01)); // { index: 996, value: 1995, confidence: 0.971… }
 * ```
 */
export function observedLimit(
  values: readonly number[],
  target: number,
  confidence: number = DEFAULT_CONFIDENCE,
): ObservedLimit | undefined {
  checkValues(values);
  checkTarget("target", target);
  checkConfidence(confidence);
  const n = values.length;
  const largest = rankConfidence(n, n, target, confidence);
  if (!largest.enough) return undefined;
  // The confidence grows with m: bisect for the smallest m that is enough.
  let low = 0; // not enough (or none)
  let high = n; // enough
  let found = largest.confidence;
  while (high - low > 1) {
    const mid = low + Math.floor((high - low) / 2);
    const at = rankConfidence(n, mid, target, confidence);
    if (at.enough) {
      high = mid;
      found = at.confidence;
    } else {
      low = mid;
    }
  }
  const sorted = [...values].sort((x, y) => x - y);
  return { index: high, value: sorted[high - 1], confidence: found };
}

/**
 * The number of runs needed before the largest of them supports `target` at
 * `confidence`: the smallest n with 1 − (1 − t)^n ≥ c, that is
 * n = ⌈ln(1 − c) / ln(1 − t)⌉ (about 3/t at 95 %).
 *
 * @param target t in (0, 1)
 * @param confidence c in (0, 1), default 0.95
 * @throws {RangeError} for t or c outside (0, 1), or when n would exceed 2^53
 * @example
 * ```ts
 * import { runsNeeded } from "memlimits/stats";
 * console.log(runsNeeded(0.01)); // 299
 * console.log(runsNeeded(1e-3, 0.99)); // 4603
 * ```
 */
export function runsNeeded(
  target: number,
  confidence: number = DEFAULT_CONFIDENCE,
): number {
  checkTarget("target", target);
  checkConfidence(confidence);
  const logMiss = Math.log1p(-confidence); // ln(1 − c) < 0
  const logStay = Math.log1p(-target); // ln(1 − t) < 0
  let n = Math.max(1, Math.ceil(logMiss / logStay));
  if (!(n < Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(
      `target = ${target} is too small for confidence = ${confidence}: the runs needed would exceed 2^53 (Number.MAX_SAFE_INTEGER)`,
    );
  }
  // The division may round across an integer; settle on the exact boundary.
  while (n > 1 && (n - 1) * logStay <= logMiss) n--;
  while (n * logStay > logMiss) n++;
  return n;
}

/**
 * The smallest target that `runs` observed runs support at `confidence`, with
 * their largest value as the limit: t = 1 − (1 − c)^(1/n).
 *
 * @param runs n, the number of runs, a positive integer
 * @param confidence c in (0, 1), default 0.95
 * @throws {RangeError} for n not a positive integer, or c outside (0, 1)
 * @example
 * ```ts
 * import { supportedTarget } from "memlimits/stats";
 * console.log(supportedTarget(100)); // ≈ 0.0295
 * ```
 */
export function supportedTarget(
  runs: number,
  confidence: number = DEFAULT_CONFIDENCE,
): number {
  checkRange("runs", runs, { min: 1, max: Number.MAX_SAFE_INTEGER });
  if (!Number.isInteger(runs)) {
    throw new RangeError(`runs must be a positive integer, got ${runs}`);
  }
  checkConfidence(confidence);
  return -Math.expm1(Math.log1p(-confidence) / runs);
}
