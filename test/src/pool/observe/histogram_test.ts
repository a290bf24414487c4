import assert from "node:assert/strict";
import { test } from "../../../harness.ts";
import {
  Histogram,
  RELATIVE_ERROR,
} from "../../../../src/pool/observe/histogram.ts";

/** The nearest-rank quantile of `sorted`: the smallest value with at least q of them at or below it. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

/** A seeded generator (mulberry32), so that a failure can be reproduced. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("Histogram: quantiles within 1% of the exact ones over values from µs to TiB; count, min and max exact", () => {
  const next = random(19);
  const samples: Record<string, number[]> = {
    "log-uniform 1e-3 .. 1e13": Array.from(
      { length: 20_000 },
      () => 10 ** (-3 + 16 * next()),
    ),
    "ms of small tasks 0.05 .. 2": Array.from(
      { length: 5_000 },
      () => 0.05 + 1.95 * next() ** 3,
    ),
    "bytes 40 MiB ± 1 MiB": Array.from(
      { length: 5_000 },
      () => 40 * 2 ** 20 + (next() - 0.5) * 2 ** 21,
    ),
  };
  for (const [name, values] of Object.entries(samples)) {
    const h = new Histogram();
    for (const v of values) h.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    const s = h.summary();
    assert.equal(s.count, values.length, name);
    assert.equal(s.min, sorted[0], name);
    assert.equal(s.max, sorted.at(-1), name);
    for (const q of [0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1]) {
      const exact = exactQuantile(sorted, q);
      const error = Math.abs(h.quantile(q) - exact) / exact;
      assert.ok(
        error <= RELATIVE_ERROR + 1e-12,
        `${name}: q${q} ${h.quantile(q)} vs ${exact} (${error})`,
      );
    }
    assert.equal(s.p50, h.quantile(0.5));
    assert.equal(s.p90, h.quantile(0.9));
    assert.equal(s.p99, h.quantile(0.99));
  }
});

test("Histogram: empty is NaN; NaN is left out; 0 and negatives count as 0; one value is exact", () => {
  const h = new Histogram();
  assert.deepEqual(h.summary(), {
    count: 0,
    min: NaN,
    p50: NaN,
    p90: NaN,
    p99: NaN,
    max: NaN,
  });
  h.record(NaN);
  assert.equal(h.summary().count, 0);
  h.record(0);
  h.record(-3);
  assert.deepEqual(h.summary(), {
    count: 2,
    min: 0,
    p50: 0,
    p90: 0,
    p99: 0,
    max: 0,
  });
  const one = new Histogram();
  one.record(123.456);
  assert.equal(one.quantile(0.5), 123.456); // kept within [min, max]
});
