/** A task module that starts the engine itself, and moduleUrl checks. */
import assert from "node:assert/strict";
import { isBun, test } from "../../harness.ts";
import { LimitExceeded, MiB, WorkerPool } from "../../../mod.ts";

const STARTS_ENGINE = new URL("./fixtures/starts_engine.ts", import.meta.url);

test("pool: a task module that calls start() itself keeps its in-thread limits and gets allocation limits", async () => {
  await using pool = new WorkerPool(STARTS_ENGINE, { size: 1 });
  const inThread = await pool.run<number>("tokenLimited", [21]);
  assert.equal(inThread.ok && inThread.value, 42);
  if (isBun) return; // no allocation counter: refused, tested elsewhere
  // Used to reject with "memlimits is already started".
  const r = await pool.run("churn", [1024 * MiB], {
    allocationLimit: 16 * MiB,
  });
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.error instanceof LimitExceeded);
  assert.equal(r.error.kind, "allocations");
});

test("pool: a moduleUrl that is a path, not a URL, is a TypeError and starts nothing", () => {
  for (const path of ["./tasks.ts", "tasks.ts", "/abs/tasks.ts"]) {
    assert.throws(() => new WorkerPool(path, { size: 1 }), {
      name: "TypeError",
      message: new RegExp(`moduleUrl must be an absolute URL.*got "${path}"`),
    });
  }
});
