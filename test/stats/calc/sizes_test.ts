// Sizes, numbers and the option parser of the calculator. Expected values are
// worked out by hand from the unit definitions (KiB = 1024 B, kB = 1000 B, a
// word is 8 or 4 bytes), not taken from the code under test.
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { parseOptions } from "../../../stats/calc/args.ts";
import { UsageError } from "../../../stats/calc/errors.ts";
import {
  formatExponent,
  formatForCsv,
  formatNumber,
  parseNumber,
} from "../../../stats/calc/numbers.ts";
import {
  formatBytes,
  formatKilowords,
  formatSize,
  formatWords,
  parseAllocationRate,
  parseSize,
} from "../../../stats/calc/sizes.ts";

test("parseSize reads plain numbers as words, in any decimal notation", () => {
  assert.equal(parseSize("--after", "2e6", 8), 2_000_000);
  assert.equal(parseSize("--after", "12800", 8), 12800);
  assert.equal(parseSize("--after", "0.5", 8), 0.5);
  assert.equal(parseSize("--after", ".5", 8), 0.5);
  assert.equal(parseSize("--after", "1.5E3", 8), 1500);
  assert.equal(parseSize("--after", "  7  ", 8), 7);
  assert.equal(parseSize("--after", "0", 8), 0);
});

test("parseSize converts word units by powers of 1000", () => {
  assert.equal(parseSize("--safe", "5w", 8), 5);
  assert.equal(parseSize("--safe", "20kw", 8), 20_000);
  assert.equal(parseSize("--safe", "20 kw", 4), 20_000); // words do not depend on the word size
  assert.equal(parseSize("--safe", "1.5Mw", 8), 1_500_000);
});

test("parseSize converts bytes to words by the word size", () => {
  assert.equal(parseSize("--safe", "100KiB", 8), 12_800); // 102400 / 8
  assert.equal(parseSize("--safe", "100KiB", 4), 25_600); // 102400 / 4
  assert.equal(parseSize("--limit", "1.5 MiB", 8), 196_608); // 1572864 / 8
  assert.equal(parseSize("--limit", "1GiB", 8), 134_217_728);
  assert.equal(parseSize("--limit", "80000B", 8), 10_000);
  assert.equal(parseSize("--limit", "3B", 8), 0.375);
  assert.equal(parseSize("--limit", "8kB", 8), 1000);
  assert.equal(parseSize("--limit", "2MB", 4), 500_000);
});

test("parseSize rejects unknown units and wrong case with a UsageError naming the option", () => {
  for (
    const text of [
      "1KB",
      "1 kb",
      "1mw",
      "1 KW",
      "1 mib",
      "1 bytes",
      "1 GB",
      "1 TiB",
      "1 kiB",
      "1 K",
    ]
  ) {
    assert.throws(() => parseSize("--safe", text, 8), (error: unknown) => {
      assert.ok(error instanceof UsageError, text);
      assert.equal(error.option, "--safe");
      assert.match(error.message, /^--safe: expected .*KiB.*, got "/);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
});

test("parseSize rejects negative, non-numeric, infinite and oddly written sizes", () => {
  for (
    const text of [
      "-1",
      "-1KiB",
      "abc",
      "",
      " ",
      "KiB",
      "1e400",
      "Infinity",
      "NaN",
      "0x10",
      "1_000",
      "1,000",
      "--1",
      "1 2",
      "1e",
      "1.2.3",
    ]
  ) {
    assert.throws(
      () => parseSize("--limit", text, 8),
      UsageError,
      JSON.stringify(text),
    );
  }
  // Beyond the statistics core's largest size, 1e50 words (8e50 bytes).
  assert.equal(parseSize("--limit", "1e50", 8), 1e50);
  for (const text of ["1.1e50", "1e48Mw", "9e50B"]) {
    assert.throws(
      () => parseSize("--limit", text, 8),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message ===
          `--limit: expected a size of at most 1e50 words, got "${text}"`,
      text,
    );
  }
});

test("formatBytes picks the largest binary unit and three significant digits", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1023), "1,023 B");
  assert.equal(formatBytes(1024), "1 KiB");
  assert.equal(formatBytes(80_000), "78.1 KiB"); // the seed's S on 64-bit
  assert.equal(formatBytes(40_000), "39.1 KiB"); // and on 32-bit
  assert.equal(formatBytes(1_657_792), "1.58 MiB"); // 207224 words of 8 bytes
  assert.equal(formatBytes(3 * 1024 ** 3), "3 GiB");
  assert.equal(formatBytes(1_657_792, 4), "1.581 MiB");
});

test("formatWords and formatKilowords use decimal word units", () => {
  assert.equal(formatWords(0.375), "0.375 w");
  assert.equal(formatWords(999), "999 w");
  assert.equal(formatWords(20_480), "20.5 kw");
  assert.equal(formatWords(1.5e6), "1.5 Mw");
  assert.equal(formatWords(2e9), "2 Gw");
  assert.equal(formatKilowords(20_480), "20.5");
  assert.equal(formatKilowords(12_345_678), "12,346");
  assert.equal(formatSize(1e4, 8), "10 kw (78.1 KiB)");
  assert.equal(formatSize(1e4, 4), "10 kw (39.1 KiB)");
});

test("formatNumber shows about n significant digits, grouped integers, and exponents for tiny values", () => {
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(0.64), "0.64");
  assert.equal(formatNumber(0.6321205588), "0.632");
  assert.equal(formatNumber(0.001), "0.001");
  assert.equal(formatNumber(0.000123), "1.23e-4");
  assert.equal(formatNumber(999.96), "1,000"); // rounds up into the next decade
  assert.equal(formatNumber(1234567), "1,234,567");
  assert.equal(formatNumber(-2.5), "-2.5");
  assert.equal(formatNumber(Infinity), "∞");
  assert.equal(formatNumber(3.14159, 4), "3.142");
  assert.equal(formatNumber(1000, 4), "1,000"); // grouped below the grouping threshold too
  assert.equal(formatNumber(1022.4, 4), "1,022");
  assert.equal(formatExponent(4e-15), "4e-15");
  assert.equal(formatExponent(1e-50), "1e-50");
  assert.equal(formatExponent(1.5e-9), "1.5e-9");
  assert.equal(formatExponent(12345, 2), "1.2e4");
});

test("formatForCsv rounds to fixed significant digits so last-bit differences vanish", () => {
  assert.equal(formatForCsv(1 / 3), "0.333333333");
  assert.equal(formatForCsv(0.1 + 0.2), "0.3");
  assert.equal(formatForCsv(12800), "12800");
  assert.equal(formatForCsv(4e-15), "4e-15");
  assert.equal(formatForCsv(Infinity), "inf");
});

test("parseNumber accepts a plain decimal inside the range and nothing else", () => {
  const probability = (t: number) => t > 0 && t < 1;
  assert.equal(parseNumber("--target", "4e-15", probability, "(0, 1)"), 4e-15);
  assert.equal(parseNumber("--target", "0.5", probability, "(0, 1)"), 0.5);
  for (
    const text of [
      "0",
      "1",
      "-1e-9",
      "2",
      "1e-9x",
      "",
      "NaN",
      "Infinity",
      "0x1",
      "1e-400",
    ]
  ) {
    assert.throws(
      () =>
        parseNumber("--target", text, probability, "a probability in (0, 1)"),
      /^UsageError: --target: expected a probability in \(0, 1\), got /,
      text,
    );
  }
});

test("parseOptions reads --name value, --name=value and flags, strictly", () => {
  const specs = [
    { name: "safe", value: "N", help: "" },
    { name: "target", value: "t", help: "", repeatable: true },
    { name: "json", help: "" },
    { name: "help", help: "" },
  ];
  const parsed = parseOptions(
    ["--safe", "1.5 MiB", "--target=1e-9", "--target", "4e-15", "--json", "-h"],
    specs,
    "x",
  );
  assert.deepEqual(parsed.values.get("safe"), ["1.5 MiB"]);
  assert.deepEqual(parsed.values.get("target"), ["1e-9", "4e-15"]);
  assert.deepEqual([...parsed.flags].sort(), ["help", "json"]);
  // A negative value is taken as the value (and rejected later by its parser).
  assert.deepEqual(
    parseOptions(["--safe", "-1"], specs, "x").values.get("safe"),
    ["-1"],
  );

  const fails = (argv: string[], pattern: RegExp) =>
    assert.throws(() => parseOptions(argv, specs, "x"), pattern);
  fails(
    ["--size", "1"],
    /^UsageError: --size: unknown option for x; options are --safe, --target, --json, --help$/,
  );
  fails(["--safe"], /^UsageError: --safe: expected a value \(N\) after it$/);
  fails(["--safe", "--json"], /^UsageError: --safe: expected a value/);
  fails(
    ["--safe", "1", "--safe", "2"],
    /^UsageError: --safe: given more than once/,
  );
  fails(["--json=yes"], /^UsageError: --json: is a flag/);
  fails(["stray"], /^UsageError: x: unexpected argument "stray"/);
  fails(["-s", "1"], /^UsageError: x: unexpected argument "-s"/);
});

test("parseAllocationRate reads a size per second into bytes per second; the unit is required", () => {
  assert.equal(
    parseAllocationRate("--alloc-rate", "100MiB/s", 8),
    100 * 1024 ** 2,
  );
  assert.equal(
    parseAllocationRate("--alloc-rate", " 1.5 GiB / s ", 8),
    1.5 * 1024 ** 3,
  );
  assert.equal(parseAllocationRate("--alloc-rate", "20kw/s", 8), 160_000);
  assert.equal(parseAllocationRate("--alloc-rate", "20kw/s", 4), 80_000);
  assert.equal(parseAllocationRate("--alloc-rate", "5kB/s", 4), 5000); // bytes do not depend on the word size
  for (const text of ["1e8/s", "100MiB", "100MiB/h", "/s", "MiB/s", ""]) {
    assert.throws(
      () => parseAllocationRate("--alloc-rate", text, 8),
      /^UsageError: --alloc-rate: expected an allocation rate: a size with a unit, per second/,
      text,
    );
  }
  assert.throws(
    () => parseAllocationRate("--alloc-rate", "-1MiB/s", 8),
    /^UsageError: --alloc-rate: expected a non-negative size/,
  );
});

test("parseOptions: a value may start with one dash, inline or not; -- and stray dashes are refused", () => {
  const specs = [
    { name: "target", value: "t", help: "" },
    { name: "help", help: "" },
  ];
  assert.deepEqual(
    parseOptions(["--target=-1e-9"], specs, "x").values.get("target"),
    ["-1e-9"],
  );
  assert.deepEqual(
    parseOptions(["--target", "-1e-9"], specs, "x").values.get("target"),
    ["-1e-9"],
  );
  assert.deepEqual(
    parseOptions(["--target=--odd"], specs, "x").values.get("target"),
    ["--odd"],
  );
  const fails = (argv: string[], pattern: RegExp) =>
    assert.throws(() => parseOptions(argv, specs, "x"), pattern);
  fails(
    ["--target", "--"],
    /^UsageError: --target: expected a value \(t\) after it$/,
  );
  fails(["--", "--target", "1"], /^UsageError: x: unexpected argument "--"/);
  fails(["-1"], /^UsageError: x: unexpected argument "-1"/);
  fails(["--Target", "1"], /^UsageError: --Target: unknown option for x/);
  fails(["-hx"], /^UsageError: x: unexpected argument "-x"/);
});
