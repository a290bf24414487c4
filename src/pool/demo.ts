/**
 * The worker pool's part of `npm start`: one pool runs a CPU-bound task that
 * never ends (stopped by `timeout`), a memory bomb (stopped by
 * `memoryLimit`) and an ordinary task (returns), at the same time.
 */
import { LimitExceeded } from "../limit_exceeded.ts";
import type { Result } from "../result.ts";
import { MiB } from "../units.ts";
import { WorkerPool } from "./worker_pool.ts";

function show(label: string, r: Result<unknown>, ms: number): string {
  const outcome = r.ok
    ? `ok, value ${JSON.stringify(r.value)}`
    : r.error instanceof LimitExceeded
    ? `stopped: LimitExceeded kind "${r.error.kind}": ${r.error.message}`
    : `stopped: ${String(r.error)}`;
  return `  ${label.padEnd(40)} ${outcome} (${ms.toFixed(0)} ms)`;
}

/** Runs the demo and prints one line per task; returns the three results. */
export async function runPoolDemo(): Promise<Result<unknown>[]> {
  console.log(
    "WorkerPool: three tasks in one pool of 3 worker processes, memoryLimit 256 MiB",
  );
  await using pool = new WorkerPool(
    new URL("./demo_tasks.ts", import.meta.url),
    {
      size: 3,
      memoryLimit: 256 * MiB,
    },
  );
  const started = performance.now();
  const timed = async (label: string, run: Promise<Result<unknown>>) => {
    const r = await run;
    console.log(show(label, r, performance.now() - started));
    return r;
  };
  const results = await Promise.all([
    timed(
      "spinForever() with timeout 500 ms:",
      pool.run("spinForever", [], { timeout: 500 }),
    ),
    timed("memoryBomb() with memoryLimit 256 MiB:", pool.run("memoryBomb", [])),
    timed("countPrimes(1e7):", pool.run("countPrimes", [1e7])),
  ]);
  console.log(
    "  the host went on; the two stopped workers were killed and replaced",
  );
  return results;
}

if (import.meta.main) await runPoolDemo();
