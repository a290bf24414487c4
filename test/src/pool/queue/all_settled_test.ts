import assert from "node:assert/strict";
import { test } from "../../../harness.ts";
import { WorkerPool } from "../../../../mod.ts";
import { eventually } from "../helpers.ts";
import { processGone } from "../process_gone.ts";

const TASKS = new URL("../fixtures/pool_tasks.ts", import.meta.url);

test("close({ timeout }): a 300 ms task finishes, a spinning one is killed at the timeout, run() is refused meanwhile", async () => {
  const pool = new WorkerPool(TASKS, { size: 2 });
  try {
    assert.ok(await eventually(() => pool.idleCount === 2));
    const pids = pool.workerPids;
    const short = pool.run("sleep", [300, "finished"]);
    const spinning = pool.run("spin");
    const t0 = performance.now();
    const closing = pool.close({ timeout: 1500 });
    await assert.rejects(pool.run("pid"), /closed/);
    assert.deepEqual(await short.then((r) => r.ok && r.value), "finished");
    const shortAt = performance.now() - t0;
    await assert.rejects(spinning, /closed while the task was pending/);
    const spinAt = performance.now() - t0;
    await closing;
    assert.ok(shortAt < 1500, `the short task settled at ${shortAt} ms`);
    assert.ok(spinAt >= 1490, `the spinning task was stopped at ${spinAt} ms`);
    for (const pid of pids) assert.ok(processGone(pid), `worker ${pid} gone`);
  } finally {
    await pool.close();
  }
});

test("close({ timeout }): queued runs go on too; once all settle the pool closes before the timeout", async () => {
  const pool = new WorkerPool(TASKS, { size: 1 });
  const runs = [1, 2, 3].map((i) => pool.run("sleep", [50, i]));
  const t0 = performance.now();
  await pool.close({ timeout: 60_000 });
  const took = performance.now() - t0;
  assert.deepEqual((await Promise.all(runs)).map((r) => r.ok && r.value), [
    1,
    2,
    3,
  ]);
  assert.ok(took < 30_000, `closed after ${took} ms`);
  assert.equal(pool.workerCount, 0);
});

test("close(): bad options are a TypeError/RangeError naming them, and the pool stays open", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  // deno-lint-ignore no-explicit-any
  const loose = pool as any;
  await assert.rejects(loose.close({ timeout: -1 }), {
    name: "RangeError",
    message:
      "options.timeout must be a number of milliseconds from 0, or Infinity, got -1",
  });
  await assert.rejects(loose.close({ timeout: NaN }), RangeError);
  await assert.rejects(loose.close({ timeout: "1s" }), {
    name: "TypeError",
    message:
      "options.timeout must be a number of milliseconds from 0, or Infinity, got string",
  });
  await assert.rejects(loose.close({ timout: 5 }), {
    name: "TypeError",
    message: "options.timout is not a close() option; accepted: timeout",
  });
  assert.equal((await pool.run("pid")).ok, true);
});
