/**
 * Usage on every pool result (wall time, CPU time, peak memory, allocations)
 * and CPU-time limits, each checked against what the task measured of
 * itself from inside, or a process's own report. Bounds that depend on
 * timing under load are in usage_timing_test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isBun, test } from "../../harness.ts";
import { runInFreshProcess } from "../../fresh_process.ts";
import { Watchdog } from "../../../src/pool/watchdog/watchdog.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import { eventually, limitError, MiB } from "./helpers.ts";
import {
  checkUsageShape,
  tempFile,
  TICK_MS,
  USAGE_TASKS as TASKS,
} from "./usage_helpers.ts";

const SHAPE_TASKS = new URL("./fixtures/tasks.ts", import.meta.url);

test("usage: peakMemory holds a held allocation, with and without a memoryLimit, and is what memoryLimit is compared with", async () => {
  const size = 96 * MiB;
  for (const options of [{ size: 1 }, { size: 1, memoryLimit: 512 * MiB }]) {
    await using pool = new WorkerPool(TASKS, options);
    const r = await pool.run("holdFor", [size, 50]);
    assert.equal(r.ok, true);
    const usage = checkUsageShape(r.usage);
    // The worker's growth over its fresh size: what it held, less pages
    // freed since it started that the allocation reused (a few MiB on Node).
    assert.ok(
      usage.peakMemory >= size - 8 * MiB,
      `peakMemory ${usage.peakMemory / MiB} MiB for ${size / MiB} MiB held`,
    );
    assert.ok(
      usage.peakMemory <= size + 48 * MiB,
      `peakMemory ${usage.peakMemory / MiB} MiB for ${size / MiB} MiB held`,
    );
    // As a memoryLimit, the peak lets the task run; well below, it does not.
    await using limited = new WorkerPool(TASKS, {
      size: 1,
      memoryLimit: Math.ceil(usage.peakMemory * 1.25),
    });
    assert.equal((await limited.run("holdFor", [size, 50])).ok, true);
    const below = await limited.run("holdFor", [size, 50], {
      memoryLimit: Math.floor(size / 2),
    });
    const error = limitError(below);
    assert.equal(error.kind, "memory");
    const stopped = checkUsageShape(below.usage);
    assert.ok(stopped.peakMemory >= size / 2, `${stopped.peakMemory}`);
  }
});

test("usage: each task's peak is its own: after a task took 200 MiB and gave it back, a small task is charged only what it took", async () => {
  // The worker resets its high-water mark between tasks; a reset that never
  // happened charged every later task with the spike (200 MiB for add(1, 2)).
  for (const options of [{ size: 1 }, { size: 1, memoryLimit: 512 * MiB }]) {
    await using pool = new WorkerPool(SHAPE_TASKS, options);
    const spike = await pool.run("spike", [200 * MiB]);
    assert.equal(spike.ok, true);
    assert.ok(
      spike.usage.peakMemory >= 190 * MiB,
      `the spike's peakMemory ${spike.usage.peakMemory / MiB} MiB`,
    );
    for (const limits of [{}, { memoryLimit: 64 * MiB }]) {
      const small = await pool.run("add", [1, 2], limits);
      assert.equal(small.ok, true, JSON.stringify(limits));
      assert.ok(
        small.usage.peakMemory < 32 * MiB,
        `add(1, 2) after the spike: peakMemory ${
          small.usage.peakMemory / MiB
        } MiB`,
      );
    }
  }
});

test("usage: peakMemory is the task's own when the host that forked the worker is far bigger", () => {
  // Linux keeps maxRSS across execve: a worker forked by an 800 MiB host
  // read the host's mark as its own peak (806 MiB for 96 MiB held, on Bun).
  const child = runInFreshProcess(
    new URL("./fixtures/big_host_peak.ts", import.meta.url),
    [],
    { timeout: 60_000 },
  );
  assert.equal(child.status, 0, String(child.stderr));
  const [held, run] = String(child.stdout).trim().split("\n").slice(-2)
    .map((line) => JSON.parse(line));
  const { peakMemory } = held;
  assert.ok(
    peakMemory >= 88 * MiB && peakMemory <= 144 * MiB,
    `peakMemory ${peakMemory / MiB} MiB for 96 MiB held`,
  );
  // Each its own, whether the worker read its mark (after page faults) or
  // knew it unchanged: small tasks small, each spike its size.
  const [add1, spike64, add2, add3, spike32, add4] = run.peaks as number[];
  const text = `${JSON.stringify(run.sequence)}: ${
    run.peaks.map((p: number) => (p / MiB).toFixed(1)).join(", ")
  } MiB`;
  for (const small of [add1, add2, add3, add4]) {
    assert.ok(small < 16 * MiB, text);
  }
  assert.ok(spike64 >= 60 * MiB && spike64 < 96 * MiB, text);
  assert.ok(spike32 >= 30 * MiB && spike32 < 56 * MiB, text);
});

test("usage: a stopped task's CPU time counts from its start, though the watchdog first sees it a tick later", async () => {
  // Ticks 300 ms apart: the watchdog sees the job up to 300 ms after it
  // started. It read the idle worker's clock before, and counts from there.
  const tick = Watchdog.tickMs;
  Watchdog.tickMs = 300;
  const { path, done } = tempFile();
  try {
    await using pool = new WorkerPool(TASKS, { size: 1 });
    assert.ok(await eventually(() => pool.idleCount === 1));
    await new Promise((resolve) => setTimeout(resolve, 2 * Watchdog.tickMs));
    const r = await pool.run("computeReporting", [path], { timeout: 700 });
    assert.equal(limitError(r).kind, "timeout");
    const reported = Number(readFileSync(path, "utf8"));
    assert.ok(reported >= 100, `the task reported ${reported} ms`);
    assert.ok(
      r.usage.cpuMs >= reported - 2 * TICK_MS,
      `cpuMs ${r.usage.cpuMs} for ${reported} ms the task used`,
    );
  } finally {
    Watchdog.tickMs = tick;
    done();
  }
});

test("usage: allocated counts the task's allocations where the runtime counts them, and is absent on Bun", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const r = await pool.run("allocateObjects", [200_000]);
  assert.equal(r.ok, true);
  const usage = checkUsageShape(r.usage);
  if (isBun) return;
  // 200 000 objects and strings: several MB on the JS heap.
  assert.ok(usage.allocated! >= 200_000 * 16, `allocated ${usage.allocated}`);
  assert.ok(usage.allocated! < 200 * MiB, `allocated ${usage.allocated}`);
});

test("usage: results the pool stops carry usage (timeout, token, memoryLimit)", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const { path, done } = tempFile();
  try {
    const timedOut = await pool.run("computeReporting", [path], {
      timeout: 300,
    });
    assert.equal(limitError(timedOut).kind, "timeout");
    const usage = checkUsageShape(timedOut.usage);
    assert.ok(usage.wallMs >= 300, `wallMs ${usage.wallMs}`);
    // At least what the task had reported before it was killed, less a tick.
    const reported = Number(readFileSync(path, "utf8"));
    assert.ok(
      usage.cpuMs >= reported - 2 * TICK_MS,
      `${usage.cpuMs} < ${reported}`,
    );
    // Cancelled while it runs (not while queued behind the replacement of
    // the timed-out worker).
    assert.ok(await eventually(() => pool.idleCount === 1));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const before = performance.now();
    const cancelled = await pool.run("sleep", [5000], {
      signal: controller.signal,
    });
    const elapsed = performance.now() - before;
    assert.equal(limitError(cancelled).kind, "token");
    const c = checkUsageShape(cancelled.usage);
    // From the moment its worker started it (after the replacement for
    // the timed-out task was up).
    assert.ok(c.wallMs > 0 && c.wallMs <= elapsed, `wallMs ${c.wallMs}`);
    assert.ok(c.cpuMs < 100, `cpuMs ${c.cpuMs}`);
  } finally {
    done();
  }
});

test("usage: a run stopped by its signal, its only limit (not sampled), carries the CPU and memory it used", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const { path, done } = tempFile();
  try {
    await pool.run("sleep", [10]); // a worker up and idle
    const computing = new AbortController();
    setTimeout(() => computing.abort(), 300);
    const r = await pool.run("computeReporting", [path], {
      signal: computing.signal,
    });
    assert.equal(limitError(r).kind, "token");
    const usage = checkUsageShape(r.usage);
    // What the task had reported before it was killed, less a tick, and no
    // more than it could use in its wall time.
    const reported = Number(readFileSync(path, "utf8"));
    assert.ok(reported > 0, `the task reported ${reported} ms`);
    assert.ok(
      usage.cpuMs >= reported - 2 * TICK_MS,
      `${usage.cpuMs} < ${reported}`,
    );
    assert.ok(
      usage.cpuMs <= usage.wallMs + TICK_MS,
      `cpuMs ${usage.cpuMs}, wallMs ${usage.wallMs}`,
    );
    // A held allocation, read when the signal stops the run.
    assert.ok(await eventually(() => pool.idleCount === 1));
    const holding = new AbortController();
    setTimeout(() => holding.abort(), 300);
    const held = await pool.run("holdFor", [96 * MiB, 5000], {
      signal: holding.signal,
    });
    assert.equal(limitError(held).kind, "token");
    const h = checkUsageShape(held.usage);
    assert.ok(
      h.peakMemory >= 88 * MiB && h.peakMemory <= 96 * MiB + 48 * MiB,
      `peakMemory ${h.peakMemory / MiB} MiB for 96 MiB held`,
    );
  } finally {
    done();
  }
});

test("cpuLimit: a run is charged its own CPU, not that of an unlimited run its worker ran before", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  // A watched run, then time for the watchdog to read the idle worker's
  // CPU clock (the next watched run counts from there).
  await pool.run("computeFor", [1], { timeout: 10_000 });
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 2; i++) {
    const unlimited = await pool.run<{ cpuMs: number }>("computeFor", [300]);
    assert.equal(unlimited.ok, true);
    const limited = await pool.run<{ cpuMs: number }>("computeFor", [20], {
      cpuLimit: 200,
    });
    assert.ok(
      limited.ok,
      `stopped: ${!limited.ok && (limited.error as Error).message}`,
    );
    assert.ok(
      limited.usage.cpuMs < 200,
      `cpuMs ${limited.usage.cpuMs} for a run that computed ${limited.value.cpuMs} ms`,
    );
  }
});

test("cpuLimit: a task that awaits a 1 s timer under cpuLimit 100 returns { ok: true }", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const r = await pool.run("sleep", [1000], { cpuLimit: 100 });
  assert.deepEqual([r.ok, r.ok && r.value], [true, "slept"]);
  assert.ok(r.usage.cpuMs < 100, `cpuMs ${r.usage.cpuMs}`);
});

test("usage: the CPU time of a process the task waited for is in cpuMs", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const r = await pool.run<{ shellMs: number; ownMs: number }>(
    "childCounts",
    [300_000],
  );
  assert.equal(r.ok, true);
  if (!r.ok) return;
  // The shell's own report (to 10 ms), and the worker's own CPU meanwhile
  // (a Node worker just started spent up to 70 ms of it in the background).
  const { shellMs: shell, ownMs: own } = r.value;
  assert.ok(shell >= 100, `the shell used only ${shell} ms`);
  assert.ok(r.usage.cpuMs >= shell - TICK_MS, `${r.usage.cpuMs} < ${shell}`);
  // Counted once: the shell and the worker, to a few ticks.
  assert.ok(
    r.usage.cpuMs <= shell * 1.1 + own + 3 * TICK_MS + 20,
    `${r.usage.cpuMs} for a shell's ${shell} and the worker's own ${own}`,
  );
});

test("cpuLimit: bad values are refused with the parameter named, and nothing runs", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  await assert.rejects(
    pool.run("sleep", [1], { cpuLimit: "100" as unknown as number }),
    (e: Error) =>
      e instanceof TypeError &&
      /limits\.cpuLimit must be a number of milliseconds, got string/.test(
        e.message,
      ),
  );
  for (const bad of [0, -1, NaN, Infinity]) {
    await assert.rejects(
      pool.run("sleep", [1], { cpuLimit: bad }),
      (e: Error) =>
        e instanceof RangeError &&
        /limits\.cpuLimit must be a positive finite number of milliseconds/
          .test(e.message),
    );
  }
  assert.equal(pool.idleCount + (pool.workerCount - pool.idleCount), 1);
});
