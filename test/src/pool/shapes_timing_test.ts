/**
 * The ten allocation shapes, one after another in one pool: each must be
 * stopped within 1.5 × its memoryLimit, which depends on the watchdog and the
 * worker's brake getting a core in time (timing under load).
 */
import assert from "node:assert/strict";
import { isBun, isDeno, test } from "../../harness.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import { MiB, residentBytes, runShapes, TASKS } from "./helpers.ts";

const LIMIT = 256 * MiB;

test("pool: each of the ten allocation shapes is stopped at memoryLimit 256 MiB, one after another in one pool", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: LIMIT });
  await runShapes(pool, {
    size: 1,
    limit: LIMIT,
    within: 1.5,
    title:
      `ten shapes at memoryLimit 256 MiB on ${
        isBun ? "Bun" : isDeno ? "Deno" : "Node"
      } (MiB; charged = the pool's charge when it stopped the task (worker RSS over its fresh size); wk.peak = worker RSS growth during the shape, ` +
      `peak process = host + worker RSS, sampled by the test)`,
    columns: "  wk.peak  proc.peak     ms",
  }, async ({ shapes: [shape], pids: [pid], start }) => {
    // Our own measure, independent of the pool's: the whole process (host
    // plus worker) sampled every millisecond while the shape runs.
    const fresh = residentBytes(pid);
    let peakWorker = fresh;
    let peakProcess = 0;
    const sampler = setInterval(() => {
      const worker = residentBytes(pid);
      peakWorker = Math.max(peakWorker, worker);
      peakProcess = Math.max(peakProcess, residentBytes("self") + worker);
    }, 1);
    const began = performance.now();
    await Promise.all(start());
    const ms = performance.now() - began;
    clearInterval(sampler);
    return () => {
      assert.ok(
        peakWorker - fresh < 1.5 * LIMIT,
        `${shape}: worker peak ${(peakWorker - fresh) / MiB} MiB`,
      );
      return `${((peakWorker - fresh) / MiB).toFixed(1).padStart(8)} ${
        (peakProcess / MiB).toFixed(0).padStart(9)
      } ${ms.toFixed(0).padStart(6)}`;
    };
  });
});
