/**
 * memory_pressure.ts: the parser against this machine's /proc/pressure/memory
 * and against text in the kernel's documented format, and the stall share
 * the reader computes from a file rewritten between readings.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "../../../harness.ts";
import {
  MemoryPressure,
  parsePressure,
  PRESSURE_SAMPLE_MS,
} from "../../../../src/pool/linux/memory_pressure.ts";

const PSI = "/proc/pressure/memory";

test("parsePressure: this machine's /proc/pressure/memory, both lines", () => {
  const text = readFileSync(PSI, "utf8");
  const parsed = parsePressure(text);
  assert.ok(parsed?.full, `parsed ${JSON.stringify(parsed)} from ${text}`);
  for (const kind of ["some", "full"] as const) {
    const total = /total=(\d+)/.exec(
      text.split("\n").find((l) => l.startsWith(kind))!,
    )![1];
    assert.equal(parsed[kind]!.total, Number(total), kind);
    for (const avg of ["avg10", "avg60", "avg300"] as const) {
      const value = parsed[kind]![avg];
      assert.ok(value >= 0 && value <= 100, `${kind} ${avg} ${value}`);
    }
  }
  // Every task stalled is a case of some task stalled.
  assert.ok(parsed.full!.total <= parsed.some.total);
}, { skip: !existsSync(PSI) });

test("parsePressure: the kernel's documented format, with a 'full' line and without one", () => {
  assert.deepEqual(
    parsePressure(
      "some avg10=12.34 avg60=5.67 avg300=1.02 total=987654321\n" +
        "full avg10=3.21 avg60=1.00 avg300=0.25 total=123456789\n",
    ),
    {
      some: { avg10: 12.34, avg60: 5.67, avg300: 1.02, total: 987654321 },
      full: { avg10: 3.21, avg60: 1, avg300: 0.25, total: 123456789 },
    },
  );
  // /proc/pressure/cpu before Linux 5.13 has no "full" line.
  assert.deepEqual(
    parsePressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
    { some: { avg10: 0, avg60: 0, avg300: 0, total: 0 } },
  );
  assert.equal(parsePressure(""), undefined);
  assert.equal(parsePressure("MemAvailable: 1 kB\n"), undefined);
  assert.equal(
    parsePressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=x\n"),
    undefined,
  );
  // A malformed "full" line is left out; "some" still counts.
  assert.deepEqual(
    parsePressure(
      "some avg10=0.00 avg60=0.00 avg300=0.00 total=5\nfull avg10=0.00\n",
    ),
    { some: { avg10: 0, avg60: 0, avg300: 0, total: 5 } },
  );
});

test("MemoryPressure: the share of each window every task stalled, read at most once a window", () => {
  const dir = mkdtempSync(join(tmpdir(), "memlimits-psi-"));
  const file = join(dir, "memory");
  const write = (fullUs: number) =>
    writeFileSync(
      file,
      `some avg10=0.00 avg60=0.00 avg300=0.00 total=${2 * fullUs}\n` +
        `full avg10=0.00 avg60=0.00 avg300=0.00 total=${fullUs}\n`,
    );
  try {
    write(1_000_000);
    const pressure = new MemoryPressure(file);
    try {
      assert.equal(pressure.fullShare(10_000), 0, "no window yet");
      write(1_010_000); // 10 ms of full stall
      // Within the window: the file is not read again.
      assert.equal(pressure.fullShare(10_000 + PRESSURE_SAMPLE_MS - 1), 0);
      assert.equal(pressure.fullShare(10_100), 10_000 / 100_000);
      write(1_060_000); // 50 ms of full stall in 50 ms
      assert.equal(pressure.fullShare(10_150), 1);
      write(1_070_000);
      // A long pause (nothing ran): a new window starts.
      assert.equal(pressure.fullShare(20_000), 0);
      rmSync(file);
      // The open file still reads; a reader of a missing file reads undefined.
      const missing = new MemoryPressure(join(dir, "none"));
      assert.equal(missing.fullShare(0), undefined);
      missing.close();
    } finally {
      pressure.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("MemoryPressure: this machine's file gives a share from 0 to 1", () => {
  const pressure = new MemoryPressure();
  try {
    const t0 = Date.now();
    assert.equal(pressure.fullShare(t0), 0);
    const share = pressure.fullShare(t0 + PRESSURE_SAMPLE_MS);
    assert.ok(share !== undefined && share >= 0 && share <= 1, `${share}`);
  } finally {
    pressure.close();
  }
}, { skip: !existsSync(PSI) });
