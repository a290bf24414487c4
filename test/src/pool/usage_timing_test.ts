/**
 * Usage and CPU-time limits where the verdict depends on timing under load:
 * how close the pool's wall and CPU times come to what a task measured of
 * itself, and how far past a cpuLimit a task runs before the watchdog, which
 * must get a core in time, stops it. `npm test -- timing` runs these files
 * on their own.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "../../harness.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import { eventually, limitError, processExists } from "./helpers.ts";
import {
  checkUsageShape,
  SAMPLE_SLACK_MS,
  tempFile,
  TICK_MS,
  USAGE_TASKS as TASKS,
} from "./usage_helpers.ts";

test("usage: a computing task's cpuMs and wallMs match what it measured of itself", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  await pool.run("sleep", [1]); // warm
  for (const ms of [5, 200]) {
    const r = await pool.run<{ cpuMs: number; wallMs: number }>(
      "computeFor",
      [ms],
    );
    assert.equal(r.ok, true);
    if (!r.ok) return;
    const usage = checkUsageShape(r.usage);
    const own = r.value;
    // The pool's figure includes the task's own, and little else (the
    // call, and the worker's other threads, to one tick).
    assert.ok(usage.cpuMs >= own.cpuMs, `${usage.cpuMs} < ${own.cpuMs}`);
    assert.ok(
      usage.cpuMs <= own.cpuMs * 1.1 + TICK_MS,
      `cpuMs ${usage.cpuMs} for ${own.cpuMs} measured in the task`,
    );
    assert.ok(usage.wallMs >= own.wallMs, `${usage.wallMs} < ${own.wallMs}`);
    assert.ok(
      usage.wallMs <= own.wallMs + 50,
      `${usage.wallMs} vs ${own.wallMs}`,
    );
  }
});

test("usage: an awaiting task has its wall time and almost no CPU time", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  // A fresh worker's runtime still compiles and collects in the background
  // (77 ms of CPU in a first 300 ms sleep on Node, seen once): warm it first.
  await pool.run("sleep", [50]);
  const r = await pool.run("sleep", [300]);
  assert.equal(r.ok, true);
  const usage = checkUsageShape(r.usage);
  assert.ok(usage.wallMs >= 299 && usage.wallMs < 600, `${usage.wallMs}`);
  // A spinning task would use about 300 ms.
  assert.ok(usage.cpuMs < 100, `cpuMs ${usage.cpuMs} for a 300 ms timer`);
});

test("cpuLimit: a computing task is stopped within 10 % of the limit plus one sample", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  for (const limit of [50, 300]) {
    const { path, done } = tempFile();
    try {
      const started = performance.now();
      const r = await pool.run("computeReporting", [path], { cpuLimit: limit });
      const wall = performance.now() - started;
      const error = limitError(r);
      assert.equal(error.kind, "cpu");
      assert.equal(error.limit, limit);
      // What the task itself had used when it was killed: at most the limit
      // and 10 % (and the last millisecond it did not get to report).
      const reported = Number(readFileSync(path, "utf8"));
      const bound = limit * 1.1 + 1 + SAMPLE_SLACK_MS;
      assert.ok(
        reported <= bound,
        `task used ${reported} ms of CPU under cpuLimit ${limit} (wall ${
          wall.toFixed(0)
        } ms)`,
      );
      assert.ok(
        error.observed! > limit && error.observed! <= bound,
        `observed ${error.observed}`,
      );
      assert.ok(
        reported >= limit * 0.9 - TICK_MS,
        `stopped early: ${reported}`,
      );
      // Usage: what it used up to the kill (read with its tree frozen), at
      // least the reading that found the limit crossed, at most the bound.
      assert.ok(
        r.usage.cpuMs >= error.observed! && r.usage.cpuMs <= bound,
        `usage.cpuMs ${r.usage.cpuMs}, observed ${error.observed}`,
      );
      assert.ok(
        r.usage.cpuMs >= reported - 2 * TICK_MS,
        `usage.cpuMs ${r.usage.cpuMs} for ${reported} ms the task used`,
      );
    } finally {
      done();
    }
  }
});

test("cpuLimit: the CPU time of a process the task starts counts, and it dies with the task", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const { path, done } = tempFile();
  try {
    const r = await pool.run("childComputes", [path], { cpuLimit: 200 });
    const error = limitError(r);
    assert.equal(error.kind, "cpu");
    assert.ok(
      error.observed! > 200 &&
        error.observed! < 200 * 1.1 + TICK_MS + SAMPLE_SLACK_MS,
      `observed ${error.observed}`,
    );
    const child = Number(readFileSync(path, "utf8"));
    assert.ok(await eventually(() => !processExists(child)), "the child lives");
  } finally {
    done();
  }
});
