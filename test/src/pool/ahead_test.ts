/**
 * Runs sent ahead (queue/ahead.ts): a busy worker gets its next run before
 * it has answered the one it runs, and starts it at once. Each run is still
 * charged its own limits, also while the host's main thread is blocked and
 * cannot read the first run's result; a run whose worker ends before it
 * started runs elsewhere.
 */
import assert from "node:assert/strict";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "../../harness.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import type { PoolResult } from "../../../src/usage.ts";
import { limitError, MiB, TASKS } from "./helpers.ts";

/** Blocks this thread for `ms` (the host's main thread: no message is read). */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

/**
 * What `pid`'s run beacon shows (wire/run_beacon.ts): the tag of the last run
 * sent ahead that it started, 0 before one; read from the memfd it has open
 * ("/memfd:memlimits"), found among its descriptors.
 */
function beaconTag(pid: number): number | undefined {
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target = "";
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (target.startsWith("/memfd:memlimits")) {
      return readFileSync(`/proc/${pid}/fd/${fd}`).readDoubleLE(0);
    }
  }
  return undefined;
}

/**
 * `result` is the memory limit (64 MiB) of a bomb charged its own memory:
 * just over the limit, not what the run before it held.
 */
function assertChargedOwnMemory(result: PoolResult<unknown>): void {
  const error = limitError(result);
  assert.equal(error.kind, "memory");
  assert.ok(
    error.observed! > 64 * MiB && error.observed! < 160 * MiB,
    `observed ${error.observed! / MiB} MiB`,
  );
}

/** A pool of `size` workers, ready (a run sent ahead needs every worker up). */
async function readyPool(
  size: number,
  memoryLimit?: number,
): Promise<WorkerPool> {
  const pool = new WorkerPool(TASKS, { size, memoryLimit });
  await Promise.all(
    Array.from({ length: size }, () => pool.run("add", [1, 1])),
  );
  return pool;
}

test("ahead: 200 runs on 2 workers, 8 in flight, with memoryLimit and timeout each settle with their own value", async () => {
  await using pool = await readyPool(2, 256 * MiB);
  let next = 0;
  const values: number[] = [];
  const lane = async () => {
    while (next < 200) {
      const i = next++;
      const r = await pool.run("delayed", [i, i % 3], { timeout: 5_000 });
      assert.ok(r.ok, `run ${i}`);
      if (r.ok) values[i] = r.value as number;
      assert.ok(r.usage.waitMs >= 0 && r.usage.wallMs >= 0, `run ${i}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  assert.deepEqual(values, Array.from({ length: 200 }, (_, i) => i));
  // Runs were sent ahead: the workers' beacons show a run's tag.
  const tags = pool.workerPids.map(beaconTag);
  assert.ok(tags.some((tag) => tag! >= 1), `tags ${tags.join(", ")}`);
  const { runs } = pool.stats();
  assert.equal(runs.ok, 202);
});

test("ahead: with the host blocked, a bomb sent ahead of a short run is charged itself, and the short run keeps its value", async () => {
  await using pool = await readyPool(1, 64 * MiB);
  const first = pool.run("delayed", ["first", 50], { timeout: 10_000 });
  const bomb = pool.run("holdThenSpin", [512 * MiB], { timeout: 10_000 });
  // The first run ends and the bomb starts while this thread reads nothing.
  block(2_000);
  const [a, b] = await Promise.all([first, bomb]);
  assert.deepEqual([a.ok, a.ok && a.value], [true, "first"]);
  assertChargedOwnMemory(b);
  assert.deepEqual(
    [(await pool.run("add", [2, 3])).ok, pool.workerCount],
    [true, 1],
  );
});

test("ahead: with the host blocked, a run sent ahead is stopped at its own timeout, counted from its start", async () => {
  await using pool = await readyPool(1, 64 * MiB);
  const first = pool.run("delayed", ["first", 100], { timeout: 300 });
  const spinner = pool.run("spin", [], { timeout: 500 });
  // Past the first run's deadline: only the spinner's own may stop it.
  block(1_500);
  const [a, b] = await Promise.all([first, spinner]);
  assert.deepEqual([a.ok, a.ok && a.value], [true, "first"]);
  const error = limitError(b);
  assert.equal(error.kind, "timeout");
  assert.equal(error.limit, 500);
  assert.ok(
    error.observed! >= 500 && error.observed! < 800,
    `observed ${error.observed} ms`,
  );
});

test("ahead: with the host blocked, a second run sent ahead is watched as its own, past the one between", async () => {
  await using pool = await readyPool(1, 64 * MiB);
  // Both sent ahead of the first (a worker holds two): the watchdog moves
  // on to the bomb, the second, past the run between.
  const first = pool.run("delayed", ["first", 50], { timeout: 10_000 });
  const between = pool.run("delayed", ["between", 20], { timeout: 10_000 });
  const bomb = pool.run("holdThenSpin", [512 * MiB], { timeout: 10_000 });
  block(2_000);
  const [a, b, c] = await Promise.all([first, between, bomb]);
  assert.deepEqual([a.ok, a.ok && a.value], [true, "first"]);
  assert.deepEqual([b.ok, b.ok && b.value], [true, "between"]);
  assertChargedOwnMemory(c);
  // A spinner second ahead: stopped at its own timeout, from its start.
  const again = pool.run("delayed", ["again", 100], { timeout: 300 });
  const and = pool.run("delayed", ["and", 100], { timeout: 300 });
  const spinner = pool.run("spin", [], { timeout: 500 });
  block(1_500);
  const spun = await Promise.all([again, and, spinner]);
  assert.deepEqual(spun.slice(0, 2).map((r) => r.ok && r.value), [
    "again",
    "and",
  ]);
  const timeout = limitError(spun[2]);
  assert.deepEqual([timeout.kind, timeout.limit], ["timeout", 500]);
  assert.ok(
    timeout.observed! >= 500 && timeout.observed! < 800,
    `observed ${timeout.observed} ms`,
  );
});

test("ahead: the runs sent ahead of one that crashes its worker run on the next worker, in their order", async () => {
  await using pool = await readyPool(1, 64 * MiB);
  const before = pool.workerPids[0];
  const crash = pool.run("crash", [], { timeout: 10_000 });
  const order: number[] = [];
  const next = [pool.run("add", [20, 22], { timeout: 10_000 })];
  next.push(pool.run("add", [1, 2], { timeout: 10_000 }));
  // (A rejection is seen below.)
  next.forEach((run, i) => run.then(() => order.push(i), () => {}));
  await assert.rejects(crash, /exited unexpectedly/);
  const r = await Promise.all(next);
  assert.deepEqual(r.map((x) => x.ok && x.value), [42, 3]);
  assert.deepEqual(order, [0, 1]);
  assert.notEqual(pool.workerPids[0], before);
});

test("ahead: a run sent ahead that started is never run again, even when its worker died before the result of the run before arrived whole", async () => {
  const dir = mkdtempSync(join(tmpdir(), "memlimits-ahead-"));
  try {
    const starts = join(dir, "starts");
    // No limits: no watchdog sees the run start; only its beacon tells.
    await using pool = await readyPool(1);
    // 8 MiB: more than the channel holds while this thread reads nothing,
    // so the worker may start the next run with this result still unsent.
    const big = pool.run("large", [8 * MiB]);
    const crasher = pool.run("countThenCrash", [starts]);
    block(500);
    const [a, b] = await Promise.allSettled([big, crasher]);
    // The large result arrived whole (a runtime that writes it before it
    // goes on), or was lost with the worker; either way the crasher ran
    // once, and failed.
    if (a.status === "fulfilled") {
      assert.ok(a.value.ok && a.value.value === "x".repeat(8 * MiB));
    } else assert.match(String(a.reason), /exited unexpectedly/);
    assert.equal(b.status, "rejected");
    assert.match(
      String(b.reason),
      /exited unexpectedly|may have started/,
    );
    assert.equal(readFileSync(starts, "utf8"), "started\n");
    const r = await pool.run("add", [2, 3]);
    assert.deepEqual([r.ok, r.ok && r.value], [true, 5]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ahead: a worker that kept memory hands the run sent ahead back, and it runs on a fresh worker", async () => {
  await using pool = await readyPool(1, 256 * MiB);
  const before = pool.workerPids[0];
  // 48 MiB kept in the module: more than a 256 MiB run may be charged for.
  const leak = pool.run("leak", [48 * MiB], { timeout: 10_000 });
  const next = pool.run("add", [1, 2], { timeout: 10_000 });
  // Sent ahead in its turn once `next` is taken for started: handed back
  // too, or run before its worker is replaced, never lost.
  const third = pool.run("add", [3, 4], { timeout: 10_000 });
  assert.equal((await leak).ok, true);
  const r = await next;
  assert.ok(r.ok);
  assert.deepEqual(
    [r.value, (await third).ok && (await third).usage.wallMs >= 0],
    [3, true],
  );
  assert.notEqual(
    pool.workerPids[0],
    before,
    "not the worker that kept the memory",
  );
});

test("ahead: a run with an AbortSignal is never sent ahead, so aborting it does not touch the run before", async () => {
  await using pool = await readyPool(1, 64 * MiB);
  const first = pool.run("delayed", ["first", 300], { timeout: 10_000 });
  const controller = new AbortController();
  const second = pool.run("add", [1, 2], { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  const b = await second;
  assert.equal(limitError(b).kind, "token");
  assert.equal(b.usage.wallMs, 0, "it never ran");
  const a = await first;
  assert.deepEqual([a.ok, a.ok && a.value], [true, "first"]);
});
