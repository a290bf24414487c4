import assert from "node:assert/strict";
import { isBun, test } from "../../harness.ts";
import { Token } from "../../../mod.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import {
  childPids,
  eventually,
  limitError,
  MiB,
  processExists,
  TASKS,
  threadCount,
  twoTasksOverProcessLimit,
} from "./helpers.ts";
import { withoutUsage } from "../fixture.ts";

test("pool: sync and async tasks return { ok: true, value } with structured-clone values", async () => {
  await using pool = new WorkerPool(TASKS, { size: 2 });
  assert.deepEqual(withoutUsage(await pool.run("add", [2, 3])), {
    ok: true,
    value: 5,
  });
  assert.deepEqual(withoutUsage(await pool.run("delayed", ["later", 20])), {
    ok: true,
    value: "later",
  });
  const value = new Map<string, unknown>([["when", new Date(0)], [
    "big",
    2n ** 70n,
  ]]);
  assert.deepEqual(withoutUsage(await pool.run("echo", [value])), {
    ok: true,
    value,
  });
});

test("pool: a synchronous infinite loop is stopped by timeout, and the pool goes on", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const e = limitError(await pool.run("spin", [], { timeout: 150 }));
  assert.equal(e.kind, "timeout");
  assert.equal(e.limit, 150);
  assert.ok(e.observed! >= 150);
  assert.deepEqual(withoutUsage(await pool.run("add", [1, 1])), {
    ok: true,
    value: 2,
  });
});

test("pool: a synchronous infinite loop is stopped by a Token and by an AbortSignal", async () => {
  await using pool = new WorkerPool(TASKS, { size: 2 });
  // Both runs must be running, not queued, when they are cancelled.
  assert.ok(await eventually(() => pool.idleCount === 2));
  const token = new Token();
  const controller = new AbortController();
  const byToken = pool.run("spin", [], { token });
  const bySignal = pool.run("spin", [], { signal: controller.signal });
  assert.equal(pool.idleCount, 0);
  await new Promise((r) => setTimeout(r, 300)); // both are spinning in their workers
  token.cancel("enough");
  controller.abort("stop");
  const t = limitError(await byToken);
  assert.equal(t.kind, "token");
  assert.match(t.message, /enough/);
  const s = limitError(await bySignal);
  assert.equal(s.kind, "token");
  assert.equal(s.cause, "stop");
});

test("pool: a signal aborted before or while queued ends the run without running it", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const aborted = AbortSignal.abort("no");
  assert.equal(
    limitError(await pool.run("add", [1, 2], { signal: aborted })).kind,
    "token",
  );
  const blocker = pool.run("busyFor", [300]);
  const controller = new AbortController();
  const queued = pool.run("add", [1, 2], { signal: controller.signal });
  controller.abort();
  assert.equal(limitError(await queued).kind, "token");
  assert.deepEqual(withoutUsage(await blocker), { ok: true, value: 300 });
});

test("pool: a synchronous loop that grows its memory is stopped by memoryLimit", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: 128 * MiB });
  const e = limitError(await pool.run("holdThenSpin", [1024 * MiB]));
  assert.equal(e.kind, "memory");
  assert.equal(e.limit, 128 * MiB);
  // By how much it went over: worker_pool_timing_test.ts.
  assert.ok(e.observed! > 128 * MiB, `observed ${e.observed}`);
  // One large allocation on the JS heap (Deno's heap cap is 2 × 128 + 64 MiB).
  assert.equal(
    limitError(await pool.run("oneBigArray", [512 * MiB])).kind,
    "memory",
  );
  // A task that goes over and returns is over too, even between samples.
  assert.equal(limitError(await pool.run("hold", [400 * MiB])).kind, "memory");
  // A task under the limit returns.
  assert.deepEqual(withoutUsage(await pool.run("hold", [32 * MiB])), {
    ok: true,
    value: 32 * MiB,
  });
});

test("pool: a worker that kept memory from earlier tasks is replaced before the next memory-limited task", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: 256 * MiB });
  assert.ok(await eventually(() => pool.idleCount === 1));
  const [first] = pool.workerPids;
  assert.deepEqual(withoutUsage(await pool.run("leak", [40 * MiB])), {
    ok: true,
    value: 40,
  });
  // 40 MiB kept is over the allowance (16 MiB): the next task gets a fresh worker.
  assert.deepEqual(withoutUsage(await pool.run("leak", [MiB])), {
    ok: true,
    value: 1,
  });
  assert.notEqual(pool.workerPids[0], first);
  assert.ok(await eventually(() => !processExists(first)));
});

test("pool: a task over its memoryLimit when it settles is { ok: false }, whether it returns or throws", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: 128 * MiB });
  for (const task of ["leak", "holdThenThrow"]) {
    assert.ok(await eventually(() => pool.idleCount === 1));
    const run = pool.run(task, [400 * MiB]);
    // Block the host so that its memory watch cannot tick while the task
    // allocates and settles: only the check at settlement can see it.
    const end = performance.now() + 1000;
    while (performance.now() < end) {
      // the worker runs meanwhile
    }
    const e = limitError(await run);
    assert.equal(e.kind, "memory", task);
    assert.ok(e.observed! > 128 * MiB, `${task}: observed ${e.observed}`);
  }
});

test("pool: a run may lower the pool's memoryLimit, not raise it", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: 256 * MiB });
  const e = limitError(
    await pool.run("holdThenSpin", [1024 * MiB], { memoryLimit: 64 * MiB }),
  );
  assert.equal(e.limit, 64 * MiB);
  await assert.rejects(
    pool.run("add", [1, 2], { memoryLimit: 512 * MiB }),
    RangeError,
  );
});

test("pool: processMemoryLimit interrupts the running tasks when the whole process exceeds it", async () => {
  await twoTasksOverProcessLimit();
});

test("pool: allocation limits inside workers (Deno, Node), refused on Bun", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  if (isBun) {
    await assert.rejects(
      pool.run("churn", [MiB], { allocationLimit: 64 * MiB }),
      /allocation limits are not supported on this runtime/,
    );
    return;
  }
  // Stopped at a checkpoint, long before the 2 GiB of churn would end.
  const atCheckpoint = limitError(
    await pool.run("churn", [2048 * MiB], { allocationLimit: 64 * MiB }),
  );
  assert.equal(atCheckpoint.kind, "allocations");
  assert.ok(
    atCheckpoint.observed! > 64 * MiB && atCheckpoint.observed! < 1024 * MiB,
  );
  // No checkpoints: the task runs to its end and is caught when it settles.
  const atSettlement = limitError(
    await pool.run("churnNoCheckpoints", [256 * MiB], {
      allocationLimit: 16 * MiB,
    }),
  );
  assert.equal(atSettlement.kind, "allocations");
  assert.ok(atSettlement.observed! >= 256 * MiB);
  // An async task that awaits forever after its allocations is stopped at
  // the engine's next sample, not when it settles (never): the generous
  // timeout only ends the run if that fails.
  const whileAwaiting = limitError(
    await pool.run("churnThenAwait", [256 * MiB], {
      allocationLimit: 16 * MiB,
      timeout: 20_000,
    }),
  );
  assert.equal(whileAwaiting.kind, "allocations");
  assert.ok(whileAwaiting.observed! >= 256 * MiB);
  // Under the limit: ok.
  assert.deepEqual(
    withoutUsage(
      await pool.run("churn", [MiB], { allocationLimit: 256 * MiB }),
    ),
    { ok: true, value: MiB },
  );
});

test("pool: a killed worker is replaced and size workers are warm again", async () => {
  await using pool = new WorkerPool(TASKS, { size: 2 });
  assert.ok(await eventually(() => pool.idleCount === 2));
  const before = pool.workerPids;
  await pool.run("spin", [], { timeout: 100 });
  await pool.run("spin", [], { timeout: 100 });
  assert.ok(
    await eventually(() => pool.idleCount === 2),
    "two idle workers again",
  );
  assert.equal(pool.workerCount, 2);
  const after = pool.workerPids;
  assert.equal(
    after.filter((pid) => before.includes(pid)).length,
    0,
    "both were replaced",
  );
  assert.ok(
    await eventually(() => before.every((pid) => !processExists(pid))),
    "killed workers are gone",
  );
});

/** One pool's life: kills by both limits, then close() with a task running and one queued. */
async function poolLifeEndingInClose(): Promise<void> {
  const pool = new WorkerPool(TASKS, { size: 3, memoryLimit: 64 * MiB });
  assert.ok(await eventually(() => pool.idleCount === 3));
  const pids = pool.workerPids;
  await pool.run("spin", [], { timeout: 50 });
  await pool.run("holdThenSpin", [512 * MiB]);
  const running = assert.rejects(
    pool.run("spin", []),
    /closed while the task was pending/,
  );
  const queued = assert.rejects(
    pool.run("add", [1, 2]),
    /closed while the task was pending/,
  );
  // The first workers were killed by the limits; check their replacements too.
  pids.push(...pool.workerPids);
  await pool.close();
  await running;
  await queued;
  await assert.rejects(pool.run("add", [1, 2]), /WorkerPool is closed/);
  for (const pid of new Set(pids)) {
    assert.equal(processExists(pid), false, `worker ${pid} still exists`);
  }
}

test("pool: close() leaves no worker process and no thread behind", async () => {
  // Both runtimes start a thread or two of their own, lazily, the first
  // times child processes are used, so a single life compared with the
  // count before it fails when this test runs first. A leak grows with
  // every pool: two more lives may add at most one runtime thread.
  await poolLifeEndingInClose();
  const threads = threadCount();
  await poolLifeEndingInClose();
  await poolLifeEndingInClose();
  assert.ok(
    await eventually(() => threadCount() <= threads + 1),
    `threads: ${threads} after one pool, ${threadCount()} after three`,
  );
});

test("pool: { ok: false } only for the run whose limit was reached; a crash never changes another's result", async () => {
  await using pool = new WorkerPool(TASKS, { size: 3, memoryLimit: 128 * MiB });
  const bomb = pool.run("manySmallArrays", []);
  const normal = pool.run("delayed", ["fine", 400]);
  const crash = assert.rejects(
    pool.run("crash", []),
    /exited unexpectedly \(code 3/,
  );
  assert.equal(limitError(await bomb).kind, "memory");
  await crash;
  assert.deepEqual(withoutUsage(await normal), { ok: true, value: "fine" });
  // A task that finishes just under its timeout is ok.
  assert.deepEqual(
    withoutUsage(await pool.run("busyFor", [50], { timeout: 5000 })),
    {
      ok: true,
      value: 50,
    },
  );
});

test("pool: a task's exception rejects run() with its message and stack", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const error = await pool.run("fail", ["the task broke"]).then(
    () => assert.fail("run() should reject"),
    (e) => e,
  );
  assert.ok(error instanceof Error);
  assert.equal(error.name, "TypeError");
  assert.equal(error.message, "the task broke");
  assert.match(String(error.stack), /tasks\.ts/);
  assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
    ok: true,
    value: 3,
  });
});

test("pool: bad input gets clear errors and the pool stays usable", async () => {
  assert.throws(
    () => new WorkerPool(TASKS, { size: 0 }),
    /options\.size must be an integer from 1/,
  );
  assert.throws(() => new WorkerPool(TASKS, { memoryLimit: -1 }), RangeError);
  assert.throws(
    () => new WorkerPool(TASKS, { processMemoryLimit: Infinity }),
    RangeError,
  );
  assert.throws(() => new WorkerPool(42 as unknown as string), TypeError);
  await using pool = new WorkerPool(TASKS, { size: 1 });
  await assert.rejects(
    pool.run("nope", []),
    (e: Error) =>
      e instanceof TypeError && /"nope".*exports: .*add/.test(e.message),
  );
  await assert.rejects(
    pool.run("echo", [() => 1]),
    (e: Error) =>
      e instanceof TypeError && /args could not be cloned/.test(e.message),
  );
  await assert.rejects(
    pool.run("add", [1, 2], { timeout: 0 }),
    (e: Error) => e instanceof RangeError && /limits\.timeout/.test(e.message),
  );
  await assert.rejects(
    pool.run("add", [1, 2], { memoryLimit: -5 }),
    (e: Error) =>
      e instanceof RangeError && /limits\.memoryLimit/.test(e.message),
  );
  await assert.rejects(
    pool.run("add", [1, 2], { allocationLimit: NaN }),
    (e: Error) =>
      e instanceof RangeError && /limits\.allocationLimit/.test(e.message),
  );
  await assert.rejects(pool.run("add", 7 as unknown as unknown[]), TypeError);
  await assert.rejects(
    pool.run("add", [], { signal: "x" as unknown as AbortSignal }),
    TypeError,
  );
  await assert.rejects(
    pool.run("returnsFunction", []),
    /result of task "returnsFunction" could not be cloned/,
  );
  assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
    ok: true,
    value: 3,
  });
});

test("pool: an unknown export is refused at once, even while every worker is busy", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
    ok: true,
    value: 3,
  });
  const blocker = pool.run("busyFor", [2000]);
  const first = await Promise.race([
    pool.run("nope", []).then(() => "ran", (e: Error) => e),
    blocker.then(() => "the busy task ended first"),
  ]);
  assert.ok(first instanceof TypeError, String(first));
  assert.match(first.message, /"nope".*exports: .*add/);
  assert.deepEqual(withoutUsage(await blocker), { ok: true, value: 2000 });
});

test("pool: a task module that fails to load rejects every run with its error", async () => {
  await using pool = new WorkerPool(
    new URL("./fixtures/broken_module.ts", import.meta.url),
    { size: 1 },
  );
  await assert.rejects(
    pool.run("anything", []),
    /task module failed to load: this module refuses to load/,
  );
  await assert.rejects(pool.run("anything", []), /failed to load/);
});

test("pool: replacement workers that crash before they are ready reject runs, never hang, and the pool recovers", async () => {
  const crashy = new URL("./fixtures/crash_on_load.ts", import.meta.url);
  const childrenBefore = new Set(childPids());
  const threads = threadCount();
  const pool = new WorkerPool(crashy, { size: 2 });
  assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
    ok: true,
    value: 3,
  });
  for (let round = 0; round < 3; round++) {
    process.env.MEMLIMITS_TEST_CRASH_ON_LOAD = "1";
    try {
      // Kill both workers: their replacements exit before they are ready.
      const a = pool.run("spin", [], { timeout: 50 });
      const b = pool.run("spin", [], { timeout: 50 });
      assert.equal(limitError(await a).kind, "timeout");
      assert.equal(limitError(await b).kind, "timeout");
      for (let i = 0; i < 2; i++) {
        await assert.rejects(
          pool.run("add", [1, 2]),
          /workers cannot start: worker process exited before it was ready \(code 7/,
        );
      }
    } finally {
      delete process.env.MEMLIMITS_TEST_CRASH_ON_LOAD;
    }
    // Workers start again: the next run succeeds.
    assert.deepEqual(withoutUsage(await pool.run("add", [2, 2])), {
      ok: true,
      value: 4,
    });
    assert.ok(await eventually(() => pool.idleCount === 2));
  }
  await pool.close();
  assert.ok(
    await eventually(() => childPids().every((pid) => childrenBefore.has(pid))),
    `child processes left: ${childPids()}`,
  );
  assert.ok(
    await eventually(() => threadCount() <= threads + 2),
    `threads: ${threads} before, ${threadCount()} after`,
  );
});

test("pool: shared memory in args is refused with a TypeError naming args before anything is sent", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  assert.ok(await eventually(() => pool.idleCount === 1));
  const [pid] = pool.workerPids;
  const shared = new SharedArrayBuffer(16);
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  cyclic.deep = [{ view: new Int32Array(shared) }];
  const cases: [unknown[], number][] = [
    [[shared], 0],
    [[1, { inside: [new Uint8Array(shared, 4)] }], 1],
    [[new Map([["k", new Set([new DataView(shared)])]])], 0],
    [["x", 2, cyclic], 2],
    [[new Error("with a cause", { cause: shared })], 0],
  ];
  for (const [args, index] of cases) {
    await assert.rejects(
      pool.run("echo", args),
      (e: Error) =>
        e instanceof TypeError &&
        e.message.startsWith(`args[${index}] holds a SharedArrayBuffer`) &&
        /shared memory cannot cross to a worker process/.test(e.message),
    );
  }
  // Nothing was sent: the worker is the same, and it still works.
  const plain = { self: {} as unknown, bytes: new Uint8Array(8).fill(2) };
  plain.self = plain;
  const echoed = await pool.run<typeof plain>("echo", [plain]);
  assert.ok(echoed.ok);
  assert.deepEqual(echoed.value.bytes, plain.bytes);
  assert.equal(echoed.value.self, echoed.value);
  assert.deepEqual(pool.workerPids, [pid]);
});

test("pool: args that cannot be cloned are refused with a TypeError naming args, also a function on the array itself", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  assert.ok(await eventually(() => pool.idleCount === 1));
  const [pid] = pool.workerPids;
  const withProperty = Object.assign([1, 2], { callback: () => {} });
  for (const args of [[Symbol("s")], [1, () => {}], withProperty]) {
    await assert.rejects(
      pool.run("echo", args),
      (e: Error) =>
        e instanceof TypeError &&
        e.message.startsWith("args could not be cloned for the worker"),
    );
  }
  // Nothing was sent: the worker is the same, and it still works.
  assert.deepEqual(withoutUsage(await pool.run("add", [2, 2])), {
    ok: true,
    value: 4,
  });
  assert.deepEqual(pool.workerPids, [pid]);
});

test("pool: a task that throws a value that is not an Error rejects with an Error describing it, the value as its cause", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const rejection = (task: string, args: unknown[]) =>
    pool.run(task, args).then(
      () => assert.fail(`${task} should reject`),
      (e: Error) => e,
    );
  const text = await rejection("throwValue", ["boom"]);
  assert.ok(text instanceof Error);
  assert.equal(text.message, "boom");
  assert.equal(text.cause, "boom");
  const object = await rejection("throwValue", [{ code: 1 }]);
  assert.ok(object instanceof Error);
  assert.match(object.message, /code: 1/);
  assert.deepEqual(object.cause, { code: 1 });
  const map = new Map([["answer", 42n]]);
  const asyncMap = await rejection("rejectWith", [map]);
  assert.match(asyncMap.message, /answer.*42n/);
  assert.deepEqual(asyncMap.cause, map);
  const number = await rejection("rejectWith", [7]);
  assert.equal(number.message, "7");
  assert.equal(number.cause, 7);
  // Cannot be cloned: described, and its String() as the cause.
  const uncloneable = await rejection("throwUncloneable", []);
  assert.match(uncloneable.message, /code: 2/);
  assert.equal(uncloneable.cause, "[object Object]");
  // An Error is still passed as before, without a cause.
  const error = await rejection("fail", ["plain"]);
  assert.equal(error.name, "TypeError");
  assert.equal(error.cause, undefined);
  assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
    ok: true,
    value: 3,
  });
});
