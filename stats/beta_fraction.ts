/**
 * Continued fraction for the incomplete beta function (the classical one,
 * e.g. Abramowitz & Stegun 26.5.8):
 *   I_x(a, b) = x^a (1 − x)^b / (a·B(a, b)) · 1/(1 + d₁/(1 + d₂/(1 + …)))
 *   d_{2m+1} = −(a + m)(a + b + m)·x / ((a + 2m)(a + 2m + 1))
 *   d_{2m}   =  m(b − m)·x / ((a + 2m − 1)(a + 2m))
 * evaluated forward with the modified Lentz method. It converges quickly for
 * x below the mean; near the mean it needs O(√(a + b)) terms.
 */

const TINY = 1e-300;

function nonZero(value: number): number {
  return Math.abs(value) < TINY ? TINY : value;
}

/** ln of the fraction divided by a: I_x(a, b) = prefix · exp(result). */
export function logBetaFraction(x: number, a: number, b: number): number {
  const sum = a + b;
  let c = 1;
  let d = 1 / nonZero(1 - (sum * x) / (a + 1));
  let value = d;
  for (let m = 1; m < 1_000_000; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 / nonZero(1 + even * d);
    c = nonZero(1 + even / c);
    value *= d * c;
    const odd = (-(a + m) * (sum + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 / nonZero(1 + odd * d);
    c = nonZero(1 + odd / c);
    const step = d * c;
    value *= step;
    if (Math.abs(step - 1) <= 1e-16) break;
  }
  return Math.log(value / a);
}
