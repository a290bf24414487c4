/**
 * The watch holds while the host's main thread is blocked; a task is charged
 * for, and dies with, every process it starts; peaks are exact.
 */
import assert from "node:assert/strict";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isBun, test } from "../../../harness.ts";
import { runInFreshProcess } from "../../../fresh_process.ts";
import { type LimitExceeded, Token } from "../../../../mod.ts";
import { isStopped } from "../../../../src/pool/linux/signals.ts";
import { Watchdog } from "../../../../src/pool/watchdog/watchdog.ts";
import { WorkerPool } from "../../../../src/pool/worker_pool.ts";
import {
  blockFor,
  descendantPids,
  eventually,
  limitError,
  MiB,
  PeakSampler,
  processExists,
  processState,
  residentBytes,
  runShapes,
  TASKS,
  threadCount,
  twoTasksOverProcessLimit,
} from "../helpers.ts";
import { withoutUsage } from "../../fixture.ts";

const LIMIT = 256 * MiB;
const runtime = isBun ? "Bun" : "Deno";

let files = 0;
function tempFile(name: string): string {
  return join(tmpdir(), `memlimits-watch-${process.pid}-${files++}-${name}`);
}

/** Whether a process has been killed: a zombie not yet reaped, or gone. */
const dead = (pid: number) => ["Z", "X", "gone"].includes(processState(pid));

test("watch: with the host's main thread blocked for 3 s, each of the ten shapes is stopped within 1.1 × memoryLimit", async () => {
  // One shape at a time: with the blocked host thread, a bomb and the
  // watchdog, a core each is spoken for. Each worker leads its own session,
  // hence (with autogroup scheduling) its own scheduling group, weighed like
  // the host's whole group: with more bombs than cores (two at a time, and
  // another suite alongside) the watchdog waited up to 250 ms for a core.
  const BATCH = 1;
  await using pool = new WorkerPool(TASKS, { size: BATCH, memoryLimit: LIMIT });
  await runShapes(pool, {
    size: BATCH,
    limit: LIMIT,
    within: 1.1,
    title:
      `ten shapes at memoryLimit 256 MiB, host blocked, ${BATCH} at a time, on ${runtime} ` +
      `(MiB; charged = the pool's charge; wk.peak = worker RSS growth, sampled by the test's own thread; ` +
      `killed = ms into the block when the worker was dead)`,
    columns: "  wk.peak   killed",
  }, async ({ shapes, pids, start }) => {
    const fresh = pids.map((pid) => residentBytes(pid));
    const sampler = new PeakSampler([...pids]);
    const runs = start();
    // Blocked until every worker of the batch is dead (killed by the
    // watchdog: nothing else can run meanwhile), for 3 s at least, 40 s at most.
    const diedAt = new Map<number, number>();
    blockFor(40_000, (ms) => {
      for (const pid of pids) {
        if (!diedAt.has(pid) && dead(pid)) diedAt.set(pid, ms);
      }
      return ms >= 3000 && diedAt.size === pids.length;
    });
    await Promise.all(runs);
    const peaks = await sampler.stop();
    return (i) => {
      // The test's own sampler: the worker's RSS over its size before the run.
      assert.ok(
        diedAt.has(pids[i]),
        `${shapes[i]}: not killed while the host was blocked`,
      );
      const grew = peaks[i] - fresh[i];
      assert.ok(
        grew <= 1.1 * LIMIT,
        `${shapes[i]}: the worker grew by ${(grew / MiB).toFixed(1)} MiB`,
      );
      return `${(grew / MiB).toFixed(1).padStart(8)} ${
        diedAt.get(pids[i])!.toFixed(0).padStart(8)
      }`;
    };
  });
});

test("watch: a spinning task under timeout 200 stops using CPU at about 200 ms while the host is blocked", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  assert.ok(await eventually(() => pool.idleCount === 1));
  const file = tempFile("heartbeat");
  try {
    let e: LimitExceeded | undefined;
    // On a loaded machine the worker may not get a core before its deadline
    // and then beats not at all: that proves nothing either way, run again.
    for (let attempt = 0; attempt < 3 && !existsSync(file); attempt++) {
      assert.ok(await eventually(() => pool.idleCount === 1));
      const run = pool.run("spinWithHeartbeat", [file], { timeout: 200 });
      blockFor(3000);
      e = limitError(await run);
    }
    assert.ok(e && existsSync(file), "the task never beat in 3 runs");
    assert.equal(e.kind, "timeout");
    assert.equal(e.limit, 200);
    // About 200 ms on an idle machine; the bounds leave room for a loaded
    // one (the watchdog may wait for a core) and still fail an unstopped task.
    assert.ok(
      e.observed! >= 200 && e.observed! < 1000,
      `observed ${e.observed}`,
    );
    // The task's own last heartbeat: its clock and its process's CPU time.
    const [wallMs, cpuMs] = readFileSync(file, "utf8").trim().split(" ").map(
      Number,
    );
    console.log(
      `\n${runtime}: timeout verdict at ${
        e.observed!.toFixed(1)
      } ms; last heartbeat of the spinning task ${wallMs} ms into it, ${cpuMs} ms of CPU`,
    );
    // Unstopped, it would beat on for the 3 s of the block.
    assert.ok(wallMs > 0 && wallMs < 1000, `last heartbeat at ${wallMs} ms`);
    assert.ok(cpuMs > 0 && cpuMs < 1000, `the task used ${cpuMs} ms of CPU`);
    const last = readFileSync(file, "utf8");
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(readFileSync(file, "utf8"), last, "the heartbeat goes on");
  } finally {
    rmSync(file, { force: true });
  }
});

test("watch: a cancellation requested before the host blocks has killed the worker before the block, and its result comes after", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  assert.ok(await eventually(() => pool.idleCount === 1));
  const [pid] = pool.workerPids;
  const token = new Token();
  const run = pool.run("spin", [], { token, timeout: 60_000 });
  await new Promise((r) => setTimeout(r, 100)); // it spins in its worker
  token.cancel("enough");
  let killedAt = -1;
  blockFor(1000, (ms) => {
    if (killedAt < 0 && dead(pid)) killedAt = ms;
  });
  assert.ok(
    killedAt >= 0 && killedAt < 500,
    `killed ${killedAt} ms into the block`,
  );
  const e = limitError(await run);
  assert.equal(e.kind, "token");
  assert.match(e.message, /enough/);
  assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
    ok: true,
    value: 3,
  });
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

test("watch: a task whose child process allocates 1.5 GiB is stopped at memoryLimit 256 MiB, with the child", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: LIMIT });
  const pidFile = tempFile("child-pid");
  try {
    const r = await pool.run("childAllocates", [1536 * MiB, pidFile], {
      timeout: 60_000, // turns a miss into a failure, not a hang
    });
    const e = limitError(r);
    assert.equal(e.kind, "memory");
    assert.ok(
      e.observed! > LIMIT && e.observed! < 2 * LIMIT,
      `observed ${e.observed! / MiB} MiB`,
    );
    const child = Number(readFileSync(pidFile, "utf8"));
    assert.ok(
      await eventually(() => !processExists(child)),
      `child ${child} lives on`,
    );
  } finally {
    rmSync(pidFile, { force: true });
  }
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

test("watch: with the watchdog's samples 3 s apart, the worker's own brake freezes a spike at a pool's memoryLimit", async () => {
  const tick = Watchdog.tickMs;
  Watchdog.tickMs = 3000;
  try {
    await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: LIMIT });
    assert.ok(await eventually(() => pool.idleCount === 1));
    const [pid] = pool.workerPids;
    const run = pool.run("spike", [512 * MiB]);
    assert.ok(
      await eventually(() => isStopped(pid), 2500),
      "frozen before the watchdog's next sample",
    );
    const e = limitError(await run);
    assert.equal(e.kind, "memory");
    assert.ok(e.observed! > LIMIT);
    assert.ok(
      e.observed! <= 1.1 * LIMIT,
      `charged ${(e.observed! / MiB).toFixed(1)} MiB`,
    );
  } finally {
    Watchdog.tickMs = tick;
  }
});

test("watch: a spike taken and given back between two samples is charged at settlement (the worker's VmHWM)", async () => {
  // Control: the spike really is given back before the task returns.
  {
    await using pool = new WorkerPool(TASKS, {
      size: 1,
      memoryLimit: 2048 * MiB,
    });
    assert.ok(await eventually(() => pool.idleCount === 1));
    const fresh = residentBytes(pool.workerPids[0]);
    const r = await pool.run<number>("spike", [512 * MiB]);
    assert.ok(r.ok);
    assert.ok(
      r.value - fresh < 128 * MiB,
      `${(r.value - fresh) / MiB} MiB still resident after the spike`,
    );
  }
  // Samples a minute apart: only the peak at settlement can see the spike.
  // The limit is the run's, not the pool's: the workers then have no brake
  // of their own (memory_brake.ts), which would stop the spike at the limit.
  const tick = Watchdog.tickMs;
  Watchdog.tickMs = 60_000;
  try {
    await using pool = new WorkerPool(TASKS, { size: 1 });
    const e = limitError(
      await pool.run("spike", [512 * MiB], { memoryLimit: LIMIT }),
    );
    assert.equal(e.kind, "memory");
    assert.ok(e.observed! >= 480 * MiB, `charged ${e.observed! / MiB} MiB`);
    assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
      ok: true,
      value: 3,
    });
  } finally {
    Watchdog.tickMs = tick;
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
