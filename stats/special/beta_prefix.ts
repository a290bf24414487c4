/**
 * The prefix of every incomplete beta method:
 * ln[x^a (1 − x)^b / B(a, b)], computed without cancellation.
 *
 * For large a or b the naive sum a·ln x + b·ln(1 − x) − ln B(a, b) cancels
 * catastrophically. Instead, write x = x₀(1 + e₁) and 1 − x = y₀(1 + e₂)
 * around the mean x₀ = a/(a + b). With λ = a − (a + b)x one has e₁ = −λ/a and
 * e₂ = λ/b, so a·e₁ + b·e₂ = 0 and the prefix becomes
 *   C(a, b) + a·log1pmx(e₁) + b·log1pmx(e₂),
 * where both log1pmx terms are ≤ 0 (no cancellation) and
 * C(a, b) = ln[x₀^a y₀^b / B(a, b)] is small; its large Stirling terms cancel
 * analytically, leaving only the Stirling remainders δ (DiDonato & Morris,
 * ACM TOMS 708, use the same decomposition).
 */
import { log1pmx } from "./log1pmx.ts";
import {
  LN_SQRT_2PI,
  logBetaSmall,
  logGamma,
  STIRLING_MIN,
  stirlingRemainder as delta,
} from "./log_gamma.ts";

/**
 * ln(1 + e) − e, given also `ratio` = 1 + e computed directly: when e ≈ −1 the
 * difference has lost the relative precision of the ratio.
 */
function logRatioMinusExcess(excess: number, ratio: () => number): number {
  if (excess < -0.5) return Math.log(ratio()) - excess;
  return log1pmx(excess);
}

/** ln[x₀^a y₀^b / B(a, b)] with x₀ = a/(a + b), y₀ = b/(a + b), for max(a, b) ≥ 10. */
export function logPrefixAtMean(a: number, b: number): number {
  const sum = a + b;
  if (a >= STIRLING_MIN && b >= STIRLING_MIN) {
    const small = Math.min(a, b);
    const large = Math.max(a, b);
    return 0.5 * Math.log(small * (large / sum)) - LN_SQRT_2PI - delta(a) -
      delta(b) + delta(sum);
  }
  // One parameter below the Stirling range: keep its ln Γ exact.
  const small = Math.min(a, b);
  const large = Math.max(a, b);
  return small * Math.log(small) - small - logGamma(small) -
    0.5 * Math.log1p(small / large) +
    delta(sum) - delta(large);
}

/** ln(1 − x), from whichever of x and 1 − x is exact. */
export function logOneMinus(x: number): number {
  return x > 0.5 ? Math.log(1 - x) : Math.log1p(-x);
}

/**
 * ln[x^a (1 − x)^b / B(a, b)] for 0 < x < 1, a > 0, b > 0, given
 * `lambda` = a − (a + b)x from `betaLambda`.
 */
export function logBetaPrefix(
  x: number,
  a: number,
  b: number,
  lambda: number,
): number {
  if (a < STIRLING_MIN && b < STIRLING_MIN) {
    return a * Math.log(x) + b * logOneMinus(x) - logBetaSmall(a, b);
  }
  logPrefixExcess(x, a, b, lambda);
  return logPrefixAtMean(a, b) + excessTerms.lower + excessTerms.upper;
}

/**
 * The two terms of the last `logPrefixExcess`, a·ln(x/x₀) and
 * b·ln((1 − x)/y₀), so that a caller can add them to ln[x₀^a y₀^b / B(a, b)]
 * one at a time (in the same order, and with the same rounding, as
 * `logBetaPrefix`). A shared record: nothing is allocated.
 */
export const excessTerms = { lower: -0.5, upper: -0.5 }; // doubles from the start

/**
 * a·ln(x/x₀) + b·ln((1 − x)/y₀) ≤ 0 with x₀ = a/(a + b), y₀ = 1 − x₀: the
 * part of the prefix that depends on x, as a sum of two terms ≤ 0. Given
 * `lambda` = a − (a + b)x from `betaLambda`.
 */
export function logPrefixExcess(
  x: number,
  a: number,
  b: number,
  lambda: number,
): number {
  const sum = a + b;
  // x/x₀ = 1 + e₁ and (1 − x)/y₀ = 1 + e₂; the direct ratios are used when
  // x (or 1 − x) lies far below x₀ (y₀), and are exact inputs there.
  const e1 = -lambda / a;
  const e2 = lambda / b;
  const lower = a * logRatioMinusExcess(e1, () => (x * sum) / a);
  const upper = b * logRatioMinusExcess(e2, () => ((1 - x) * sum) / b);
  excessTerms.lower = lower;
  excessTerms.upper = upper;
  return lower + upper;
}
