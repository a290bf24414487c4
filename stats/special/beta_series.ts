/**
 * Power series for the incomplete beta function, for small b·x:
 *   I_x(a, b) = x^a / (a·B(a, b)) · [1 + a·Σ_{j≥1} (1 − b)_j x^j / (j!·(a + j))].
 * The terms are bounded by (b·x)^j / j! and by x^j, so for b·x ≤ 0.7 and
 * x ≤ 0.7 the sum converges in at most ~110 terms without cancellation.
 */

/** The bracketed sum divided by a: I_x(a, b) = x^a/B(a, b) · result. */
export function betaSeries(x: number, a: number, b: number): number {
  let coefficient = 1; // (1 − b)_j x^j / j!
  let sum = 1;
  for (let j = 1; j < 2000; j++) {
    coefficient *= ((j - b) * x) / j;
    const term = (a * coefficient) / (a + j);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return sum / a;
}
