/**
 * Jobs per second of a BullMQ queue of small jobs (about 1 ms of CPU each)
 * on one consumer with `concurrency` = `SIZE`, through memlimits/bullmq
 * against BullMQ's own sandboxed processors (a processor file, in child
 * processes and in worker threads) and against an in-process processor
 * (not a test): `node bench/bullmq_bench.ts [rounds]`.
 *
 * One Redis server of the bench's own (Debian's redis-server) serves every
 * variant, each on a queue of its own. A round adds `JOBS` jobs to each
 * variant's queue while the queue is paused, then times its BullMQ Worker
 * from the queue's `resume()` to the `JOBS`th "completed" event; rounds
 * interleave the variants, in an order that rotates each round (so the load
 * of a shared machine hits all alike), after a
 * warm-up round of 200 jobs each. Each figure is the median over rounds;
 * ratios are to the sandboxed processors (child processes): of the medians,
 * and the median of each round's ratio.
 */
import { type Processor, Queue, Worker } from "bullmq";
import { MiB, WorkerPool } from "../mod.ts";
import { processor } from "../src/bullmq/mod.ts";
import { startRedis } from "../test/src/bullmq/redis_server.ts";
import { busy } from "./bullmq_tasks.ts";
import { median, runtimeLabel } from "./summary.ts";

const TASKS = new URL("./bullmq_tasks.ts", import.meta.url);
const SIZE = 2;
const JOBS = 2000;
const JOB_MS = 1;
const ROUNDS = Number(process.argv[2] ?? 5);

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

const pools: WorkerPool[] = [];
function memlimitsPool(limited: boolean): WorkerPool {
  const pool = new WorkerPool(TASKS, {
    size: SIZE,
    memoryLimit: limited ? 256 * MiB : undefined,
  });
  pools.push(pool);
  return pool;
}
const plain = memlimitsPool(false);
const limited = memlimitsPool(true);

const variants: Variant[] = [
  variant(
    "in-process processor",
    (job) => new Promise((resolve) => resolve(busy(job.data))),
  ),
  variant("sandboxed processor (child processes)", TASKS),
  variant("sandboxed processor (worker threads)", TASKS, {
    useWorkerThreads: true,
  }),
  variant("memlimits/bullmq, no limits", processor(plain, "busy")),
  variant(
    "memlimits/bullmq, memoryLimit 256 MiB + timeout",
    processor(limited, "busy", { timeout: 10_000 }),
  ),
];

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
  const start = performance.now();
  await v.queue.resume();
  await all;
  const seconds = (performance.now() - start) / 1000;
  v.worker.removeAllListeners("failed");
  if (failed) throw failed;
  return seconds;
}

while (pools.some((p) => p.idleCount < SIZE)) {
  await new Promise((r) => setTimeout(r, 10));
}
for (const v of variants) await timeRound(v, 200); // warm-up
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
  "| processor | jobs/s (median) | ratio of medians | median of rounds' ratios | rounds (jobs/s) |",
);
console.log("| --- | ---: | ---: | ---: | --- |");
for (const v of variants) {
  const r = rates.get(v.name)!;
  const ratios = r.map((x, i) => x / baseline[i]);
  console.log(
    `| ${v.name} | ${median(r).toFixed(0)} | ${
      (median(r) / median(baseline)).toFixed(2)
    } | ${median(ratios).toFixed(2)} | ${
      r.map((x) => x.toFixed(0)).join(", ")
    } |`,
  );
}
