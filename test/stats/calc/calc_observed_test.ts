// `calc observed` as a user runs it: a limit from the values of observed runs,
// read from a file or standard input. Ranks against mpmath (fixtures/observed.json).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "../../harness.ts";
import { supportedTarget } from "../../../stats/mod.ts";
import {
  assertUsageError,
  calc,
  calcJson,
  calcWithInput,
  jsonOf,
} from "./calc_run.ts";
import fixture from "../fixtures/observed.json" with { type: "json" };

/** A temporary folder with `files`, removed after `body`. */
function withFiles(files: Record<string, string>, body: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), "memlimits-observed-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(dir, name), text);
    }
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** n values in a scrambled order whose m-th smallest is 1000·m. */
function scrambledValues(n: number): number[] {
  return Array.from({ length: n }, (_, i) => ((i * 7919) % n + 1) * 1000);
}

/** The mpmath rank for n runs at t and c. */
function reference(n: number, t: number, c: number) {
  const found = fixture.observedLimit.find((r) =>
    r.n === n && r.t === t && r.c === c
  );
  assert.ok(found, `a reference for ${n}, ${t}, ${c}`);
  return found;
}

test("observed --json on a file of numbers: x_(m) for mpmath's m (1000 runs, t = 0.01: m = 996)", () => {
  const values = scrambledValues(1000); // 7919 is prime: a permutation of 1..1000
  withFiles({ "peaks.txt": values.join("\n") + "\n" }, (dir) => {
    const file = join(dir, "peaks.txt");
    const out = calcJson("observed", "--from", file, "--target", "0.01");
    const ref = reference(1000, 0.01, 0.95);
    assert.equal(out.command, "observed");
    assert.deepEqual(
      [out.source, out.field, out.runs, out.target, out.requiredConfidence],
      [file, null, 1000, 0.01, 0.95],
    );
    assert.equal(out.enough, true);
    assert.equal(out.index, ref.index);
    assert.equal(out.index, 996);
    assert.equal(out.limit, 996_000);
    assert.ok(Math.abs(out.confidence / ref.confidence! - 1) < 1e-12);
    assert.equal(out.largest, 1_000_000);
  });
});

test("observed reads JSON lines from standard input with --field (JSON.stringify(result.usage) per run)", () => {
  const n = 100;
  const lines = scrambledValues(n).map((peak, i) =>
    JSON.stringify({
      peakMemory: peak,
      allocated: 2 * peak,
      cpuMs: i + 0.5,
      wallMs: 3,
    })
  );
  const input = lines.join("\r\n") + "\n\n"; // CRLF and blank lines are fine
  const ref = reference(100, 0.05, 0.95);
  const out = jsonOf(
    calcWithInput(
      input,
      "observed",
      "--from",
      "-",
      "--field",
      "peakMemory",
      "--target",
      "0.05",
      "--json",
    ),
  );
  assert.deepEqual([out.source, out.field, out.runs], ["-", "peakMemory", 100]);
  assert.equal(out.index, ref.index);
  assert.equal(out.limit, ref.index! * 1000);
  const text = calcWithInput(
    input,
    "observed",
    "--from",
    "-",
    "--field",
    "allocated",
    "--target",
    "0.05",
  );
  assert.equal(text.status, 0, text.stderr);
  assert.match(
    text.stdout,
    /^From 100 runs \(allocated in standard input\): a new run exceeds the limit with probability at most 0\.05, with confidence at least 0\.95, for$/m,
  );
  assert.match(text.stdout, /^ {2}limit {7}198000 bytes \(193\.4 KiB\)$/m);
  assert.match(
    text.stdout,
    /^ {2}x_\(m\) {7}m = 99, the 2nd largest of the 100 values$/m,
  );
  const ms = calcWithInput(
    input,
    "observed",
    "--from",
    "-",
    "--field",
    "cpuMs",
    "--target",
    "0.05",
  );
  assert.match(ms.stdout, /^ {2}limit {7}98\.5 ms$/m);
});

test("observed with too few runs says so: enough false, runsNeeded and supportedTarget (mpmath)", () => {
  const values = scrambledValues(1000).join("\n");
  const ref = reference(1000, 1e-3, 0.95);
  assert.equal(ref.index, null);
  const out = jsonOf(
    calcWithInput(
      values,
      "observed",
      "--from",
      "-",
      "--target",
      "1e-3",
      "--json",
    ),
  );
  assert.equal(out.enough, false);
  const needed = fixture.runsNeeded.find((r) => r.t === 1e-3 && r.c === 0.95);
  assert.equal(out.runsNeeded, needed?.n);
  assert.equal(out.runsNeeded, 2995);
  assert.equal(out.supportedTarget, supportedTarget(1000, 0.95));
  assert.ok(Math.abs(out.supportedTarget / 0.0029912495450953 - 1) < 1e-12); // mpmath: 1 - 0.05^(1/1000)
  assert.equal(out.index, undefined);
  const text = calcWithInput(
    values,
    "observed",
    "--from",
    "-",
    "--target",
    "1e-3",
  );
  assert.equal(text.status, 0);
  assert.match(
    text.stdout,
    /^1,000 runs \(standard input\) are not enough for t = 0\.001 at confidence 0\.95/m,
  );
  assert.match(
    text.stdout,
    /^ {2}runs needed {2}2,995 for t = 0\.001 at 0\.95$/m,
  );
  assert.match(text.stdout, /^ {2}supported t {2}0\.002991 with these 1,000/m);
});

test("observed --confidence changes the rank as mpmath's does", () => {
  const values = scrambledValues(10000).join("\n");
  for (const c of [0.95, 0.5]) {
    const ref = fixture.observedLimit.find((r) => r.n === 10000 && r.c === c);
    if (ref === undefined) continue;
    const out = jsonOf(
      calcWithInput(
        values,
        "observed",
        "--from",
        "-",
        "--target",
        String(ref.t),
        "--confidence",
        String(c),
        "--json",
      ),
    );
    assert.equal(out.index, ref.index);
  }
  const low = jsonOf(
    calcWithInput(
      values,
      "observed",
      "--from",
      "-",
      "--target",
      "1e-3",
      "--confidence",
      "0.5",
      "--json",
    ),
  );
  const high = jsonOf(
    calcWithInput(
      values,
      "observed",
      "--from",
      "-",
      "--target",
      "1e-3",
      "--confidence",
      "0.999",
      "--json",
    ),
  );
  assert.ok(low.index < high.index, `${low.index} < ${high.index}`);
});

test("observed: bad input exits 2 with one line naming the option, or the file and line", () => {
  withFiles({
    "empty.txt": "\n  \n",
    "word.txt": "12\n13\nabc\n",
    "negative.txt": "12\n\n-5\n",
    "objects.jsonl": '{"peakMemory": 1}\n{"peakMemory": 2}\n',
    "missing.jsonl": '{"peakMemory": 1}\n{"cpuMs": 2}\n',
    "string.jsonl": '{"peakMemory": 1}\n{"peakMemory": "2"}\n',
    "broken.jsonl": '{"peakMemory": 1}\n{"peakMemory": \n',
    "nan.txt": "1\nInfinity\n",
  }, (dir) => {
    const file = (name: string) => join(dir, name);
    const escaped = (name: string) =>
      file(name).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const cases: [string[], RegExp][] = [
      [
        ["observed", "--target", "0.01"],
        /^calc: --from: missing; observed needs --from FILE/,
      ],
      [
        ["observed", "--from", file("word.txt")],
        /^calc: --target: missing; observed needs --target t$/,
      ],
      [
        ["observed", "--from", file("empty.txt"), "--target", "0.01"],
        new RegExp(`^calc: --from: ${escaped("empty.txt")} holds no values`),
      ],
      [
        ["observed", "--from", file("word.txt"), "--target", "0.01"],
        new RegExp(
          `^calc: ${
            escaped("word.txt")
          }:3: expected a non-negative number, got "abc"$`,
        ),
      ],
      [
        ["observed", "--from", file("negative.txt"), "--target", "0.01"],
        new RegExp(
          `^calc: ${
            escaped("negative.txt")
          }:3: expected a non-negative number, got "-5"$`,
        ),
      ],
      [
        ["observed", "--from", file("nan.txt"), "--target", "0.01"],
        new RegExp(
          `^calc: ${
            escaped("nan.txt")
          }:2: expected a non-negative number, got "Infinity"$`,
        ),
      ],
      [
        ["observed", "--from", file("objects.jsonl"), "--target", "0.01"],
        new RegExp(
          `^calc: ${
            escaped("objects.jsonl")
          }:1: a JSON object; give --field NAME`,
        ),
      ],
      [
        [
          "observed",
          "--from",
          file("missing.jsonl"),
          "--target",
          "0.01",
          "--field",
          "peakMemory",
        ],
        new RegExp(
          `^calc: ${
            escaped("missing.jsonl")
          }:2: no property "peakMemory" in this object`,
        ),
      ],
      [
        [
          "observed",
          "--from",
          file("string.jsonl"),
          "--target",
          "0.01",
          "--field",
          "peakMemory",
        ],
        new RegExp(
          `^calc: ${
            escaped("string.jsonl")
          }:2: expected a non-negative number in "peakMemory", got "2"$`,
        ),
      ],
      [
        [
          "observed",
          "--from",
          file("broken.jsonl"),
          "--target",
          "0.01",
          "--field",
          "peakMemory",
        ],
        new RegExp(
          `^calc: ${
            escaped("broken.jsonl")
          }:2: expected a JSON object with the property "peakMemory"`,
        ),
      ],
      [
        ["observed", "--from", file("word.txt"), "--target", "0"],
        /^calc: --target: expected a probability strictly between 0 and 1/,
      ],
      [
        ["observed", "--from", file("word.txt"), "--target", "1"],
        /^calc: --target: expected a probability strictly between 0 and 1/,
      ],
      [
        [
          "observed",
          "--from",
          file("objects.jsonl"),
          "--field",
          "peakMemory",
          "--target",
          "0.1",
          "--confidence",
          "1",
        ],
        /^calc: --confidence: expected a confidence strictly between 0 and 1, e\.g\. 0\.95, got "1"$/,
      ],
      [[
        "observed",
        "--from",
        file("objects.jsonl"),
        "--field",
        "peakMemory",
        "--target",
        "0.1",
        "--confidence",
        "0",
      ], /^calc: --confidence: expected a confidence strictly between 0 and 1/],
      [[
        "observed",
        "--from",
        file("objects.jsonl"),
        "--field",
        "peakMemory",
        "--target",
        "0.1",
        "--confidence",
        "95%",
      ], /^calc: --confidence: expected a confidence/],
      [
        ["observed", "--from", file("none.txt"), "--target", "0.01"],
        new RegExp(`^calc: --from: cannot read "${escaped("none.txt")}": `),
      ],
      [[
        "observed",
        "--from",
        file("word.txt"),
        "--target",
        "0.01",
        "--word-size",
        "4",
      ], /^calc: --word-size: unknown option for observed/],
    ];
    for (const [args, pattern] of cases) {
      assertUsageError(calc(...args, "--json"), pattern, args.join(" "));
    }
  });
  assertUsageError(
    calcWithInput("", "observed", "--from", "-", "--target", "0.01"),
    /^calc: --from: stdin holds no values/,
    "empty standard input",
  );
});
