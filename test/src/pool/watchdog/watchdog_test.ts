/**
 * The watch holds while the host's main thread is blocked; a task is charged
 * for, and dies with, every process it starts; peaks are exact. How far and
 * how soon the watch stops a task, which depends on timing under load, is in
 * watchdog_timing_test.ts.
 */
import assert from "node:assert/strict";
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "../../../harness.ts";
import { runInFreshProcess } from "../../../fresh_process.ts";
import { withoutUsage } from "../../fixture.ts";
import { Watchdog } from "../../../../src/pool/watchdog/watchdog.ts";
import { WorkerPool } from "../../../../src/pool/worker_pool.ts";
import {
  assertStillRuns,
  blockFor,
  descendantPids,
  eventually,
  limitError,
  MiB,
  processExists,
  processState,
  residentBytes,
  TASKS,
  threadCount,
  twoTasksOverProcessLimit,
  within,
} from "../helpers.ts";
import { readProcText } from "../../../../src/pool/linux/proc_fields.ts";
import { realtimeAllowed } from "../worker/brake_child_process.ts";

const LIMIT = 256 * MiB;

let files = 0;
function tempFile(name: string): string {
  return join(tmpdir(), `memlimits-watch-${process.pid}-${files++}-${name}`);
}

/** Whether a process has been killed: a zombie not yet reaped, or gone. */
const dead = (pid: number) => ["Z", "X", "gone"].includes(processState(pid));

/** Times the threads of this process gave up their core (a wait each), in all. */
function hostWaits(): number {
  let waits = 0;
  for (const tid of readdirSync("/proc/self/task")) {
    const status = readProcText(`/proc/self/task/${tid}/status`);
    const match = /^voluntary_ctxt_switches:\s*(\d+)/m.exec(status ?? "");
    waits += Number(match?.[1] ?? 0);
  }
  return waits;
}

test("watch: a job far below its memory limit is sampled every few ms, not every ms", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: LIMIT });
  const run = pool.run("delayed", [1, 800], { timeout: 10_000 });
  await new Promise((r) => setTimeout(r, 100));
  const before = hostWaits();
  await new Promise((r) => setTimeout(r, 300));
  const waits = hostWaits() - before;
  assert.deepEqual(withoutUsage(await run), { ok: true, value: 1 });
  // A watchdog that sampled every millisecond woke about 300 times.
  assert.ok(waits < 100, `the host's threads waited ${waits} times in 300 ms`);
});

test("watch: processMemoryLimit stops the running tasks while the host is blocked", async () => {
  let bothDead = -1;
  await twoTasksOverProcessLimit((pids) => {
    // Blocked until both workers are dead (20 s at most: allocating 1.5 GiB
    // on a loaded machine can take seconds).
    blockFor(20_000, (ms) => {
      if (bothDead < 0 && pids.every(dead)) bothDead = ms;
      return ms >= 3000 && bothDead >= 0;
    });
  });
  assert.ok(
    bothDead >= 0,
    "the workers were killed while the host was blocked",
  );
});

/** Starts `startsProcesses` in a worker; resolves with the worker's descendants once they run. */
async function processesStarted(
  pool: WorkerPool,
  limits: { timeout?: number },
): Promise<{ run: Promise<unknown>; pids: number[] }> {
  assert.ok(await eventually(() => pool.idleCount >= 1));
  const file = tempFile("started");
  const worker = pool.workerPids[0];
  const run = pool.run("startsProcesses", [file], limits);
  run.catch(() => {});
  assert.ok(
    await eventually(() => {
      try {
        return readFileSync(file, "utf8").length > 0;
      } catch {
        return false;
      }
    }),
  );
  rmSync(file, { force: true });
  const pids = descendantPids(worker);
  // Three children and the shell's sleep; one child left the worker's group.
  assert.ok(pids.length >= 4, `descendants: ${pids}`);
  return { run, pids: [worker, ...pids] };
}

test("watch: no process a task started outlives a kill at a limit, or close()", async () => {
  const pool = new WorkerPool(TASKS, { size: 1 });
  try {
    const atLimit = await processesStarted(pool, { timeout: 1000 });
    assert.equal(limitError(await atLimit.run as never).kind, "timeout");
    assert.ok(
      await eventually(() => atLimit.pids.every((pid) => !processExists(pid))),
      `left after the timeout: ${atLimit.pids.filter(processExists)}`,
    );
    const atClose = await processesStarted(pool, {});
    const threads = threadCount();
    await pool.close();
    await assert.rejects(
      atClose.run as Promise<unknown>,
      /closed while the task was pending/,
    );
    assert.ok(
      await eventually(() => atClose.pids.every((pid) => !processExists(pid))),
      `left after close(): ${atClose.pids.filter(processExists)}`,
    );
    // The watchdog thread ended with the pool.
    assert.ok(
      await eventually(() => threadCount() < threads),
      `threads: ${threads} before close(), ${threadCount()} after`,
    );
  } finally {
    await pool.close();
  }
});

/** Bytes a fresh worker still holds over its fresh size after a `spike` of `bytes`. */
async function heldAfterSpike(bytes: number): Promise<number> {
  await using pool = new WorkerPool(TASKS, {
    size: 1,
    memoryLimit: 2048 * MiB,
  });
  assert.ok(await eventually(() => pool.idleCount === 1));
  const fresh = residentBytes(pool.workerPids[0]);
  const r = await pool.run<number>("spike", [bytes]);
  assert.ok(r.ok);
  return r.value - fresh;
}

/** Runs `body` with the watchdog's samples `ms` apart in the pools it makes. */
async function withSamplesApart(
  ms: number,
  body: () => Promise<void>,
): Promise<void> {
  const tick = Watchdog.tickMs;
  Watchdog.tickMs = ms;
  try {
    await body();
  } finally {
    Watchdog.tickMs = tick;
  }
}

test("watch: a spike taken and given back between two samples is charged at settlement (the worker's VmHWM)", async () => {
  // Control: the spike really is given back before the task returns.
  const held = await heldAfterSpike(512 * MiB);
  assert.ok(
    held < 128 * MiB,
    `${held / MiB} MiB still resident after the spike`,
  );
  // Samples a minute apart: only the peak at settlement can see the spike.
  // The limit is the run's, not the pool's: the workers then have no brake
  // of their own (memory_brake.ts), which would stop the spike at the limit.
  await withSamplesApart(60_000, async () => {
    await using pool = new WorkerPool(TASKS, { size: 1 });
    const e = limitError(
      await pool.run("spike", [512 * MiB], { memoryLimit: LIMIT }),
    );
    assert.equal(e.kind, "memory");
    assert.ok(e.observed! >= 480 * MiB, `charged ${e.observed! / MiB} MiB`);
    await assertStillRuns(pool);
  });
});

test("watch: a frozen worker, back below its memory limit after a spike over it, is stopped for its high-water mark", async () => {
  // As a worker its brake froze over the limit looks once the kernel has
  // reclaimed some of its pages (memory_brake.ts): here the run's own limit
  // (no brake), a spike given back between two samples a second apart, and
  // the task stops itself.
  const limit = 64 * MiB;
  // Control: after the spike the worker is far below 0.9 × the limit.
  const held = await heldAfterSpike(192 * MiB);
  assert.ok(
    held < 0.5 * limit,
    `${held / MiB} MiB still resident after the spike`,
  );
  await withSamplesApart(1000, async () => {
    await using pool = new WorkerPool(TASKS, { size: 1 });
    const run = pool.run("spikeThenFreeze", [192 * MiB], {
      memoryLimit: limit,
    });
    const result = await within(run, 15_000, "frozen" as const);
    assert.notEqual(result, "frozen", "the frozen run was not stopped in 15 s");
    const e = limitError(result as Awaited<typeof run>);
    assert.equal(e.kind, "memory");
    assert.ok(e.observed! >= 160 * MiB, `charged ${e.observed! / MiB} MiB`);
    await assertStillRuns(pool);
  });
});

test("watch: if the watchdog thread fails, the runs it watched fail naming it, and their workers are killed", async () => {
  const module = Watchdog.threadModule;
  Watchdog.threadModule = new URL(
    "../fixtures/failing_watchdog.thread.ts",
    import.meta.url,
  );
  try {
    await using pool = new WorkerPool(TASKS, { size: 1 });
    assert.ok(await eventually(() => pool.idleCount === 1));
    const pid = pool.workerPids[0];
    // Only the watchdog enforces the timeout: without it the task would spin on.
    const run = pool.run("spin", [], { timeout: 60_000 });
    const settled = await within(
      run.then(() => "resolved", (error: Error) => error.message),
      15_000,
      "still running after 15 s",
    );
    assert.equal(
      settled,
      "the WorkerPool's watchdog thread failed: the fixture's watchdog failed",
    );
    assert.ok(await eventually(() => !processExists(pid)), "worker killed");
    // Runs it would watch are refused; the others still run.
    await assert.rejects(
      pool.run("add", [1, 2], { timeout: 1000 }),
      /watchdog thread failed/,
    );
    await assertStillRuns(pool);
  } finally {
    Watchdog.threadModule = module;
  }
});

for (const how of ["exit", "throw", "sigterm"] as const) {
  test(`watch: no process a task started outlives the host's exit (${how})`, async () => {
    // Output to files: a worker that survived would hold a pipe open, and
    // the test would wait for it instead of failing.
    const out = tempFile("out"), err = tempFile("err");
    const [outFd, errFd] = [openSync(out, "w"), openSync(err, "w")];
    let child;
    try {
      child = runInFreshProcess(
        new URL("../spawn/host_exit_script.ts", import.meta.url),
        [how],
        { stdio: ["ignore", outFd, errFd] },
      );
    } finally {
      closeSync(outFd);
      closeSync(errFd);
    }
    const stdout = readFileSync(out, "utf8"),
      stderr = readFileSync(err, "utf8");
    rmSync(out);
    rmSync(err);
    const pids = JSON.parse(stdout.trim().split("\n")[0]) as number[];
    assert.ok(pids.length >= 5, `the worker and its processes: ${pids}`);
    if (how === "exit") assert.equal(child.status, 0, stderr);
    if (how === "throw") {
      assert.notEqual(child.status, 0);
      assert.match(stderr, /the host fails/);
    }
    // SIGTERM keeps its default behaviour: the host dies of it.
    if (how === "sigterm") assert.equal(child.signal, "SIGTERM");
    assert.ok(
      await eventually(() => pids.every((pid) => !processExists(pid))),
      `left after the host's ${how}: ${pids.filter(processExists)}`,
    );
  });
}

/** Host threads under SCHED_FIFO (policy 1, field 41 of their stat line). */
function realtimeThreads(): Set<string> {
  const found = new Set<string>();
  for (const tid of readdirSync("/proc/self/task")) {
    const stat = readProcText(`/proc/self/task/${tid}/stat`);
    if (stat === undefined) continue; // ended meanwhile
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[41 - 3] === "1") found.add(tid);
  }
  return found;
}

/** CPU ns a thread of this process used so far (its schedstat). */
function threadCpuNs(tid: string): number {
  const text = readProcText(`/proc/self/task/${tid}/schedstat`);
  return Number(text?.split(" ")[0] ?? NaN);
}

test(`watch: the watchdog thread runs under SCHED_FIFO where the system allows it (here: ${realtimeAllowed}), and sleeps between its ticks`, async () => {
  const before = realtimeThreads();
  await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: LIMIT });
  assert.equal((await pool.run("add", [1, 2])).ok, true); // the pool is up
  // A watched job, so that the watchdog samples it meanwhile.
  const run = pool.run("delayed", ["done", 600], { timeout: 10_000 });
  const raised = [...realtimeThreads()].filter((tid) => !before.has(tid));
  assert.equal(raised.length, realtimeAllowed ? 1 : 0, `threads ${raised}`);
  assert.notEqual(raised[0], String(process.pid), "not the main thread");
  if (realtimeAllowed) {
    // A thread that spun under SCHED_FIFO would hold a core: about 1 s of
    // CPU a second. Sampling, it uses a few per cent.
    const cpu0 = threadCpuNs(raised[0]);
    const wall0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const share = (threadCpuNs(raised[0]) - cpu0) / 1e6 /
      (performance.now() - wall0);
    assert.ok(share < 0.5, `the watchdog used ${share} of a core`);
  }
  const r = await run;
  assert.deepEqual([r.ok, r.ok && r.value], [true, "done"]);
  await pool.close();
  // (Deno's thread ends shortly after the worker's exit event.)
  const same = () =>
    [...realtimeThreads()].sort().join() === [...before].sort().join();
  assert.ok(await eventually(same), "it ended with the pool");
});
