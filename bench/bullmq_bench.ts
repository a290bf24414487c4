/**
 * Jobs per second of a BullMQ queue of small jobs (about 1 ms of CPU each)
 * on one consumer with `concurrency` = `SIZE`, through memlimits/bullmq
 * against BullMQ's own sandboxed processors (a processor file, in child
 * processes and in worker threads) and against an in-process processor,
 * and memlimits/bullmq without its usage line (`usageLog: false`) beside
 * (not a test): `node bench/bullmq_bench.ts [rounds] [base]`. With `base`,
 * the directory of another checkout (its own node_modules beside), that
 * checkout's memlimits/bullmq runs as two more variants in the same rounds,
 * for a change measured against its base.
 *
 * One Redis server of the bench's own (Debian's redis-server) serves every
 * variant, each on a queue of its own. A round adds `JOBS` jobs to each
 * variant's queue while the queue is paused, then times its BullMQ Worker
 * from the queue's `resume()` to the `JOBS`th "completed" event; rounds
 * interleave the variants, in an order that rotates each round (so the load
 * of a shared machine hits all alike), after a
 * warm-up round of 200 jobs each. Each figure is the median over rounds;
 * ratios are to the sandboxed processors (child processes): of the medians,
 * and the median of each round's ratio. Beside them, the CPU time per job
 * of the whole setup (consumer, workers or children, Redis).
 */
import { type Processor, Queue, Worker } from "bullmq";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { MiB, WorkerPool } from "../mod.ts";
import { processor } from "../src/bullmq/mod.ts";
import { startRedis } from "../test/src/bullmq/redis_server.ts";
import { cpuMsOf } from "../src/pool/linux/cpu_time.ts";
import { descendantsOf } from "../src/pool/linux/process_tree.ts";
import { busy } from "./bullmq_tasks.ts";
import { median, runtimeLabel } from "./summary.ts";

const TASKS = new URL("./bullmq_tasks.ts", import.meta.url);
const SIZE = 2;
const JOBS = 2000;
const JOB_MS = 1;
const ROUNDS = Number(process.argv[2] ?? 5);
const BASE = process.argv[3];

interface Variant {
  name: string;
  worker: Worker;
  queue: Queue;
  close(): Promise<void>;
}

const redis = await startRedis();
const connection = redis.connection;

function variant(
  name: string,
  process: string | URL | Processor,
  options: { useWorkerThreads?: boolean } = {},
  after: () => Promise<void> = async () => {},
): Variant {
  const queueName = name.replace(/\W+/g, "-");
  const queue = new Queue(queueName, { connection });
  const worker = new Worker(queueName, process, {
    connection,
    concurrency: SIZE,
    ...options,
  });
  return {
    name,
    worker,
    queue,
    async close() {
      await worker.close();
      await queue.close();
      await after();
    },
  };
}

/** What a checkout's memlimits/bullmq variants need of it. */
interface Checkout {
  label: string;
  WorkerPool: typeof WorkerPool;
  processor: typeof processor;
  tasks: URL;
}

const pools: { close(): Promise<void>; idleCount: number }[] = [];
/**
 * The memlimits/bullmq variants of `c`: without limits, and with the pool's
 * memoryLimit and a timeout; for this checkout, the latter again without
 * the usage line (`usageLog: false`, which a base may not know).
 */
function memlimitsVariants(c: Checkout): Variant[] {
  const pool = (limited: boolean) => {
    const p = new c.WorkerPool(c.tasks, {
      size: SIZE,
      memoryLimit: limited ? 256 * MiB : undefined,
    });
    pools.push(p);
    return p;
  };
  return [
    variant(
      `${c.label}memlimits/bullmq, no limits`,
      c.processor(pool(false), "busy"),
    ),
    variant(
      `${c.label}memlimits/bullmq, memoryLimit 256 MiB + timeout`,
      c.processor(pool(true), "busy", { timeout: 10_000 }),
    ),
    ...(c.label === ""
      ? [variant(
        "memlimits/bullmq, memoryLimit 256 MiB + timeout, usageLog: false",
        c.processor(pool(true), "busy", { timeout: 10_000 }, {
          usageLog: false,
        }),
      )]
      : []),
  ];
}
const checkouts: Checkout[] = [{
  label: "",
  WorkerPool,
  processor,
  tasks: TASKS,
}];
if (BASE !== undefined) {
  const root = pathToFileURL(`${resolve(BASE)}/`);
  checkouts.push({
    label: "base: ",
    WorkerPool: (await import(new URL("mod.ts", root).href)).WorkerPool,
    processor: (await import(new URL("src/bullmq/mod.ts", root).href))
      .processor,
    tasks: new URL("bench/bullmq_tasks.ts", root),
  });
}

const variants: Variant[] = [
  variant(
    "in-process processor",
    (job) => new Promise((resolve) => resolve(busy(job.data))),
  ),
  variant("sandboxed processor (child processes)", TASKS),
  variant("sandboxed processor (worker threads)", TASKS, {
    useWorkerThreads: true,
  }),
  ...checkouts.flatMap(memlimitsVariants),
];

/**
 * CPU ms of this process and every process under it: the consumers, the
 * pools' workers, the sandboxed processors' children and Redis. What a
 * variant's round adds to it is what its jobs cost the machine, a figure
 * the other runs on a shared machine sway less than the jobs per second.
 */
function treeCpuMs(): number {
  let total = cpuMsOf(process.pid) ?? 0;
  for (const pid of descendantsOf(process.pid)) total += cpuMsOf(pid) ?? 0;
  return total;
}

/** CPU µs per job of each variant's rounds (see `treeCpuMs`). */
const cpuPerJob = new Map<string, number[]>();

/** Seconds for `v.worker` to complete `jobs` jobs queued while the queue was paused. */
async function timeRound(v: Variant, jobs: number): Promise<number> {
  await v.queue.pause();
  await v.queue.addBulk(
    Array.from({ length: jobs }, () => ({
      name: "busy",
      data: { ms: JOB_MS },
      opts: { removeOnComplete: true },
    })),
  );
  let done = 0;
  let failed: Error | undefined;
  const all = new Promise<void>((resolve, reject) => {
    const onCompleted = () => {
      if (++done === jobs) {
        v.worker.off("completed", onCompleted);
        resolve();
      }
    };
    v.worker.on("completed", onCompleted);
    v.worker.once("failed", (_job, error) => reject(failed = error));
  });
  const cpuBefore = treeCpuMs();
  const start = performance.now();
  await v.queue.resume();
  await all;
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuPerJob.get(v.name) ?? [];
  cpuPerJob.set(v.name, [...cpu, (treeCpuMs() - cpuBefore) * 1000 / jobs]);
  v.worker.removeAllListeners("failed");
  if (failed) throw failed;
  return seconds;
}

while (pools.some((p) => p.idleCount < SIZE)) {
  await new Promise((r) => setTimeout(r, 10));
}
for (const v of variants) await timeRound(v, 200); // warm-up
cpuPerJob.clear();
const rates = new Map(variants.map((v) => [v.name, [] as number[]]));
for (let round = 0; round < ROUNDS; round++) {
  // The order rotates each round, so that no variant always runs first.
  const order = variants.map((_, i) => variants[(i + round) % variants.length]);
  for (const v of order) {
    rates.get(v.name)!.push(JOBS / await timeRound(v, JOBS));
  }
  console.error(`round ${round + 1}/${ROUNDS} done`);
}
for (const v of variants) await v.close();
for (const pool of pools) await pool.close();
await redis.stop();

// A shared machine's load changes within a run: besides the ratio of the
// medians, the median of each round's own ratio (paired in time).
const baseline = rates.get(variants[1].name)!;
console.log(
  `\n${runtimeLabel}; ${JOBS} jobs of ${JOB_MS} ms CPU, concurrency ${SIZE}, ${ROUNDS} rounds\n`,
);
console.log(
  "| processor | jobs/s (median) | ratio of medians | median of rounds' ratios | rounds (jobs/s) | CPU µs/job (median) |",
);
console.log("| --- | ---: | ---: | ---: | --- | ---: |");
for (const v of variants) {
  const r = rates.get(v.name)!;
  const ratios = r.map((x, i) => x / baseline[i]);
  console.log(
    `| ${v.name} | ${median(r).toFixed(0)} | ${
      (median(r) / median(baseline)).toFixed(2)
    } | ${median(ratios).toFixed(2)} | ${
      r.map((x) => x.toFixed(0)).join(", ")
    } | ${median(cpuPerJob.get(v.name)!).toFixed(0)} |`,
  );
}
if (BASE !== undefined) {
  console.log("\nThis checkout against the base, median of rounds' ratios:");
  // Variants the base has too (not `usageLog: false`, which it may not know).
  for (
    const v of variants.filter((v) => rates.has(`base: ${v.name}`))
  ) {
    const mine = rates.get(v.name)!;
    const base = rates.get(`base: ${v.name}`)!;
    const ratios = mine.map((x, i) => x / base[i]);
    console.log(
      `- ${v.name}: ${median(ratios).toFixed(2)} (rounds: ${
        ratios.map((x) => x.toFixed(2)).join(", ")
      })`,
    );
  }
}
