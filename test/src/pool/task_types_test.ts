/**
 * Typed pools: `WorkerPool<typeof import(...)>` checks the export's name, its
 * arguments and its result's type at compile time (`deno check .`, part of
 * `npm test`, checks the @ts-expect-error lines: each must be an error), and
 * untyped pools stay as they were.
 */
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { type PoolResult, WorkerPool } from "../../../mod.ts";

type Tasks = typeof import("./fixtures/pool_tasks.ts");
const TASKS = new URL("./fixtures/pool_tasks.ts", import.meta.url);

/** Compiles only if `A` and `B` are the same type. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends
  (<T>() => T extends B ? 1 : 2) ? true : false;
const same = <A, B>(_proof: Same<A, B>) => {};

/** Never called: its body is checked by the compiler, not run. */
export function typeErrors(pool: WorkerPool<Tasks>): void {
  // @ts-expect-error: no such export
  pool.run("countPrime", [10]);
  // @ts-expect-error: an export that is not a function
  pool.run("version");
  // @ts-expect-error: a string where countPrimes takes a number
  pool.run("countPrimes", ["10"]);
  // @ts-expect-error: countPrimes takes one argument, not two
  pool.run("countPrimes", [10, 20]);
  // @ts-expect-error: countPrimes needs its argument
  pool.run("countPrimes");
  // @ts-expect-error: a limit that is no run limit
  pool.run("countPrimes", [10], { timout: 5 });
  pool.run("countPrimes", [10]).then((r) => {
    // @ts-expect-error: the value is a number, not a string
    if (r.ok) r.value.toUpperCase();
  });
}

test("typed pool: run() infers the result type from the export and runs it", async () => {
  await using pool = new WorkerPool<Tasks>(TASKS, { size: 1 });
  const primes = await pool.run("countPrimes", [100], { timeout: 10_000 });
  same<typeof primes, PoolResult<number>>(true);
  assert.deepEqual([primes.ok, primes.ok && primes.value], [true, 25]);
  // An async export's result is awaited; an export without parameters
  // needs no arguments.
  const slept = await pool.run("sleep", [1, "late"]);
  same<typeof slept, PoolResult<string | number>>(true);
  const pid = await pool.run("pid");
  same<typeof pid, PoolResult<number>>(true);
  assert.ok(slept.ok && slept.value === "late" && pid.ok);
});

test("untyped pool: any name and arguments, run<T>() as before", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const r = await pool.run<number>("countPrimes", [100]);
  same<typeof r, PoolResult<number>>(true);
  const loose = await pool.run("countPrimes", [10]);
  same<typeof loose, PoolResult<unknown>>(true);
  assert.deepEqual([r.ok, r.ok && r.value], [true, 25]);
  await assert.rejects(pool.run("countPrime", [10]), TypeError);
});
