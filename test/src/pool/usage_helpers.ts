/** Helpers shared by usage_test.ts and usage_timing_test.ts (not a test file). */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isBun } from "../../harness.ts";
import type { PoolUsage } from "../../../mod.ts";

export const USAGE_TASKS = new URL(
  "./fixtures/usage_tasks.ts",
  import.meta.url,
);

/** The watchdog's CPU readings are to 10 ms for all but the worker's main thread. */
export const TICK_MS = 10;

/**
 * One sample of the watchdog: it samples a run under a cpuLimit every
 * millisecond, but on this shared machine a sample may come late by some
 * milliseconds.
 */
export const SAMPLE_SLACK_MS = 10;

export function checkUsageShape(usage: PoolUsage | undefined): PoolUsage {
  assert.ok(usage, "the result has no usage");
  for (const field of ["wallMs", "cpuMs", "peakMemory"] as const) {
    assert.equal(typeof usage[field], "number", `usage.${field}`);
    assert.ok(usage[field] >= 0, `usage.${field} = ${usage[field]}`);
  }
  if (isBun) assert.ok(!("allocated" in usage), "allocated is absent on Bun");
  return usage;
}

let files = 0;
/** A temporary file's path for a task to write to, and its removal. */
export function tempFile(): { path: string; done(): void } {
  const path = join(tmpdir(), `memlimits-usage-${process.pid}-${files++}`);
  return {
    path,
    done: () => {
      rmSync(path, { force: true });
      rmSync(`${path}.new`, { force: true });
    },
  };
}
