/**
 * A pool worker's start: its time from spawn to ready and its resident memory
 * when idle, for this checkout and, side by side in one run, a baseline
 * checkout of another commit, as ratios (not a test):
 *   deno run -A bench/worker_start.ts [--baseline DIR] [--rounds 30]
 *     [--warm-up 2] [--settle 200] [--method run|poll] [--samples]
 *   bun bench/worker_start.ts [...]       node bench/worker_start.ts [...]
 *
 * A baseline is a plain copy of another commit's files with this checkout's
 * node_modules, e.g. main's (from the repository's root):
 *   base=$(mktemp -d /tmp/memlimits-base-XXXXXX)
 *   git archive main | tar -x -C "$base"
 *   ln -s "$PWD/node_modules" "$base/node_modules"
 *   node_modules/.bin/deno run -A bench/worker_start.ts --baseline "$base"
 *   rm -rf "$base"
 * Give the baseline the commit this checkout is on, and the ratios show the
 * method's own error (a control). Without `--baseline`, this checkout alone.
 *
 * Each variant's `WorkerPool` is imported from its own `mod.ts`; both run the
 * same task module (worker_start_tasks.ts, which imports nothing), so what
 * differs is what the pool's worker entry loads. One pool of size 1 is alive
 * at a time. A round starts one pool of every variant with and without
 * `memoryLimit` (whose workers also start their brake thread, and raise it
 * with `chrt` where allowed), in an order that rotates between rounds, so
 * that load on the machine hits the variants alike and each round gives a
 * paired ratio. Before the rounds, each variant and setting starts
 * `--warm-up` pools that are not counted (Deno transpiles a module at its
 * first load from a new path, and caches that).
 *
 * Per pool (size 1), with the public API only:
 * - spawn → ready: the pool's worker is made to be replaced, and timed from
 *   the replacement's spawn until it answers. A run of `never` (a task that
 *   never settles) is aborted by its signal: `abort()` settles the run, kills
 *   the worker and spawns its replacement synchronously, and the clock
 *   starts right before it. A `run()` made right after it waits in the queue
 *   and is sent from the handler of the new worker's "ready" message, so
 *   nothing polls and the host sleeps while the worker starts; its answer
 *   stops the clock. The median of 3 `run()`s on the then warm worker is
 *   subtracted: what is left is the worker's start plus its first task's
 *   cold path (first message, clone and call), that is, the time until a
 *   new worker can answer. Included besides: killing the old worker (a
 *   SIGSTOP, a scan for its descendants and a SIGKILL, in `abort()`, whose
 *   own time is shown with the fork's as "abort()"), and the dead worker's
 *   teardown by the kernel meanwhile.
 * - new pool → ready: the same, from `new WorkerPool()`. This also counts
 *   the constructor (shown apart): option checks and the pool's watchdog
 *   thread, which is started before the fork and on Deno took 55 to 75 ms
 *   of the host's main thread on a quiet machine (Bun and Node: about 1
 *   ms), so it would dilute the worker's own share.
 *   `--method poll` times both instead to when `pool.idleCount` is 1, polled
 *   every 1 ms (adds a timer's granularity and lateness to every figure and
 *   wakes the host about a hundred times during each start on a machine
 *   whose cores the worker needs; kept to cross-check the default).
 * - worker CPU: the CPU time of the replacement's threads once its warm
 *   runs are done (the sum of /proc/PID/task/TID/schedstat): what the start
 *   cost the worker itself, less sensitive to a busy machine than the wall
 *   time. Threads that ended before are not counted.
 * - idle RSS: the replacement's VmRSS from /proc/PID/status and Pss from
 *   /proc/PID/smaps_rollup, read after its warm runs and `--settle` ms of
 *   idleness. Pss divides shared pages among the processes that map them:
 *   the runtime's executable is shared with the host and with every other
 *   process of the same runtime on the machine, so Pss moves with what else
 *   runs there; compare it only within a run.
 * - the floor, once per round: a bare child process of the runtime with the
 *   same IPC channel (bench/pool_echo_child.ts), from its spawn to its first
 *   message, and its CPU and idle memory measured the same way: what no
 *   pool worker can go below.
 * `--samples` prints every worker's figures too (JSON, one line each).
 * Figures are the median, p90 and min over rounds; "this / baseline" is the
 * ratio of the medians, for spawn → ready also the median (quartiles) of
 * the rounds' paired ratios, and for memory the ratio of the means (the
 * idle RSS of a worker with a brake thread has two modes about 3 MiB apart
 * on Deno, between which a median jumps).
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { median, quantile, runtimeLabel } from "./summary.ts";

const MiB = 2 ** 20;
const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const TASKS = new URL("./worker_start_tasks.ts", import.meta.url);
const ECHO = fileURLToPath(new URL("./pool_echo_child.ts", import.meta.url));

/** What this benchmark uses of a `WorkerPool`, from either checkout. */
interface Pool {
  readonly idleCount: number;
  readonly workerPids: number[];
  run(
    exportName: string,
    args: unknown[],
    limits?: { signal?: AbortSignal },
  ): Promise<{ ok: boolean }>;
  close(): Promise<void>;
}
type PoolClass = new (moduleUrl: URL, options: object) => Pool;

const { values: flags } = parseArgs({
  args: process.argv.slice(2),
  options: {
    baseline: { type: "string" },
    rounds: { type: "string", default: "30" },
    "warm-up": { type: "string", default: "2" },
    settle: { type: "string", default: "200" },
    method: { type: "string", default: "run" },
    samples: { type: "boolean", default: false },
  },
});
function count(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(`--${name} must be an integer ≥ ${min}, got ${value}`);
  }
  return n;
}
const ROUNDS = count("rounds", flags.rounds, 1);
const WARM_UP = count("warm-up", flags["warm-up"], 0);
const SETTLE_MS = count("settle", flags.settle, 0);
const method = flags.method;
if (method !== "run" && method !== "poll") {
  throw new RangeError(`--method must be run or poll, got ${method}`);
}
const WARM_RUNS = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kilobyte fields ("VmRSS", "Pss", ...) of a /proc file, in bytes. */
function procKb(path: string, field: string): number {
  const match = readFileSync(path, "utf8").match(
    new RegExp(`^${field}:\\s+(\\d+) kB$`, "m"),
  );
  if (!match) throw new Error(`no ${field} in ${path}`);
  return Number(match[1]) * 1024;
}

/** CPU time of the live threads of process `pid`, ms. */
function threadsCpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const line = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8");
    ns += Number(line.split(" ")[0]);
  }
  return ns / 1e6;
}

interface Sample {
  /** The replacement's spawn → ready, ms. */
  ready: number;
  /** New pool → ready, ms. */
  poolReady: number;
  /** The pool's constructor alone, ms. */
  construct: number;
  /** `abort()` alone (settling, killing the old worker, forking the new), ms. */
  abort: number;
  /** The replacement's CPU time after its warm runs, ms. */
  cpu: number;
  /** The replacement's idle VmRSS and Pss, bytes. */
  rss: number;
  pss: number;
}

/**
 * Ms from `t0` until the pool's worker can answer: until a run queued now
 * answers, less the median of warm runs (`--method run`), or until the pool
 * has an idle worker (`--method poll`).
 */
async function untilReady(pool: Pool, t0: number): Promise<number> {
  let ready: number;
  if (method === "poll") {
    while (pool.idleCount < 1) await sleep(1);
    ready = performance.now() - t0;
    await pool.run("one", []);
  } else {
    const first = await pool.run("one", []);
    ready = performance.now() - t0;
    if (!first.ok) throw new Error("the first run failed");
  }
  const warm: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    const t = performance.now();
    await pool.run("one", []);
    warm.push(performance.now() - t);
  }
  return method === "run" ? ready - median(warm) : ready;
}

/** Starts one pool of size 1, has its worker replaced, measures, closes it. */
async function measureOne(
  WorkerPool: PoolClass,
  options: object,
): Promise<Sample> {
  const t0 = performance.now();
  const pool = new WorkerPool(TASKS, { size: 1, ...options });
  const construct = performance.now() - t0;
  try {
    const poolReady = await untilReady(pool, t0);
    const [old] = pool.workerPids;
    const aborting = new AbortController();
    const stopped = pool.run("never", [], { signal: aborting.signal });
    const t1 = performance.now();
    aborting.abort();
    const abort = performance.now() - t1;
    const ready = await untilReady(pool, t1);
    if ((await stopped).ok) throw new Error("the aborted run did not stop");
    const [pid] = pool.workerPids;
    if (pid === old) throw new Error("the worker was not replaced");
    const cpu = threadsCpuMs(pid);
    await sleep(SETTLE_MS);
    return {
      ready,
      poolReady,
      construct,
      abort,
      cpu,
      rss: procKb(`/proc/${pid}/status`, "VmRSS"),
      pss: procKb(`/proc/${pid}/smaps_rollup`, "Pss"),
    };
  } finally {
    await pool.close();
  }
}

/**
 * The floor: a bare child process of this runtime (bench/pool_echo_child.ts,
 * which imports only node:worker_threads) with the pool's IPC channel,
 * from its spawn to its first message, then measured as a worker is.
 */
async function measureBare(): Promise<Sample> {
  const args = "Deno" in globalThis ? ["run", "-A", "--quiet", ECHO] : [ECHO];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  const exited = new Promise((r) => child.once("exit", r));
  try {
    await Promise.race([
      new Promise((r) => child.once("message", r)),
      exited.then(() => Promise.reject(new Error("the bare child exited"))),
    ]);
    const ready = performance.now() - t0;
    const pid = child.pid!;
    const cpu = threadsCpuMs(pid);
    await sleep(SETTLE_MS);
    return {
      ready,
      poolReady: NaN,
      construct: NaN,
      abort: NaN,
      cpu,
      rss: procKb(`/proc/${pid}/status`, "VmRSS"),
      pss: procKb(`/proc/${pid}/smaps_rollup`, "Pss"),
    };
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}

async function poolClassOf(dir: string): Promise<PoolClass> {
  const mod = join(dir, "mod.ts");
  if (!existsSync(mod)) throw new Error(`no mod.ts in ${dir}`);
  return (await import(pathToFileURL(mod).href)).WorkerPool;
}

const variants: { name: string; dir: string; WorkerPool: PoolClass }[] = [
  { name: "this", dir: root, WorkerPool: await poolClassOf(root) },
];
if (flags.baseline !== undefined) {
  const dir = resolve(flags.baseline);
  variants.push({ name: "baseline", dir, WorkerPool: await poolClassOf(dir) });
}
/** The floor's name in the tables. */
const BARE = "bare process";
const settings: [string, object][] = [
  ["no limits", {}],
  ["memoryLimit 256 MiB", { memoryLimit: 256 * MiB }],
];

const load0 = loadavg();
const started = performance.now();
for (let i = 0; i < WARM_UP; i++) {
  await measureBare();
  for (const [, options] of settings) {
    for (const v of variants) await measureOne(v.WorkerPool, options);
  }
}
const samples = new Map<string, Sample[]>();
const key = (variant: string, setting: string) => `${variant}\t${setting}`;
/** Per setting: this / baseline spawn → ready, one per round. */
const pairedRatios = new Map<string, number[]>(
  settings.map(([s]) => [s, []]),
);
for (let round = 0; round < ROUNDS; round++) {
  // Rotate: settings flip every round, variants every two.
  const order = round % 2 ? settings.toReversed() : settings;
  const vs = round % 4 < 2 ? variants : variants.toReversed();
  const bare = await measureBare();
  const b = key(BARE, "no limits");
  (samples.get(b) ?? samples.set(b, []).get(b)!).push(bare);
  if (flags.samples) {
    console.log(
      JSON.stringify({ round, variant: BARE, setting: "no limits", ...bare }),
    );
  }
  await sleep(20);
  for (const [setting, options] of order) {
    const ready = new Map<string, number>();
    for (const v of vs) {
      const sample = await measureOne(v.WorkerPool, options);
      const k = key(v.name, setting);
      (samples.get(k) ?? samples.set(k, []).get(k)!).push(sample);
      if (flags.samples) {
        console.log(
          JSON.stringify({ round, variant: v.name, setting, ...sample }),
        );
      }
      ready.set(v.name, sample.ready);
      await sleep(20);
    }
    if (ready.has("baseline")) {
      pairedRatios.get(setting)!.push(
        ready.get("this")! / ready.get("baseline")!,
      );
    }
  }
}
const seconds = (performance.now() - started) / 1000;

const ms = (x: number) => Number.isNaN(x) ? "" : x.toFixed(x < 10 ? 2 : 1);
const mib = (x: number) => (x / MiB).toFixed(1);
const ratio = (x: number) => x.toFixed(3);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const of = (xs: Sample[], field: keyof Sample) => xs.map((s) => s[field]);
const lines = [
  `## worker_start on ${runtimeLabel}`,
  "",
  `this: ${root}${
    variants[1] ? `; baseline: ${variants[1].dir}` : ""
  }; task module: bench/worker_start_tasks.ts`,
  `${ROUNDS} rounds (+${WARM_UP} uncounted), method ${method}, settle ${SETTLE_MS} ms; ${
    seconds.toFixed(0)
  } s; load average ${load0[0].toFixed(2)} at the start, ${
    loadavg()[0].toFixed(2)
  } at the end`,
  "",
  "| variant | pool | spawn → ready ms, median | p90 | min | new pool → ready, median | p90 | constructor | abort() | worker CPU ms | idle VmRSS MiB (mean) | idle Pss MiB |",
  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
];
for (const [setting] of settings) {
  const rows = setting === "no limits"
    ? [BARE, ...variants.map((v) => v.name)]
    : variants.map((v) => v.name);
  for (const name of rows) {
    const xs = samples.get(key(name, setting))!;
    const ready = of(xs, "ready");
    const poolReady = of(xs, "poolReady");
    lines.push(
      `| ${name} | ${setting} | ${ms(median(ready))} | ${
        ms(quantile(ready, 0.9))
      } | ${ms(Math.min(...ready))} | ${ms(median(poolReady))} | ${
        ms(quantile(poolReady, 0.9))
      } | ${ms(median(of(xs, "construct")))} | ${
        ms(median(of(xs, "abort")))
      } | ${ms(median(of(xs, "cpu")))} | ${mib(median(of(xs, "rss")))} (${
        mib(mean(of(xs, "rss")))
      }) | ${mib(median(of(xs, "pss")))} |`,
    );
  }
}
if (variants.length === 2) {
  lines.push(
    "",
    "| this / baseline | spawn → ready, median | p90 | min | paired, median (quartiles) | new pool → ready | worker CPU | idle VmRSS (means) | idle Pss (means) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const [setting] of settings) {
    const a = samples.get(key("this", setting))!;
    const b = samples.get(key("baseline", setting))!;
    const r = (field: keyof Sample, q = 0.5) =>
      ratio(quantile(of(a, field), q) / quantile(of(b, field), q));
    const m = (field: keyof Sample) =>
      ratio(mean(of(a, field)) / mean(of(b, field)));
    const paired = pairedRatios.get(setting)!;
    lines.push(
      `| ${setting} | ${r("ready")} | ${r("ready", 0.9)} | ${
        ratio(Math.min(...of(a, "ready")) / Math.min(...of(b, "ready")))
      } | ${ratio(median(paired))} (${ratio(quantile(paired, 0.25))}–${
        ratio(quantile(paired, 0.75))
      }) | ${r("poolReady")} | ${r("cpu")} | ${m("rss")} | ${m("pss")} |`,
    );
  }
}
console.log(lines.join("\n"));
