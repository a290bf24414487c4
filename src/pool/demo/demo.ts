/**
 * The worker pool's part of `npm start`: one pool runs a CPU-bound task that
 * never ends (stopped by `timeout`), a memory bomb (stopped by
 * `memoryLimit`) and an ordinary task (returns), at the same time; then a
 * batch of ordinary tasks whose usage ends `npm start` with the limits
 * `memlimits observed` would set from them (`printUsageReport`).
 */
import {
  observedResult,
  observedText,
} from "../../../stats/calc/commands/observed.ts";
import { LimitExceeded } from "../../limit_exceeded.ts";
import type { Result } from "../../result.ts";
import { MiB } from "../../units.ts";
import type { PoolResult, PoolUsage } from "../../usage.ts";
import { WorkerPool } from "../worker_pool.ts";

/** Runs of the batch whose usage is reported: enough for a 10 % target at 95 %. */
const BATCH_RUNS = 30;
const TARGET = 0.1;

function show(label: string, r: Result<unknown>, ms: number): string {
  const outcome = r.ok
    ? `ok, value ${JSON.stringify(r.value)}`
    : r.error instanceof LimitExceeded
    ? `stopped: LimitExceeded kind "${r.error.kind}": ${r.error.message}`
    : `stopped: ${String(r.error)}`;
  return `  ${label.padEnd(40)} ${outcome} (${ms.toFixed(0)} ms)`;
}

/** What the pool demo ran: the three tasks' results, and the batch's usage. */
export interface PoolDemoRuns {
  results: PoolResult<unknown>[];
  batch: PoolUsage[];
}

/** Runs the demo and prints one line per task; returns the results and the batch's usage. */
export async function runPoolDemo(): Promise<PoolDemoRuns> {
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
  const timed = async (label: string, run: Promise<PoolResult<unknown>>) => {
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
  // Ordinary tasks of varying size, for the usage report.
  const batch = await Promise.all(
    Array.from(
      { length: BATCH_RUNS },
      (_, i) => pool.run("countPrimes", [2e5 + 4e4 * (i % 10)]),
    ),
  );
  return { results, batch: batch.map((r) => r.usage) };
}

function statsLine(label: string, values: number[], unit: string): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const f = (x: number) => unit === "MiB" ? (x / MiB).toFixed(1) : x.toFixed(1);
  return `  ${label.padEnd(12)} min ${f(sorted[0])}, median ${
    f(at(0.5))
  }, max ${f(sorted[sorted.length - 1])} ${unit}`;
}

/**
 * Prints the usage of the demo's three tasks and of its batch, and the
 * `memoryLimit` and `cpuLimit` that `memlimits observed --target 0.1` would
 * set from the batch's `peakMemory` and `cpuMs`.
 */
export function printUsageReport(runs: PoolDemoRuns): void {
  console.log("\n== usage of the pool demo's runs");
  for (const r of runs.results) {
    const u = r.usage;
    const kind = r.ok ? "ok" : (r.error as LimitExceeded).kind;
    console.log(
      `  ${kind.padEnd(8)} wall ${u.wallMs.toFixed(0)} ms, CPU ${
        u.cpuMs.toFixed(0)
      } ms, peak memory ${(u.peakMemory / MiB).toFixed(1)} MiB${
        u.allocated === undefined
          ? ""
          : `, allocated ${(u.allocated / MiB).toFixed(1)} MiB`
      }`,
    );
  }
  console.log(`  a batch of ${runs.batch.length} countPrimes runs:`);
  console.log(statsLine("wallMs", runs.batch.map((u) => u.wallMs), "ms"));
  console.log(statsLine("cpuMs", runs.batch.map((u) => u.cpuMs), "ms"));
  console.log(
    statsLine("peakMemory", runs.batch.map((u) => u.peakMemory), "MiB"),
  );
  for (const field of ["peakMemory", "cpuMs"] as const) {
    const values = runs.batch.map((u) => u[field]);
    const result = observedResult({
      values,
      target: TARGET,
      field,
      source: "demo",
    });
    const text = observedText(result).split("\n").map((l) => `  ${l}`);
    console.log(`\n  memlimits observed --target ${TARGET} --field ${field}:`);
    console.log(text.join("\n"));
  }
}

if (import.meta.main) printUsageReport(await runPoolDemo());
