// The calculator as a user runs it: a subprocess on the runtime running the
// tests (Deno or Bun), checked for exit status, stdout, stderr, --json and
// --help, and for numbers equal to the statistics core's (one code path).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { isDeno, test } from "../../harness.ts";
import {
  accuracyTable,
  detectionAllocations,
  interruptProbability,
  minimalSamplingRate,
  recommendLimit,
  safeAllocations,
} from "../../../stats/mod.ts";
import { calc, calcJson, root } from "./calc_run.ts";

const COMMANDS = [
  "recommend",
  "safe",
  "probability",
  "detect",
  "rate",
  "table",
];

test("calc --help lists every command and the common options, exit 0", () => {
  for (const flag of ["--help", "-h"]) {
    const run = calc(flag);
    assert.equal(run.status, 0);
    assert.equal(run.stderr, "");
    for (const name of COMMANDS) {
      assert.match(run.stdout, new RegExp(`^  ${name} --`, "m"));
    }
    for (
      const option of ["--rate p", "--interval S", "--word-size 8|4", "--json"]
    ) {
      assert.ok(run.stdout.includes(option), option);
    }
    assert.ok(run.stdout.includes("KiB, MiB, GiB"));
    // Named first as an installed package runs it; the checkout's forms come after.
    assert.match(run.stdout, /^Usage: npx memlimits <command> \[options\]$/m);
    assert.match(run.stdout, /^ {7}bunx memlimits <command> \[options\]$/m);
    assert.ok(
      run.stdout.indexOf("npx memlimits") <
        run.stdout.indexOf("deno task calc"),
    );
  }
});

test("calc <command> --help shows that command's options, exit 0, even with other options", () => {
  const own: Record<string, string[]> = {
    recommend: ["--safe N", "--target t", "--rate p"],
    safe: ["--limit l", "--target t", "--interval S"],
    probability: ["--limit l", "--after n"],
    detect: ["--target t", "--word-size 8|4"],
    rate: ["--safe N", "--target t", "--ratio r"],
    table: ["--target t"],
  };
  for (const name of COMMANDS) {
    const run = calc(name, "--help", "--json");
    assert.equal(run.status, 0, name);
    assert.equal(run.stderr, "");
    assert.ok(run.stdout.startsWith(`memlimits calc ${name}: `), name);
    // Named as an installed package runs it; the help says how else to run it.
    assert.ok(run.stdout.includes(`Usage: memlimits ${name} `), name);
    assert.ok(run.stdout.includes("npx memlimits"), name);
    assert.ok(run.stdout.includes("bunx memlimits"), name);
    assert.ok(run.stdout.includes("deno task calc"), name);
    for (const option of own[name]) {
      assert.ok(run.stdout.includes(option), `${name} ${option}`);
    }
  }
  // rate computes the rate: it takes no --rate.
  assert.ok(!calc("rate", "--help").stdout.includes("--rate p"));
  // detect's t is the chance of no interrupt yet, the others' of an interrupt.
  const detectHelp = calc("detect", "--help").stdout;
  assert.match(detectHelp, /--target t .*chance of no interrupt yet/);
  assert.doesNotMatch(detectHelp, /chance of an interrupt before N/);
});

test("recommend --json gives the core's recommendLimit, in words and bytes", () => {
  const out = calcJson("recommend", "--safe", "100KiB", "--target", "1e-9");
  const words = 100 * 1024 / 8;
  assert.equal(out.command, "recommend");
  assert.deepEqual(out.safe, { words, bytes: 102400 });
  const limit = recommendLimit(words, 1e-9, 1e-4);
  assert.deepEqual(out.limit, { words: limit, bytes: limit * 8 });
  assert.equal(out.k, limit * 1e-4);
  assert.equal(out.error, (limit - words) / words);
  assert.equal(
    out.interruptProbabilityAtSafe,
    interruptProbability(words, limit, 1e-4),
  );
  assert.deepEqual([out.rate, out.wordSize, out.target], [1e-4, 8, 1e-9]);
  // Reference, mpmath at 50 digits (bisection on k of betainc(k, N-k+1, 0, p) = t):
  // l = 130805.0808242236 words.
  assert.ok(Math.abs(out.limit.words / 130805.0808242236 - 1) < 1e-9);
});

test("recommend prints l in words and bytes with binary units", () => {
  const run = calc("recommend", "--safe", "100KiB", "--target", "1e-9");
  assert.equal(run.status, 0);
  assert.equal(run.stderr, "");
  assert.match(run.stdout, /N = 12\.8 kw \(100 KiB\)/);
  assert.match(run.stdout, /^ {2}l {16}130\.8 kw \(1,022 KiB\)$/m);
  assert.match(run.stdout, /error \(l - N\)\/N {2}9\.219/);
});

test("safe --json gives the core's safeAllocations (mpmath: N = 4710 words)", () => {
  const out = calcJson("safe", "--limit", "1MiB", "--target", "4e-15");
  assert.deepEqual(out.limit, { words: 131072, bytes: 1048576 });
  const safe = safeAllocations(131072, 4e-15, 1e-4);
  assert.deepEqual(out.safe, { words: safe, bytes: safe * 8 });
  assert.equal(safe, 4710); // mpmath: largest n with betainc(k, n-k+1, 0, p) < 4e-15, k = 13.1072
  assert.equal(out.error, (131072 - 4710) / 4710);
  assert.match(
    calc("safe", "--limit", "1MiB", "--target", "4e-15").stdout,
    /N {16}4\.71 kw \(36\.8 KiB\)/,
  );
});

test("probability --json gives the core's interruptProbability, sizes with units or plain words", () => {
  const out = calcJson("probability", "--limit", "1 MiB", "--after", "150000");
  assert.deepEqual(out.after, { words: 150000, bytes: 1200000 });
  assert.equal(
    out.interruptProbability,
    interruptProbability(150000, 131072, 1e-4),
  );
  // mpmath: betainc(13.1072, 150000 - 13.1072 + 1, 0, 1e-4) = 0.722671646136...
  assert.ok(
    Math.abs(out.interruptProbability / 0.7226716461360239 - 1) < 1e-12,
  );
  assert.equal(
    calcJson("probability", "--limit", "1MiB", "--after", "2e6").after.words,
    2e6,
  );
});

test("detect gives the seed's global-limit headroom: 1e-9 after about 1.58 MiB on 64-bit", () => {
  // mpmath: ceil(ln t / ln(1 - 1e-4)) = 207223, 322346, 1151235 words.
  const expected: [string, number, string][] = [
    ["1e-9", 207223, "1.581 MiB"],
    ["1e-14", 322346, "2.459 MiB"],
    ["1e-50", 1151235, "8.783 MiB"],
  ];
  for (const [t, words, text] of expected) {
    const out = calcJson("detect", "--target", t);
    assert.equal(out.allocations.words, detectionAllocations(Number(t), 1e-4));
    assert.deepEqual(out.allocations, { words, bytes: words * 8 });
    assert.ok(calc("detect", "--target", t).stdout.includes(`(${text})`), t);
  }
  const bits32 = calcJson("detect", "--target", "1e-9", "--word-size", "4");
  assert.deepEqual(bits32.allocations, { words: 207223, bytes: 828892 });
  assert.equal(bits32.wordSize, 4);
});

test("--interval S is the rate 1/S, a size converted by the word size", () => {
  const byInterval = calcJson(
    "detect",
    "--target",
    "1e-9",
    "--interval",
    "78.125KiB",
  ); // 10^4 words
  assert.equal(byInterval.rate, 1e-4);
  assert.deepEqual(byInterval.interval, { words: 10000, bytes: 80000 });
  const fast = calcJson(
    "safe",
    "--limit",
    "1MiB",
    "--target",
    "1e-9",
    "--rate",
    "1e-3",
  );
  assert.equal(fast.safe.words, safeAllocations(131072, 1e-9, 1e-3));
  const bits32 = calcJson(
    "safe",
    "--limit",
    "1MiB",
    "--target",
    "1e-9",
    "--interval",
    "4KiB",
    "--word-size",
    "4",
  );
  assert.equal(bits32.rate, 1 / 1024); // 4096 bytes of 4-byte words
  assert.equal(bits32.limit.words, 262144);
  assert.equal(bits32.safe.words, safeAllocations(262144, 1e-9, 1 / 1024));
});

test("rate --json gives the core's minimalSamplingRate, default ratio 10", () => {
  const out = calcJson("rate", "--safe", "100KiB", "--target", "1e-9");
  const rate = minimalSamplingRate(12800, 1e-9, 10);
  assert.equal(out.rate, rate);
  assert.equal(out.ratio, 10);
  assert.deepEqual(out.limit, { words: 128000, bytes: 1024000 });
  assert.deepEqual(out.interval, { words: 1 / rate, bytes: 8 / rate });
  assert.equal(out.defaultRateSuffices, rate <= 1e-4);
  const wide = calcJson(
    "rate",
    "--safe",
    "100KiB",
    "--target",
    "1e-9",
    "--ratio",
    "20",
  );
  assert.equal(wide.rate, minimalSamplingRate(12800, 1e-9, 20));
});

test("table --json gives the core's accuracy table for each --target", () => {
  const out = calcJson("table", "--target", "1e-9", "--target", "4e-15");
  assert.deepEqual(out.tables.map((t: { target: number }) => t.target), [
    1e-9,
    4e-15,
  ]);
  for (const { target, rows } of out.tables) {
    const core = accuracyTable({ target, rate: 1e-4 });
    assert.equal(rows.length, core.length);
    rows.forEach(
      (
        row: { k: number; limit: unknown; safe: unknown; error: number | null },
        i: number,
      ) => {
        assert.equal(row.k, core[i].k);
        assert.deepEqual(row.limit, {
          words: core[i].limit,
          bytes: core[i].limit * 8,
        });
        assert.deepEqual(row.safe, {
          words: core[i].safe,
          bytes: core[i].safe * 8,
        });
        assert.equal(
          row.error,
          Number.isFinite(core[i].error) ? core[i].error : null,
        ); // JSON has no Infinity
      },
    );
  }
  const text = calc("table", "--target", "4e-15").stdout;
  assert.match(text, /^t = 4e-15: /m);
  assert.match(
    text,
    /^k +l \(kw\) +l \(bytes\) +N \(kw\) +N \(bytes\) +\(l - N\)\/N$/m,
  );
  assert.match(text, /^20 +200 +1\.53 MiB +17\.2 +134 KiB +10\.6$/m);
});

test("text output shows the target as given, not rounded (1 - 0.9999999, not 1 - 1e0)", () => {
  const table = calc("table", "--target", "0.9999999");
  assert.equal(table.status, 0, table.stderr);
  assert.ok(table.stdout.startsWith("t = 0.9999999: "), table.stdout);
  const safe = calc("safe", "--limit", "1MiB", "--target", "0.5");
  assert.match(safe.stdout, /with probability 1 - 0\.5 no interrupt/);
});

test("bad input exits 2 with one stderr line naming the option and what it accepts", () => {
  const cases: [string[], RegExp][] = [
    [
      ["recommend", "--safe", "100KB", "--target", "1e-9"],
      /^calc: --safe: expected a size with one of the units w, kw, Mw, B, kB, MB, KiB, MiB, GiB .*got "100KB"$/,
    ],
    [
      ["recommend", "--safe", "-1MiB", "--target", "1e-9"],
      /^calc: --safe: expected a non-negative size/,
    ],
    [
      ["recommend", "--safe", "0", "--target", "1e-9"],
      /^calc: --safe: expected a positive size/,
    ],
    [
      ["probability", "--limit", "1MiB", "--after", "lots"],
      /^calc: --after: expected a non-negative size.*got "lots"$/,
    ],
    [
      ["safe", "--limit", "1MiB", "--target", "1"],
      /^calc: --target: expected a probability strictly between 0 and 1.*got "1"$/,
    ],
    [
      ["safe", "--limit", "1MiB", "--target", "0"],
      /^calc: --target: expected a probability strictly between 0 and 1/,
    ],
    [
      ["safe", "--limit", "1MiB", "--target", "-1e-9"],
      /^calc: --target: expected a probability/,
    ],
    [
      ["safe", "--limit", "1MiB"],
      /^calc: --target: missing; safe needs --target t$/,
    ],
    // The settings are read first, then the command's options in their order.
    [
      ["recommend"],
      /^calc: --safe: missing; recommend needs --safe N \(a size\)$/,
    ],
    [
      ["safe", "--target", "1e-9"],
      /^calc: --limit: missing; safe needs --limit l \(a size\)$/,
    ],
    [
      ["probability", "--limit", "1MiB"],
      /^calc: --after: missing; probability needs --after n \(a size\)$/,
    ],
    [
      ["probability", "--limit", "0"],
      /^calc: --limit: expected a positive size/,
    ],
    [
      ["detect", "--word-size", "7"],
      /^calc: --word-size: expected 8 \(64-bit\) or 4 \(32-bit\), got "7"$/,
    ],
    [
      ["table"],
      /^calc: --target: missing; table needs at least one --target t$/,
    ],
    [
      ["recommend", "--safe"],
      /^calc: --safe: expected a value \(N\) after it$/,
    ],
    [
      ["bogus"],
      /^calc: command: expected one of recommend, safe, probability, detect, rate, table, overshoot, observed, got "bogus"$/,
    ],
    [
      [],
      /^calc: command: missing; give one of recommend, .* before the options$/,
    ],
    [
      ["detect", "--target", "1e-9", "--sfe", "1"],
      /^calc: --sfe: unknown option for detect; options are --target, /,
    ],
    [
      ["rate", "--safe", "1MiB", "--target", "1e-9", "--rate", "1e-4"],
      /^calc: --rate: unknown option for rate/,
    ],
    [
      ["detect", "--target", "1e-9", "--rate", "1e-4", "--interval", "10kw"],
      /^calc: --interval: give either --rate or --interval, not both$/,
    ],
    [
      ["detect", "--target", "1e-9", "--rate", "2"],
      /^calc: --rate: expected a sampling rate per word in \(0, 1\]/,
    ],
    [
      ["detect", "--target", "1e-9", "--interval", "0.5"],
      /^calc: --interval: expected a size of at least 1 word/,
    ],
    [
      ["detect", "--target", "1e-9", "--word-size", "7"],
      /^calc: --word-size: expected 8 \(64-bit\) or 4 \(32-bit\), got "7"$/,
    ],
    [
      ["rate", "--safe", "1MiB", "--target", "1e-9", "--ratio", "1"],
      /^calc: --ratio: expected a ratio l\/N greater than 1/,
    ],
    [
      ["detect", "--target", "1e-9", "--target", "1e-9"],
      /^calc: --target: given more than once/,
    ],
    [["detect", "stray"], /^calc: detect: unexpected argument "stray"/],
    // Beyond the core's range: the option is named, not the core's parameter.
    [
      ["safe", "--limit", "1e60", "--target", "1e-9"],
      /^calc: --limit: expected a size of at most 1e50 words, got "1e60"$/,
    ],
    [
      ["rate", "--safe", "1MiB", "--target", "1e-9", "--ratio", "1e60"],
      /^calc: --ratio: expected a ratio l\/N greater than 1 and at most 1e50/,
    ],
    [
      ["safe", "--limit", "0", "--target", "1e-9"],
      /^calc: --limit: expected a positive size: a number of words, or /,
    ],
  ];
  for (const [args, pattern] of cases) {
    const run = calc(...args, "--json");
    const label = args.join(" ");
    assert.equal(run.status, 2, label);
    assert.equal(run.stdout, "", label);
    assert.equal(
      run.stderr.split("\n").length,
      2,
      `one line: ${label}: ${run.stderr}`,
    );
    assert.match(run.stderr.trimEnd(), pattern, label);
  }
});

test(
  "npm run calc -- and deno task calc run the calculator",
  () => {
    // Once, under Deno only: both go through the package scripts, not the runtime under test.
    const npm = spawnSync("npm", [
      "run",
      "-s",
      "calc",
      "--",
      "detect",
      "--target",
      "1e-9",
      "--json",
    ], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(npm.status, 0, npm.stderr);
    assert.equal(JSON.parse(npm.stdout).allocations.words, 207223);
    const task = spawnSync(process.execPath, [
      "task",
      "-q",
      "calc",
      "detect",
      "--target",
      "2",
    ], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    assert.equal(task.status, 2);
    assert.equal(
      task.stderr.trimEnd(),
      'calc: --target: expected a probability strictly between 0 and 1, e.g. 1e-9, got "2"',
    );
  },
  { skip: !isDeno },
);
