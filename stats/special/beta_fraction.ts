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
 *
 * Speed: the tail T = β₁ + α₂/(β₂ + α₃/(β₃ + …)) is scaled by the denominators
 * D_m = (a + 2m)(a + 2m + 1)(a + 2m + 2) of β_m (an equivalence transformation),
 * which leaves polynomial partial numerators and denominators, and is summed by
 * the forward recurrence for its convergents, renormalised every step: one
 * division per step.
 */

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
  const sum = a + b;
  // β_m·D_m: the numerator of 1 + d_{2m+1} + d_{2m+2}, without cancellation.
  const scaledBeta = (m: number): number => {
    const a2m = a + 2 * m;
    const oddNumerator = a * (3 * m + 1) + m * (4 * m + 2) - m * x * (a + m) +
      (a + m) * lambda;
    return oddNumerator * (a2m + 2) + (m + 1) * (b - m - 1) * x * a2m;
  };
  // α_m·D_{m−1}·D_m with α_m = −d_{2m} d_{2m+1}: the common factors cancel.
  const scaledAlpha = (m: number): number => {
    const a2m = a + 2 * m;
    return m * (b - m) * x * x * (a + m) * (sum + m) * (a2m + 2) * (a2m - 2);
  };
  // Convergents p/q of D₁·T, renormalised so that q = 1 after every step.
  let pPrevious = 1;
  let qPrevious = 0;
  let p = scaledBeta(1);
  for (let m = 2; m < 1_000_000; m++) {
    const am = scaledAlpha(m);
    const bm = scaledBeta(m);
    const scale = 1 / (bm + am * qPrevious);
    const next = (bm * p + am * pPrevious) * scale;
    pPrevious = p * scale;
    qPrevious = scale;
    const previous = p;
    p = next;
    if (Math.abs(p - previous) <= 2e-16 * Math.abs(p)) break;
  }
  const tail = p / ((a + 2) * (a + 3) * (a + 4)); // T = (D₁·T)/D₁
  // The first two levels: with G = 1 + d₂ − d₂d₃/T the fraction is
  // 1/(1 + d₁/G) = G/(G + d₁), and G + d₁ = β₀ − d₂d₃/T has no cancellation.
  const d2 = ((b - 1) * x) / ((a + 1) * (a + 2));
  const minusD2D3 = (d2 * (a + 1) * (sum + 1) * x) / ((a + 2) * (a + 3));
  const beta0 = (1 + lambda) / (a + 1) + d2;
  const inner = minusD2D3 / tail;
  return (1 + d2 + inner) / (beta0 + inner) / a;
}
