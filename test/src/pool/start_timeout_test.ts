/** `startTimeout`: a task module that never finishes loading cannot hang the pool. */
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import { withoutUsage } from "../fixture.ts";
import { eventually, processState, TASKS } from "./helpers.ts";

/** Gone, or a zombie waiting for PID 1 here (which reaps orphans slowly). */
function gone(pid: number): boolean {
  const state = processState(pid);
  return state === "gone" || state === "Z";
}

for (const fixture of ["spin_on_load", "await_on_load"]) {
  test(
    `startTimeout: a module that ${
      fixture === "spin_on_load" ? "spins" : "awaits forever"
    } at its top level rejects runs within 5 s, and no worker is left`,
    async () => {
      const url = new URL(`./fixtures/${fixture}.ts`, import.meta.url);
      const pool = new WorkerPool(url, { size: 2, startTimeout: 1000 });
      const pids = pool.workerPids;
      assert.equal(pids.length, 2);
      const started = performance.now();
      let rejection: Error | undefined;
      let settledAfter = Infinity;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bound = new Promise((r) => timer = setTimeout(r, 5000));
      await Promise.race([
        pool.run("add", [1, 2], { timeout: 1000 }).then(
          () => {},
          (error) => {
            rejection = error;
            settledAfter = performance.now() - started;
          },
        ),
        bound,
      ]);
      try {
        assert.ok(rejection, "run() rejected within 5 s");
        assert.ok(settledAfter < 5000, `${settledAfter} ms`);
        // Node ends a module whose await can never settle itself (exit code
        // 13); Deno and Bun wait, and the pool kills the worker.
        assert.match(
          rejection.message,
          new RegExp(
            `${fixture}\\.ts did not finish loading within startTimeout \\(1000 ms\\)|exited before it was ready \\(code 13`,
          ),
        );
        assert.ok(
          await eventually(() => pids.every(gone), 3000),
          `left: ${pids.map((p) => `${p} ${processState(p)}`)}`,
        );
      } finally {
        clearTimeout(timer);
        await pool.close();
      }
    },
  );
}

test("startTimeout: a bad value is refused, naming the option; the default lets a normal module load", async () => {
  assert.throws(() => new WorkerPool(TASKS, { startTimeout: "1" as never }), {
    name: "TypeError",
    message:
      "options.startTimeout must be a number of milliseconds, got string",
  });
  for (const bad of [0, -1, NaN, Infinity]) {
    assert.throws(() => new WorkerPool(TASKS, { startTimeout: bad }), {
      name: "RangeError",
      message:
        `options.startTimeout must be a positive finite number of milliseconds, got ${bad}`,
    });
  }
  await using pool = new WorkerPool(TASKS, { size: 1 });
  assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
    ok: true,
    value: 3,
  });
});
