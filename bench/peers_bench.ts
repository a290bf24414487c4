/**
 * memlimits' WorkerPool against piscina and tinypool, speed, in one process
 * (not a test): `node bench/peers_bench.ts`, `bun bench/peers_bench.ts`.
 *
 * 1. Sequential latency: µs per call of 1000 sequential awaited tiny tasks
 *    (`add(1, 2)`) on a warm pool of one worker.
 * 2. Throughput: tiny tasks per second on a warm pool of `SIZE` workers with
 *    4 × SIZE tasks kept in flight.
 *
 * Variants: memlimits without limits, memlimits with `memoryLimit` (256 MiB)
 * and a `timeout` on every run, piscina and tinypool without and with
 * `resourceLimits.maxOldGenerationSizeMb` (256). Interleaved rounds (each
 * round times every variant once, so the load of a shared machine hits all
 * alike); each figure is the median over rounds, and each variant's ratio is
 * to the fastest pool's median (above 1: slower).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { Piscina } from "piscina";
import { Tinypool } from "tinypool";
import { MiB, WorkerPool } from "../mod.ts";
import { median, runtimeLabel } from "./summary.ts";

const TASKS = new URL("../test/src/pool/fixtures/tasks.ts", import.meta.url);
const PEER_TASKS = new URL("./peer_tasks.ts", import.meta.url).href;
const ECHO = new URL("./pool_echo_child.ts", import.meta.url);
const LIMIT_MIB = 256;
const SIZE = Math.max(2, availableParallelism());
const N = 1000, ROUNDS = 15, THROUGHPUT_TASKS = 4000;

interface Variant {
  name: string;
  /** Runs one tiny task and resolves with its value (3). */
  run(): Promise<unknown>;
  close(): Promise<void>;
}

function memlimits(size: number, limited: boolean): Variant {
  const pool = new WorkerPool(TASKS, {
    size,
    memoryLimit: limited ? LIMIT_MIB * MiB : undefined,
  });
  const limits = limited ? { timeout: 10_000 } : {};
  return {
    name: limited ? "memlimits, memoryLimit + timeout" : "memlimits, no limits",
    async run() {
      const r = await pool.run<number>("add", [1, 2], limits);
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
    run: () => pool.run([1, 2], { name: "addPair" }),
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

function variants(size: number): Variant[] {
  return [
    memlimits(size, false),
    memlimits(size, true),
    peer("piscina", size, false),
    peer("piscina", size, true),
    peer("tinypool", size, false),
    peer("tinypool", size, true),
  ];
}

/** Mean µs per call of `N` sequential awaited calls. */
async function sequential(v: Variant): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < N; i++) await v.run();
  return ((performance.now() - t) * 1000) / N;
}

/** Tasks per second with `inFlight` tasks always pending. */
async function throughput(v: Variant, inFlight: number): Promise<number> {
  let started = 0;
  const t = performance.now();
  const lane = async () => {
    while (started < THROUGHPUT_TASKS) {
      started++;
      await v.run();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return THROUGHPUT_TASKS / ((performance.now() - t) / 1000);
}

/** Warms every variant, then runs `ROUNDS` interleaved rounds of `measure`. */
async function rounds(
  pools: Variant[],
  measure: (v: Variant) => Promise<number>,
): Promise<Map<string, number[]>> {
  for (const v of pools) for (let i = 0; i < 200; i++) await v.run();
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

function table(
  samples: Map<string, number[]>,
  unit: string,
  lowerIsBetter: boolean,
): string {
  const medians = [...samples].map(([name, xs]) => [name, median(xs)] as const);
  // The fastest pool; the floors are not pools.
  const pools = medians.filter(([name]) => !name.startsWith("(floor)"));
  const best = lowerIsBetter
    ? Math.min(...pools.map(([, m]) => m))
    : Math.max(...pools.map(([, m]) => m));
  const range = (xs: number[]) =>
    `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  return `| pool | ${unit} (median) | range over rounds | ratio to the fastest pool |
| --- | ---: | ---: | ---: |
${
    medians.map(([name, m]) =>
      `| ${name} | ${m.toFixed(m < 1000 ? 1 : 0)} | ${
        range(samples.get(name)!)
      } | ${(lowerIsBetter ? m / best : best / m).toFixed(2)} |`
    ).join("\n")
  }`;
}

const single = [...variants(1), await bare("ipc"), await bare("thread")];
const latency = await rounds(single, sequential);
for (const v of single) await v.close();

const wide = variants(SIZE);
const rate = await rounds(wide, (v) => throughput(v, 4 * SIZE));
for (const v of wide) await v.close();

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

Sequential latency of a tiny task, one worker, ${N} awaited calls per round,
${ROUNDS} interleaved rounds:

${table(latency, "µs per task", true)}

Throughput of tiny tasks, ${SIZE} workers, ${
    4 * SIZE
  } tasks in flight, ${THROUGHPUT_TASKS} tasks per round, ${ROUNDS} interleaved rounds:

${table(rate, "tasks per second", false)}
`,
);
