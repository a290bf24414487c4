/**
 * What one worker process costs per task, without the pool (not a test):
 * `node bench/worker_cost.ts [--ms 0] [--batches 15] [--plain] [DIR ...]`,
 * `bun bench/worker_cost.ts ...`.
 *
 * Starts `src/pool/worker/worker.process.ts` of each checkout DIR (default:
 * this one; give main's checkout first to measure a change against it) as a
 * pool of this runtime does, with its memory brake unless `--plain`, and
 * sends it sequential `busyFor(ms)` runs as a pool with a `memoryLimit` of
 * 256 MiB sends them. Interleaved batches of 400 runs, the order rotating;
 * per worker: the wall time per run, and the worker's CPU time per run, all
 * its threads counted (`/proc/PID/task/TID/schedstat`, Linux). The ratios
 * are paired: each batch against the first worker's batch of the same round,
 * median over rounds (above 1: faster, or less CPU). List a checkout twice
 * to see the noise.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { median, runtimeLabel } from "./summary.ts";

const { values: flags, positionals } = parseArgs({
  options: {
    ms: { type: "string", default: "0" },
    batches: { type: "string", default: "15" },
    plain: { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const MS = Number(flags.ms), BATCHES = Number(flags.batches), BATCH = 400;
if (!(MS >= 0)) throw new RangeError(`--ms must be ≥ 0, got ${flags.ms}`);
if (!Number.isInteger(BATCHES) || BATCHES < 1) {
  throw new RangeError(
    `--batches must be a whole number ≥ 1, got ${flags.batches}`,
  );
}
const dirs = positionals.length > 0
  ? positionals
  : [fileURLToPath(new URL("..", import.meta.url))];
const MiB = 2 ** 20;

/** CPU nanoseconds of every live thread of `pid`. */
function cpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8");
      ns += Number(text.split(" ")[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns;
}

interface Driven {
  label: string;
  child: ChildProcess;
  run(): Promise<void>;
  wall: number[];
  cpu: number[];
}

async function start(dir: string, index: number): Promise<Driven> {
  const args = [
    `${dir}/src/pool/worker/worker.process.ts`,
    `file://${dir}/test/src/pool/fixtures/tasks.ts`,
    ...(flags.plain ? [] : ["--memory-brake"]),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
    detached: true,
  });
  const ready = await new Promise<{ rss: number }>((resolve) =>
    child.once("message", resolve as (m: unknown) => void)
  );
  let answer: (m: { t: string }) => void = () => {};
  child.on("message", (m: { t: string }) => answer(m));
  const bound = ready.rss + 256 * MiB;
  let id = 0;
  const run = async () => {
    const m = await new Promise<{ t: string }>((resolve) => {
      answer = resolve;
      child.send({
        t: "run",
        id: ++id,
        exportName: "busyFor",
        args: [MS],
        peakAbove: flags.plain ? Infinity : bound,
        brakeAbove: flags.plain ? undefined : bound,
      });
    });
    if (m.t !== "value") throw new Error(`run failed: ${JSON.stringify(m)}`);
  };
  return { label: `${index + 1}: ${dir}`, child, run, wall: [], cpu: [] };
}

const workers: Driven[] = [];
for (const [i, dir] of dirs.entries()) workers.push(await start(dir, i));
try {
  for (const w of workers) for (let i = 0; i < 200; i++) await w.run();
  for (let round = 0; round < BATCHES; round++) {
    for (let i = 0; i < workers.length; i++) {
      const w = workers[(i + round) % workers.length];
      const cpu = cpuNs(w.child.pid!);
      const t = performance.now();
      for (let k = 0; k < BATCH; k++) await w.run();
      w.wall.push(((performance.now() - t) * 1000) / BATCH);
      w.cpu.push((cpuNs(w.child.pid!) - cpu) / 1000 / BATCH);
    }
  }
  const [first] = workers;
  console.log(
    `## worker_cost on ${runtimeLabel}, busyFor(${MS}), ${
      flags.plain ? "no brake" : "brake armed at 256 MiB"
    }, ${BATCHES} rounds of ${BATCH} runs, ${new Date().toISOString()}

| worker | wall µs per run | × 1 | worker CPU µs per run | × 1 |
| --- | ---: | ---: | ---: | ---: |
${
      workers.map((w) =>
        `| ${w.label} | ${median(w.wall).toFixed(1)} | ${
          median(w.wall.map((x, i) => first.wall[i] / x)).toFixed(2)
        } | ${median(w.cpu).toFixed(1)} | ${
          median(w.cpu.map((x, i) => first.cpu[i] / x)).toFixed(2)
        } |`
      ).join("\n")
    }`,
  );
} finally {
  for (const w of workers) {
    try {
      process.kill(-w.child.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }
}
