/**
 * The pool's bounds that depend on timing under load: how far past its
 * memoryLimit a task gets before the worker's brake or the watchdog, each of
 * which must get a core in time, stops it. `npm test -- timing` runs these
 * files on their own.
 */
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import { limitError, MiB, TASKS } from "./helpers.ts";

test("pool: a synchronous loop that grows its memory is charged less than twice its memoryLimit", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: 128 * MiB });
  const e = limitError(await pool.run("holdThenSpin", [1024 * MiB]));
  assert.equal(e.kind, "memory");
  assert.ok(
    e.observed! > 128 * MiB && e.observed! < 256 * MiB,
    `observed ${e.observed}`,
  );
});
