/**
 * CPU time per task of every thread a pool uses, the host's and its
 * workers' (not a test; Linux): `node bench/thread_cost.ts [--ms 0.05]
 * [--tasks 3000] [--inflight 8] [--plain] [--signal] DIR`, likewise `bun`.
 *
 * Runs `busyFor(ms)` (bench/peer_tasks.ts) `tasks` times on a pool of
 * checkout DIR (default: this one) with 2 workers and 8 tasks in flight
 * (`--inflight`: 2 as a BullMQ Worker with `concurrency` = `size` sends),
 * with `memoryLimit` (256 MiB) and a `timeout` on every run unless
 * `--plain`, and with an AbortSignal that never aborts with `--signal` (as
 * memlimits/bullmq's runs: none is sent ahead), and reads
 * `/proc/PID/task/TID/schedstat` of the host's threads
 * and the workers' around it: µs of CPU per task by thread name ("main" for
 * a process's main thread). One pool per process: to compare two checkouts,
 * run it for each in turn, a few times, and compare paired runs.
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { runtimeLabel } from "./summary.ts";

const { values: flags, positionals } = parseArgs({
  options: {
    ms: { type: "string", default: "0.05" },
    tasks: { type: "string", default: "3000" },
    inflight: { type: "string", default: "8" },
    plain: { type: "boolean", default: false },
    signal: { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const MS = Number(flags.ms), TASKS = Number(flags.tasks);
const IN_FLIGHT = Number(flags.inflight);
if (!Number.isInteger(IN_FLIGHT) || IN_FLIGHT < 1) {
  throw new RangeError(
    `--inflight must be a whole number ≥ 1, got ${flags.inflight}`,
  );
}
if (!(MS >= 0)) throw new RangeError(`--ms must be ≥ 0, got ${flags.ms}`);
if (!Number.isInteger(TASKS) || TASKS < 1) {
  throw new RangeError(
    `--tasks must be a whole number ≥ 1, got ${flags.tasks}`,
  );
}
const dir = resolve(
  positionals[0] ?? new URL("..", import.meta.url).pathname,
);
const { WorkerPool } = await import(
  pathToFileURL(`${dir}/mod.ts`).href
) as typeof import("../mod.ts");
const limited = !flags.plain;

/** CPU ns of each live thread of `pid`, by thread id, with its name. */
function threads(pid: number): Map<string, { name: string; ns: number }> {
  const found = new Map<string, { name: string; ns: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const at = `/proc/${pid}/task/${tid}`;
      const ns = Number(readFileSync(`${at}/schedstat`, "utf8").split(" ")[0]);
      const name = tid === String(pid)
        ? "main"
        : readFileSync(`${at}/comm`, "utf8").trim();
      found.set(tid, { name, ns });
    } catch {
      // the thread ended meanwhile
    }
  }
  return found;
}

const pool = new WorkerPool(
  pathToFileURL(`${dir}/bench/peer_tasks.ts`),
  { size: 2, ...(limited ? { memoryLimit: 256 * 2 ** 20 } : {}) },
);
const limits = {
  ...(limited ? { timeout: 10_000 } : {}),
  ...(flags.signal ? { signal: new AbortController().signal } : {}),
};
async function batch(n: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) {
      next++;
      const r = await pool.run("busyFor", [MS], limits);
      if (!r.ok) throw r.error;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

try {
  await batch(500); // warm
  const pids = [process.pid, ...pool.workerPids];
  const before = pids.map(threads);
  const started = performance.now();
  await batch(TASKS);
  const wall = performance.now() - started;
  const perThread = new Map<string, number>();
  pids.forEach((pid, i) => {
    for (const [tid, { name, ns }] of threads(pid)) {
      const key = `${i === 0 ? "host" : "worker"} ${name}`;
      const used = ns - (before[i].get(tid)?.ns ?? 0);
      perThread.set(key, (perThread.get(key) ?? 0) + used / 1000 / TASKS);
    }
  });
  const total = [...perThread.values()].reduce((a, b) => a + b, 0);
  console.log(
    `${runtimeLabel}, ${dir}, busyFor(${MS}), ${
      limited ? "memoryLimit + timeout" : "no limits"
    }${flags.signal ? " + signal" : ""}: ${
      (TASKS / wall * 1000).toFixed(0)
    } tasks/s, ${total.toFixed(0)} µs of CPU per task; ${
      [...perThread].sort().filter(([, us]) => us >= 1).map(([k, us]) =>
        `${k} ${us.toFixed(1)}`
      ).join(", ")
    }`,
  );
} finally {
  await pool.close();
}
