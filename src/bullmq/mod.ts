/**
 * memlimits/bullmq: memlimits' limits on every job of a BullMQ queue. A
 * BullMQ `Worker` given {@linkcode processor} runs its jobs in a
 * `WorkerPool`'s worker processes: a job that takes too much memory, time or
 * CPU fails once, cleanly, with the limit that stopped it, while the
 * consumer process and its other jobs go on. BullMQ (6.7 or later) is an
 * optional peer dependency of memlimits: install it (and `ioredis`, which
 * BullMQ uses to connect) to use this module. See docs/bullmq.md.
 *
 * @example
 * ```ts
 * import { Worker } from "bullmq";
 * import { MiB, WorkerPool } from "memlimits";
 * import { processor } from "memlimits/bullmq";
 *
 * const pool = new WorkerPool(new URL("./tasks.ts", import.meta.url), {
 *   size: 2,
 *   memoryLimit: 256 * MiB,
 * });
 * const worker = new Worker("reports", processor(pool, "render"), {
 *   connection: { host: "localhost", port: 6379 },
 *   concurrency: pool.size,
 * });
 * ```
 *
 * @module
 */
export {
  type JobInfo,
  processor,
  type QueueJob,
  type QueueProcessor,
} from "./processor.ts";
export type { ProcessorOptions } from "./processor_options.ts";
export {
  type QueueJobState,
  type QueueLogs,
  usageLines,
} from "./usage_lines.ts";
