import assert from "node:assert/strict";
import { test } from "../../../harness.ts";
import { QueueFullError, WorkerPool } from "../../../../mod.ts";
import { eventually } from "../helpers.ts";
import { JobQueue } from "../../../../src/pool/queue/job_queue.ts";
import { newJob } from "../../../../src/pool/job.ts";
import { checkRun } from "../../../../src/pool/check_options.ts";

const TASKS = new URL("../fixtures/pool_tasks.ts", import.meta.url);

test("maxQueue: a full queue rejects at once with a QueueFullError, and accepts again after 'drain'", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1, maxQueue: 2 });
  assert.ok(await eventually(() => pool.idleCount === 1));
  const running = pool.run("sleep", [300, "running"]); // on the worker
  const queued = [pool.run("sleep", [1, "q1"]), pool.run("sleep", [1, "q2"])];
  assert.equal(pool.queueSize, 2);
  const drained = new Promise<number>((resolve) =>
    pool.addEventListener("drain", () => resolve(pool.queueSize), {
      once: true,
    })
  );
  const refused = pool.run("sleep", [1, "refused"]);
  await assert.rejects(refused, (error: unknown) => {
    assert.ok(error instanceof QueueFullError);
    assert.equal(error.name, "QueueFullError");
    assert.equal(error.maxQueue, 2);
    assert.match(error.message, /maxQueue \(2\)/);
    return true;
  });
  assert.equal(pool.queueSize, 2, "nothing was queued for the refused run");
  // q1 starts when the running run ends, q2 when q1 ends: the queue is empty.
  assert.equal(await drained, 0);
  assert.equal(pool.queueSize, 0);
  const again = await pool.run("sleep", [1, "after drain"]);
  assert.deepEqual([again.ok, again.ok && again.value], [true, "after drain"]);
  const values = (await Promise.all(queued)).map((r) => r.ok && r.value);
  assert.deepEqual(values, ["q1", "q2"]);
  assert.equal((await running).ok, true);
  assert.equal(pool.stats().runs.ok, 4, "the refused run is no run");
});

test("maxQueue: 0 runs a task at once on an idle worker and refuses one that would wait", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1, maxQueue: 0 });
  assert.ok(await eventually(() => pool.idleCount === 1));
  const first = pool.run("sleep", [200, "first"]);
  await assert.rejects(pool.run("pid"), QueueFullError);
  assert.deepEqual((await first).ok, true);
  assert.equal((await pool.run("sleep", [1, "next"])).ok, true);
});

test("JobQueue: putBack puts a run taken out back in the order of the runs' ids", () => {
  const queue = new JobQueue(Infinity);
  const job = (id: number) =>
    newJob(id, "add", [], checkRun("add", [], {}, undefined));
  for (const id of [5, 7]) queue.push(job(id));
  queue.putBack(job(3));
  queue.putBack(job(6));
  queue.putBack(job(9));
  assert.deepEqual(queue.takeAll().map((j) => j.id), [3, 5, 6, 7, 9]);
});
