import assert from "node:assert/strict";
import { test } from "../harness.ts";
import {
  accuracyTable,
  DEFAULT_KS,
  DEFAULT_SAMPLING_RATE,
  recommendLimit,
  safeAllocations,
} from "../../stats/mod.ts";
import fixture from "./fixtures/limits.json" with { type: "json" };

test("accuracyTable matches memprof-limits' table solved by mpmath (t = 1e-9, 4e-15, 1e-50)", () => {
  assert.ok(fixture.accuracyTable.length >= 27);
  for (const target of [1e-9, 4e-15, 1e-50]) {
    const cases = fixture.accuracyTable.filter((c) => c.t === target);
    const rows = accuracyTable({ target, ks: cases.map((c) => c.k) });
    cases.forEach((c, i) => {
      const row = rows[i];
      assert.equal(row.k, c.k);
      assert.equal(row.limit, c.l);
      assert.equal(row.safe, c.N, `t=${target} k=${c.k}`);
      assert.equal(row.error, (c.l - c.N) / c.N);
    });
  }
});

test("accuracyTable rows use safeAllocations at the default rate", () => {
  const rows = accuracyTable({ target: 1e-9 });
  assert.equal(rows.length, DEFAULT_KS.length);
  for (const row of rows) {
    assert.equal(row.limit, row.k / DEFAULT_SAMPLING_RATE);
    assert.equal(
      row.safe,
      safeAllocations(row.limit, 1e-9, DEFAULT_SAMPLING_RATE),
    );
  }
});

test("accuracyTable default grid is logarithmic from 1 to at least 1e4", () => {
  assert.equal(DEFAULT_KS[0], 1);
  assert.ok(DEFAULT_KS[DEFAULT_KS.length - 1] >= 1e4);
  for (let i = 1; i < DEFAULT_KS.length; i++) {
    const step = DEFAULT_KS[i] / DEFAULT_KS[i - 1];
    assert.ok(step >= 2 && step <= 2.5, `step ${step}`);
  }
});

test("accuracyTable accepts a rate and real ks, in the rate's units", () => {
  const [row] = accuracyTable({ target: 4e-15, rate: 1e-3, ks: [12.5] });
  assert.equal(row.k, 12.5);
  assert.equal(row.limit, 12_500);
  assert.equal(row.safe, safeAllocations(12_500, 4e-15, 1e-3));
});

test("seed claim: at t = 4e-15 the error (l − N)/N falls below 10 from about N = 20 kwords", () => {
  // A fine grid of k: 40 points per decade from 1 to 1e4.
  const ks = Array.from({ length: 161 }, (_, i) => Math.pow(10, i / 40));
  const rows = accuracyTable({ target: 4e-15, ks });
  const first = rows.findIndex((row) => row.error < 10);
  assert.ok(first > 0);
  const crossing = rows[first].safe;
  assert.ok(
    crossing >= 15_000 && crossing <= 30_000,
    `crossing at N = ${crossing} words`,
  );
  // Monotone: once below 10 it stays below, and from a few hundred units on
  // (where N's integer steps no longer show) the error never rises along k.
  for (let i = first; i < rows.length; i++) assert.ok(rows[i].error < 10);
  for (let i = 1; i < rows.length; i++) {
    if (rows[i - 1].safe < 300) continue;
    assert.ok(
      rows[i].error <= rows[i - 1].error * (1 + 1e-12),
      `error rises at k = ${rows[i].k}`,
    );
  }
  // Read the other way: the limit for N = 20 kwords is about 10 times N.
  const l = recommendLimit(20_000, 4e-15, DEFAULT_SAMPLING_RATE);
  assert.ok(l / 20_000 > 8 && l / 20_000 < 13, `l/N = ${l / 20_000}`);
});

test("accuracyTable errors shrink as t grows (less safety costs less headroom)", () => {
  const strict = accuracyTable({ target: 1e-50 });
  const loose = accuracyTable({ target: 1e-9 });
  for (let i = 0; i < strict.length; i++) {
    if (Number.isFinite(loose[i].error)) {
      assert.ok(loose[i].error <= strict[i].error);
    }
  }
});

test("accuracyTable rejects bad options with a RangeError naming them", () => {
  const rejects = (f: () => unknown, pattern: RegExp) =>
    assert.throws(
      f,
      (e: unknown) => e instanceof RangeError && pattern.test(e.message),
    );
  rejects(() => accuracyTable({ target: 0 }), /^target .*\(0, 1\)/);
  rejects(() => accuracyTable({ target: NaN }), /^target /);
  rejects(() => accuracyTable({ target: 1e-9, rate: 2 }), /^rate .*\(0, 1\]/);
  rejects(
    () => accuracyTable({ target: 1e-9, ks: [1, -2] }),
    /^ks\[1\] .*\(0, 1e\+50\]/,
  );
});

test("accuracyTable rejects options that are not an object, and ks that is not an array, with a TypeError naming them", () => {
  const rejects = (f: () => unknown, pattern: RegExp) =>
    assert.throws(
      f,
      (e: unknown) => e instanceof TypeError && pattern.test(e.message),
    );
  // deno-lint-ignore no-explicit-any
  const table = accuracyTable as (options?: any) => unknown;
  rejects(() => table(), /^options must be an object/);
  rejects(() => table(null), /^options must be an object.*got null/);
  rejects(() => table(1e-9), /^options must be an object.*got number/);
  rejects(
    () => table({ target: 1e-9, ks: 5 }),
    /^ks must be an array of numbers, got number/,
  );
  rejects(
    () => table({ target: 1e-9, ks: "12" }),
    /^ks must be an array of numbers, got string/,
  );
});
