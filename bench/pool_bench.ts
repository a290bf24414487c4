/**
 * WorkerPool benchmark, one run, baselines side by side (not a test):
 *   deno run -A bench/pool_bench.ts      bun bench/pool_bench.ts
 *
 * 1. Per-task overhead of pool.run on a tiny task, against calling the function
 *    directly, against a bare round trip to a warm worker process over the
 *    same IPC channel (the pool's transport), and against a bare postMessage
 *    round trip to a warm node:worker_threads thread.
 * 2. Time from a limit being exceeded to the task's result: memory (the task
 *    itself records when its RSS crosses the limit), timeout (from the
 *    deadline), token (from cancel()).
 * 3. Time to replace a killed worker (kill to a warm idle worker again).
 *
 * With each per-task cost, the host's main thread's own CPU time per call
 * (its /proc/self/task/PID/schedstat): what a run costs the thread the user's
 * code runs on, usage measuring included, against the bare IPC round trip.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { Token, WorkerPool } from "../mod.ts";
import { residentBytesOf } from "../src/pool/linux/resident_memory.ts";
import { spawnCommand } from "../src/pool/spawn/command_line.ts";
import { add } from "../test/src/pool/fixtures/tasks.ts";
import { median, quantile, runtimeLabel } from "./summary.ts";

const MiB = 2 ** 20;
const TASKS = new URL("../test/src/pool/fixtures/tasks.ts", import.meta.url);
const ECHO = new URL("./pool_echo_child.ts", import.meta.url);

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank quantile: the smallest value with at least q of the sample at or below it. */

/** The main thread's CPU time so far, µs (Linux). */
function mainThreadCpuUs(): number {
  const path = `/proc/self/task/${process.pid}/schedstat`;
  return Number(readFileSync(path, "utf8").split(" ")[0]) / 1000;
}

/** The mean µs per call of `n` sequential awaited calls: wall time, and the main thread's CPU time. */
async function perCall(
  n: number,
  call: () => unknown,
): Promise<{ wall: number; cpu: number }> {
  const cpu = mainThreadCpuUs();
  const t = performance.now();
  for (let i = 0; i < n; i++) await call();
  return {
    wall: ((performance.now() - t) * 1000) / n,
    cpu: (mainThreadCpuUs() - cpu) / n,
  };
}

/**
 * Per-call costs, measured in interleaved rounds (each round times every
 * variant once) so that the noise of a shared machine hits all alike; the
 * figure per variant is the median over rounds.
 */
async function overhead() {
  const N = 1000, ROUNDS = 15;
  const message = { t: "run", id: 1, exportName: "add", args: [1, 2] };

  // Bare IPC round trip to a warm child process started like a pool worker.
  const { command, args } = spawnCommand(ECHO.href, undefined);
  args.splice(args.length - 2, 2, ECHO.pathname); // the echo child instead of worker_main
  const child = spawn(command, args, {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  await new Promise((r) => child.once("message", r));
  let answer: (m: unknown) => void = () => {};
  child.on("message", (m) => answer(m));
  // Bare postMessage round trip to a warm worker thread.
  const thread = new Worker(ECHO);
  thread.on("message", (m) => answer(m));
  const pool = new WorkerPool(TASKS, { size: 1 });
  const watched = new WorkerPool(TASKS, {
    size: 1,
    memoryLimit: 256 * MiB,
    processMemoryLimit: 64 * 1024 * MiB,
  });
  await pool.run("add", [1, 2]);
  await watched.run("add", [1, 2]);

  const variants: [string, number, () => unknown][] = [
    ["direct", N * 10, () => add(1, 2)],
    ["thread", N, () =>
      new Promise((r) => {
        answer = r;
        thread.postMessage(message);
      })],
    ["ipc", N, () =>
      new Promise((r) => {
        answer = r;
        child.send(message);
      })],
    ["run", N, () => pool.run("add", [1, 2])],
    ["runWatched", N, () => watched.run("add", [1, 2], { timeout: 10_000 })],
    ["runCpu", N, () => pool.run("add", [1, 2], { cpuLimit: 10_000 })],
  ];
  const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  const cpus = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, n, call] of variants) {
      const { wall, cpu } = await perCall(n, call);
      times.get(name)!.push(wall);
      cpus.get(name)!.push(cpu);
    }
  }
  child.kill("SIGKILL");
  await new Promise((r) => child.once("exit", r));
  await thread.terminate();
  await pool.close();
  await watched.close();
  const m = (name: string) => median(times.get(name)!);
  const c = (name: string) => median(cpus.get(name)!);
  return {
    direct: m("direct"),
    ipc: m("ipc"),
    thr: m("thread"),
    run: m("run"),
    runWatched: m("runWatched"),
    runCpu: m("runCpu"),
    cpu: {
      ipc: c("ipc"),
      run: c("run"),
      runWatched: c("runWatched"),
      runCpu: c("runCpu"),
    },
  };
}

async function latencies() {
  const TRIALS = 100;
  const pool = new WorkerPool(TASKS, { size: 1, memoryLimit: 256 * MiB });
  const ready = async () => {
    while (pool.idleCount < 1) await sleep(1);
  };
  let memoryBeforeSeen = 0;
  const memory: number[] = [],
    timeout: number[] = [],
    token: number[] = [],
    replace: number[] = [];
  const file = join(tmpdir(), `memlimits-pool-bench-${process.pid}`);
  for (let i = 0; i < TRIALS; i++) {
    await ready();
    // The pool charges a task for its worker's growth over the worker's fresh
    // size: read that size as the pool does, right when the worker is ready.
    const fresh = residentBytesOf(pool.workerPids[0])!;
    writeFileSync(file, "");
    const limit = 64 * MiB;
    const threshold = fresh + limit;
    const r = await pool.run("recordCrossing", [threshold, file], {
      memoryLimit: limit,
    });
    const got = now();
    const crossed = Number(
      (await import("node:fs")).readFileSync(file, "utf8"),
    );
    if (r.ok) throw new Error(`memory trial ${i}: the task was not stopped`);
    // 0: the pool stopped it before the task itself saw the crossing.
    if (crossed) memory.push(got - crossed);
    else memoryBeforeSeen++;
    const killed = performance.now();
    await ready();
    replace.push(performance.now() - killed);

    const t0 = performance.now();
    await pool.run("spin", [], { timeout: 20 });
    timeout.push(performance.now() - t0 - 20);
    await ready();

    const tk = new Token();
    const p = pool.run("spin", [], { token: tk });
    await sleep(10);
    const c = performance.now();
    tk.cancel();
    await p;
    token.push(performance.now() - c);
  }
  await pool.close();
  (await import("node:fs")).rmSync(file, { force: true });
  return { memory, memoryBeforeSeen, timeout, token, replace };
}

// `overhead` as the last argument: the per-task costs only.
const overheadOnly = process.argv.at(-1) === "overhead";
const o = await overhead();
if (overheadOnly) {
  console.log(`## pool_bench (overhead) on ${runtimeLabel}
| direct | thread | ipc | run | runWatched | runCpu | watched / no limits | main thread µs: ipc, run, watched, cpu |
|---:|---:|---:|---:|---:|---:|---:|---:|
| ${o.direct.toFixed(2)} | ${o.thr.toFixed(1)} | ${o.ipc.toFixed(1)} | ${
    o.run.toFixed(1)
  } | ${o.runWatched.toFixed(1)} | ${o.runCpu.toFixed(1)} | ${
    (o.runWatched / o.run).toFixed(2)
  } | ${
    [o.cpu.ipc, o.cpu.run, o.cpu.runWatched, o.cpu.runCpu].map((x) =>
      x.toFixed(1)
    ).join(", ")
  } |`);
  process.exit(0);
}
const l = await latencies();
const f = (x: number) => x.toFixed(x < 10 ? 2 : 1);
const row = (name: string, xs: number[]) =>
  `| ${name} | ${f(median(xs))} | ${f(quantile(xs, 0.99))} | ${
    f(Math.max(...xs))
  } |`;
console.log(`## pool_bench on ${runtimeLabel}
| per-task cost of a tiny task (add(1, 2)) | µs per call | ratio to bare IPC |
|---|---:|---:|
| direct call (await add(1, 2)) | ${f(o.direct)} | ${
  (o.direct / o.ipc).toFixed(3)
} |
| bare postMessage round trip, warm worker thread | ${f(o.thr)} | ${
  (o.thr / o.ipc).toFixed(2)
} |
| bare IPC round trip, warm worker process | ${f(o.ipc)} | 1.00 |
| pool.run, no limits | ${f(o.run)} | ${(o.run / o.ipc).toFixed(2)} |
| pool.run, memoryLimit + processMemoryLimit + timeout | ${f(o.runWatched)} | ${
  (o.runWatched / o.ipc).toFixed(2)
} |
| pool.run, cpuLimit | ${f(o.runCpu)} | ${(o.runCpu / o.ipc).toFixed(2)} |

Watched run / run without limits: ${(o.runWatched / o.run).toFixed(2)}

| host main thread's CPU per call | µs | ratio to bare IPC |
|---|---:|---:|
| bare IPC round trip | ${f(o.cpu.ipc)} | 1.00 |
| pool.run, no limits (usage measured) | ${f(o.cpu.run)} | ${
  (o.cpu.run / o.cpu.ipc).toFixed(2)
} |
| pool.run, memoryLimit + processMemoryLimit + timeout | ${
  f(o.cpu.runWatched)
} | ${(o.cpu.runWatched / o.cpu.ipc).toFixed(2)} |
| pool.run, cpuLimit | ${f(o.cpu.runCpu)} | ${
  (o.cpu.runCpu / o.cpu.ipc).toFixed(2)
} |

| ${100} trials, ms | median | p99 | max |
|---|---:|---:|---:|
${
  row(
    `memory limit crossed (seen by the task) → result (${l.memoryBeforeSeen} trials stopped before the task saw its crossing)`,
    l.memory,
  )
}
${row("timeout deadline → result", l.timeout)}
${row("token.cancel() → result", l.token)}
${row("killed worker → a fresh worker warm and idle", l.replace)}`);
