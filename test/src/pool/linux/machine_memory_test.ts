/** machine_memory.ts: the floor's rule, and MemAvailable as this machine reports it. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "../../../harness.ts";
import {
  AvailableMemory,
  floorReached,
} from "../../../../src/pool/linux/machine_memory.ts";

const MiB = 2 ** 20;
const FLOOR = 1024 * MiB;

test("floorReached: below the floor always; near it only under pressure", () => {
  const cases: [number, number | undefined, boolean][] = [
    // available, share of time every task stalled, reached
    [FLOOR - 1, undefined, true], // no PSI: MemAvailable alone
    [FLOOR - 1, 0, true],
    [FLOOR, undefined, false],
    [FLOOR, 0, false],
    [FLOOR, 0.09, false], // stalls under a tenth of the time do not count
    [FLOOR, 0.1, true],
    [1.2 * FLOOR, 0.5, true], // within a quarter of the floor
    [1.25 * FLOOR, 1, false], // a quarter above it: pressure alone is not enough
    [4 * FLOOR, 1, false],
    [1.2 * FLOOR, undefined, false],
  ];
  for (const [available, share, reached] of cases) {
    assert.equal(
      floorReached(available, FLOOR, share),
      reached,
      `available ${available / MiB} MiB, stalled ${share}`,
    );
  }
});

test("AvailableMemory: MemAvailable of /proc/meminfo, in bytes", () => {
  const machine = new AvailableMemory();
  try {
    const read = () =>
      Number(
        /^MemAvailable:\s+(\d+) kB/m.exec(
          readFileSync("/proc/meminfo", "utf8"),
        )![1],
      ) * 1024;
    const before = read();
    const got = machine.read()!;
    const after = read();
    // Other programs move it meanwhile: within what they moved plus 64 MiB.
    const slack = Math.abs(after - before) + 64 * MiB;
    assert.ok(
      Math.abs(got - before) <= slack,
      `read ${got}, file ${before} then ${after}`,
    );
  } finally {
    machine.close();
  }
});
