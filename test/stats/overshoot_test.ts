// The overshoot past a limit under memlimits' engine, against mpmath
// (test/stats/fixtures/generate.py, observed.json), and docs/limits.md's table.
import assert from "node:assert/strict";
import { test } from "../harness.ts";
import {
  ENGINE_SAMPLING_INTERVAL_MS,
  meanOvershoot,
  overshootBytes,
  POOL_WATCH_INTERVAL_MS,
} from "../../stats/mod.ts";
import { DEFAULT_SAMPLING_INTERVAL_MS } from "../../src/engine/options.ts";
import fixture from "./fixtures/observed.json" with { type: "json" };

const MiB = 2 ** 20;

test("overshootBytes is mpmath's smallest x with (1 - 1/(R·τ))^x <= t", () => {
  assert.ok(fixture.overshootBytes.length >= 40);
  for (const c of fixture.overshootBytes) {
    assert.equal(
      overshootBytes(c.t, c.bytesPerSecond, c.intervalMs),
      c.bytes,
      JSON.stringify(c),
    );
  }
});

test("overshootBytes reproduces docs/limits.md's table at the default 10 ms", () => {
  // docs/limits.md, "Sampling and what the default guarantees" (MiB, 2 decimals)
  const table: [number, number[]][] = [
    [10 * MiB, [2.07, 3.22, 11.51]],
    [100 * MiB, [20.72, 32.24, 115.13]],
    [1024 * MiB, [212.21, 330.10, 1178.92]],
  ];
  for (const [rate, expected] of table) {
    const got = [1e-9, 1e-14, 1e-50].map((t) =>
      Math.round((overshootBytes(t, rate) / MiB) * 100) / 100
    );
    assert.deepEqual(got, expected, `${rate / MiB} MiB/s`);
  }
});

test("the intervals: the engine's default is its own constant, the pool's is 1 ms", () => {
  assert.equal(ENGINE_SAMPLING_INTERVAL_MS, DEFAULT_SAMPLING_INTERVAL_MS);
  assert.equal(ENGINE_SAMPLING_INTERVAL_MS, 10);
  assert.equal(POOL_WATCH_INTERVAL_MS, 1);
  assert.equal(
    overshootBytes(1e-9, 100 * MiB),
    overshootBytes(1e-9, 100 * MiB, 10),
  );
  assert.equal(meanOvershoot(100 * MiB, 10), MiB);
});

test("bad arguments throw RangeError naming the parameter", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => overshootBytes(0, MiB), /^target must be a number in \(0, 1\)/],
    [
      () => overshootBytes(1e-9, 0),
      /^bytesPerSecond must be a number in \(0, /,
    ],
    [
      () => overshootBytes(1e-9, MiB, -1),
      /^intervalMs must be a number in \(0, /,
    ],
    [
      () => overshootBytes(1e-9, 50, 10),
      /at least 1 byte .* got 0\.5 for bytesPerSecond = 50, intervalMs = 10$/,
    ],
    [() => overshootBytes(1e-300, 1e40), /too small .* 2\^53/],
  ];
  for (const [call, pattern] of cases) {
    assert.throws(call, (error: Error) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, pattern);
      return true;
    });
  }
});
