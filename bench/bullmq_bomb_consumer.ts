/**
 * One consumer process of bullmq_bombs.ts: a BullMQ Worker (concurrency 2)
 * on the queue, with the processor of one setup: "in-process", "sandboxed"
 * (a processor file in child processes) or "memlimits" (memlimits/bullmq on
 * a WorkerPool of 2 with memoryLimit 256 MiB). Prints one JSON line when it
 * is ready, then runs until killed. Arguments: setup, port, queue name.
 */
import { Worker } from "bullmq";
import { MiB, WorkerPool } from "../mod.ts";
import { processor } from "../src/bullmq/mod.ts";
import { mixed } from "../test/src/bullmq/fixtures/queue_tasks.ts";

const [setup, port, queueName] = process.argv.slice(-3);
const connection = { host: "127.0.0.1", port: Number(port) };
const SANDBOXED = new URL("./bullmq_bomb_processor.ts", import.meta.url);

let pool: WorkerPool | undefined;
if (setup === "memlimits") {
  pool = new WorkerPool(
    new URL("../test/src/bullmq/fixtures/queue_tasks.ts", import.meta.url),
    { size: 2, memoryLimit: 256 * MiB },
  );
  while (pool.idleCount < pool.size) {
    await new Promise((r) => setTimeout(r, 10));
  }
}
const worker = new Worker(
  queueName,
  setup === "in-process"
    ? (job) =>
      new Promise((resolve) =>
        resolve(mixed(job.data, {
          id: job.id,
          name: job.name,
          attemptsMade: job.attemptsMade,
        }))
      )
    : setup === "sandboxed"
    ? SANDBOXED
    : processor(pool!, "mixed", { timeout: 30_000 }),
  {
    connection,
    concurrency: 2,
    // Found stalled within seconds, not BullMQ's default 30 s.
    lockDuration: 5000,
    stalledInterval: 2000,
  },
);
worker.on("error", (e) => console.error(`consumer ${process.pid}: ${e}`));
await worker.waitUntilReady();
console.log(JSON.stringify({ ready: true, pid: process.pid }));
