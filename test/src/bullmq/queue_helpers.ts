/** Helpers shared by the BullMQ tests (not a test file). */
import { type Job, Queue, Worker } from "bullmq";
import type { RunLimits, WorkerPoolOptions } from "../../../mod.ts";
import { WorkerPool } from "../../../src/pool/worker_pool.ts";
import { processor, type ProcessorOptions } from "../../../src/bullmq/mod.ts";
import { startRedis } from "./redis_server.ts";

export const QUEUE_TASKS = new URL(
  "./fixtures/queue_tasks.ts",
  import.meta.url,
);

/** A queue on a Redis of its own, consumed by a BullMQ Worker through `processor()`. */
export interface QueueSetup {
  queue: Queue;
  worker: Worker;
  pool: WorkerPool;
  /** Every error the worker's jobs failed with (one per failed attempt), by job id. */
  errors: Map<string, Error[]>;
  /** What a Redis client takes to reach the queue's server. */
  connection: { host: string; port: number };
}

/**
 * Runs `body` with a fresh Redis, a `WorkerPool` on the test tasks, a queue
 * and a BullMQ Worker whose processor is `processor(pool, exportName,
 * limits, options)`; closes them all afterwards, whatever happens.
 */
export async function withQueue(
  config: {
    exportName: string;
    limits?: RunLimits;
    options?: ProcessorOptions;
    pool?: WorkerPoolOptions;
  },
  body: (setup: QueueSetup) => Promise<void>,
): Promise<void> {
  const redis = await startRedis();
  const pool = new WorkerPool(QUEUE_TASKS, { size: 1, ...config.pool });
  const queue = new Queue("test", { connection: redis.connection });
  const errors = new Map<string, Error[]>();
  let worker: Worker | undefined;
  try {
    worker = new Worker(
      "test",
      processor(pool, config.exportName, config.limits, config.options),
      { connection: redis.connection, concurrency: pool.size },
    );
    worker.on("failed", (job, error) => {
      const id = job?.id ?? "?";
      errors.set(id, [...errors.get(id) ?? [], error]);
    });
    await body({
      queue,
      worker,
      pool,
      errors,
      connection: redis.connection,
    });
  } finally {
    await worker?.close();
    await pool.close();
    await queue.close();
    await redis.stop();
  }
}

/**
 * The job `id` once it completed or failed for good, read back from Redis
 * (polled every 20 ms); rejects after `ms`.
 */
export async function finished(
  queue: Queue,
  id: string,
  ms = 30_000,
): Promise<Job> {
  const end = Date.now() + ms;
  for (;;) {
    const state = await queue.getJobState(id);
    if (state === "completed" || state === "failed") {
      return (await queue.getJob(id))!;
    }
    if (Date.now() > end) {
      throw new Error(`job ${id} is still ${state} after ${ms} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The job's log lines. */
export async function logsOf(queue: Queue, id: string): Promise<string[]> {
  return (await queue.getJobLogs(id)).logs;
}
