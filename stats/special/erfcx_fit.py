#!/usr/bin/env python3
"""Coefficients of the polynomial that stats/special/erfcx.ts uses for u >= 0.

erfcx(u) = exp(u²)·erfc(u) is mapped to a function of bounded range on a
finite interval: with t = (u − K)/(u + K), u in [0, ∞) becomes t in [−1, 1),
and g(t) = (1 + 2u)·erfcx(u) tends to 2/√π as u → ∞ (erfcx(u) ~ 1/(u√π)),
so g is smooth on [−1, 1] and a single polynomial in t keeps the relative
error uniform up to u = ∞. g is approximated by mpmath.chebyfit (a
near-minimax Chebyshev interpolant, returned in the monomial basis of t) at
40 digits; the script prints the coefficients, highest degree first, and the
maximum relative error of the fit.

Run: python3 stats/special/erfcx_fit.py   (mpmath 1.3)
"""
import mpmath
from mpmath import mp, mpf

mp.dps = 40
K = 4
DEGREE = 23


def g(t):
    if t == 1:
        return 2 / mpmath.sqrt(mpmath.pi)
    u = K * (1 + t) / (1 - t)
    return (1 + 2 * u) * mpmath.exp(u * u) * mpmath.erfc(u)


coefficients, error = mpmath.chebyfit(g, [-1, 1], DEGREE + 1, error=True)
print("// max abs error of the fit of g (g is about 1):", mpmath.nstr(error, 3))
for c in coefficients:
    print(f"  {mpmath.nstr(c, 20, min_fixed=-1, max_fixed=1)},")
