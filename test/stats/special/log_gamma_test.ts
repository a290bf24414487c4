import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import {
  logBetaSmall,
  logGamma,
  logGammaOnePlus,
  stirlingRemainder,
} from "../../../stats/special/log_gamma.ts";

const SQRT_PI = Math.sqrt(Math.PI);

test("logGamma matches ln((n − 1)!) from exact integer factorials", () => {
  let factorial = 1n;
  for (let n = 1; n <= 60; n++) {
    if (n > 1) factorial *= BigInt(n - 1);
    // Number(factorial) rounds once (relative 1.1e-16); ln adds at most that in absolute terms.
    const exact = Math.log(Number(factorial));
    assert.ok(
      Math.abs(logGamma(n) - exact) <= 4e-16 * Math.max(1, Math.abs(exact)),
      `n=${n}`,
    );
  }
});

test("logGamma at half-integers: Γ(1/2) = √π, Γ(n + 1/2) = (2n − 1)!!/2^n·√π", () => {
  let value = SQRT_PI; // Γ(1/2)
  for (let n = 0; n < 15; n++) {
    const z = n + 0.5;
    const exact = Math.log(value);
    assert.ok(
      Math.abs(logGamma(z) - exact) <= 6e-16 * Math.max(1, Math.abs(exact)),
      `z=${z}`,
    );
    value *= z;
  }
});

test("logGamma keeps relative precision next to its zeros at 1 and 2", () => {
  // ln Γ(1 + h) = −γh + ζ(2)h²/2 − ζ(3)h³/3 + …, and ln Γ(2 + h) adds ln(1 + h).
  const gamma = 0.5772156649015329;
  const zeta2 = Math.PI ** 2 / 6;
  const zeta3 = 1.2020569031595942;
  for (const offset of [1e-6, 1e-9, 1e-12]) {
    const h1 = (1 + offset) - 1; // the exactly represented offsets
    const h2 = (2 + offset) - 2;
    const near1 = -gamma * h1 + (zeta2 / 2) * h1 * h1 - (zeta3 / 3) * h1 ** 3;
    const near2 = (1 - gamma) * h2 + ((zeta2 - 1) / 2) * h2 * h2 -
      ((zeta3 - 1) / 3) * h2 ** 3;
    assert.ok(
      Math.abs(logGamma(1 + h1) - near1) <= 1e-14 * Math.abs(near1),
      `1 + ${h1}`,
    );
    assert.ok(
      Math.abs(logGamma(2 + h2) - near2) <= 1e-14 * Math.abs(near2),
      `2 + ${h2}`,
    );
  }
});

test("logBetaSmall equals ln Γ(a) + ln Γ(b) − ln Γ(a + b) and B(1, b) = 1/b", () => {
  for (const b of [0.01, 0.5, 1, 3.25, 9.9]) {
    assert.ok(
      Math.abs(logBetaSmall(1, b) + Math.log(b)) <=
        2e-16 * Math.max(1, Math.abs(Math.log(b))),
    );
  }
  // B(1/2, 1/2) = π
  assert.ok(Math.abs(logBetaSmall(0.5, 0.5) - Math.log(Math.PI)) <= 3e-16);
  for (const [a, b] of [[0.3, 7.2], [2.5, 2.5], [9.5, 0.02]]) {
    const viaGamma = logGamma(a) + logGamma(b) - logGamma(a + b);
    assert.ok(
      Math.abs(logBetaSmall(a, b) - viaGamma) <=
        1e-14 * Math.max(1, Math.abs(viaGamma)),
    );
  }
});

test("stirlingRemainder is ln Γ(z) minus Stirling's formula, ~1/(12z)", () => {
  // At integers, ln Γ(z) is known from factorials; the remainder must match.
  let factorial = 1n;
  for (let n = 1; n < 30; n++) factorial *= BigInt(n);
  const z = 30; // ln Γ(30) = ln(29!)
  const exact = Math.log(Number(factorial)) -
    ((z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI));
  assert.ok(Math.abs(stirlingRemainder(z) - exact) <= 3e-14);
  assert.ok(Math.abs(stirlingRemainder(1e6) * 12e6 - 1) <= 1e-12);
});

test("logGammaOnePlus(s) = ln Γ(1 + s) with relative precision for tiny s, and exact at 0, 1/2, 1", () => {
  const gamma = 0.5772156649015329;
  const zeta2 = Math.PI ** 2 / 6;
  const zeta3 = 1.2020569031595942;
  for (const s of [1e-300, 1e-12, 1e-8, 1e-5]) {
    const series = -gamma * s + (zeta2 / 2) * s * s - (zeta3 / 3) * s ** 3;
    assert.ok(
      Math.abs(logGammaOnePlus(s) - series) <= 1e-15 * Math.abs(series),
      `s=${s}`,
    );
  }
  assert.ok(logGammaOnePlus(0) === 0); // ±0
  assert.equal(logGammaOnePlus(1), 0);
  // Γ(3/2) = √π/2
  assert.ok(Math.abs(logGammaOnePlus(0.5) - Math.log(SQRT_PI / 2)) <= 2e-16);
});
