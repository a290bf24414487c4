/**
 * memlimits' WorkerPool against piscina and tinypool, speed, in one process
 * (not a test): `node bench/peers_bench.ts`, `bun bench/peers_bench.ts`.
 *
 * Parts (all by default; `--only latency,throughput1ms` picks some):
 * - `latency`: µs per call of 1000 sequential awaited tiny tasks
 *   (`add(1, 2)`) on a warm pool of one worker, beside the floors (a bare
 *   round trip over a process's IPC channel and over a thread's
 *   `postMessage`, measured in the same rounds).
 * - `throughput`: tiny tasks per second on a warm pool of `SIZE` workers
 *   with 4 × SIZE tasks kept in flight.
 * - `throughput1ms`, `throughput50us`: the same with tasks that busy-wait
 *   for 1 ms and for 50 µs (`busyFor(ms)`, the same function in every pool).
 *
 * Variants: memlimits without limits, memlimits with `memoryLimit` (256 MiB)
 * and a `timeout` on every run, piscina and tinypool without and with
 * `resourceLimits.maxOldGenerationSizeMb` (256), and in the throughput parts
 * the floor of a process pool: `SIZE` bare child processes that run the
 * task and answer over the pool's transport, with 1 run sent to each at a
 * time (as memlimits does) and with 2 (a second run queued ahead in each). `--base DIR` adds the two
 * memlimits variants of another checkout (its `mod.ts`), to measure a change
 * against the commit before in the same rounds; `--pools memlimits,piscina`
 * keeps only those kinds (memlimits, base, piscina, tinypool, floor). `--rounds N`
 * (default 15). `--warmup N` (default 0): rounds run first and not counted,
 * for figures of warm pools: on Bun the optimizing compilers work through
 * the first ~20 000 tasks of a pool (bench/thread_cost.ts: the host's JIT
 * threads took 7.4 µs of CPU per task over 40 000 tasks of 50 µs, 1.9 over
 * 160 000), and on 2 cores that compile time is taken from the workers.
 * Without it, every variant has run 200 tasks before the first round.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { Piscina } from "piscina";
import { Tinypool } from "tinypool";
import { MiB, WorkerPool } from "../mod.ts";
import { median, runtimeLabel } from "./summary.ts";

const TASKS = new URL("../test/src/pool/fixtures/tasks.ts", import.meta.url);
const PEER_TASKS = new URL("./peer_tasks.ts", import.meta.url).href;
const ECHO = new URL("./pool_echo_child.ts", import.meta.url);
const BARE_WORKER = new URL("./bare_worker_child.ts", import.meta.url);
const LIMIT_MIB = 256;
const SIZE = Math.max(2, availableParallelism());
const N = 1000;
const PARTS = [
  "latency",
  "throughput",
  "throughput1ms",
  "throughput50us",
] as const;
type Part = typeof PARTS[number];

const { values: flags } = parseArgs({
  options: {
    only: { type: "string" },
    rounds: { type: "string" },
    base: { type: "string" },
    pools: { type: "string" },
    warmup: { type: "string" },
  },
});
const ROUNDS = flags.rounds === undefined ? 15 : Number(flags.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  throw new RangeError(
    `--rounds must be a whole number ≥ 1, got ${flags.rounds}`,
  );
}
const WARMUP = flags.warmup === undefined ? 0 : Number(flags.warmup);
if (!Number.isInteger(WARMUP) || WARMUP < 0) {
  throw new RangeError(
    `--warmup must be a whole number ≥ 0, got ${flags.warmup}`,
  );
}
const only = (flags.only?.split(",") ?? PARTS) as Part[];
for (const part of only) {
  if (!PARTS.includes(part)) {
    throw new RangeError(`--only takes ${PARTS.join(", ")}; got ${part}`);
  }
}
const kinds = flags.pools?.split(",") ??
  ["memlimits", "base", "piscina", "tinypool", "floor"];
// deno-lint-ignore no-explicit-any
type PoolClass = new (url: URL, options: any) => any;
const BasePool: PoolClass | undefined = flags.base === undefined
  ? undefined
  : (await import(new URL(`file://${flags.base}/mod.ts`).href)).WorkerPool;

/** A task: the export memlimits runs, with its arguments; the peers take one argument. */
interface Task {
  name: string;
  args: unknown[];
  peerName: string;
  peerArg: unknown;
  /** Tasks per throughput round. */
  count: number;
}

const TINY: Task = {
  name: "add",
  args: [1, 2],
  peerName: "addPair",
  peerArg: [1, 2],
  count: 4000,
};
const busy = (ms: number, count: number): Task => ({
  name: "busyFor",
  args: [ms],
  peerName: "busyFor",
  peerArg: ms,
  count,
});

interface Variant {
  name: string;
  /** Runs the task once. */
  run(): Promise<unknown>;
  close(): Promise<void>;
}

function memlimits(
  Pool: PoolClass,
  label: string,
  size: number,
  limited: boolean,
  task: Task,
): Variant {
  const pool = new Pool(TASKS, {
    size,
    memoryLimit: limited ? LIMIT_MIB * MiB : undefined,
  });
  const limits = limited ? { timeout: 10_000 } : {};
  return {
    name: `${label}, ${limited ? "memoryLimit + timeout" : "no limits"}`,
    async run() {
      const r = await pool.run(task.name, task.args, limits);
      if (!r.ok) throw r.error;
      return r.value;
    },
    close: () => pool.close(),
  };
}

function peer(
  kind: "piscina" | "tinypool",
  size: number,
  limited: boolean,
  task: Task,
): Variant {
  const options = {
    filename: PEER_TASKS,
    minThreads: size,
    maxThreads: size,
    ...(limited
      ? { resourceLimits: { maxOldGenerationSizeMb: LIMIT_MIB } }
      : {}),
  };
  const pool = kind === "piscina"
    ? new Piscina(options)
    : new Tinypool(options);
  return {
    name: `${kind}${limited ? ", resourceLimits" : ""}`,
    run: () => pool.run(task.peerArg, { name: task.peerName }),
    close: () => pool.destroy(),
  };
}

/**
 * The floors under the pools: a bare round trip of the pool's message over
 * the pool's transport (IPC to a warm child process with structured-clone
 * serialization, an echo child), and over a thread's `postMessage`.
 */
async function bare(transport: "ipc" | "thread"): Promise<Variant> {
  const message = { t: "run", id: 1, exportName: "add", args: [1, 2] };
  let answer: (m: unknown) => void = () => {};
  if (transport === "thread") {
    const thread = new Worker(ECHO);
    thread.on("message", (m) => answer(m));
    return {
      name: "(floor) bare postMessage round trip, warm thread",
      run: () =>
        new Promise((r) => {
          answer = r;
          thread.postMessage(message);
        }),
      close: () => thread.terminate().then(() => {}),
    };
  }
  // Node and Bun run the echo child as it is (the bench does not run on Deno:
  // piscina and tinypool are Node's).
  const child = spawn(process.execPath, [ECHO.pathname], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  await new Promise((r) => child.once("message", r));
  child.on("message", (m) => answer(m));
  return {
    name: "(floor) bare IPC round trip, warm process",
    run: () =>
      new Promise((r) => {
        answer = r;
        child.send(message);
      }),
    close: async () => {
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

/**
 * The floor of a process pool's throughput: `size` bare children that run
 * the task (bare_worker_child.ts), each sent up to `ahead` runs at a time.
 */
async function barePool(
  size: number,
  ahead: number,
  task: Task,
): Promise<Variant> {
  const children = await Promise.all(
    Array.from({ length: size }, async () => {
      const child = spawn(process.execPath, [BARE_WORKER.pathname], {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        serialization: "advanced",
      });
      await new Promise((r) => child.once("message", r));
      return child;
    }),
  );
  const sent = children.map(() => 0);
  const waiting: { id: number; done: (value: unknown) => void }[] = [];
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  const dispatch = () => {
    for (let i = 0; i < size && waiting.length > 0; i++) {
      while (sent[i] < ahead && waiting.length > 0) {
        const { id, done } = waiting.shift()!;
        pending.set(id, done);
        sent[i]++;
        children[i].send({ id, name: task.name, args: task.args });
      }
    }
  };
  children.forEach((child, i) =>
    child.on("message", (m: { id: number; value: unknown }) => {
      sent[i]--;
      const done = pending.get(m.id)!;
      pending.delete(m.id);
      dispatch();
      done(m.value);
    })
  );
  return {
    name: `(floor) ${size} bare processes, ${ahead} run${
      ahead > 1 ? "s" : ""
    } sent to each at a time`,
    run: () =>
      new Promise((done) => {
        waiting.push({ id: nextId++, done });
        dispatch();
      }),
    close: async () => {
      await Promise.all(children.map((child) => {
        child.kill("SIGKILL");
        return new Promise((r) => child.once("exit", r));
      }));
    },
  };
}

function variants(size: number, task: Task): Variant[] {
  const all: Variant[] = [];
  for (const limited of [false, true]) {
    if (kinds.includes("memlimits")) {
      all.push(memlimits(WorkerPool, "memlimits", size, limited, task));
    }
    if (BasePool && kinds.includes("base")) {
      all.push(memlimits(BasePool, "base memlimits", size, limited, task));
    }
  }
  for (const kind of ["piscina", "tinypool"] as const) {
    if (!kinds.includes(kind)) continue;
    all.push(peer(kind, size, false, task), peer(kind, size, true, task));
  }
  return all;
}

/** Mean µs per call of `N` sequential awaited calls. */
async function sequential(v: Variant): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < N; i++) await v.run();
  return ((performance.now() - t) * 1000) / N;
}

/** Tasks per second of `count` tasks with `inFlight` tasks always pending. */
async function throughput(
  v: Variant,
  inFlight: number,
  count: number,
): Promise<number> {
  let started = 0;
  const t = performance.now();
  const lane = async () => {
    while (started < count) {
      started++;
      await v.run();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return count / ((performance.now() - t) / 1000);
}

/** Warms every variant (`WARMUP` rounds), then runs `ROUNDS` interleaved rounds of `measure`. */
async function rounds(
  pools: Variant[],
  measure: (v: Variant) => Promise<number>,
): Promise<Map<string, number[]>> {
  for (const v of pools) for (let i = 0; i < 200; i++) await v.run();
  for (let r = 0; r < WARMUP; r++) for (const v of pools) await measure(v);
  const samples = new Map(pools.map((v) => [v.name, [] as number[]]));
  for (let r = 0; r < ROUNDS; r++) {
    // Rotate the order so that no variant always runs first or last.
    for (let i = 0; i < pools.length; i++) {
      const v = pools[(i + r) % pools.length];
      samples.get(v.name)!.push(await measure(v));
    }
  }
  return samples;
}

/**
 * Median over rounds of `name`'s speed against `to`'s in the same round
 * (above 1: faster); "" when either is missing.
 */
function pairedRatio(
  samples: Map<string, number[]>,
  name: string,
  to: string,
  lowerIsBetter: boolean,
): string {
  const xs = samples.get(name), ys = samples.get(to);
  if (!xs || !ys || name === to) return "";
  const ratios = xs.map((x, i) => lowerIsBetter ? ys[i] / x : x / ys[i]);
  return median(ratios).toFixed(2);
}

function table(
  samples: Map<string, number[]>,
  unit: string,
  lowerIsBetter: boolean,
): string {
  const range = (xs: number[]) =>
    `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  const base = (name: string) =>
    name.startsWith("memlimits, ") ? `base ${name}` : "";
  const withBase = BasePool !== undefined && kinds.includes("base");
  return `| pool | ${unit} (median) | range over rounds | × piscina | × piscina, resourceLimits |${
    withBase ? " × base |" : ""
  }
| --- | ---: | ---: | ---: | ---: |${withBase ? " ---: |" : ""}
${
    [...samples].map(([name, xs]) => {
      const m = median(xs);
      const cells = [
        name,
        m.toFixed(m < 1000 ? 1 : 0),
        range(xs),
        pairedRatio(samples, name, "piscina", lowerIsBetter),
        pairedRatio(samples, name, "piscina, resourceLimits", lowerIsBetter),
      ];
      if (withBase) {
        cells.push(pairedRatio(samples, name, base(name), lowerIsBetter));
      }
      return `| ${cells.join(" | ")} |`;
    }).join("\n")
  }`;
}

const version = (name: string) =>
  JSON.parse(
    readFileSync(
      new URL(`../node_modules/${name}/package.json`, import.meta.url),
      "utf8",
    ),
  ).version;
// Bun reports a V8 version for compatibility; it runs JavaScriptCore.
const engine = "Bun" in globalThis ? "" : ` (V8 ${process.versions.v8})`;
console.log(
  `## peers_bench on ${runtimeLabel}${engine}, piscina ${
    version("piscina")
  }, tinypool ${version("tinypool")}, ${new Date().toISOString()}

${ROUNDS} interleaved rounds${
    WARMUP > 0 ? ` after ${WARMUP} not counted` : ""
  }; × piscina: speed against piscina's in the same round, median over rounds
(above 1: faster than piscina).
`,
);

if (only.includes("latency")) {
  const single = [
    ...variants(1, TINY),
    await bare("ipc"),
    await bare("thread"),
  ];
  const latency = await rounds(single, sequential);
  for (const v of single) await v.close();
  console.log(
    `Sequential latency of a tiny task, one worker, ${N} awaited calls per round:

${table(latency, "µs per task", true)}
`,
  );
}

const THROUGHPUTS: [Part, Task, string][] = [
  ["throughput", TINY, "tiny tasks"],
  ["throughput1ms", busy(1, 1000), "1 ms tasks (busyFor(1))"],
  ["throughput50us", busy(0.05, 4000), "50 µs tasks (busyFor(0.05))"],
];
for (const [part, task, label] of THROUGHPUTS) {
  if (!only.includes(part)) continue;
  const wide = variants(SIZE, task);
  if (kinds.includes("floor")) {
    wide.push(await barePool(SIZE, 1, task), await barePool(SIZE, 2, task));
  }
  const rate = await rounds(
    wide,
    (v) => throughput(v, 4 * SIZE, task.count),
  );
  for (const v of wide) await v.close();
  console.log(
    `Throughput of ${label}, ${SIZE} workers, ${
      4 * SIZE
    } tasks in flight, ${task.count} tasks per round:

${table(rate, "tasks per second", false)}
`,
  );
}
