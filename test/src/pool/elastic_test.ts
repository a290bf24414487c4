import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { type WorkerExitDetail, WorkerPool } from "../../../mod.ts";
import { eventually } from "./helpers.ts";
import { processGone } from "./process_gone.ts";

type Tasks = typeof import("./fixtures/pool_tasks.ts");
const TASKS = new URL("./fixtures/pool_tasks.ts", import.meta.url);

test("minSize and idleTimeout: workers above minSize start on demand and exit once idle, and the pool still answers", async () => {
  await using pool = new WorkerPool<Tasks>(TASKS, {
    size: 3,
    minSize: 1,
    idleTimeout: 300,
  });
  const exits: WorkerExitDetail[] = [];
  pool.addEventListener("workerexit", (e) => exits.push(e.detail));
  assert.ok(await eventually(() => pool.idleCount === 1));
  assert.equal(pool.workerCount, 1, "minSize workers at the start");
  const runs = [1, 2, 3].map(() => pool.run("sleep", [400, 0]));
  assert.ok(await eventually(() => pool.workerCount === 3));
  const pids = pool.workerPids;
  for (const r of await Promise.all(runs)) assert.equal(r.ok, true);
  // Two of the three are above minSize: they exit after 300 ms idle.
  assert.ok(await eventually(() => pool.workerCount === 1));
  const gone = pids.filter((pid) => !pool.workerPids.includes(pid));
  assert.equal(gone.length, 2);
  assert.ok(await eventually(() => exits.length === 2));
  for (const pid of gone) assert.ok(processGone(pid), `worker ${pid} gone`);
  assert.deepEqual(
    exits.map((e) => e.reason),
    ["idle", "idle"],
  );
  assert.deepEqual(exits.map((e) => e.pid).sort(), gone.sort());
  // The one left stays (it is minSize), and answers.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(pool.workerCount, 1);
  const r = await pool.run("countPrimes", [100]);
  assert.deepEqual([r.ok, r.ok && r.value], [true, 25]);
  assert.equal(pool.stats().workers.ended.idle, 2);
});

test("minSize: 0 and idleTimeout: the pool starts with no worker, starts one for a run, and ends it once idle", async () => {
  await using pool = new WorkerPool<Tasks>(TASKS, {
    size: 2,
    minSize: 0,
    idleTimeout: 100,
  });
  assert.equal(pool.workerCount, 0);
  const r = await pool.run("pid");
  assert.ok(r.ok);
  assert.equal(pool.stats().workers.started, 1, "one run, one worker");
  assert.ok(await eventually(() => pool.workerCount === 0));
  assert.ok(await eventually(() => processGone(r.value)));
  const again = await pool.run("pid");
  assert.ok(again.ok && again.value !== r.value);
});

test("maxTasksPerWorker: 1 runs each task in a new process, with fresh module state", async () => {
  await using pool = new WorkerPool<Tasks>(TASKS, {
    size: 2,
    maxTasksPerWorker: 1,
  });
  const exits: WorkerExitDetail[] = [];
  pool.addEventListener("workerexit", (e) => exits.push(e.detail));
  const pids: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [pid, calls] = await Promise.all([
      pool.run("pid"),
      pool.run("callsHere"),
    ]);
    assert.ok(pid.ok && calls.ok);
    pids.push(pid.value);
    assert.equal(calls.value, 1, "each task sees a fresh module");
  }
  assert.equal(new Set(pids).size, 4, `pids: ${pids}`);
  assert.ok(await eventually(() => exits.length === 8));
  assert.ok(exits.every((e) => e.reason === "recycled"));
  for (const pid of pids) assert.ok(processGone(pid), `worker ${pid} gone`);
  assert.equal(pool.stats().workers.ended.recycled, 8);
});

test("maxTasksPerWorker: 3 replaces a worker after its third task", async () => {
  await using pool = new WorkerPool<Tasks>(TASKS, {
    size: 1,
    maxTasksPerWorker: 3,
  });
  const pids: number[] = [];
  for (let i = 0; i < 7; i++) {
    const r = await pool.run("pid");
    assert.ok(r.ok);
    pids.push(r.value);
  }
  assert.deepEqual(
    pids.map((pid) => pids.indexOf(pid)),
    [0, 0, 0, 3, 3, 3, 6],
  );
});
