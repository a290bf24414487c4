/**
 * The scaled complementary error function erfcx(u) = e^(u²)·erfc(u), with
 * full relative precision for every real u: erfc itself underflows for
 * u > 26.5, erfcx decays only like 1/(u√π).
 */

import { productError } from "./exact_arithmetic.ts";

/** The map t = (u − K)/(u + K) takes u in [0, ∞) to t in [−1, 1). */
const K = 4;

// g(t) = (1 + 2u)·erfcx(u): about 1 everywhere, 2/√π at u = ∞. A Chebyshev
// fit by stats/special/erfcx_fit.py (mpmath 1.3, 40 digits), monomial
// coefficients in t, highest degree first; relative error below 2e-16 in
// double precision.
const SCALED_ERFCX = [
  9.6554082254828637367e-10,
  1.5712153638319063724e-9,
  -1.2544825403855518735e-8,
  -1.6357383982124767985e-8,
  1.0683442926744586494e-7,
  7.1119124280104234826e-8,
  -8.2180206548130447976e-7,
  2.9805960553227688556e-7,
  5.7072395736932574265e-6,
  -1.1225140354449656911e-5,
  -2.4398117942079950952e-5,
  1.506231178516206954e-4,
  -1.9925700412184813999e-4,
  -7.5777371418388841003e-4,
  5.0319700325486950117e-3,
  -1.6197733979924258371e-2,
  3.71675155318431963e-2,
  -6.6330365820503670622e-2,
  9.3732834998651720952e-2,
  -1.0103906603585293672e-1,
  6.809705425468620783e-2,
  1.5379652102610161953e-2,
  -1.396211168405624874e-1,
  1.2329951186255525433,
];

/**
 * erfcx(u) = e^(u²)·erfc(u) for any real u. For u < 0 it grows like
 * 2e^(u²) and overflows to Infinity below about −26.6.
 */
export function erfcx(u: number): number {
  if (u < 0) {
    // erfc(u) = 2 − erfc(−u). u² is taken exactly as square + error: the
    // rounding of u² alone would cost a relative u²·2⁻⁵³ in e^(u²).
    const square = u * u;
    if (square > 710) return Infinity; // 2e^(u²) overflows
    const growth = Math.exp(square) * (1 + productError(u, u, square));
    return 2 * growth - erfcx(-u);
  }
  if (u === Infinity) return 0;
  const t = (u - K) / (u + K);
  let g = 0;
  for (let i = 0; i < SCALED_ERFCX.length; i++) g = g * t + SCALED_ERFCX[i];
  return g / (1 + 2 * u);
}
