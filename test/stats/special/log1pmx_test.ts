import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { log1pmx } from "../../../stats/special/log1pmx.ts";

/** −x²/2 + x³/3 − …, summed to convergence: exact to rounding for tiny x. */
function taylor(x: number): number {
  let sum = 0;
  let power = x;
  for (let k = 2; k < 60; k++) {
    power *= -x;
    sum += power / k; // (−1)^(k+1) x^k / k
  }
  return sum;
}

test("log1pmx matches the Taylor series −x²/2 + x³/3 − … for small |x|", () => {
  for (const x of [1e-12, -1e-12, 3e-6, -3e-6, 1e-3, -1e-3, 0.01, -0.01]) {
    const ref = taylor(x);
    assert.ok(
      Math.abs(log1pmx(x) - ref) <= 4e-16 * Math.abs(ref),
      `x=${x}: ${log1pmx(x)} vs ${ref}`,
    );
  }
});

test("log1pmx equals log1p(x) − x where that difference does not cancel", () => {
  for (const x of [-0.999, -0.9, 2, 10, 1e6]) {
    const ref = Math.log1p(x) - x;
    assert.ok(Math.abs(log1pmx(x) - ref) <= 4e-16 * Math.abs(ref), `x=${x}`);
  }
  // at the switches between series and direct formula (−0.5 and 1) both sides
  // agree with the direct formula, which cancels by at most a factor of 5 there
  for (const x of [-0.5 - 1e-12, -0.5 + 1e-12, 1 - 1e-12, 1 + 1e-12]) {
    const ref = Math.log1p(x) - x;
    assert.ok(Math.abs(log1pmx(x) - ref) <= 2e-15 * Math.abs(ref), `x=${x}`);
  }
  assert.equal(log1pmx(0), 0);
});
