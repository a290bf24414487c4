/** Helpers shared by the pool tests (not a test file). */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { LimitExceeded, type PoolResult } from "../../../mod.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import { withoutUsage } from "../fixture.ts";
import { SHAPES } from "./fixtures/tasks.ts";

export const MiB = 2 ** 20;
export const TASKS = new URL("./fixtures/tasks.ts", import.meta.url);

/** The LimitExceeded of a result that must be `{ ok: false }` with one. */
export function limitError(
  r: { ok: boolean; error?: unknown },
): LimitExceeded {
  assert.equal(r.ok, false, "expected { ok: false }");
  assert.ok(
    r.error instanceof LimitExceeded,
    `expected a LimitExceeded, got ${r.error}`,
  );
  return r.error;
}

/** Asserts that `pool` still runs a task: add(1, 2) returns 3. */
export async function assertStillRuns(pool: WorkerPool): Promise<void> {
  assert.deepEqual(withoutUsage(await pool.run("add", [1, 2])), {
    ok: true,
    value: 3,
  });
}

/**
 * Two tasks of 768 MiB on a pool of two workers whose processMemoryLimit is
 * what the host and two idle workers hold now plus 1 GiB: each task alone
 * stays 256 MiB under it, both together go 512 MiB over it. The slack is
 * wide because the host's RSS moves by 100 MiB and more as earlier tests'
 * garbage is collected (seen: a 300 MiB limit with two 200 MiB tasks was
 * never reached; on Bun, under load, a 768 MiB limit with two 512 MiB tasks).
 * `whileRunning(pids)` runs once both have started. Both must end in a
 * memory LimitExceeded at the limit (their timeout only turns a missed limit
 * into a failure instead of a hang), the pool's peak must be over the limit,
 * and the pool must still run a task.
 */
export async function twoTasksOverProcessLimit(
  whileRunning: (pids: readonly number[]) => void = () => {},
): Promise<void> {
  let limit = 1024 * MiB;
  {
    // A limit far away, so that the host is measured as it will run: with
    // the pool's watchdog thread.
    await using probe = new WorkerPool(TASKS, {
      size: 2,
      processMemoryLimit: 64 * 1024 * MiB,
    });
    assert.ok(await eventually(() => probe.idleCount === 2));
    limit += residentBytes("self") +
      probe.workerPids.reduce((sum, pid) => sum + residentBytes(pid), 0);
  }
  await using pool = new WorkerPool(TASKS, {
    size: 2,
    processMemoryLimit: limit,
  });
  assert.ok(await eventually(() => pool.idleCount === 2));
  const runs = [0, 1].map(() =>
    pool.run("holdThenSpin", [768 * MiB], { timeout: 60_000 })
  );
  whileRunning(pool.workerPids);
  for (const r of await Promise.all(runs)) {
    const e = limitError(r);
    assert.equal(e.kind, "memory");
    assert.equal(e.limit, limit);
    assert.ok(e.observed! > limit);
  }
  assert.ok(pool.peakProcessBytes > limit);
  await assertStillRuns(pool);
}

/** One batch of shapes, as {@linkcode runShapes} hands it to the test. */
export interface ShapeBatch {
  /** The shapes of the batch, one per worker. */
  shapes: readonly string[];
  /** The workers' pids, in the order of `shapes`. */
  pids: readonly number[];
  /** Starts the shapes, each on its own worker; call it once. */
  start(): Promise<PoolResult<unknown>>[];
}

/**
 * The ten allocation shapes (SHAPES) on `pool`, whose `size` workers each
 * run one at a time, a batch once every worker is idle (a fresh one replaces
 * each killed one). `measure` starts a batch and measures it as the test
 * will; it resolves once the batch has ended, to a function that makes the
 * test's own checks on shape `i`'s LimitExceeded and returns the rest of its
 * row. Each shape must end in a memory LimitExceeded over `limit` and at
 * most `within` × `limit`. Prints the table under `title` (`columns` heads
 * what `measure`'s rows add), then checks that the pool still runs a task.
 */
export async function runShapes(
  pool: WorkerPool,
  { size, limit, within, title, columns }: {
    size: number;
    limit: number;
    within: number;
    title: string;
    columns: string;
  },
  measure: (
    batch: ShapeBatch,
  ) => Promise<(i: number, e: LimitExceeded) => string>,
): Promise<void> {
  const idle = async () =>
    assert.ok(
      await eventually(() => pool.idleCount === size, 30_000),
      "a fresh worker replaces each killed one",
    );
  const rows: string[] = [];
  for (let first = 0; first < SHAPES.length; first += size) {
    await idle();
    const shapes = SHAPES.slice(first, first + size);
    let runs: Promise<PoolResult<unknown>>[] = [];
    const row = await measure({
      shapes,
      pids: pool.workerPids,
      start: () => runs = shapes.map((shape) => pool.run(shape, [])),
    });
    const results = await Promise.all(runs);
    assert.equal(results.length, shapes.length, "measure started the batch");
    results.forEach((r, i) => {
      const shape = shapes[i];
      const e = limitError(r);
      assert.equal(e.kind, "memory", shape);
      assert.ok(e.observed! > limit, `${shape}: observed ${e.observed}`);
      // The test's own columns, also when the charge below fails (they
      // tell a real overshoot from a wrong fresh size).
      let columns: string;
      let rowError: unknown;
      try {
        columns = row(i, e);
      } catch (error) {
        rowError = error;
        columns = `(${(error as Error).message})`;
      }
      // Stopped close to the limit, far from exhausting the machine.
      assert.ok(
        e.observed! <= within * limit,
        `${shape}: charged ${(e.observed! / MiB).toFixed(1)} MiB; ${columns}`,
      );
      if (rowError !== undefined) throw rowError;
      rows.push(
        `${shape.padEnd(20)} ${(e.observed! / MiB).toFixed(1).padStart(7)} ${
          (e.observed! / limit * 100).toFixed(1).padStart(6)
        }% ${columns}`,
      );
    });
  }
  await idle();
  console.log(
    `\n${title}\nshape                charged  of lim${columns}\n${
      rows.join("\n")
    }`,
  );
  await assertStillRuns(pool);
}

/** Threads of this process now. */
export function threadCount(): number {
  return readdirSync("/proc/self/task").length;
}

/** Whether a process with this pid still exists (a reaped child does not). */
export function processExists(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
}

/** Resident bytes of a process from /proc (0 if it is gone). */
export function residentBytes(pid: number | "self"): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) *
      4096;
  } catch {
    return 0;
  }
}

/** Waits until `condition()` holds, polling every 10 ms, for at most `ms`. */
export async function eventually(
  condition: () => boolean,
  ms = 10_000,
): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** What `promise` settles to within `ms`, else `late` (its timer cleared either way). */
export async function within<T, U>(
  promise: Promise<T>,
  ms: number,
  late: U,
): Promise<T | U> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<U>((resolve) => {
        timer = setTimeout(() => resolve(late), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Pids of this process's child processes, zombies included. */
export function childPids(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command's closing parenthesis: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid) children.push(Number(entry));
    } catch {
      // it ended meanwhile
    }
  }
  return children;
}

/**
 * The highest resident memory of some processes, sampled every 0.5 ms by a
 * thread of the test's own (so it goes on while the test's main thread is
 * blocked), independently of the pool's watch.
 */
export class PeakSampler {
  readonly #ints: Int32Array;
  readonly #peaks: Float64Array;
  readonly #thread: Worker;
  readonly #exited: Promise<void>;

  constructor(pids: number[]) {
    const count = pids.length;
    const floatStart = Math.ceil((1 + count) * 4 / 8) * 8;
    const buffer = new SharedArrayBuffer(floatStart + count * 8);
    this.#ints = new Int32Array(buffer, 0, 1 + count);
    this.#peaks = new Float64Array(buffer, floatStart, count);
    pids.forEach((pid, i) => this.#ints[1 + i] = pid);
    this.#thread = new Worker(
      new URL("./peak_sampler_thread.ts", import.meta.url),
      { workerData: { buffer, count } },
    );
    this.#exited = new Promise((r) => this.#thread.once("exit", () => r()));
  }

  /** Stops sampling; the highest reading per pid, in the order given. */
  async stop(): Promise<number[]> {
    Atomics.store(this.#ints, 0, 1);
    Atomics.notify(this.#ints, 0);
    await this.#exited;
    return [...this.#peaks];
  }
}

/** The state letter of a process (R, S, Z, ...), or "gone". */
export function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return "gone";
  }
}

/**
 * Blocks this thread for `ms` (a synchronous loop: no timer, no I/O, no
 * event runs meanwhile), calling `each()` about every millisecond; ends
 * early when `each()` returns true.
 */
export function blockFor(
  ms: number,
  each: (elapsed: number) => boolean | void = () => {},
): void {
  const start = performance.now();
  let last = -1;
  for (let now = start; now - start < ms; now = performance.now()) {
    if (now - last >= 1) {
      last = now;
      if (each(now - start) === true) return;
    }
  }
}

/** Every descendant of `pid` now (children of any thread, recursively), from /proc. */
export function descendantPids(pid: number): number[] {
  const found: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const parent = stack.pop()!;
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${parent}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      let text = "";
      try {
        text = readFileSync(`/proc/${parent}/task/${tid}/children`, "utf8");
      } catch {
        continue;
      }
      for (const child of text.split(" ").filter(Boolean).map(Number)) {
        found.push(child);
        stack.push(child);
      }
    }
  }
  return found;
}
