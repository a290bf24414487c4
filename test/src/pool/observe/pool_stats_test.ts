import assert from "node:assert/strict";
import { test } from "../../../harness.ts";
import {
  type PoolUsage,
  type SettledDetail,
  Token,
  type WorkerExitDetail,
  WorkerPool,
} from "../../../../mod.ts";
import { eventually, limitError } from "../helpers.ts";

const TASKS = new URL("../fixtures/pool_tasks.ts", import.meta.url);

/** The nearest-rank quantile of `values`. */
function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

test("events and stats(): 'settled' for every run and 'workerexit' for every worker agree with the results, and stats() with both", async () => {
  const t0 = performance.now();
  const pool = new WorkerPool(TASKS, { size: 1 });
  const t1 = performance.now();
  const settled: SettledDetail[] = [];
  const exits: WorkerExitDetail[] = [];
  pool.addEventListener("settled", (e) => settled.push(e.detail));
  pool.addEventListener("workerexit", (e) => exits.push(e.detail));
  const startedPids = new Set<number>();
  const seen: { name: string; ok: boolean; usage?: PoolUsage }[] = [];
  try {
    // Three sleeps sent together on one worker: the third waits for two.
    const sleeps = await Promise.all(
      [1, 2, 3].map((i) => pool.run("sleep", [100, i])),
    );
    for (const r of sleeps) {
      seen.push({ name: "sleep", ok: r.ok, usage: r.usage });
    }
    assert.ok(
      sleeps[2].usage.waitMs >= 180,
      `the third waited ${sleeps[2].usage.waitMs} ms`,
    );
    assert.ok(sleeps.every((r) => r.usage.waitMs >= 0));
    for (let i = 0; i < 2; i++) {
      await assert.rejects(pool.run("fail", ["on purpose"]), /on purpose/);
      seen.push({ name: "fail", ok: false });
    }
    startedPids.add((await pool.run("pid")).ok ? pool.workerPids[0] : -1);
    seen.push({ name: "pid", ok: true });
    const timedOut = await pool.run("spin", [], { timeout: 100 });
    assert.equal(limitError(timedOut).kind, "timeout");
    seen.push({ name: "spin", ok: false, usage: timedOut.usage });
    // Cancelled on a worker (not while queued): its worker ends.
    assert.ok(await eventually(() => pool.idleCount === 1));
    const token = new Token();
    const cancelled = pool.run("spin", [], { token });
    setTimeout(() => token.cancel(), 100);
    const c = await cancelled;
    assert.equal(limitError(c).kind, "token");
    seen.push({ name: "spin", ok: false, usage: c.usage });
    const last = await pool.run("countPrimes", [1000]);
    assert.ok(last.ok && last.value === 168);
    seen.push({ name: "countPrimes", ok: true, usage: last.usage });
    await eventually(() => settled.length === seen.length);
  } finally {
    await pool.close();
  }
  // One "settled" per run, in order, with the results' own usage.
  assert.deepEqual(
    settled.map((d) => [d.exportName, d.ok]),
    seen.map((s) => [
      s.name,
      s.ok,
    ]),
  );
  assert.deepEqual(settled.map((d) => d.outcome), [
    "ok",
    "ok",
    "ok",
    "threw",
    "threw",
    "ok",
    "timeout",
    "token",
    "ok",
  ]);
  assert.deepEqual(settled.map((d) => d.limit), [
    ...Array(6).fill(undefined),
    "timeout",
    "token",
    undefined,
  ]);
  seen.forEach((s, i) => {
    if (s.usage) assert.equal(settled[i].usage, s.usage);
  });
  // Two workers ended at a limit, then the last one at close.
  assert.deepEqual(exits.map((e) => e.reason), ["limit", "limit", "close"]);
  assert.equal(new Set(exits.map((e) => e.pid)).size, 3);
  assert.ok(startedPids.has(exits[0].pid), "the first worker ran pid()");
  const t2 = performance.now();
  const stats = pool.stats();
  const t3 = performance.now();
  assert.deepEqual(stats.runs, {
    ok: 5,
    threw: 2,
    failed: 0,
    memory: 0,
    allocations: 0,
    timeout: 1,
    cpu: 0,
    token: 1,
  });
  assert.equal(stats.workers.started, 3);
  assert.deepEqual(stats.workers.ended, {
    limit: 2,
    crash: 0,
    recycled: 0,
    idle: 0,
    close: 1,
    keptMemory: 0,
  });
  // Every run was started by a worker: the distributions hold all nine.
  for (const key of ["waitMs", "wallMs", "peakMemory"] as const) {
    const values = settled.map((d) => d.usage[key]);
    const d = stats[key];
    assert.equal(d.count, 9, key);
    assert.equal(d.min, Math.max(0, Math.min(...values)), key);
    assert.equal(d.max, Math.max(...values), key);
    for (const [q, figure] of [[0.5, d.p50], [0.9, d.p90]] as const) {
      const exact = exactQuantile(values, q);
      assert.ok(
        Math.abs(figure - exact) <= 0.01 * exact + 1e-3,
        `${key} p${q * 100}: ${figure} vs ${exact}`,
      );
    }
  }
  // Utilization: the runs' wall time over one worker's time since the pool
  // started, which began between t0 and t1 and ended between t2 and t3.
  const busy = settled.reduce((sum, d) => sum + d.usage.wallMs, 0);
  assert.ok(
    stats.utilization >= busy / (t3 - t0) &&
      stats.utilization <= busy / (t2 - t1),
    `utilization ${stats.utilization}, busy ${busy} ms of ${t3 - t0} ms`,
  );
});

test("events: a listener that throws, or rejects, is reported and the pool goes on", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const reported: unknown[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => {
    if (String(args[0]).startsWith('a WorkerPool "settled" listener threw')) {
      reported.push(args[1]);
    } else error(...args);
  };
  try {
    pool.addEventListener("settled", () => {
      throw new Error("listener bug");
    });
    pool.addEventListener("settled", () => Promise.reject(new Error("async")));
    let heard = 0;
    const counting = () => heard++;
    pool.addEventListener("settled", counting);
    assert.equal((await pool.run("countPrimes", [10])).ok, true);
    assert.equal((await pool.run("countPrimes", [10])).ok, true);
    assert.ok(await eventually(() => heard === 2 && reported.length === 4));
    assert.deepEqual(
      reported.map((e) => (e as Error).message).sort(),
      ["async", "async", "listener bug", "listener bug"],
    );
    pool.removeEventListener("settled", counting);
    assert.equal((await pool.run("countPrimes", [10])).ok, true);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(heard, 2, "a removed listener hears no more");
  } finally {
    console.error = error;
  }
});

test("events and stats(): a worker that crashes is a 'failed' run with its wall time and a 'crash' exit", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const settled: SettledDetail[] = [];
  const exits: WorkerExitDetail[] = [];
  pool.addEventListener("settled", (e) => settled.push(e.detail));
  pool.addEventListener("workerexit", (e) => exits.push(e.detail));
  assert.ok(await eventually(() => pool.idleCount === 1));
  const pid = pool.workerPids[0];
  await assert.rejects(pool.run("exitAfter", [100]), /exited unexpectedly/);
  assert.ok(await eventually(() => settled.length === 1 && exits.length === 1));
  assert.deepEqual(exits, [{ pid, reason: "crash" }]);
  const [d] = settled;
  assert.deepEqual([d.exportName, d.ok, d.outcome, d.limit], [
    "exitAfter",
    false,
    "failed",
    undefined,
  ]);
  assert.ok(d.usage.wallMs >= 100, `wallMs ${d.usage.wallMs}`);
  assert.ok(Number.isNaN(d.usage.cpuMs) && Number.isNaN(d.usage.peakMemory));
  const s = pool.stats();
  assert.equal(s.runs.failed, 1);
  assert.equal(s.workers.ended.crash, 1);
  assert.equal(s.wallMs.count, 1);
  assert.equal(s.cpuMs.count, 0, "not measured: left out");
  assert.equal((await pool.run("pid")).ok, true, "a fresh worker answers");
});
