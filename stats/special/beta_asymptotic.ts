/**
 * Temme's uniform asymptotic expansion of I_x(a, b) for large a and b near
 * the mean x₀ = a/(a + b), where the continued fraction needs
 * O(√(a·b/(a + b))) steps. After N. M. Temme ("Asymptotic inversion of the
 * incomplete beta function", 1992; "Special functions", 1996); DiDonato &
 * Morris (ACM TOMS 708, BASYM) use an expansion of this kind.
 *
 * Derivation. With r = a + b, y₀ = 1 − x₀ and s = t − x₀, substitute ζ for t
 * by t^a (1 − t)^b = x₀^a y₀^b · e^(−r·ζ²/2), sign ζ = sign s. Then
 * dt/(t(1 − t)) = (ζ/s) dζ and
 *   I_x(a, b) = x₀^a y₀^b / B(a, b) · ∫_{−∞}^{η} e^(−r·ζ²/2) (ζ/s) dζ,
 * where −r·η²/2 = a·ln(x/x₀) + b·ln((1 − x)/y₀) is the x-dependent part of
 * the prefix (`logPrefixExcess`, computed without cancellation). In the
 * scaled variables ξ = √r·ζ and ŝ = √r·s/√(x₀y₀) the substitution obeys
 *   ½·d(ŝ²)/dξ = ξ·(1 + κ·ŝ − ŝ²/r),   κ = (b − a)/√(a·b·r),
 * so the power series ŝ = ξ + S₂ξ² + S₃ξ³ + … follows coefficient by
 * coefficient, and F = ξ/ŝ = 1 + F₁ξ + F₂ξ² + … by series division. With
 * z = √r·η (about the distance from the mean in standard deviations),
 *   ∫_{−∞}^{z} ξⁿ e^(−ξ²/2) dξ = e^(−z²/2)·bₙ(z) + [n even]·(n − 1)!!·√(2π)·½erfc(−z/√2),
 *   b₀ = 0, b₁ = −1, bₙ = −z^(n−1) + (n − 1)·b_{n−2}.
 * The erfc parts of all terms add up to a constant times ½erfc(−z/√2); as
 * x → 1 the integral must give I = 1, so that constant is 1 (to all orders
 * of the expansion; taking it as exactly 1 is Temme's form), and
 *   I_x(a, b) = ½erfc(−z/√2) + G/√(2π) · e^(−z²/2) · Σ_{n≥1} Fₙ·bₙ(z),
 * with G = x₀^a y₀^b/B(a, b) · √(2π/(r·x₀y₀)) = exp(δ(r) − δ(a) − δ(b)) (δ the
 * Stirling remainder). Fₙ shrinks like (c/√min(a, b))ⁿ and |bₙ(z)| grows like
 * max(|z|, √n)^(n−1), so the sum converges fast for large min(a, b) and
 * moderate |z|; `asymptoticFits` keeps to where that is also faster than the
 * continued fraction.
 */
import { erfcx } from "./erfcx.ts";
import { stirlingRemainder as delta } from "./log_gamma.ts";

/** At most this many terms Fₙ·bₙ; `asymptoticFits` keeps well inside. */
const MAX_TERMS = 40;
const INV_SQRT_2PI = 0.3989422804014326779;

// Series coefficients, reused by every call (nothing is allocated):
const shat = new Float64Array(MAX_TERMS + 2); // ŝ = Σ Sₙ ξⁿ
const square = new Float64Array(MAX_TERMS + 3); // ŝ² = Σ Qₙ ξⁿ
const ratio = new Float64Array(MAX_TERMS + 1); // F = ξ/ŝ = Σ Fₙ ξⁿ

/** Below this min(a, b) the continued fraction is about as fast, and the expansion needs more terms. */
export const MIN_SHAPE = 500;

/**
 * Whether to use the expansion, given min(a, b) ≥ `MIN_SHAPE` and
 * `exponent` = −z²/2: where it is faster than the continued fraction, whose
 * cost grows towards the mean with the shapes. The bounds on z² are the
 * measured break-even points (bench/RESULTS.md, "ibeta vs jStat"): |z| ≤ 3
 * for min(a, b) < 2000, 5 below 1e4, 6 from there on. There the terms shrink
 * by a factor of 5 or more per step (measured), so stopping once two
 * consecutive terms are below 1e-15 of the leading one leaves a truncation
 * error far below 1e-13 (checked against mpmath in
 * test/stats/special/beta_asymptotic_test.ts: errors at most 1e-14).
 */
export function asymptoticFits(
  a: number,
  b: number,
  exponent: number,
): boolean {
  const small = a < b ? a : b;
  const zSquared = -2 * exponent;
  return zSquared <= (small >= 1e4 ? 36 : small >= 2000 ? 25 : 9);
}

/**
 * The tail I_x(a, b) = e^exponent · result, for x on either side of the
 * mean; `exponent` = a·ln(x/x₀) + b·ln((1 − x)/y₀) ≤ 0 and `below` tells
 * whether x < x₀.
 */
export function betaAsymptotic(
  a: number,
  b: number,
  exponent: number,
  below: boolean,
): number {
  const sum = a + b;
  const kappa = (b - a) / Math.sqrt(a * b * sum);
  const inverseSum = 1 / sum;
  const zAbs = Math.sqrt(-2 * exponent);
  const z = below ? -zAbs : zAbs;
  const leading = 0.5 * erfcx(-z * Math.SQRT1_2);
  shat[1] = 1;
  square[1] = 0;
  square[2] = 1;
  ratio[0] = 1;
  let series = 0;
  let previousTerm = Infinity;
  let bPrevious = 0; // b_{n−2}
  let bCurrent = 0; // b_{n−1}, starting from b₀
  let zPower = 1; // z^(n−1)
  for (let n = 1; n <= MAX_TERMS; n++) {
    // S_{n+1} from ½·d(ŝ²)/dξ = ξ(1 + κŝ − ŝ²/r) at order ξ^(n+1).
    const m = n + 1;
    let half = 0; // Σ_{i=2}^{m−1} S_i S_{m+1−i} = 2·half (+ the middle term)
    let i = 2;
    for (let j = m - 1; i < j; i++, j--) half += shat[i] * shat[j];
    const cross = i === m - i + 1 ? 2 * half + shat[i] * shat[i] : 2 * half;
    shat[m] =
      ((kappa * shat[m - 1] - inverseSum * square[m - 1]) * 2 / (m + 1) -
        cross) / 2;
    square[m + 1] = 2 * shat[m] + cross;
    // F_n from F·(ŝ/ξ) = 1.
    let f = 0;
    for (let k = 1; k <= n; k++) f -= shat[k + 1] * ratio[n - k];
    ratio[n] = f;
    // b_n = −z^(n−1) + (n − 1)·b_{n−2}
    let bn: number;
    if (n === 1) {
      bn = -1;
    } else {
      zPower *= z;
      bn = -zPower + (n - 1) * bPrevious;
    }
    bPrevious = bCurrent;
    bCurrent = bn;
    const term = f * bn;
    series += term;
    const size = Math.abs(term) + Math.abs(previousTerm);
    if (size <= 1e-15 * leading) break;
    previousTerm = term;
  }
  // G = e^d with |d| < 1/(12·min(a, b)) ≤ 2e-4: five Taylor terms suffice.
  const d = delta(sum) - delta(a) - delta(b);
  const g = 1 + d * (1 + d * (0.5 + d * (1 / 6 + d / 24)));
  return leading + g * INV_SQRT_2PI * series;
}
