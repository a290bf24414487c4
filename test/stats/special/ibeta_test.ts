import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { ibeta, ibetac, logIbeta } from "../../../stats/mod.ts";
import { type Point, points, relativeError } from "./ibeta_points.ts";

const MUST = 1e-12;
const SMALLEST = 1e-300;

/** The worst relative error of `f` over the points where `reference` applies. */
function worst(
  selected: Point[],
  f: (p: Point) => number,
  reference: (p: Point) => number,
): { error: number; point?: Point; checked: number } {
  let error = 0;
  let point: Point | undefined;
  let checked = 0;
  for (const p of selected) {
    const ref = reference(p);
    if (!(Math.abs(ref) >= SMALLEST)) continue;
    checked++;
    const e = relativeError(f(p), ref);
    if (!(e <= error)) { // NaN counts as worst
      error = e;
      point = p;
    }
  }
  return { error, point, checked };
}

for (
  const region of [
    "general",
    "large",
    "limits",
    "corners",
    "asymptotic",
    "small shape",
  ]
) {
  const selected = points.filter((p) => p.region === region);

  test(`ibeta: relative error <= 1e-12 against mpmath, ${region} grid`, () => {
    const r = worst(selected, (p) => ibeta(p.x, p.a, p.b), (p) => p.I);
    assert.ok(r.checked > 50, `only ${r.checked} points`);
    assert.ok(
      r.error <= MUST,
      `error ${r.error} at ${JSON.stringify(r.point)}`,
    );
  });

  test(`ibetac: relative error <= 1e-12 against mpmath, ${region} grid`, () => {
    const r = worst(selected, (p) => ibetac(p.x, p.a, p.b), (p) => p.Q);
    assert.ok(r.checked > 50, `only ${r.checked} points`);
    assert.ok(
      r.error <= MUST,
      `error ${r.error} at ${JSON.stringify(r.point)}`,
    );
  });

  test(`logIbeta: relative error <= 1e-12 in ln I against mpmath, ${region} grid`, () => {
    let error = 0;
    let at: Point | undefined;
    for (const p of selected) {
      if (p.logI === 0) continue; // I rounds to 1: checked through ibetac
      const e = relativeError(logIbeta(p.x, p.a, p.b), p.logI);
      if (!(e <= error)) {
        error = e;
        at = p;
      }
    }
    assert.ok(error <= MUST, `error ${error} at ${JSON.stringify(at)}`);
  });
}

test("logIbeta stays finite and accurate where I underflows double precision", () => {
  const underflowing = points.filter((p) => p.I < SMALLEST && p.logI !== 0);
  assert.ok(
    underflowing.length >= 50,
    `only ${underflowing.length} underflowing points`,
  );
  for (const p of underflowing) {
    const value = logIbeta(p.x, p.a, p.b);
    assert.ok(Number.isFinite(value));
    assert.ok(
      relativeError(value, p.logI) <= MUST,
      `${value} vs ${p.logI} at ${JSON.stringify(p)}`,
    );
  }
});

test("ibeta matches closed forms: I_x(a, 1) = x^a, I_x(1, b) = 1 − (1 − x)^b, I_x(1, 1) = x", () => {
  for (const x of [1e-9, 0.001, 0.3, 0.5, 0.75, 0.999]) {
    assert.ok(relativeError(ibeta(x, 1, 1), x) <= 1e-13);
    for (const a of [0.25, 3, 17.5, 250]) {
      // x^a may underflow; its logarithm a·ln x does not.
      assert.ok(
        relativeError(logIbeta(x, a, 1), a * Math.log(x)) <= 1e-13,
        `x=${x} a=${a}`,
      );
      if (Math.pow(x, a) >= 1e-300) {
        assert.ok(
          relativeError(ibeta(x, a, 1), Math.pow(x, a)) <= 1e-13,
          `x=${x} a=${a}`,
        );
      }
    }
    for (const b of [0.25, 3, 17.5, 250]) {
      const exact = -Math.expm1(b * Math.log1p(-x));
      assert.ok(relativeError(ibeta(x, 1, b), exact) <= 1e-13, `x=${x} b=${b}`);
    }
  }
  // I_{1/2}(a, a) = 1/2 by symmetry, for any a.
  for (const a of [0.01, 1, 33.3, 1e4, 1e7]) {
    assert.ok(relativeError(ibeta(0.5, a, a), 0.5) <= 1e-14, `a=${a}`);
  }
});

test("ibeta and ibetac are complements and swap with (x, a, b) → (1 − x, b, a)", () => {
  for (const p of points.slice(0, 300)) {
    const i = ibeta(p.x, p.a, p.b);
    const q = ibetac(p.x, p.a, p.b);
    assert.ok(
      Math.abs(i + q - 1) <= 4e-16,
      `${i} + ${q} at ${JSON.stringify(p)}`,
    );
    if (p.x >= 0.5) { // 1 − x is exact
      const swapped = ibeta(1 - p.x, p.b, p.a);
      assert.ok(
        q === swapped || relativeError(q, swapped) <= 1e-13,
        `${q} vs ${swapped}`,
      );
    }
  }
});

test("ibeta, ibetac and logIbeta at the ends of [0, 1]", () => {
  assert.equal(ibeta(0, 2, 3), 0);
  assert.equal(ibeta(1, 2, 3), 1);
  assert.equal(ibetac(0, 2, 3), 1);
  assert.equal(ibetac(1, 2, 3), 0);
  assert.equal(logIbeta(0, 2, 3), -Infinity);
  assert.equal(logIbeta(1, 2, 3), 0);
});

test("ibeta, ibetac, logIbeta reject bad arguments with a RangeError naming the parameter and range", () => {
  for (const f of [ibeta, ibetac, logIbeta]) {
    for (const x of [NaN, -0.1, 1.5, Infinity, -Infinity]) {
      assert.throws(
        () => f(x, 1, 1),
        (e: unknown) =>
          e instanceof RangeError && /^x .*\[0, 1\]/.test(e.message),
      );
    }
    for (const a of [NaN, 0, -1, Infinity, 1e51]) {
      assert.throws(
        () => f(0.5, a, 1),
        (e: unknown) =>
          e instanceof RangeError && /^a .*\(0, 1e\+50\]/.test(e.message),
      );
      assert.throws(
        () => f(0.5, 1, a),
        (e: unknown) =>
          e instanceof RangeError && /^b .*\(0, 1e\+50\]/.test(e.message),
      );
    }
  }
  // deno-lint-ignore no-explicit-any
  assert.throws(() => ibeta("0.5" as any, 1, 1), TypeError);
});

test("ibeta, ibetac and logIbeta stay finite and in range at the extremes of their domain", () => {
  const xs = [5e-324, 1e-300, 1e-20, 0.3, 0.5, 1 - 1e-10, 1 - 2 ** -53];
  const shapes = [1e-300, 1e-5, 0.5, 1, 9.99, 10.01, 1e4, 1e10, 1e20, 1e50];
  for (const x of xs) {
    for (const a of shapes) {
      for (const b of shapes) {
        const i = ibeta(x, a, b);
        const q = ibetac(x, a, b);
        const l = logIbeta(x, a, b);
        const where = `x=${x} a=${a} b=${b}: ${i}, ${q}, ${l}`;
        assert.ok(i >= 0 && i <= 1 && q >= 0 && q <= 1, where);
        assert.ok(Math.abs(i + q - 1) <= 1e-15, where);
        assert.ok(l <= 0 && !Number.isNaN(l), where);
      }
    }
  }
});

/** The double x as an exact fraction numerator / 2^shift (x in (0, 1)). */
function exactFraction(x: number): { numerator: bigint; shift: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const mantissa = bits & ((1n << 52n) - 1n);
  // Normal doubles only (as here): x = (2^52 + mantissa) · 2^(exponent − 1075).
  return {
    numerator: (1n << 52n) + mantissa,
    shift: BigInt(1075 - exponent),
  };
}

test("ibeta picks the tail on the correct side of the mean for huge a, b (no NaN)", () => {
  // x = a/(a + b) rounded to a double lies hundreds of standard deviations
  // from the mean here, so I is exactly 0 or 1 in double precision. Which one
  // follows from the exact sign of a − (a + b)x, computed with BigInt.
  for (
    const [a, b] of [[1e40, 1e41], [1e45, 1e49], [3e49, 1e50], [2e38, 7e39]]
  ) {
    const x = a / (a + b);
    const { numerator, shift } = exactFraction(x);
    const lambda = (BigInt(a) << shift) - (BigInt(a) + BigInt(b)) * numerator;
    const below = lambda > 0n; // x < a/(a + b)
    const distance = Math.abs(Number(lambda) / 2 ** Number(shift)) / (a + b);
    const sd = Math.sqrt((a * b) / (a + b) ** 3);
    assert.ok(distance > 40 * sd, `only ${distance / sd} sd at a=${a} b=${b}`);
    const where = `a=${a} b=${b} x=${x}`;
    assert.equal(ibeta(x, a, b), below ? 0 : 1, where);
    assert.equal(ibetac(x, a, b), below ? 1 : 0, where);
    const logI = logIbeta(x, a, b);
    if (below) assert.ok(Number.isFinite(logI) && logI < -800, where);
    else assert.ok(logI <= 0 && logI > -1e-300, where);
  }
});
