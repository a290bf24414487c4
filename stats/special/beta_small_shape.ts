/**
 * ln I_x(a, b) by the power series when a < 1 and b ≥ 10: the case where
 * I_x(a, b) can be close to 1 although x is small (most of the mass of a
 * Beta(a, b) with small a sits near 0), so that 1 − I_x(a, b) must come from
 * ln I_x(a, b) with a small absolute error.
 *
 *   I_x(a, b) = x^a / (a·B(a, b)) · (1 + a·Σ_{j≥1} (1 − b)_j x^j / (j!·(a + j)))
 *
 * and ln[x^a/(a·B(a, b))] is assembled from terms that are all of the order
 * of a or 1/b, none of them cancelling:
 *   a·ln(x·b) − ln Γ(1 + a) + (a − ½)·log1p(a/b) + b·log1pmx(a/b) − δ(b) + δ(a + b),
 * using ln Γ(b) − ln Γ(a + b) = −a·ln b − (a − ½)·log1p(a/b) − b·log1pmx(a/b)
 * + δ(b) − δ(a + b) (Stirling's formula for both, δ its remainder).
 */
import { log1pmx } from "./log1pmx.ts";
import { logGammaOnePlus, stirlingRemainder as delta } from "./log_gamma.ts";

/** Where this series applies with little cancellation: a < 1, b ≥ 10, b·x ≤ 5, x ≤ 0.5. */
export function smallShapeSeriesFits(x: number, a: number, b: number): boolean {
  return a < 1 && b >= 10 && b * x <= 5 && x <= 0.5;
}

/** ln I_x(a, b) for arguments where `smallShapeSeriesFits` holds (x exact). */
export function logBetaSmallShape(x: number, a: number, b: number): number {
  const ratio = a / b;
  const logScale = a * Math.log(x * b) - logGammaOnePlus(a) +
    (a - 0.5) * Math.log1p(ratio) + b * log1pmx(ratio) - delta(b) +
    delta(a + b);
  let coefficient = 1; // (1 − b)_j x^j / j!
  let sum = 0;
  for (let j = 1; j < 1000; j++) {
    coefficient *= ((j - b) * x) / j;
    const term = coefficient / (a + j);
    sum += term;
    if (Math.abs(a * term) <= 1e-17 * Math.abs(1 + a * sum)) break;
  }
  return logScale + Math.log1p(a * sum);
}
