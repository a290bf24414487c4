import assert from "node:assert/strict";
import { test } from "../harness.ts";
import {
  DEFAULT_SAMPLING_RATE,
  detectionAllocations,
  ibeta,
  interruptProbability,
  minimalSamplingRate,
  recommendLimit,
  safeAllocations,
  triggerProbability,
} from "../../stats/mod.ts";
import fixture from "./fixtures/limits.json" with { type: "json" };

const KiB = 1024;
const MiB = 1024 * KiB;
const WORD = 8; // bytes per word on 64-bit, as in memprof-limits' figures
const p = DEFAULT_SAMPLING_RATE;

function relativeError(value: number, reference: number): number {
  return Math.abs(value - reference) / Math.abs(reference);
}

test("safeAllocations is exact on integers against the mpmath solution", () => {
  assert.ok(fixture.safeAllocations.length >= 20);
  for (const c of fixture.safeAllocations) {
    assert.equal(safeAllocations(c.l, c.t, c.p), c.N, JSON.stringify(c));
  }
});

test("recommendLimit has relative error <= 1e-9 against the mpmath solution", () => {
  assert.ok(fixture.recommendLimit.length >= 15);
  for (const c of fixture.recommendLimit) {
    const l = recommendLimit(c.N, c.t, c.p);
    assert.ok(
      relativeError(l, c.l) <= 1e-9,
      `${l} vs ${c.l} for ${JSON.stringify(c)}`,
    );
  }
});

test("minimalSamplingRate has relative error <= 1e-9 against the mpmath solution", () => {
  assert.ok(fixture.minimalSamplingRate.length >= 10);
  for (const c of fixture.minimalSamplingRate) {
    const rate = minimalSamplingRate(c.N, c.t, c.ratio);
    assert.ok(
      relativeError(rate, c.p) <= 1e-9,
      `${rate} vs ${c.p} for ${JSON.stringify(c)}`,
    );
  }
});

test("minimalSamplingRate defaults to ratio 10", () => {
  assert.equal(
    minimalSamplingRate(1e5, 1e-9),
    minimalSamplingRate(1e5, 1e-9, 10),
  );
});

test("safeAllocations N is the boundary: P_a(N) < t <= P_a(N + 1)", () => {
  for (
    const [l, t] of [[1e6, 1e-9], [3.3e5, 4e-15], [2e7, 1e-50], [5e4, 0.1]]
  ) {
    const n = safeAllocations(l, t, p);
    assert.ok(interruptProbability(n, l, p) < t);
    assert.ok(interruptProbability(n + 1, l, p) >= t);
  }
});

test("recommendLimit and safeAllocations agree: the recommended limit keeps N safe", () => {
  for (const [N, t] of [[1e5, 1e-9], [2e6, 4e-15], [7.5e4, 1e-50]]) {
    const l = recommendLimit(N, t, p);
    // P_a(N) = t at l: a slightly larger limit is safe for N, a smaller one is not.
    assert.ok(safeAllocations(l * (1 + 1e-9), t, p) >= N);
    assert.ok(safeAllocations(l * (1 - 1e-9), t, p) < N);
  }
});

test("interruptProbability is I_p(k, n − k + 1) with real k, and 0 for n <= k − 1", () => {
  // k = 2.5 samples: l = 25000 words at p = 1e-4
  assert.equal(interruptProbability(1, 25_000, p), 0);
  assert.equal(interruptProbability(1.5, 25_000, p), 0);
  assert.equal(
    interruptProbability(40_000, 25_000, p),
    ibeta(p, 2.5, 40_000 - 2.5 + 1),
  );
  // k = 1 is "at least one sample": the trigger probability.
  const n = 12_345;
  assert.ok(
    relativeError(
      interruptProbability(n, 1 / p, p),
      triggerProbability(n, p),
    ) <= 1e-13,
  );
  // Binomial tail for integer k: P[Bin(3, 1/2) >= 2] = 1/2.
  assert.ok(relativeError(interruptProbability(3, 4, 0.5), 0.5) <= 1e-14);
});

test("interruptProbability accepts n a rounding error above k − 1, and k = l·p underflowing to 0", () => {
  // n − k + 1 rounded to 0 here, and ibeta threw "b must be a number in (0, …]".
  const tiny = interruptProbability(0.2, 12_000, 1e-4); // k = 1.2, k − 1 < 0.2
  assert.ok(tiny >= 0 && tiny < 1e-20, `${tiny}`);
  for (const k of [1.2, 1.2585656300362480, 1.4967121223611124, 2.5, 3.7]) {
    const n = (k - 1) * (1 + 2 ** -52); // one or two ulps above k − 1
    const value = interruptProbability(n, k / p, p);
    assert.ok(value >= 0 && value < 1e-15, `k=${k}: ${value}`);
  }
  // k = 1e-300 · 1e-30 underflows to 0: the limit k → 0 of I_p(k, b) is 1.
  assert.equal(interruptProbability(1, 1e-300, 1e-30), 1);
  assert.equal(safeAllocations(1e-300, 0.5, 1e-30), 0);
});

test("triggerProbability is 1 − (1 − p)^n, exact for tiny p", () => {
  assert.equal(triggerProbability(0, p), 0);
  assert.equal(triggerProbability(5, 1), 1);
  assert.equal(triggerProbability(3, 0.5), 0.875);
  // For p = 1e-12, n = 1: 1 − (1 − p) would lose four digits; the exact value is p.
  assert.ok(relativeError(triggerProbability(1, 1e-12), 1e-12) <= 1e-15);
});

test("seed figure: more than 64% chance of an interrupt after 80 KiB (64-bit, p = 1e-4/word)", () => {
  const chance = triggerProbability((80 * KiB) / WORD, p);
  assert.ok(chance > 0.64, `${chance}`);
  assert.ok(chance < 0.65, `${chance}`); // and the seed's figure is tight
});

for (
  const [t, seedMiB] of [[1e-9, 1.62], [1e-14, 2.5], [1e-50, 8.8]] as const
) {
  test(`seed figure: chance < ${t} of no interrupt after ${seedMiB} MiB`, () => {
    const words = (seedMiB * MiB) / WORD;
    assert.ok(1 - triggerProbability(words, p) < t);
    // detectionAllocations gives the exact point, and the seed's figure is a
    // tight rounding of it (within 5% above).
    const n = detectionAllocations(t, p);
    const bytes = n * WORD;
    assert.ok(bytes <= seedMiB * MiB, `${bytes / MiB} MiB`);
    assert.ok(bytes >= 0.95 * seedMiB * MiB, `${bytes / MiB} MiB`);
    assert.ok(Math.pow(1 - p, n) <= t * (1 + 1e-12));
    assert.ok(Math.pow(1 - p, n - 1) > t * (1 - 1e-12));
  });
}

test("detectionAllocations is the smallest integer with (1 − p)^n <= t", () => {
  assert.equal(detectionAllocations(0.5, 0.5), 1);
  assert.equal(detectionAllocations(0.25, 0.5), 2);
  assert.equal(detectionAllocations(0.2, 0.5), 3);
  assert.equal(detectionAllocations(0.3, 1), 1);
});

function rejects(f: () => unknown, pattern: RegExp): void {
  assert.throws(
    f,
    (e: unknown) => e instanceof RangeError && pattern.test(e.message),
  );
}

test("limits functions reject bad arguments with a RangeError naming the parameter and range", () => {
  for (const bad of [NaN, Infinity, -Infinity, -1, 2e50]) {
    rejects(() => interruptProbability(bad, 1e5, p), /^n .*\[0, 1e\+50\]/);
    rejects(() => triggerProbability(bad, p), /^n .*\[0, 1e\+50\]/);
    rejects(() => recommendLimit(bad, 1e-9, p), /^N .*\[0, 1e\+50\]/);
    rejects(() => minimalSamplingRate(bad, 1e-9), /^N .*\(0, 1e\+50\]/);
    rejects(() => safeAllocations(bad, 1e-9, p), /^l .*\(0, 1e\+50\]/);
    rejects(() => interruptProbability(10, bad, p), /^l .*\(0, 1e\+50\]/);
    rejects(
      () => minimalSamplingRate(1e5, 1e-9, bad),
      /^ratio .*\(0, 1e\+50\]/,
    );
  }
  for (const badRate of [NaN, 0, -1e-4, 1.5, Infinity]) {
    rejects(() => interruptProbability(10, 1e5, badRate), /^p .*\(0, 1\]/);
    rejects(() => triggerProbability(10, badRate), /^p .*\(0, 1\]/);
    rejects(() => detectionAllocations(1e-9, badRate), /^p .*\(0, 1\]/);
    rejects(() => safeAllocations(1e5, 1e-9, badRate), /^p .*\(0, 1\]/);
    rejects(() => recommendLimit(1e5, 1e-9, badRate), /^p .*\(0, 1\]/);
  }
  for (const badTarget of [NaN, 0, 1, -0.5, 2]) {
    rejects(() => detectionAllocations(badTarget, p), /^t .*\(0, 1\)/);
    rejects(() => safeAllocations(1e5, badTarget, p), /^t .*\(0, 1\)/);
    rejects(() => recommendLimit(1e5, badTarget, p), /^t .*\(0, 1\)/);
    rejects(() => minimalSamplingRate(1e5, badTarget), /^t .*\(0, 1\)/);
  }
  rejects(() => interruptProbability(10, 0, p), /^l /);
  // N beyond 2^53 cannot be returned as an exact integer.
  rejects(
    () => safeAllocations(1e16, 1e-9, p),
    /^l = 10000000000000000 is too large/,
  );
  assert.ok(safeAllocations(1e15, 1e-9, p) < Number.MAX_SAFE_INTEGER);
  // The same for detectionAllocations (its integer search looped forever there).
  rejects(
    () => detectionAllocations(1e-9, 1e-16),
    /^p = 1e-16 is too small for t = 1e-9/,
  );
  rejects(() => detectionAllocations(0.5, 5e-324), /^p = 5e-324 is too small/);
  // mpmath, 50 digits: ceil(ln 0.5 / ln(1 − 1e-15)) for the double 1e-15
  assert.equal(detectionAllocations(0.5, 1e-15), 693147180559945);
  // k/p overflows: recommendLimit returned Infinity.
  rejects(
    () => recommendLimit(1e5, 1e-9, 5e-324),
    /^p = 5e-324 is too small for N = 100000/,
  );
  // l = N·ratio with ratio below 1: even sampling every unit cannot reach t.
  rejects(() => minimalSamplingRate(100, 1e-9, 0.5), /no sampling rate/);
});
