// Sizes and durations in messages: binary units, milliseconds or seconds.
import assert from "node:assert/strict";
import { formatBytes, formatMs } from "../../src/format.ts";
import { test } from "../harness.ts";

test("formatBytes: the largest binary unit reached, whole or with one decimal", () => {
  const cases: [number, string][] = [
    [0, "0 B"],
    [512, "512 B"],
    [1023, "1023 B"],
    [1024, "1 KiB"],
    [1536, "1.5 KiB"],
    [256 * 2 ** 20, "256 MiB"],
    [269_265_715, "256.8 MiB"], // 256.793… MiB
    [3 * 2 ** 30, "3 GiB"],
    [5 * 2 ** 40, "5 TiB"],
  ];
  for (const [bytes, text] of cases) assert.equal(formatBytes(bytes), text);
});

test("formatMs: milliseconds below 10 s, seconds to the millisecond from there", () => {
  const cases: [number, string][] = [
    [0.4, "0.4 ms"],
    [500, "500 ms"],
    [503.24, "503.2 ms"],
    [9999, "9999 ms"],
    [10_000, "10 s"],
    [12_500, "12.5 s"],
    [30_012.4, "30.012 s"],
  ];
  for (const [ms, text] of cases) assert.equal(formatMs(ms), text);
});
