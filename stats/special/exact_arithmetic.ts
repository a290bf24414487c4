/**
 * Error-free transformations (Knuth's two-sum, Dekker's two-product): a sum or
 * product as an unevaluated pair hi + lo that is exact. Used where one rounding
 * would be amplified, as in a − (a + b)·x near the mean of a beta distribution.
 */

const SPLITTER = 134217729; // 2^27 + 1, splits a double into two 26-bit halves

/** The rounding error of `hi = a + b`: a + b = hi + result exactly. */
export function sumError(a: number, b: number, hi: number): number {
  const bVirtual = hi - a;
  const aVirtual = hi - bVirtual;
  return (a - aVirtual) + (b - bVirtual);
}

/** The rounding error of `hi = a * b`: a·b = hi + result exactly (no overflow). */
export function productError(a: number, b: number, hi: number): number {
  const ca = SPLITTER * a;
  const aHi = ca - (ca - a);
  const aLo = a - aHi;
  const cb = SPLITTER * b;
  const bHi = cb - (cb - b);
  const bLo = b - bHi;
  return ((aHi * bHi - hi) + aHi * bLo + aLo * bHi) + aLo * bLo;
}

/** a − (a + b)·x with one final rounding in the common cases (x in [0, 1]). */
export function betaLambda(x: number, a: number, b: number): number {
  const sum = a + b;
  const sumLo = sumError(a, b, sum);
  const product = sum * x;
  const productLo = productError(sum, x, product);
  return ((a - product) - productLo) - sumLo * x;
}
