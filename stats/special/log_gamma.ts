/**
 * ln Γ for positive arguments, split so that callers can cancel the large
 * Stirling terms analytically instead of numerically.
 */

/** ln √(2π). */
export const LN_SQRT_2PI = 0.91893853320467274178;

// B_{2k} / (2k (2k − 1)) for k = 1..9: the Stirling series coefficients.
const STIRLING = [
  1 / 12,
  -1 / 360,
  1 / 1260,
  -1 / 1680,
  1 / 1188,
  -691 / 360360,
  1 / 156,
  -3617 / 122400,
  43867 / 244188,
];

/** Below this, ln Γ is shifted up by the recurrence Γ(z + 1) = z·Γ(z). */
export const STIRLING_MIN = 10;

/**
 * The Stirling remainder δ(z) = ln Γ(z) − [(z − ½) ln z − z + ln √(2π)],
 * for z ≥ 10 (absolute error below 1e-18 there).
 */
export function stirlingRemainder(z: number): number {
  // Fewer terms suffice for larger z: the first omitted term stays below 1e-19.
  const terms = z >= 1e4 ? 2 : z >= 200 ? 3 : z >= 40 ? 5 : STIRLING.length;
  const inv2 = 1 / (z * z);
  let sum = 0;
  for (let k = terms - 1; k >= 0; k--) sum = sum * inv2 + STIRLING[k];
  return sum / z;
}

// h(t) = ln Γ(z) / ((z − 1)(z − 2)) with t = 2z − 3, on z in [1, 2]: a
// Chebyshev fit by stats/special/log_gamma_fit.py (mpmath 1.3, 50 digits),
// monomial coefficients in t, highest degree first; relative error below 1e-17.
const LOG_GAMMA_1_2 = [
  -3.700571132904742628e-12,
  1.1577613910649687619e-11,
  -1.5936042537298722884e-11,
  5.0300670906054816842e-11,
  -2.0753229542163659654e-10,
  6.5655031582107998952e-10,
  -2.0184741279133344446e-9,
  6.430366506216791786e-9,
  -2.0619851263731666938e-8,
  6.6238705716423163036e-8,
  -2.1386380605280232526e-7,
  6.9484283937040618593e-7,
  -2.2742472358027586281e-6,
  7.5113918468379532734e-6,
  -2.5094328700900634119e-5,
  8.5100903736344760051e-5,
  -2.9455070151643118115e-4,
  1.0498186644546350183e-3,
  -3.9135609376263309922e-3,
  1.5727850268641098007e-2,
  -7.2979947957153041299e-2,
  4.8312895054098088995e-1,
];

/** ln Γ(z) for 1 ≤ z ≤ 2, with full relative precision near the zeros 1 and 2. */
function logGammaOneToTwo(z: number): number {
  const t = 2 * z - 3;
  let h = 0;
  for (let i = 0; i < LOG_GAMMA_1_2.length; i++) h = h * t + LOG_GAMMA_1_2[i];
  return (z - 1) * (z - 2) * h;
}

/**
 * ln Γ(1 + s) for 0 ≤ s ≤ 1, from s itself: 1 + s would round, and near
 * s = 0 (where ln Γ(1 + s) ≈ −γs) that rounding would be the whole error.
 */
export function logGammaOnePlus(s: number): number {
  const t = 2 * s - 1;
  let h = 0;
  for (let i = 0; i < LOG_GAMMA_1_2.length; i++) h = h * t + LOG_GAMMA_1_2[i];
  return s * (s - 1) * h;
}

/**
 * The recurrence factor of the last `reduceToOneTwo` (a shared record, so
 * that nothing is allocated).
 */
const reduction = { factor: 0.5 }; // a double from the start: stable field type

/** Returns z′ in [1, 2] with Γ(z) = Γ(z′)·factor, and stores the factor. */
function reduceToOneTwo(z: number): number {
  let factor = 1;
  let shifted = z;
  if (shifted < 1) {
    factor = 1 / shifted; // Γ(z) = Γ(z + 1)/z
    shifted += 1;
  }
  while (shifted > 2) {
    shifted -= 1;
    factor *= shifted; // Γ(z) = (z − 1)·Γ(z − 1)
  }
  reduction.factor = factor;
  return shifted;
}

/**
 * ln Γ(z) for z > 0. Stirling's series from 10 up; below, the recurrence
 * Γ(z + 1) = z·Γ(z) moves z into [1, 2], where a polynomial takes over.
 */
export function logGamma(z: number): number {
  if (z >= STIRLING_MIN) {
    return (z - 0.5) * Math.log(z) - z + LN_SQRT_2PI + stirlingRemainder(z);
  }
  const reduced = reduceToOneTwo(z);
  return logGammaOneToTwo(reduced) + Math.log(reduction.factor);
}

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b) for a, b below 10, with the
 * three recurrence factors combined under a single logarithm.
 */
export function logBetaSmall(a: number, b: number): number {
  const ra = reduceToOneTwo(a);
  const fa = reduction.factor;
  const rb = reduceToOneTwo(b);
  const fb = reduction.factor;
  const rc = reduceToOneTwo(a + b);
  const fc = reduction.factor;
  return logGammaOneToTwo(ra) + logGammaOneToTwo(rb) - logGammaOneToTwo(rc) +
    Math.log((fa * fb) / fc);
}
