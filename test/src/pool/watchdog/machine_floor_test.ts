/** `minAvailableMemory`: the machine's floor catches memory no process holds (tmpfs). */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { test } from "../../../harness.ts";
import { WorkerPool } from "../../../../src/pool/worker_pool.ts";
import { withoutUsage } from "../../fixture.ts";
import { eventually, limitError, MiB } from "../helpers.ts";

const TASKS = new URL("../fixtures/machine_tasks.ts", import.meta.url);

function memAvailable(): number {
  const line = /^MemAvailable:\s+(\d+) kB/m.exec(
    readFileSync("/proc/meminfo", "utf8"),
  );
  return Number(line![1]) * 1024;
}

test("minAvailableMemory: a task writing up to 4 GiB to /dev/shm is stopped at the machine's floor; a normal task under it is { ok: true }", async () => {
  const file = `/dev/shm/memlimits-floor-${process.pid}-${Date.now()}`;
  try {
    // 1 GiB below what the machine has now. Up to 4 GiB written: the floor
    // is crossed even if another suite on the machine frees up to 3 GiB
    // meanwhile (as its own floor test does: with 2 GiB, two suites at once
    // once ended { ok: true }), and may take some without crossing it first.
    const floor = memAvailable() - 1024 * MiB;
    await using pool = new WorkerPool(TASKS, {
      size: 1,
      minAvailableMemory: floor,
    });
    const e = limitError(
      await pool.run("fillTmpfs", [file, 4096 * MiB], { timeout: 60_000 }),
    );
    assert.equal(e.kind, "memory");
    assert.equal(e.limit, floor);
    assert.ok(e.observed! < floor);
    assert.match(e.message, /machine's available memory .* minAvailableMemory/);
    rmSync(file, { force: true });
    // The floor holds again (other suites on this machine take and give
    // back GiBs meanwhile: wait for them, not for the pool).
    assert.ok(
      await eventually(() => memAvailable() > floor + 128 * MiB, 30_000),
      `available ${memAvailable()}, floor ${floor}`,
    );
    assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
      ok: true,
      value: 3,
    });
  } finally {
    rmSync(file, { force: true });
  }
});

test("minAvailableMemory: a bad value is refused, naming the option", () => {
  assert.throws(
    () => new WorkerPool(TASKS, { minAvailableMemory: "1" as never }),
    {
      name: "TypeError",
      message:
        "options.minAvailableMemory must be a number of bytes, got string",
    },
  );
  assert.throws(() => new WorkerPool(TASKS, { minAvailableMemory: -1 }), {
    name: "RangeError",
  });
});
