/**
 * The watchdog's tests whose verdict depends on timing under load: how far a
 * task overshoots its memory limit, or how soon it is stopped, while the
 * host's main thread is blocked and the watchdog (or a worker's brake) must
 * get a core in time. `npm test -- timing` runs these files on their own.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isBun, test } from "../../../harness.ts";
import { type LimitExceeded, Token } from "../../../../mod.ts";
import { isStopped } from "../../../../src/pool/linux/signals.ts";
import { Watchdog } from "../../../../src/pool/watchdog/watchdog.ts";
import { WorkerPool } from "../../../../src/pool/worker_pool.ts";
import {
  blockFor,
  eventually,
  limitError,
  MiB,
  PeakSampler,
  processExists,
  processState,
  residentBytes,
  runShapes,
  TASKS,
} from "../helpers.ts";
import { withoutUsage } from "../../fixture.ts";

const LIMIT = 256 * MiB;
const runtime = isBun ? "Bun" : "Deno";

let files = 0;
function tempFile(name: string): string {
  return join(
    tmpdir(),
    `memlimits-watch-timing-${process.pid}-${files++}-${name}`,
  );
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

test("watch: a run whose only limit is a signal is not sampled: the host spends a fraction of a sampled run's CPU", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  await pool.run("delayed", ["warm", 10]);
  /** The host's CPU ms (every thread, the watchdog's too) while a 1 s sleep runs under `limits`. */
  const hostCpu = async (
    limits: { signal?: AbortSignal; cpuLimit?: number },
  ) => {
    const before = process.cpuUsage();
    const r = await pool.run("delayed", ["slept", 1000], limits);
    const used = process.cpuUsage(before);
    assert.equal(r.ok, true);
    return (used.user + used.system) / 1000;
  };
  // The least of two runs: the host's other threads (its JIT and GC, and
  // under `bun test` every earlier test file's) only ever add to it.
  const signalled = Math.min(
    await hostCpu({ signal: new AbortController().signal }),
    await hostCpu({ signal: new AbortController().signal }),
  );
  // A cpuLimit needs the samples: the watchdog reads /proc every
  // millisecond (a timeout alone, only every 20 ms: sample_times.ts).
  const sampled = await hostCpu({ cpuLimit: 60_000 });
  // Measured: 2-13 ms against 73-116 ms (Node, Bun, Deno; 2 cores).
  assert.ok(
    signalled < sampled / 2,
    `host CPU ${signalled.toFixed(1)} ms with a signal, ${
      sampled.toFixed(1)
    } ms with a cpuLimit`,
  );
});
