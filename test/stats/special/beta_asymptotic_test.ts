import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { ibeta, ibetac, logIbeta } from "../../../stats/mod.ts";
import {
  asymptoticFits,
  betaAsymptotic,
  MIN_SHAPE,
} from "../../../stats/special/beta_asymptotic.ts";
import { betaFraction } from "../../../stats/special/beta_fraction.ts";
import {
  logPrefixAtMean,
  logPrefixExcess,
} from "../../../stats/special/beta_prefix.ts";
import { betaLambda } from "../../../stats/special/exact_arithmetic.ts";
import { points, relativeError } from "./ibeta_points.ts";

const GOAL = 1e-13;

/**
 * Whether ibeta takes the asymptotic expansion at (x, a, b). (Its power
 * series branches need b·x ≤ 0.7 or a·(1 − x) ≤ 0.7, which cannot hold within
 * 6 sd of the mean once min(a, b) ≥ 500.)
 */
function usesExpansion(x: number, a: number, b: number): boolean {
  return Math.min(a, b) >= MIN_SHAPE &&
    asymptoticFits(a, b, logPrefixExcess(x, a, b, betaLambda(x, a, b)));
}

test("asymptotic expansion: ibeta, ibetac, logIbeta within 1e-13 of mpmath wherever it is used", () => {
  const served = points.filter((p) => usesExpansion(p.x, p.a, p.b));
  // Random points of all regions, and the points at the switch (|z| = 3, 5, 6).
  assert.ok(served.length >= 400, `only ${served.length} points`);
  assert.ok(served.filter((p) => p.region === "large").length >= 50);
  let worst = 0;
  let at: unknown;
  for (const p of served) {
    const pairs: [number, number][] = [
      [ibeta(p.x, p.a, p.b), p.I],
      [ibetac(p.x, p.a, p.b), p.Q],
      [logIbeta(p.x, p.a, p.b), p.logI],
    ];
    for (const [value, reference] of pairs) {
      if (!(Math.abs(reference) >= 1e-300)) continue;
      const e = relativeError(value, reference);
      if (!(e <= worst)) {
        worst = e;
        at = p;
      }
    }
  }
  assert.ok(worst <= GOAL, `error ${worst} at ${JSON.stringify(at)}`);
});

test("asymptotic expansion and continued fraction agree to 1e-13 on both sides of the switch", () => {
  // min(a, b) at and around the tier bounds, the other shape equal or far larger.
  const smalls = [MIN_SHAPE, 1999, 2000, 9999, 1e4, 1e6];
  let compared = 0;
  for (const small of smalls) {
    for (const large of [small, 1e3 * small, 1e7]) {
      for (const [a, b] of [[small, large], [large, small]]) {
        const sum = a + b;
        const sd = Math.sqrt((a * b) / (sum * sum * (sum + 1)));
        for (const z of [-6.5, -6, -5, -4, -3, -2.5, 2.5, 3, 4, 5, 6, 6.5]) {
          const x = a / sum + z * sd;
          if (!(x > 0 && x < 1)) continue;
          // The tail that ibeta computes: I_x(a, b) below (a + 1)/(a + b + 2),
          // else I_{1−x}(b, a); both methods get the same arguments.
          const lambda = betaLambda(x, a, b);
          const upper = lambda < 2 * x - 1; // x(a + b + 2) > a + 1, as ibeta decides it
          const [xo, ao, bo] = upper ? [1 - x, b, a] : [x, a, b];
          const lambdaO = upper ? -lambda : lambda; // ao − (ao + bo)·xo
          const exponent = logPrefixExcess(x, a, b, lambda);
          const expansion = Math.exp(exponent) *
            betaAsymptotic(ao, bo, exponent, lambdaO > 0);
          const fraction = Math.exp(logPrefixAtMean(a, b) + exponent) *
            betaFraction(xo, ao, bo, lambdaO);
          assert.ok(
            relativeError(expansion, fraction) <= GOAL,
            `a=${a} b=${b} z=${z}: ${expansion} vs ${fraction}`,
          );
          compared++;
        }
      }
    }
  }
  assert.ok(compared >= 300, `only ${compared} comparisons`);
});

test("asymptotic expansion: ibeta at the exact switch point is continuous", () => {
  // Bisect in x for the last double below the mean where the expansion is
  // used; one ulp further out the continued fraction takes over. Over one
  // ulp I changes by a relative |z|·ulp(x)/sd at most (about 1e-13 here):
  // the values on both sides must agree to that plus 1e-13.
  for (const [a, b] of [[5e3, 5e3], [2e4, 3e6], [600, 6e5], [1e6, 1e4]]) {
    const sum = a + b;
    const mean = a / sum;
    const sd = Math.sqrt((a * b) / (sum * sum * (sum + 1)));
    let inside = mean - sd; // uses the expansion
    let outside = mean - 10 * sd; // does not
    assert.ok(usesExpansion(inside, a, b) && !usesExpansion(outside, a, b));
    while (true) {
      const middle = (inside + outside) / 2;
      if (middle === inside || middle === outside) break;
      if (usesExpansion(middle, a, b)) inside = middle;
      else outside = middle;
    }
    const i1 = ibeta(inside, a, b);
    const i2 = ibeta(outside, a, b);
    const z = (inside - mean) / sd;
    const allowed = GOAL + Math.abs(z) * (inside - outside) / sd * 2;
    assert.ok(
      relativeError(i2, i1) <= allowed,
      `a=${a} b=${b} at x=${inside}: ${i1} vs ${i2} (allowed ${allowed})`,
    );
  }
});
