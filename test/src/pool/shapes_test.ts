import assert from "node:assert/strict";
import { isBun, isDeno, test } from "../../harness.ts";
import { LimitExceeded } from "../../../mod.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import { SHAPES } from "./fixtures/tasks.ts";
import { eventually, MiB, residentBytes, TASKS } from "./helpers.ts";
import { withoutUsage } from "../fixture.ts";

const LIMIT = 256 * MiB;

test("pool: each of the ten allocation shapes is stopped at memoryLimit 256 MiB, one after another in one pool", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: LIMIT });
  assert.ok(await eventually(() => pool.idleCount === 1));
  const rows: string[] = [];
  for (const shape of SHAPES) {
    // Our own measure, independent of the pool's: the whole process (host
    // plus worker) sampled every millisecond while the shape runs.
    const pid = pool.workerPids[0];
    const start = residentBytes(pid);
    let peakWorker = start;
    let peakProcess = 0;
    const sampler = setInterval(() => {
      const worker = residentBytes(pid);
      peakWorker = Math.max(peakWorker, worker);
      peakProcess = Math.max(peakProcess, residentBytes("self") + worker);
    }, 1);
    const began = performance.now();
    const r = await pool.run(shape, []);
    const ms = performance.now() - began;
    clearInterval(sampler);
    assert.equal(r.ok, false, `${shape} should end in { ok: false }`);
    const e = (r as { error: unknown }).error;
    assert.ok(e instanceof LimitExceeded, `${shape}: ${e}`);
    assert.equal(e.kind, "memory", shape);
    assert.ok(e.observed! > LIMIT, `${shape}: observed ${e.observed}`);
    // Stopped close to the limit, far from exhausting the machine.
    assert.ok(
      e.observed! < 1.5 * LIMIT,
      `${shape}: observed ${e.observed! / MiB} MiB`,
    );
    assert.ok(
      peakWorker - start < 1.5 * LIMIT,
      `${shape}: worker peak ${(peakWorker - start) / MiB} MiB`,
    );
    rows.push(
      `${shape.padEnd(20)} ${(e.observed! / MiB).toFixed(1).padStart(7)} ${
        ((e.observed! / LIMIT) * 100).toFixed(1).padStart(6)
      }% ` +
        `${((peakWorker - start) / MiB).toFixed(1).padStart(8)} ${
          (peakProcess / MiB).toFixed(0).padStart(9)
        } ${ms.toFixed(0).padStart(6)}`,
    );
    assert.ok(
      await eventually(() => pool.idleCount === 1),
      "a fresh worker replaces the killed one",
    );
  }
  console.log(
    `\nten shapes at memoryLimit 256 MiB on ${
      isBun ? "Bun" : isDeno ? "Deno" : "Node"
    } (MiB; charged = the pool's charge when it stopped the task (worker RSS over its fresh size); wk.peak = worker RSS growth during the shape, ` +
      `peak process = host + worker RSS, sampled by the test)\n` +
      `shape                charged  of lim  wk.peak  proc.peak     ms\n${
        rows.join("\n")
      }`,
  );
  assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
    ok: true,
    value: 3,
  });
});
