/**
 * What measuring usage costs the host's main thread, in one run, side by
 * side with a baseline that does not measure (not a test):
 *   deno run -A bench/usage_cost.ts      bun bench/usage_cost.ts
 *   node bench/usage_cost.ts
 *
 * The baseline is this checkout's own `src/` copied to a temporary directory
 * with the measuring taken out: the worker sends no `usage` and resets no
 * peak, and the pool builds none. Each edit is asserted to apply, so the
 * benchmark fails loudly once the code it edits changes. Both pools run
 * `add(1, 2)` in interleaved rounds whose order rotates (the first variant
 * of a round pays more on a shared machine), with and without memory limits.
 * Per call: the host main thread's own CPU time (its schedstat) and the wall
 * time, medians over rounds, with the spread of the rounds (quartiles).
 */
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median, quantile, runtimeLabel } from "./summary.ts";

const MiB = 2 ** 20;
const root = fileURLToPath(new URL("..", import.meta.url));

/** Replaces `from` by `to` in `file`, which must hold `from` exactly once. */
function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, "utf8");
  if (text.split(from).length !== 2) {
    throw new Error(
      `usage_cost: ${file} no longer holds the code this benchmark edits:\n${from}`,
    );
  }
  writeFileSync(file, text.replace(from, to));
}

/** A copy of src/ and mod.ts that does not measure; returns its directory. */
function unmeasuredCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "memlimits-usage-cost-"));
  for (const entry of ["src", "mod.ts", "deno.json", "package.json"]) {
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  cpSync(
    join(root, "test/src/pool/fixtures"),
    join(dir, "test/src/pool/fixtures"),
    { recursive: true },
  );
  const worker = join(dir, "src/pool/worker_main.ts");
  edit(
    worker,
    "const usage = measure();",
    "const usage = (_peakAbove: number) => undefined as unknown as WorkerUsage;",
  );
  edit(worker, "    send(message);\n    becameIdle();", "    send(message);");
  const pool = join(dir, "src/pool/worker_pool.ts");
  edit(pool, "message.usage.peak ?? 0", "0");
  edit(
    join(dir, "src/pool/run_usage.ts"),
    "): PoolUsage {\n  const usage: PoolUsage = {",
    "): PoolUsage {\n  if (measured === undefined) return notRun();\n  const usage: PoolUsage = {",
  );
  return dir;
}

/** The main thread's CPU time so far, µs (Linux). */
function mainThreadCpuUs(): number {
  const path = `/proc/self/task/${process.pid}/schedstat`;
  return Number(readFileSync(path, "utf8").split(" ")[0]) / 1000;
}

interface Pool {
  run(name: string, args: unknown[]): Promise<unknown>;
  close(): Promise<void>;
}

async function poolFrom(dir: string, memoryLimits: boolean): Promise<Pool> {
  const { WorkerPool } = await import(pathToFileURL(join(dir, "mod.ts")).href);
  const tasks = pathToFileURL(join(dir, "test/src/pool/fixtures/tasks.ts"));
  const options = memoryLimits
    ? { size: 1, memoryLimit: 256 * MiB, processMemoryLimit: 64 * 1024 * MiB }
    : { size: 1 };
  const pool = new WorkerPool(tasks, options) as Pool;
  await pool.run("add", [1, 2]);
  return pool;
}

const N = 1000;
const ROUNDS = 25;
const copy = unmeasuredCopy();
try {
  const pools: [string, Pool][] = [
    ["measured, no limits", await poolFrom(root, false)],
    ["not measured, no limits", await poolFrom(copy, false)],
    ["measured, memory limits", await poolFrom(root, true)],
    ["not measured, memory limits", await poolFrom(copy, true)],
  ];
  const cpu = new Map<string, number[]>(pools.map(([name]) => [name, []]));
  const wall = new Map<string, number[]>(pools.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const k = round % pools.length;
    for (const [name, pool] of [...pools.slice(k), ...pools.slice(0, k)]) {
      const c = mainThreadCpuUs(), t = performance.now();
      for (let i = 0; i < N; i++) await pool.run("add", [1, 2]);
      wall.get(name)!.push(((performance.now() - t) * 1000) / N);
      cpu.get(name)!.push((mainThreadCpuUs() - c) / N);
    }
  }
  for (const [, pool] of pools) await pool.close();
  const f = (xs: number[]) =>
    `${median(xs).toFixed(1)} (${quantile(xs, 0.25).toFixed(1)}–${
      quantile(xs, 0.75).toFixed(1)
    })`;
  const lines = [
    `## usage_cost on ${runtimeLabel}`,
    `${ROUNDS} rounds of ${N} calls of pool.run("add", [1, 2]); µs per call, median (quartiles)`,
    "",
    "| variant | host main thread CPU | wall |",
    "|---|---:|---:|",
    ...pools.map(([name]) =>
      `| ${name} | ${f(cpu.get(name)!)} | ${f(wall.get(name)!)} |`
    ),
    "",
  ];
  for (const limits of ["no limits", "memory limits"]) {
    const m = `measured, ${limits}`, u = `not measured, ${limits}`;
    lines.push(
      `${limits}: measuring costs the main thread ${
        (median(cpu.get(m)!) - median(cpu.get(u)!)).toFixed(1)
      } µs per call (ratio ${
        (median(cpu.get(m)!) / median(cpu.get(u)!)).toFixed(2)
      }), and the round trip ${
        (median(wall.get(m)!) - median(wall.get(u)!)).toFixed(1)
      } µs of wall time`,
    );
  }
  console.log(lines.join("\n"));
} finally {
  rmSync(copy, { recursive: true, force: true });
}
