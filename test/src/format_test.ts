import assert from "node:assert/strict";
import { test } from "../harness.ts";
import { formatBytes, formatMs } from "../../src/format.ts";
import { LimitExceeded } from "../../mod.ts";

const MiB = 2 ** 20;

test("formatBytes: binary units, at most one decimal, bytes below 1 KiB", () => {
  assert.equal(formatBytes(512), "512 bytes");
  assert.equal(formatBytes(0), "0 bytes");
  assert.equal(formatBytes(64 * 1024), "64 KiB");
  assert.equal(formatBytes(256 * MiB), "256 MiB");
  assert.equal(formatBytes(269234176), "256.8 MiB"); // 256.762 MiB
  assert.equal(formatBytes(1.5 * 2 ** 30), "1.5 GiB");
  assert.equal(formatBytes(3 * 2 ** 40), "3 TiB");
  assert.equal(formatBytes(5000 * 2 ** 40), "5000 TiB");
  assert.equal(formatBytes(269234176, 3), "256.762 MiB");
});

test("formatMs: whole milliseconds from 10 ms, one decimal below", () => {
  assert.equal(formatMs(1000), "1000 ms");
  assert.equal(formatMs(1003.4), "1003 ms");
  assert.equal(formatMs(3.46), "3.5 ms");
  assert.equal(formatMs(0), "0 ms");
});

test("LimitExceeded: messages in binary units and ms; limit and observed stay numbers", () => {
  const memory = new LimitExceeded("memory", 256 * MiB, 269234176);
  assert.equal(
    memory.message,
    "memory limit of 256 MiB exceeded (observed 256.8 MiB)",
  );
  assert.equal(memory.limit, 268435456);
  assert.equal(memory.observed, 269234176);
  assert.equal(
    new LimitExceeded("allocations", 64 * 1024, 70000).message,
    "allocation limit of 64 KiB exceeded (observed 68.4 KiB)",
  );
  assert.equal(
    new LimitExceeded("timeout", 1000, 1003.4).message,
    "timeout of 1000 ms exceeded (observed 1003 ms)",
  );
  assert.equal(
    new LimitExceeded("cpu", 50, 61.2).message,
    "CPU time limit of 50 ms exceeded (observed 61 ms)",
  );
  assert.equal(new LimitExceeded("token").message, "task cancelled");
  assert.equal(
    new LimitExceeded("memory", 256 * MiB).message,
    "memory limit of 256 MiB exceeded",
  );
  assert.equal(new LimitExceeded("memory").message, "memory limit exceeded");
  assert.equal(new LimitExceeded("timeout").message, "timeout exceeded");
});

test("LimitExceeded: an observation just over the limit does not read as equal to it", () => {
  // 256 MiB + 10 KiB is 256.0098 MiB: "256 MiB" to one decimal, so two.
  assert.equal(
    new LimitExceeded("memory", 256 * MiB, 256 * MiB + 10 * 1024).message,
    "memory limit of 256 MiB exceeded (observed 256.01 MiB)",
  );
});
