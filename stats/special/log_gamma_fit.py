#!/usr/bin/env python3
"""Coefficients of the polynomial that stats/special/log_gamma.ts uses on [1, 2].

ln Γ(z) = (z − 1)(z − 2)·h(z) on [1, 2], with h analytic there (the zeros of
ln Γ at 1 and 2 are factored out, so the result keeps its relative precision
near them). h is approximated in t = 2z − 3 ∈ [−1, 1] by mpmath.chebyfit
(a near-minimax Chebyshev interpolant, returned in the monomial basis of t)
at 50 digits; the script prints the coefficients, highest degree first, and
the maximum relative error of the fit.

Run: python3 stats/special/log_gamma_fit.py   (mpmath 1.3)
"""
import mpmath
from mpmath import mp, mpf

mp.dps = 50
DEGREE = 21


def h(t):
    z = (t + 3) / 2
    if abs(z - 1) < mpf("1e-30"):  # limits: ln Γ'(1) / (1 − 2) etc.
        return mpmath.digamma(1) / (-1)
    if abs(z - 2) < mpf("1e-30"):
        return mpmath.digamma(2) / 1
    return mpmath.loggamma(z) / ((z - 1) * (z - 2))


coefficients, error = mpmath.chebyfit(h, [-1, 1], DEGREE + 1, error=True)
print("// max abs error of the fit of h:", mpmath.nstr(error, 3))
for c in coefficients:
    print(f"  {mpmath.nstr(c, 20, min_fixed=-1, max_fixed=1)},")
