/**
 * One "machine" of the queue test (queue_test.ts), run as a process of its
 * own: a WorkerPool on the test tasks and a BullMQ Worker that consumes the
 * queue through processor(). Prints one JSON line when it is ready, and one
 * with what it saw after "stop" arrives on its standard input (or that
 * input ends). Arguments: port, queue name, and the pool's and the jobs'
 * limits: processMemoryLimit, memoryLimit (bytes), timeout (ms).
 */
import { Worker } from "bullmq";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import { processor } from "../../../src/bullmq/mod.ts";
import { QUEUE_TASKS } from "./queue_helpers.ts";

const [port, queueName, processMemoryLimit, memoryLimit, timeout] = process
  .argv.slice(-5);
const pool = new WorkerPool(QUEUE_TASKS, {
  size: 2,
  memoryLimit: Number(memoryLimit),
  processMemoryLimit: Number(processMemoryLimit),
});
while (pool.idleCount < pool.size) {
  await new Promise((resolve) => setTimeout(resolve, 10));
}
const seen = { stalled: 0, processed: 0, errors: [] as string[] };
const worker = new Worker(
  queueName,
  processor(pool, "mixed", { timeout: Number(timeout) }),
  {
    connection: { host: "127.0.0.1", port: Number(port) },
    concurrency: pool.size,
    // A lock lost after 3 s and looked for every second: a consumer whose
    // event loop stalled (a task run in it) would lose its jobs to the other.
    lockDuration: 3000,
    stalledInterval: 1000,
  },
);
worker.on("stalled", () => seen.stalled++);
worker.on("completed", () => seen.processed++);
worker.on("failed", () => seen.processed++);
worker.on("error", (error) => seen.errors.push(String(error)));
await worker.waitUntilReady();
console.log(JSON.stringify({ ready: true, pid: process.pid }));

for await (const chunk of process.stdin) {
  if (String(chunk).includes("stop")) break;
}
const peakProcessBytes = pool.peakProcessBytes;
await worker.close();
await pool.close();
console.log(JSON.stringify({ ...seen, peakProcessBytes }));
