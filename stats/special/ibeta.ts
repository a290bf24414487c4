/**
 * The regularized incomplete beta function I_x(a, b), its complement and its
 * logarithm.
 *
 * Each call computes one tail T = exp(logScale)·factor: the scale is the
 * prefix x^a (1 − x)^b / B(a, b) in log space (`logBetaPrefix`, free of
 * cancellation for large a, b, and finite where T underflows), the factor
 * comes from a power series (small b·x) or a continued fraction. The tail is
 * the one on the side of x away from (a + 1)/(a + b + 2), where the fraction
 * converges fast and T is (roughly) the smaller tail, so the other one is
 * 1 − T without loss. Near the mean of large a, b, where the fraction needs
 * O(√(a·b/(a + b))) steps, Temme's uniform asymptotic expansion
 * (`betaAsymptotic`) replaces it.
 */
import { betaFraction } from "./beta_fraction.ts";
import {
  excessTerms,
  logBetaPrefix,
  logOneMinus,
  logPrefixAtMean,
  logPrefixExcess,
} from "./beta_prefix.ts";
import {
  asymptoticFits,
  betaAsymptotic,
  MIN_SHAPE,
} from "./beta_asymptotic.ts";
import { betaSeries } from "./beta_series.ts";
import { logBetaSmallShape, smallShapeSeriesFits } from "./beta_small_shape.ts";
import { betaLambda } from "./exact_arithmetic.ts";
import { logBetaSmall, STIRLING_MIN } from "./log_gamma.ts";
import { checkShape, checkUnit } from "../validate.ts";

/** Where the power series converges fast: b·x ≤ 0.7 and x ≤ 0.7. */
function seriesFits(x: number, b: number): boolean {
  return b * x <= 0.7 && x <= 0.7;
}

/**
 * True when x lies above (a + 1)/(a + b + 2): then the upper tail 1 − I is
 * the one computed (as I_{1−x}(b, a)), else the lower tail I. Decided on the
 * exact λ = a − (a + b)x, as x(a + b + 2) > a + 1 ⇔ λ < 2x − 1: for huge a, b
 * the rounding of x·(a + b + 2) exceeds the distance to the mean and would
 * pick the tail on the wrong side (a negative fraction, NaN).
 */
function upperTail(x: number, lambda: number): boolean {
  return lambda < 2 * x - 1;
}

/**
 * The tail chosen by `upperTail` as T = exp(logScale) · factor: the prefix
 * stays in log space (it may underflow), the factor is of moderate size.
 * One shared record, overwritten by each call, so that nothing is allocated.
 */
const tail = { logScale: 0.5, factor: 0.5 }; // doubles from the start: stable field types

/**
 * Computes `tail` for 0 < x < 1, given λ = a − (a + b)x. The arguments are
 * oriented so that xo lies below its mean: (xo, ao, bo) = (x, a, b) for the
 * lower tail and (1 − x, b, a) for the upper one.
 */
function computeTail(
  x: number,
  a: number,
  b: number,
  lambda: number,
  upper: boolean,
): void {
  const y = 1 - x; // exact for x ≥ 0.5; for x < 0.5 only used where rounding is harmless
  const xo = upper ? y : x;
  const yo = upper ? x : y;
  const ao = upper ? b : a;
  const bo = upper ? a : b;
  if (smallShapeSeriesFits(xo, ao, bo)) {
    // x^a·… close to 1: ln T itself is accurate, so 1 − T is too. xo is exact:
    // it is x, or 1 − x with x ≥ 0.5.
    tail.logScale = logBetaSmallShape(xo, ao, bo);
    tail.factor = 1;
  } else if (seriesFits(xo, bo)) {
    // The series needs x^a/B(a, b): for small a, b directly, else the prefix
    // divided by (1 − x)^b, which keeps the cancellation-free form.
    tail.logScale = a < STIRLING_MIN && b < STIRLING_MIN
      ? ao * (upper ? logOneMinus(x) : Math.log(x)) - logBetaSmall(a, b)
      : logBetaPrefix(x, a, b, lambda) -
        bo * (upper ? Math.log(x) : logOneMinus(x));
    tail.factor = betaSeries(xo, ao, bo);
  } else if (smallShapeSeriesFits(yo, bo, ao) && ao * yo <= 2) {
    // The other tail, with bo < 1, is close to 1 and its logarithm comes from
    // terms of order bo (absolute error about bo·ε·e^(ao·yo)), while this tail
    // is about bo·E₁(ao·yo) or more: for ao·yo ≤ 2, 1 − it loses at most a
    // factor 150 to rounding. yo is exact: x, or 1 − x with x ≥ 0.5.
    tail.logScale = 0;
    tail.factor = -Math.expm1(logBetaSmallShape(yo, bo, ao));
  } else if (seriesFits(yo, ao)) {
    const prefix = logBetaPrefix(x, a, b, lambda);
    // The other tail by its series; it is not close to 1 here, so 1 − it is accurate.
    const lnXo = upper ? logOneMinus(x) : Math.log(x);
    tail.logScale = 0;
    tail.factor = -Math.expm1(
      Math.log(betaSeries(yo, bo, ao)) + prefix - ao * lnXo,
    );
  } else {
    const lambdaO = upper ? -lambda : lambda; // ao − (ao + bo)·xo
    if (Math.min(a, b) >= MIN_SHAPE) {
      const exponent = logPrefixExcess(x, a, b, lambda);
      if (asymptoticFits(a, b, exponent)) {
        tail.logScale = exponent;
        tail.factor = betaAsymptotic(ao, bo, exponent, lambdaO > 0);
        return;
      }
      // As logBetaPrefix adds them: the same result to the last bit.
      tail.logScale = logPrefixAtMean(a, b) + excessTerms.lower +
        excessTerms.upper;
    } else {
      tail.logScale = logBetaPrefix(x, a, b, lambda);
    }
    tail.factor = betaFraction(xo, ao, bo, lambdaO);
  }
}

/** ln T of the last `computeTail`. */
function logTailValue(): number {
  return tail.logScale + Math.log(tail.factor);
}

/** T of the last `computeTail`, without a logarithm where exp cannot underflow. */
function tailValue(): number {
  return tail.logScale > -700
    ? Math.exp(tail.logScale) * tail.factor
    : Math.exp(logTailValue());
}

function checkArguments(x: number, a: number, b: number): void {
  checkUnit("x", x);
  checkShape("a", a);
  checkShape("b", b);
}

/** Rounding can carry a probability a few ulps past 0 or 1. */
function clampUnit(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** ln(1 − e^t) for t ≤ 0, accurate at both ends. */
function logOneMinusExp(t: number): number {
  return t > -Math.LN2 ? Math.log(-Math.expm1(t)) : Math.log1p(-Math.exp(t));
}

/**
 * The regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b):
 * the probability that a Beta(a, b) variable is at most x. Relative error
 * below 2e-13 against mpmath wherever the value is at least 1e-300, for a, b
 * in [1e-2, 1e7] and in the limits regime (b up to 1e13); outside that domain
 * results are best effort. Below 1e-2 the error grows like 1e-16/min(a, b)
 * (measured: 8e-13 at 1e-3, 2e-11 at 1e-4, 6e-8 at 1e-8), and for a shape
 * below about 1e-12 the result, and that of `ibetac` and `logIbeta`, may be
 * meaningless, or NaN (seen from 8e-15 down).
 *
 * @param x point in [0, 1]
 * @param a first shape parameter, in (0, 1e50]
 * @param b second shape parameter, in (0, 1e50]
 * @throws {RangeError} if an argument is NaN or outside its range
 * @example
 * ```ts
 * import { ibeta } from "memlimits/stats";
 * console.log(ibeta(0.5, 2, 3)); // 0.6875
 * ```
 */
export function ibeta(x: number, a: number, b: number): number {
  checkArguments(x, a, b);
  if (x === 0) return 0;
  if (x === 1) return 1;
  const lambda = betaLambda(x, a, b); // a − (a + b)x, exact but for one rounding
  const upper = upperTail(x, lambda);
  computeTail(x, a, b, lambda, upper);
  return clampUnit(upper ? -Math.expm1(logTailValue()) : tailValue());
}

/**
 * The complement 1 − I_x(a, b) = I_{1−x}(b, a), accurate (relative) where
 * I_x(a, b) is close to 1.
 *
 * @param x point in [0, 1]
 * @param a first shape parameter, in (0, 1e50]
 * @param b second shape parameter, in (0, 1e50]
 * @throws {RangeError} if an argument is NaN or outside its range
 * @example
 * ```ts
 * import { ibetac } from "memlimits/stats";
 * console.log(ibetac(0.5, 2, 3)); // 0.3125
 * console.log(ibetac(1e-3, 1, 20)); // 0.98017… = (1 − 1e-3)^20
 * ```
 */
export function ibetac(x: number, a: number, b: number): number {
  checkArguments(x, a, b);
  if (x === 0) return 1;
  if (x === 1) return 0;
  const lambda = betaLambda(x, a, b); // a − (a + b)x, exact but for one rounding
  const upper = upperTail(x, lambda);
  computeTail(x, a, b, lambda, upper);
  return clampUnit(upper ? tailValue() : -Math.expm1(logTailValue()));
}

/**
 * ln I_x(a, b), finite and accurate even where I_x(a, b) underflows (for
 * example the probability of a very unlikely early interrupt).
 *
 * @param x point in [0, 1]
 * @param a first shape parameter, in (0, 1e50]
 * @param b second shape parameter, in (0, 1e50]
 * @returns ln I_x(a, b); −Infinity at x = 0
 * @throws {RangeError} if an argument is NaN or outside its range
 * @example
 * ```ts
 * import { logIbeta } from "memlimits/stats";
 * console.log(logIbeta(1e-4, 1000, 10)); // ≈ -9160.93, though I itself underflows to 0
 * ```
 */
export function logIbeta(x: number, a: number, b: number): number {
  checkArguments(x, a, b);
  if (x === 0) return -Infinity;
  if (x === 1) return 0;
  const lambda = betaLambda(x, a, b); // a − (a + b)x, exact but for one rounding
  const upper = upperTail(x, lambda);
  computeTail(x, a, b, lambda, upper);
  const logT = Math.min(0, logTailValue());
  return upper ? logOneMinusExp(logT) : logT;
}
