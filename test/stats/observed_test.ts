// observedLimit, runsNeeded and supportedTarget against mpmath
// (test/stats/fixtures/generate.py, observed.json), and their input checks.
import assert from "node:assert/strict";
import { test } from "../harness.ts";
import { observedLimit, runsNeeded, supportedTarget } from "../../stats/mod.ts";
import fixture from "./fixtures/observed.json" with { type: "json" };

function relativeError(value: number, reference: number): number {
  return Math.abs(value - reference) / Math.abs(reference);
}

/** 1..n in a scrambled order (a fixed permutation): x_(m) = m. */
function scrambled(n: number): number[] {
  const values = Array.from({ length: n }, (_, i) => i + 1);
  let state = 12345;
  for (let i = n - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return values;
}

test("observedLimit picks mpmath's rank m, with its confidence to 1e-12", () => {
  const found = fixture.observedLimit.filter((c) => c.index !== null);
  assert.ok(
    found.length >= 30 && fixture.observedLimit.length - found.length >= 10,
  );
  for (const c of fixture.observedLimit) {
    const label = JSON.stringify(c);
    const values = scrambled(c.n);
    const limit = observedLimit(values, c.t, c.c);
    if (c.index === null) {
      assert.equal(limit, undefined, label);
      continue;
    }
    assert.ok(limit !== undefined, label);
    assert.equal(limit.index, c.index, label);
    assert.equal(limit.value, c.index, label); // x_(m) of 1..n
    assert.ok(relativeError(limit.confidence, c.confidence!) <= 1e-12, label);
  }
});

test("observedLimit does not reorder its argument and works on unsorted, tied values", () => {
  const values = [5, 1, 4, 4, 2, 3, 4, 1, 5, 2];
  const copy = [...values];
  // Exact binomial tails, P[Bin(10, 1/2) >= 11 - m]: m = 8 gives 968/1024 < 0.95,
  // m = 9 gives 1013/1024; sorted, x_(9) = 5.
  const limit = observedLimit(values, 0.5);
  assert.deepEqual(values, copy);
  assert.equal(limit?.index, 9);
  assert.equal(limit?.value, 5);
  assert.ok(Math.abs(limit!.confidence - 1013 / 1024) < 1e-14);
});

test("observedLimit defaults to 95 % confidence", () => {
  const values = scrambled(1000);
  assert.deepEqual(
    observedLimit(values, 0.01),
    observedLimit(values, 0.01, 0.95),
  );
});

test("runsNeeded is mpmath's smallest n with 1 - (1 - t)^n >= c", () => {
  assert.ok(fixture.runsNeeded.length >= 40);
  for (const c of fixture.runsNeeded) {
    assert.equal(runsNeeded(c.t, c.c), c.n, JSON.stringify(c));
  }
  assert.equal(runsNeeded(0.01), 299);
});

test("runsNeeded agrees with observedLimit: n runs suffice, n - 1 do not", () => {
  for (const [t, c] of [[0.01, 0.95], [0.05, 0.99], [0.2, 0.5]]) {
    const n = runsNeeded(t, c);
    assert.equal(observedLimit(scrambled(n), t, c)?.index, n);
    assert.equal(observedLimit(scrambled(n - 1), t, c), undefined);
  }
});

test("supportedTarget is 1 - (1 - c)^(1/n) to 1e-13 (mpmath)", () => {
  assert.ok(fixture.supportedTarget.length >= 20);
  for (const c of fixture.supportedTarget) {
    assert.ok(
      relativeError(supportedTarget(c.n, c.c), c.t) <= 1e-13,
      JSON.stringify(c),
    );
  }
});

test("bad arguments throw RangeError or TypeError naming the parameter", () => {
  const cases: [() => unknown, RegExp][] = [
    [
      () => observedLimit([], 0.1),
      /^RangeError: values must hold at least one number/,
    ],
    [
      () => observedLimit([1, NaN], 0.1),
      /^RangeError: values\[1\] must be a finite number, got NaN/,
    ],
    [
      () => observedLimit([Infinity], 0.1),
      /^RangeError: values\[0\] must be a finite number/,
    ],
    [
      () => observedLimit(["1"] as unknown as number[], 0.1),
      /^TypeError: values\[0\] must be a finite number, got string/,
    ],
    [
      () => observedLimit("12" as unknown as number[], 0.1),
      /^TypeError: values must be an array/,
    ],
    [
      () => observedLimit([1], 0),
      /^RangeError: target must be a number in \(0, 1\)/,
    ],
    [
      () => observedLimit([1], 1),
      /^RangeError: target must be a number in \(0, 1\)/,
    ],
    [
      () => observedLimit([1], 0.1, 1),
      /^RangeError: confidence must be a number in \(0, 1\), got 1/,
    ],
    [
      () => runsNeeded(0.1, 0),
      /^RangeError: confidence must be a number in \(0, 1\)/,
    ],
    [
      () => runsNeeded(NaN),
      /^RangeError: target must be a number in \(0, 1\), got NaN/,
    ],
    [
      () => runsNeeded(1e-300),
      /^RangeError: target = 1e-300 is too small .* 2\^53/,
    ],
    [() => supportedTarget(0), /^RangeError: runs must be a number in \[1, /],
    [
      () => supportedTarget(2.5),
      /^RangeError: runs must be a positive integer, got 2.5/,
    ],
  ];
  for (const [call, pattern] of cases) {
    assert.throws(call, (error: Error) => {
      assert.match(`${error.name}: ${error.message}`, pattern);
      return true;
    });
  }
});
