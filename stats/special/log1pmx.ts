/**
 * log1pmx(x) = ln(1 + x) − x for x > −1, to full relative precision.
 *
 * Near 0 the two terms cancel, so for −0.5 ≤ x ≤ 1 it uses
 * ln(1 + x) = 2·atanh(s) with s = x / (2 + x); then 2s − x = −s·x exactly in
 * exact arithmetic, and the rest is the odd series 2(s³/3 + s⁵/5 + …), whose
 * terms shrink by s² ≤ 1/9. Elsewhere the direct difference loses at most a
 * factor 5 in relative error.
 */
// 1/(2j + 3) for j = 0, 1, …: the odd-series coefficients, as products.
const RECIPROCAL_ODD = Array.from({ length: 40 }, (_, j) => 1 / (2 * j + 3));

export function log1pmx(x: number): number {
  if (x === Infinity) return -Infinity;
  if (x < -0.5 || x > 1) return Math.log1p(x) - x;
  const s = x / (2 + x);
  const s2 = s * s;
  let power = s * s2;
  let series = 0;
  for (let j = 0; j < RECIPROCAL_ODD.length; j++) {
    const term = power * RECIPROCAL_ODD[j];
    series += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(series)) break;
    power *= s2;
  }
  return 2 * series - s * x;
}
