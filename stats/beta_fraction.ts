/**
 * Continued fraction for the incomplete beta function, below the mean.
 *
 * The classical fraction (Abramowitz & Stegun 26.5.8) is
 *   I_x(a, b) = x^a (1 − x)^b / (a·B(a, b)) · 1/(1 + d₁/(1 + d₂/(1 + …)))
 *   d_{2m+1} = −(a + m)(a + b + m)·x / ((a + 2m)(a + 2m + 1))
 *   d_{2m}   =  m(b − m)·x / ((a + 2m − 1)(a + 2m)).
 * Near the mean, 1 + d_{2m+1} is a small difference of two large terms and
 * takes the rounding error of x (of 1 − x, when the caller swapped tails) with
 * it. So we evaluate its even contraction
 *   1 + d₁/(1 + d₂ − d₂d₃/(β₁ − d₄d₅/(β₂ − …))),   β_m = 1 + d_{2m+1} + d_{2m+2},
 * and write 1 + d_{2m+1} through λ = a − (a + b)x (computed exactly by the
 * caller), which removes the cancellation: with x(a + b) = a − λ,
 *   (a + 2m)(a + 2m + 1)(1 + d_{2m+1}) = a(3m + 1) + m(4m + 2) − m·x(a + m) + (a + m)λ.
 * DiDonato & Morris (TOMS 708, BFRAC) use the same idea. The contraction also
 * halves the number of steps; near the mean O(√(a + b)) steps remain.
 */

const TINY = 1e-300;

function nonZero(value: number): number {
  return Math.abs(value) < TINY ? TINY : value;
}

/**
 * The fraction divided by a: I_x(a, b) = x^a (1 − x)^b / B(a, b) · result.
 * Requires x below about (a + 1)/(a + b + 2) and λ = a − (a + b)x.
 */
export function betaFraction(
  x: number,
  a: number,
  b: number,
  lambda: number,
): number {
  // β_m = 1 + d_{2m+1} + d_{2m+2} over one common denominator, without cancellation.
  const beta = (m: number): number => {
    const a2m = a + 2 * m;
    const oddNumerator = a * (3 * m + 1) + m * (4 * m + 2) - m * x * (a + m) +
      (a + m) * lambda;
    return (oddNumerator * (a2m + 2) + (m + 1) * (b - m - 1) * x * a2m) /
      (a2m * (a2m + 1) * (a2m + 2));
  };
  // α_m = −d_{2m} d_{2m+1}, a product without cancellation.
  const sum = a + b;
  const alpha = (m: number): number => {
    const a2m = a + 2 * m;
    return (m * (b - m) * x * (a + m) * (sum + m) * x) /
      ((a2m - 1) * a2m * a2m * (a2m + 1));
  };
  // T = β₁ + α₂/(β₂ + α₃/(β₃ + …)) by the modified Lentz method.
  let tail = nonZero(beta(1));
  let c = tail;
  let d = 0;
  for (let m = 2; m < 1_000_000; m++) {
    const am = alpha(m);
    const bm = beta(m);
    d = 1 / nonZero(bm + am * d);
    c = nonZero(bm + am / c);
    const step = c * d;
    tail *= step;
    if (Math.abs(step - 1) <= 2e-16) break;
  }
  const onePlusD2 = 1 + ((b - 1) * x) / ((a + 1) * (a + 2));
  const inner = alpha(1) / tail;
  // 1/(1 + d₁/G) = G/(G + d₁), and G + d₁ = β₀ + α₁/T computed without cancellation.
  const value = (onePlusD2 + inner) / (beta(0) + inner);
  return value / a;
}
