/**
 * The per-run cost of this checkout's WorkerPool against another commit's, in
 * one run, interleaved (not a test):
 *
 *   git archive <commit> | tar -x -C /tmp/memlimits-base
 *   deno run -A bench/pool_baseline_bench.ts /tmp/memlimits-base
 *   bun bench/pool_baseline_bench.ts /tmp/memlimits-base
 *   node bench/pool_baseline_bench.ts /tmp/memlimits-base [rounds, default 15]
 *
 * Both pools run the same task module (this checkout's test fixtures) with
 * no new option: a pool that uses none of them must cost no more per run.
 * Each round times every variant once, so that a shared machine's noise hits
 * both alike; the figure per variant is the median over rounds, with the
 * host main thread's CPU time per run (/proc/self/task/PID/schedstat).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { WorkerPool } from "../mod.ts";
import type { Job } from "../src/pool/job.ts";
import {
  emit,
  heard,
  PoolEventTarget,
} from "../src/pool/observe/pool_event_target.ts";
import { StatsRecorder } from "../src/pool/observe/pool_stats.ts";
import { JobQueue } from "../src/pool/queue/job_queue.ts";
import { median, runtimeLabel } from "./summary.ts";

const MiB = 2 ** 20;
const TASKS = new URL("../test/src/pool/fixtures/tasks.ts", import.meta.url);
const baseDir = process.argv[2];
if (!baseDir) {
  console.error("usage: pool_baseline_bench.ts <baseline checkout>");
  process.exit(2);
}
const base = await import(
  pathToFileURL(resolve(baseDir, "mod.ts")).href
) as { WorkerPool: typeof WorkerPool };

type Pool = { run(name: string, args: unknown[], limits?: object): unknown };

function mainThreadCpuUs(): number {
  const path = `/proc/self/task/${process.pid}/schedstat`;
  return Number(readFileSync(path, "utf8").split(" ")[0]) / 1000;
}

/** µs per run of `n` runs, `inFlight` at a time: wall, and main-thread CPU. */
async function perRun(
  pool: Pool,
  n: number,
  inFlight: number,
  limits?: object,
): Promise<{ wall: number; cpu: number }> {
  const cpu = mainThreadCpuUs();
  const t = performance.now();
  let next = 0;
  const lane = async () => {
    while (next++ < n) await pool.run("add", [1, 2], limits);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return {
    wall: ((performance.now() - t) * 1000) / n,
    cpu: (mainThreadCpuUs() - cpu) / n,
  };
}

const N = 1000, ROUNDS = Number(process.argv[3] ?? 15);
const watchedOptions = {
  memoryLimit: 256 * MiB,
  processMemoryLimit: 64 * 1024 * MiB,
};
const pools = {
  "this": {
    plain: new WorkerPool(TASKS, { size: 1 }),
    watched: new WorkerPool(TASKS, { size: 1, ...watchedOptions }),
    two: new WorkerPool(TASKS, { size: 2 }),
  },
  "base": {
    plain: new base.WorkerPool(TASKS, { size: 1 }),
    watched: new base.WorkerPool(TASKS, { size: 1, ...watchedOptions }),
    two: new base.WorkerPool(TASKS, { size: 2 }),
  },
};
const variants: [
  string,
  (p: typeof pools.this) => Promise<{
    wall: number;
    cpu: number;
  }>,
][] = [
  ["sequential, no limits", (p) => perRun(p.plain, N, 1)],
  [
    "sequential, memoryLimit + processMemoryLimit + timeout",
    (p) => perRun(p.watched, N, 1, { timeout: 10_000 }),
  ],
  ["size 2, 8 in flight, no limits", (p) => perRun(p.two, 2 * N, 8)],
];
for (const side of Object.values(pools)) {
  for (const pool of Object.values(side)) await perRun(pool, 100, 2);
}
const samples = new Map<string, { wall: number[]; cpu: number[] }>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, measure] of variants) {
    // Each side goes first in every other round: no side is always the
    // one that runs after the other's garbage.
    const sides = Object.entries(pools);
    if (round % 2 === 1) sides.reverse();
    for (const [side, p] of sides) {
      const key = `${side}|${name}`;
      if (!samples.has(key)) samples.set(key, { wall: [], cpu: [] });
      const { wall, cpu } = await measure(p);
      samples.get(key)!.wall.push(wall);
      samples.get(key)!.cpu.push(cpu);
    }
  }
}
for (const side of Object.values(pools)) {
  for (const pool of Object.values(side)) await pool.close();
}
/**
 * The bookkeeping the new features add to every run of a pool that uses
 * none of them, alone in a tight loop (the end-to-end ratios above move by
 * ±10 % between runs on a loaded machine): a clock reading at run(), the
 * queue's bound and drain checks, the figures, and the checks for listeners.
 */
function addedPerRunUs(): number {
  const stats = new StatsRecorder(1);
  const queue = new JobQueue(Infinity);
  const target = new PoolEventTarget();
  queue.onDrain = () => emit(target, "drain");
  const job = {} as Job;
  const usage = { waitMs: 0, wallMs: 0.05, cpuMs: 0.04, peakMemory: 12_288 };
  const n = 1_000_000;
  let sink = 0;
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const queuedAt = performance.now();
    if (queue.full) sink++;
    queue.push(job);
    queue.shift();
    usage.waitMs = queuedAt - 0.01 * (i & 7);
    usage.wallMs = 0.05 + (i & 15) * 0.001;
    stats.settled("ok", usage, true);
    if (heard(target, "settled")) sink++;
  }
  if (sink !== 0) throw new Error("no listener was added");
  return ((performance.now() - t) * 1000) / n;
}
const added = addedPerRunUs();

const f = (x: number) => x.toFixed(1);
const rows = variants.map(([name]) => {
  const t = samples.get(`this|${name}`)!, b = samples.get(`base|${name}`)!;
  const [tw, bw, tc, bc] = [t.wall, b.wall, t.cpu, b.cpu].map(median);
  return `| ${name} | ${f(bw)} | ${f(tw)} | ${(tw / bw).toFixed(3)} | ${
    f(bc)
  } | ${f(tc)} | ${(tc / bc).toFixed(3)} |`;
});
console.log(`## pool_baseline_bench on ${runtimeLabel} (baseline: ${baseDir})
median of ${ROUNDS} interleaved rounds of ${N} runs of add(1, 2)

| µs per run | base | this | this / base | main-thread CPU µs, base | this | this / base |
|---|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}

Bookkeeping the new features add to each run (alone, tight loop): ${
  added.toFixed(3)
} µs`);
