/**
 * How accurate a sampled limit is. Notation of memprof-limits: sampling rate
 * p (samples per unit allocated), limit l, k = l·p samples needed to
 * interrupt (a real number, never rounded), n units allocated, target
 * probability t. The chance of an interrupt after n units is
 * P_a(n) = I_p(k, n − k + 1), the binomial tail P[Bin(n, p) ≥ k] continued to
 * real k.
 */
import { ibeta, logIbeta } from "./special/ibeta.ts";
import {
  checkPositive,
  checkRate,
  checkSize,
  checkTarget,
} from "./validate.ts";

// b = n − (k − 1) rather than n − k + 1: where n > k − 1 it is positive (and
// exact when n is close to k − 1), while n − k + 1 can round to 0 and reach
// ibeta as an invalid b. k = l·p can underflow to 0: then P_a = 1, the limit
// of I_p(k, b) as k → 0.

/** P_a(n) for validated arguments, k = l·p. */
function interruptAfter(n: number, k: number, p: number): number {
  if (n <= k - 1) return 0;
  if (k === 0) return 1;
  return ibeta(p, k, n - (k - 1));
}

/** ln P_a(n), −Infinity where P_a(n) = 0. */
function logInterruptAfter(n: number, k: number, p: number): number {
  if (n <= k - 1) return -Infinity;
  if (k === 0) return 0;
  return logIbeta(p, k, n - (k - 1));
}

/**
 * The probability P_a(n) = I_p(k, n − k + 1), k = l·p, that a task with
 * allocation limit `l` has been interrupted after allocating `n` units; 0
 * when n ≤ k − 1.
 *
 * @param n units allocated, in [0, 1e50]
 * @param l the limit, in (0, 1e50], in the same unit as n and 1/p
 * @param p sampling rate per unit, in (0, 1]
 * @throws {RangeError} for NaN, infinite or out-of-range arguments
 * @example
 * ```ts
 * import { interruptProbability } from "memlimits/stats";
 * // limit 1 Mword at 1e-4 samples/word: chance of an interrupt by 500 kwords
 * console.log(interruptProbability(500_000, 1_000_000, 1e-4)); // ≈ 3.2e-10
 * ```
 */
export function interruptProbability(n: number, l: number, p: number): number {
  checkSize("n", n);
  checkPositive("l", l);
  checkRate("p", p);
  return interruptAfter(n, l * p, p);
}

/**
 * The probability 1 − (1 − p)^n that at least one of `n` units is sampled,
 * i.e. that a global memory limit already exceeded has fired after `n` more
 * units. Computed as −expm1(n·log1p(−p)), exact to rounding for tiny p.
 *
 * @param n units allocated, in [0, 1e50]
 * @param p sampling rate per unit, in (0, 1]
 * @throws {RangeError} for NaN, infinite or out-of-range arguments
 * @example
 * ```ts
 * import { triggerProbability } from "memlimits/stats";
 * // 80 KiB of 8-byte words at 1e-4 per word: more than 64%
 * console.log(triggerProbability((80 * 1024) / 8, 1e-4)); // ≈ 0.641
 * ```
 */
export function triggerProbability(n: number, p: number): number {
  checkSize("n", n);
  checkRate("p", p);
  if (n === 0) return 0;
  if (p === 1) return 1;
  return -Math.expm1(n * Math.log1p(-p));
}

/**
 * The smallest integer n with (1 − p)^n ≤ t: how many units can be
 * allocated past an exceeded global memory limit before the chance of not
 * yet being interrupted drops to `t` or below.
 *
 * @param t target probability of not being interrupted, in (0, 1)
 * @param p sampling rate per unit, in (0, 1]
 * @throws {RangeError} for NaN or out-of-range arguments, or when p is so
 *   small that n would exceed 2^53 (Number.MAX_SAFE_INTEGER)
 * @example
 * ```ts
 * import { detectionAllocations } from "memlimits/stats";
 * const words = detectionAllocations(1e-9, 1e-4); // 207_223 words ≈ 1.58 MiB
 * ```
 */
export function detectionAllocations(t: number, p: number): number {
  checkTarget("t", t);
  checkRate("p", p);
  if (p === 1) return 1;
  const logSurvival = Math.log1p(-p); // ln(1 − p) < 0
  const logTarget = Math.log(t);
  let n = Math.max(0, Math.ceil(logTarget / logSurvival));
  // Past 2^53, n ± 1 rounds back to n and the loops below would never end.
  if (!(n < Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(
      `p = ${p} is too small for t = ${t}: the allocations would exceed 2^53 (Number.MAX_SAFE_INTEGER)`,
    );
  }
  // The division may round across an integer; settle on the exact boundary.
  while (n > 0 && (n - 1) * logSurvival <= logTarget) n--;
  while (n * logSurvival > logTarget) n++;
  return n;
}

/** N is an integer count; beyond 2^53 doubles no longer hold every integer. */
function tooLarge(l: number): RangeError {
  return new RangeError(
    `l = ${l} is too large: the safe allocations would exceed 2^53 (Number.MAX_SAFE_INTEGER)`,
  );
}

/**
 * N: the largest integer n with P_a(n) < t, the number of units a task with
 * limit `l` can allocate while its chance of having been interrupted stays
 * below `t` (0 if there is none).
 *
 * @param l the limit, in (0, 1e50], in the same unit as 1/p
 * @param t target probability, in (0, 1)
 * @param p sampling rate per unit, in (0, 1]
 * @throws {RangeError} for NaN, infinite or out-of-range arguments
 * @example
 * ```ts
 * import { safeAllocations } from "memlimits/stats";
 * // limit 1 Mword at 1e-4 per word is safe up to N words with P < 1e-9
 * console.log(safeAllocations(1_000_000, 1e-9, 1e-4)); // 511456
 * ```
 */
export function safeAllocations(l: number, t: number, p: number): number {
  checkPositive("l", l);
  checkTarget("t", t);
  checkRate("p", p);
  const k = l * p;
  const logTarget = Math.log(t);
  const safe = (n: number) => logInterruptAfter(n, k, p) < logTarget;
  // P_a(n) = 0 for n ≤ k − 1, so every integer up to that is safe. The search
  // stays within the integers a double holds exactly.
  const largest = Number.MAX_SAFE_INTEGER;
  let low = Math.max(0, Math.floor(k - 1));
  if (low >= largest) throw tooLarge(l);
  if (!safe(low)) return 0; // only possible at low = 0: P_a grows with n
  // Bracket: double the step until unsafe, then bisect on integers.
  let step = Math.max(1, Math.ceil(k / p) - low);
  let high = Math.min(low + step, largest);
  while (safe(high)) {
    if (high === largest) throw tooLarge(l);
    low = high;
    step *= 2;
    high = Math.min(low + step, largest);
  }
  while (high - low > 1) {
    const mid = low + Math.floor((high - low) / 2);
    if (safe(mid)) low = mid;
    else high = mid;
  }
  return low;
}

/**
 * Finds the root of a decreasing function on (low, high) by bisection, to
 * relative width 1e-15; `f(low) > 0 > f(high)` is assumed.
 */
function bisectDecreasing(
  f: (u: number) => number,
  low: number,
  high: number,
): number {
  for (let i = 0; i < 2000 && high - low > 1e-15 * high; i++) {
    const mid = 0.5 * (low + high);
    if (mid <= low || mid >= high) break;
    if (f(mid) > 0) low = mid;
    else high = mid;
  }
  return 0.5 * (low + high);
}

/**
 * The real limit l > 0 with P_a(N) = t: the smallest limit that keeps `N`
 * units safe with probability of an early interrupt at most `t`.
 *
 * @param N units that must be allocatable safely, in [0, 1e50]
 * @param t target probability, in (0, 1)
 * @param p sampling rate per unit, in (0, 1]
 * @throws {RangeError} for NaN, infinite or out-of-range arguments, or when
 *   p is so small that the limit would overflow a double
 * @example
 * ```ts
 * import { recommendLimit } from "memlimits/stats";
 * // words needed as a limit so that 100 kwords run with P < 1e-9
 * console.log(recommendLimit(100_000, 1e-9, 1e-4)); // ≈ 346039
 * ```
 */
export function recommendLimit(N: number, t: number, p: number): number {
  checkSize("N", N);
  checkTarget("t", t);
  checkRate("p", p);
  const logTarget = Math.log(t);
  // ln P_a(N) decreases in k from 0 (k → 0) to −Infinity (k = N + 1).
  const excess = (k: number) => logInterruptAfter(N, k, p) - logTarget;
  let low = N + 1;
  while (excess(low) <= 0) low /= 2; // terminates: P_a → 1 as k → 0
  const k = bisectDecreasing(excess, low, N + 1);
  const l = k / p;
  if (l === Infinity) {
    throw new RangeError(
      `p = ${p} is too small for N = ${N}: the limit k/p would overflow a double`,
    );
  }
  return l;
}

/**
 * The smallest sampling rate p such that P_a(N) ≤ t when the limit is
 * l = ratio·N: how often one must sample to keep `N` units safe with a limit
 * `ratio` times larger.
 *
 * @param N units that must be allocatable safely, in (0, 1e50]
 * @param t target probability, in (0, 1)
 * @param ratio l / N, in (0, 1e50] (default 10; below 1 no rate may reach t)
 * @throws {RangeError} for NaN, infinite or out-of-range arguments, or when
 *   even p = 1 does not reach `t`
 * @example
 * ```ts
 * import { minimalSamplingRate } from "memlimits/stats";
 * console.log(minimalSamplingRate(100_000, 1e-9)); // ≈ 1.33e-5 samples per unit
 * ```
 */
export function minimalSamplingRate(N: number, t: number, ratio = 10): number {
  checkPositive("N", N);
  checkTarget("t", t);
  checkPositive("ratio", ratio);
  const logTarget = Math.log(t);
  const l = ratio * N;
  // At p ≥ (N + 1)/l we have k ≥ N + 1 and P_a(N) = 0.
  const zeroFrom = (N + 1) / l;
  const excess = (p: number) => logInterruptAfter(N, l * p, p) - logTarget;
  if (zeroFrom > 1 && excess(1) > 0) {
    throw new RangeError(
      `minimalSamplingRate: no sampling rate in (0, 1] gives P < ${t} for N = ${N}, ratio = ${ratio}`,
    );
  }
  let low = Math.min(zeroFrom, 1);
  while (excess(low) <= 0) low /= 2;
  return bisectDecreasing(excess, low, Math.min(zeroFrom, 1));
}
