// `calc overshoot` as a user runs it: memlimits' own limits, exact meters read
// at Poisson instants. Numbers against mpmath (fixtures/observed.json).
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { assertUsageError, calc, calcJson } from "./calc_run.ts";
import fixture from "../fixtures/observed.json" with { type: "json" };

const MiB = 2 ** 20;

/** The mpmath reference for R bytes/s at τ ms and target t. */
function reference(t: number, bytesPerSecond: number, intervalMs: number) {
  const found = fixture.overshootBytes.find((c) =>
    c.t === t && c.bytesPerSecond === bytesPerSecond &&
    c.intervalMs === intervalMs
  );
  assert.ok(found, `a reference for ${t}, ${bytesPerSecond}, ${intervalMs}`);
  return found.bytes;
}

test("overshoot --json: detectionAllocations(t, 1/(R·τ)) in bytes, τ = 10 ms by default (mpmath)", () => {
  const out = calcJson(
    "overshoot",
    "--alloc-rate",
    "100MiB/s",
    "--target",
    "1e-9",
  );
  assert.equal(out.command, "overshoot");
  assert.equal(out.target, 1e-9);
  assert.deepEqual(out.allocRate, { bytesPerSecond: 100 * MiB });
  assert.deepEqual(out.samplingInterval, { ms: 10, source: "engine" });
  assert.deepEqual(out.meanOvershoot, { bytes: MiB });
  assert.deepEqual(out.overshoot, { bytes: reference(1e-9, 100 * MiB, 10) });
  assert.equal(out.overshoot.bytes, 21729909); // docs/limits.md: 20.72 MiB
  for (const [rate, text] of [[10, "10MiB/s"], [1024, "1 GiB/s"]] as const) {
    for (const t of [1e-14, 4e-15, 1e-50]) {
      const run = calcJson(
        "overshoot",
        "--alloc-rate",
        text,
        "--target",
        String(t),
      );
      assert.equal(
        run.overshoot.bytes,
        reference(t, rate * MiB, 10),
        `${text} ${t}`,
      );
    }
  }
});

test("overshoot --pool uses the pool's 1 ms watch interval; --sampling-interval any τ (mpmath)", () => {
  const pool = calcJson(
    "overshoot",
    "--alloc-rate",
    "1GiB/s",
    "--target",
    "1e-50",
    "--pool",
  );
  assert.deepEqual(pool.samplingInterval, { ms: 1, source: "pool" });
  assert.equal(pool.overshoot.bytes, reference(1e-50, 1024 * MiB, 1));
  const given = fixture.overshootBytes.filter((c) =>
    ![10, 1].includes(c.intervalMs)
  );
  assert.ok(given.length >= 10);
  for (const c of given) {
    const out = calcJson(
      "overshoot",
      "--alloc-rate",
      `${c.bytesPerSecond}B/s`,
      "--target",
      String(c.t),
      "--sampling-interval",
      String(c.intervalMs),
    );
    assert.deepEqual(out.samplingInterval, {
      ms: c.intervalMs,
      source: "given",
    });
    assert.equal(out.overshoot.bytes, c.bytes, JSON.stringify(c));
  }
});

test("overshoot reads rates in words by the word size, and units in any spacing", () => {
  const words = calcJson(
    "overshoot",
    "--alloc-rate",
    "12.5 Mw/s",
    "--target",
    "1e-9",
  );
  assert.equal(words.allocRate.bytesPerSecond, 100e6);
  const bits32 = calcJson(
    "overshoot",
    "--alloc-rate",
    "12.5Mw / s",
    "--target",
    "1e-9",
    "--word-size",
    "4",
  );
  assert.equal(bits32.allocRate.bytesPerSecond, 50e6);
  assert.equal(bits32.wordSize, 4);
  assert.equal(
    calcJson("overshoot", "--alloc-rate", "100000kB/s", "--target", "1e-9")
      .overshoot.bytes,
    words.overshoot.bytes,
  );
});

test("overshoot prints the bound, the mean R·τ and where τ comes from", () => {
  const run = calc("overshoot", "--alloc-rate", "100MiB/s", "--target", "1e-9");
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, "");
  assert.match(
    run.stdout,
    /^Past a limit, a task allocating R = 100 MiB\/s is interrupted, except with probability 1e-9, within$/m,
  );
  assert.match(
    run.stdout,
    /^ {2}overshoot {2}20\.72 MiB \(21,729,909 bytes\)$/m,
  );
  assert.match(
    run.stdout,
    /^ {2}mean R·τ {3}1 MiB \(1,048,576 bytes\); the overshoot is exponential$/m,
  );
  assert.match(
    run.stdout,
    /^ {2}τ {10}10 ms, the in-thread engine's default samplingInterval/m,
  );
  assert.match(run.stdout, /never fire before the limit is reached/);
  const pool = calc(
    "overshoot",
    "--alloc-rate",
    "100MiB/s",
    "--target",
    "1e-9",
    "--pool",
  );
  assert.match(
    pool.stdout,
    /^ {2}τ {10}1 ms, the worker pool's watch interval/m,
  );
});

test("calc --help describes memlimits' limits truthfully and lists overshoot and observed", () => {
  const help = calc("--help").stdout;
  assert.doesNotMatch(help, /statistics of sampled limits/);
  assert.match(help, /never fires before it is reached/);
  // Allocations are not counted exactly everywhere: the help says where and what.
  assert.doesNotMatch(help, /counts allocations exactly/);
  assert.match(
    help,
    /On Deno and Node >= 25 an allocation limit reads V8's exact counter of\s+heap allocations/,
  );
  assert.match(help, /ArrayBuffer contents are outside it/);
  assert.match(help, /on Bun\s+and older Node allocation limits are refused/);
  assert.match(help, /memory, CPU and time limits work on\s+every runtime/);
  assert.match(
    help,
    /^ {2}overshoot --alloc-rate R --target t \[--sampling-interval ms \| --pool\]$/m,
  );
  assert.match(
    help,
    /^ {2}observed --from FILE --target t \[--confidence c\] \[--field name\]$/m,
  );
  const own = calc("overshoot", "--help");
  assert.equal(own.status, 0);
  for (
    const option of [
      "--alloc-rate R",
      "--target t",
      "--sampling-interval ms",
      "--pool",
      "--word-size 8|4",
      "--json",
    ]
  ) {
    assert.ok(own.stdout.includes(option), option);
  }
  assert.ok(
    !own.stdout.includes("--rate p"),
    "memprof's --rate does not apply",
  );
});

test("overshoot: bad input exits 2 with one line naming the option", () => {
  const cases: [string[], RegExp][] = [
    [
      ["overshoot", "--target", "1e-9"],
      /^calc: --alloc-rate: missing; overshoot needs --alloc-rate R/,
    ],
    [
      ["overshoot", "--alloc-rate", "100MiB/s"],
      /^calc: --target: missing; overshoot needs --target t$/,
    ],
    [
      ["overshoot", "--alloc-rate", "1e8/s", "--target", "1e-9"],
      /^calc: --alloc-rate: expected an allocation rate: a size with a unit, per second, e\.g\. 100MiB\/s .*got "1e8\/s"$/,
    ],
    [
      ["overshoot", "--alloc-rate", "100MiB", "--target", "1e-9"],
      /^calc: --alloc-rate: expected an allocation rate.*got "100MiB"$/,
    ],
    [
      ["overshoot", "--alloc-rate", "100MB/h", "--target", "1e-9"],
      /^calc: --alloc-rate: expected an allocation rate/,
    ],
    [
      ["overshoot", "--alloc-rate", "100KB/s", "--target", "1e-9"],
      /^calc: --alloc-rate: expected a size with one of the units/,
    ],
    [
      ["overshoot", "--alloc-rate", "-1MiB/s", "--target", "1e-9"],
      /^calc: --alloc-rate: expected a non-negative size/,
    ],
    [
      ["overshoot", "--alloc-rate", "50B/s", "--target", "1e-9"],
      /^calc: --alloc-rate: expected at least 1 byte per sampling interval \(100 B\/s at τ = 10 ms\), got "50B\/s"$/,
    ],
    [
      ["overshoot", "--alloc-rate", "100MiB/s", "--target", "1"],
      /^calc: --target: expected a probability strictly between 0 and 1/,
    ],
    [
      [
        "overshoot",
        "--alloc-rate",
        "100MiB/s",
        "--target",
        "1e-9",
        "--sampling-interval",
        "0",
      ],
      /^calc: --sampling-interval: expected a positive number of milliseconds/,
    ],
    [[
      "overshoot",
      "--alloc-rate",
      "100MiB/s",
      "--target",
      "1e-9",
      "--sampling-interval",
      "2",
      "--pool",
    ], /^calc: --pool: give either --sampling-interval or --pool, not both$/],
    [[
      "overshoot",
      "--alloc-rate",
      "100MiB/s",
      "--target",
      "1e-9",
      "--pool=yes",
    ], /^calc: --pool: is a flag and takes no value$/],
    [[
      "overshoot",
      "--alloc-rate",
      "100MiB/s",
      "--target",
      "1e-9",
      "--rate",
      "1e-4",
    ], /^calc: --rate: unknown option for overshoot/],
    [
      ["overshoot", "--alloc-rate", "1e40MiB/s", "--target", "1e-300"],
      /^calc: cannot compute this: target = 1e-300 is too small .* 2\^53 bytes/,
    ],
  ];
  for (const [args, pattern] of cases) {
    assertUsageError(calc(...args, "--json"), pattern, args.join(" "));
  }
});
