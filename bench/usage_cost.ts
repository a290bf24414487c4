/**
 * What measuring usage costs the host's main thread, in one run, side by
 * side with a baseline that does not measure (not a test):
 *   deno run -A bench/usage_cost.ts      bun bench/usage_cost.ts
 *   node bench/usage_cost.ts
 *
 * The baseline is this checkout's own `src/` copied to a temporary directory
 * with the measuring taken out: the worker sends no `usage` and resets no
 * peak, and the pool builds none. Each edit is asserted to apply, so the
 * benchmark fails loudly once the code it edits changes. Each round starts
 * fresh pools of both variants (in turn first), with or without memory
 * limits, and alternates them in short blocks of `add(1, 2)` calls: the
 * round's difference is paired, and where the scheduler puts a worker (the
 * host's core or the other one) varies between rounds instead of holding for
 * a whole run. Per call: the host main thread's own CPU time (its schedstat)
 * and the wall time, medians over rounds, with the rounds' quartiles.
 *   usage_cost.ts [--rounds 30] [--control]
 * `--control` leaves the copy unedited (both variants measure): its
 * differences are the method's own error.
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
import { parseArgs } from "node:util";
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
function unmeasuredCopy(control: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), "memlimits-usage-cost-"));
  for (const entry of ["src", "mod.ts", "deno.json", "package.json"]) {
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  cpSync(
    join(root, "test/src/pool/fixtures"),
    join(dir, "test/src/pool/fixtures"),
    { recursive: true },
  );
  if (control) return dir;
  const worker = join(dir, "src/pool/worker/worker.process.ts");
  edit(
    worker,
    "const usage = measure();",
    "const usage = (_peakAbove: number) => undefined as unknown as WorkerUsage;",
  );
  edit(worker, "    send(message);\n    becameIdle();", "    send(message);");
  const pool = join(dir, "src/pool/worker_pool.ts");
  edit(pool, "message.usage.peak ?? 0", "0");
  edit(
    join(dir, "src/pool/accounting/usage.ts"),
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
  for (let i = 0; i < WARM_UP; i++) await pool.run("add", [1, 2]);
  return pool;
}

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: {
    rounds: { type: "string", default: "30" },
    control: { type: "boolean", default: false },
  },
});
const ROUNDS = Number(flags.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  throw new RangeError(
    `--rounds must be a positive integer, got ${flags.rounds}`,
  );
}
const control = flags.control;
const WARM_UP = 1000;
/** Blocks of calls per round, alternating between the two pools. */
const BLOCKS = 10;
const CALLS_PER_BLOCK = 100;
const copy = unmeasuredCopy(control);
try {
  interface Reading {
    cpu: number[];
    wall: number[];
  }
  const per = new Map<string, Reading>();
  const reading = (name: string) =>
    per.get(name) ?? per.set(name, { cpu: [], wall: [] }).get(name)!;
  const settings: [string, boolean][] = [
    ["no limits", false],
    ["memory limits", true],
  ];
  for (let round = 0; round < ROUNDS; round++) {
    // Fresh pools each round: where the scheduler puts a worker (the host's
    // core or the other one) then varies between rounds, not between
    // variants for a whole run. Within a round the two pools alternate in
    // short blocks, so that each round gives a paired difference.
    for (
      const [limits, memoryLimits] of round % 2
        ? settings.toReversed()
        : settings
    ) {
      // Started in turn first: the younger worker may be placed otherwise.
      const older = round % 4 < 2 ? root : copy;
      const pools = new Map([[older, await poolFrom(older, memoryLimits)]]);
      const younger = older === root ? copy : root;
      pools.set(younger, await poolFrom(younger, memoryLimits));
      const pair: [string, Pool][] = [
        [`measured, ${limits}`, pools.get(root)!],
        [`not measured, ${limits}`, pools.get(copy)!],
      ];
      const cpu = [0, 0], wall = [0, 0];
      for (let block = 0; block < BLOCKS; block++) {
        for (const i of (block + round) % 2 ? [1, 0] : [0, 1]) {
          const c = mainThreadCpuUs(), t = performance.now();
          for (let k = 0; k < CALLS_PER_BLOCK; k++) {
            await pair[i][1].run("add", [1, 2]);
          }
          wall[i] += (performance.now() - t) * 1000;
          cpu[i] += mainThreadCpuUs() - c;
        }
      }
      const calls = BLOCKS * CALLS_PER_BLOCK;
      for (const i of [0, 1]) {
        reading(pair[i][0]).cpu.push(cpu[i] / calls);
        reading(pair[i][0]).wall.push(wall[i] / calls);
        await pair[i][1].close();
      }
      reading(`difference, ${limits}`).cpu.push((cpu[0] - cpu[1]) / calls);
      reading(`difference, ${limits}`).wall.push((wall[0] - wall[1]) / calls);
    }
  }
  const f = (xs: number[]) =>
    `${median(xs).toFixed(1)} (${quantile(xs, 0.25).toFixed(1)}–${
      quantile(xs, 0.75).toFixed(1)
    })`;
  const lines = [
    `## usage_cost on ${runtimeLabel}${
      control ? " (control: both variants measure)" : ""
    }`,
    `${ROUNDS} rounds; in each, fresh pools of both variants alternate in ${BLOCKS} blocks of ${CALLS_PER_BLOCK} calls of pool.run("add", [1, 2]); µs per call, median over rounds (quartiles)`,
    "",
    "| variant | host main thread CPU | wall |",
    "|---|---:|---:|",
    ...[...per].map(([name, r]) => `| ${name} | ${f(r.cpu)} | ${f(r.wall)} |`),
    "",
  ];
  for (const [limits] of settings) {
    const d = per.get(`difference, ${limits}`)!;
    lines.push(
      `${limits}: measuring costs the main thread ${
        median(d.cpu).toFixed(1)
      } µs per call (the median of the rounds' paired differences), and the round trip ${
        median(d.wall).toFixed(1)
      } µs of wall time`,
    );
  }
  console.log(lines.join("\n"));
} finally {
  rmSync(copy, { recursive: true, force: true });
}
