/**
 * `processor()`: a BullMQ processor that runs each job in a `WorkerPool`'s
 * worker processes under memlimits' limits. The BullMQ Worker's own process
 * never runs task code, so its lock renewal and event loop stay free however
 * heavy the jobs are, and a job that takes too much is stopped alone.
 */
import { UnrecoverableError } from "bullmq";
import { LimitExceeded, type LimitKind } from "../limit_exceeded.ts";
import type { RunLimits } from "../pool/pool_options.ts";
import type { WorkerPool } from "../pool/worker_pool.ts";
import { limitMessage } from "./limit_message.ts";
import { checkProcessor, type ProcessorOptions } from "./processor_options.ts";
import { QueueConnection } from "./queue_connection.ts";
import { usageLine } from "./usage_line.ts";

/**
 * What a task run by {@linkcode processor} gets after the job's data: the
 * job's id and name, and how many of its attempts were made before this one
 * (0 on the first).
 *
 * @example
 * ```ts
 * import type { JobInfo } from "memlimits/bullmq";
 * // tasks.ts, the pool's task module:
 * export function resize(data: { url: string }, job: JobInfo) {
 *   return `${job.name} ${job.id}: ${data.url} (attempt ${job.attemptsMade + 1})`;
 * }
 * ```
 */
export interface JobInfo {
  /** The job's id (BullMQ gives every job one once it is in a queue). */
  id: string | undefined;
  /** The job's name. */
  name: string;
  /** Attempts made before this one: 0 on the first. */
  attemptsMade: number;
}

/**
 * The parts of a BullMQ `Job` that a processor made by {@linkcode processor}
 * reads and writes (a BullMQ `Job` has them all).
 *
 * @example
 * ```ts
 * import type { QueueJob } from "memlimits/bullmq";
 * const job: QueueJob<{ url: string }> = {
 *   id: "1",
 *   name: "resize",
 *   data: { url: "https://example.com/a.png" },
 *   attemptsMade: 0,
 *   log: async (line) => console.log(line),
 * };
 * ```
 */
export interface QueueJob<Data = unknown> {
  /** The job's id. */
  id?: string;
  /** The job's name. */
  name: string;
  /** The job's data: the task's first argument. */
  data: Data;
  /** Attempts made before this one: 0 on the first. */
  attemptsMade: number;
  /** Adds a line to the job's log. */
  log(line: string): Promise<unknown>;
}

/**
 * What {@linkcode processor} returns: a BullMQ processor function, for a
 * BullMQ `Worker`. Its third parameter is the `AbortSignal` BullMQ gives
 * processors that take one.
 *
 * @example
 * ```ts
 * import type { QueueProcessor } from "memlimits/bullmq";
 * const echo: QueueProcessor<string, string> = async (job) => job.data;
 * ```
 */
export type QueueProcessor<Data = unknown, Value = unknown> = (
  job: QueueJob<Data>,
  token?: string,
  signal?: AbortSignal,
) => Promise<Value>;

/**
 * A BullMQ processor that runs the export `exportName` of `pool`'s task
 * module with `(job.data, { id, name, attemptsMade })` under `limits`, in
 * one of the pool's worker processes. Give it to a BullMQ `Worker` whose
 * `concurrency` is at most `pool.size` (more would only queue in the pool
 * while BullMQ counts the jobs as active). For each job it:
 *
 * - resolves with the task's value (BullMQ stores it as the job's return
 *   value);
 * - when a limit stops the task, throws BullMQ's `UnrecoverableError`, so
 *   that BullMQ fails the job at once instead of retrying a job that would
 *   only fail again; its message names the limit kind, the limit and what
 *   was observed ("memlimits stopped the job: memory limit of 256 MiB
 *   exceeded (observed 270.4 MiB)"), its `cause` is the `LimitExceeded`.
 *   The kinds in `options.retry` throw an ordinary Error instead (same
 *   message and cause), retried per the job's `attempts`;
 * - when the task throws, rethrows its error (retried per `attempts`);
 * - writes the run's usage to the job's log as one JSON line, for
 *   `memlimits observed` (see {@linkcode usageLines}), sent just ahead of
 *   the job's completion and in the same write where BullMQ's client is
 *   ioredis (awaited only for a Worker's first job); a run whose
 *   task threw has no usage and writes none; `options.usageLog: false`
 *   writes none at all;
 * - when BullMQ cancels the job (`worker.cancelJob(id)`: the processor's
 *   `AbortSignal`), stops the run: kind "token", like any other limit.
 *
 * Throws a TypeError or RangeError naming a bad argument when it is made.
 * A `limits.memoryLimit` above the pool's `memoryLimit` cannot be told here:
 * each job fails with the pool's RangeError.
 *
 * @example
 * ```ts
 * import { Worker } from "bullmq";
 * import { MiB, WorkerPool } from "memlimits";
 * import { processor } from "memlimits/bullmq";
 *
 * // tasks.ts: export function resize(data: { url: string }) { ... }
 * const pool = new WorkerPool(new URL("./tasks.ts", import.meta.url), {
 *   size: 4,
 *   memoryLimit: 512 * MiB,
 * });
 * const worker = new Worker(
 *   "images",
 *   processor(pool, "resize", { timeout: 30_000 }, { retry: ["timeout"] }),
 *   { connection: { host: "localhost", port: 6379 }, concurrency: pool.size },
 * );
 * // on shutdown: the BullMQ worker first, so that no job is left running
 * await worker.close();
 * await pool.close();
 * ```
 */
export function processor<Data = unknown, Value = unknown>(
  pool: WorkerPool,
  exportName: string,
  limits?: RunLimits,
  options?: ProcessorOptions,
): QueueProcessor<Data, Value> {
  const checked = checkProcessor(pool, exportName, limits, options);
  const withSignal = signalJoiner(checked.limits);
  // Three parameters: BullMQ gives a processor an AbortSignal only if its
  // `length` says it takes one.
  return async (job, _token, signal) => {
    const info: JobInfo = {
      id: job.id,
      name: job.name,
      attemptsMade: job.attemptsMade,
    };
    const result = await pool.run<Value>(
      exportName,
      [job.data, info],
      withSignal(signal),
    );
    if (checked.usageLog) {
      const outcome = result.ok ? "ok" : kindOf(result.error);
      await writeUsage(
        job,
        usageLine(job.attemptsMade, outcome, result.usage),
      );
    }
    if (result.ok) return result.value;
    throw failure(result.error as LimitExceeded, checked.retry);
  };
}

/**
 * The queues (BullMQ's `job.queue`: the Worker, with its connection) whose
 * Redis has run the log script, with their connection: through them, a
 * usage line is sent with the job's completion and not awaited.
 */
const loggedThrough = new WeakMap<object, QueueConnection>();

/**
 * Writes `line` to the job's log. BullMQ sends the log and then the job's
 * completion (moveToFinished) on one connection, so once Redis knows the
 * log script the line lands first without waiting for it (a Redis round
 * trip less per job: 1.10 x the jobs per second on Bun, bench/RESULTS.md),
 * and both leave in one write (`holdWritesForTick`: a Redis read less, 1.05
 * x). The first line through a queue is awaited: Redis may not know the
 * script yet, and a script sent again after Redis's NOSCRIPT reply (BullMQ's
 * adapter for Bun's RedisClient tries EVALSHA first) would land behind the
 * completion sent meanwhile (as after a SCRIPT FLUSH: such a line lands
 * just after its job's completion). A line that fails later is reported as
 * a process warning. BullMQ's `addLog` and `moveToFinished` each await the
 * client before sending; the log, started first, has fewer awaits to go.
 */
async function writeUsage(job: QueueJob, line: string): Promise<void> {
  const queue = (job as { queue?: unknown }).queue;
  const known = typeof queue === "object" && queue !== null;
  const connection = known ? loggedThrough.get(queue) : undefined;
  if (connection === undefined) {
    await job.log(line);
    if (known) loggedThrough.set(queue, await QueueConnection.of(queue));
    return;
  }
  connection.holdWritesForTick();
  job.log(line).catch((error) =>
    process.emitWarning(
      `memlimits/bullmq: the usage line of job ${job.id} was not written: ${
        (error as Error)?.message ?? error
      }`,
    )
  );
}

function kindOf(error: unknown): LimitKind {
  if (error instanceof LimitExceeded) return error.kind;
  throw error; // not a limit: the pool never answers so
}

/**
 * What makes each job's limits: `limits` with BullMQ's signal for the job
 * joined to the caller's own signal or token (taken apart once, here).
 */
function signalJoiner(
  limits: RunLimits,
): (signal?: AbortSignal) => RunLimits {
  const { token, signal: own, ...rest } = limits;
  const theirs = own ?? token?.signal;
  return (signal) => {
    if (signal === undefined) return limits;
    return {
      ...rest,
      signal: theirs === undefined ? signal : AbortSignal.any([signal, theirs]),
    };
  };
}

/** The error a job stopped by `limit` fails with. */
function failure(
  limit: LimitExceeded,
  retry: ReadonlySet<LimitKind>,
): Error {
  const message = limitMessage(limit);
  if (retry.has(limit.kind)) return new Error(message, { cause: limit });
  const error = new UnrecoverableError(message);
  // Its constructor takes no options; a cause as Error's own would be.
  Object.defineProperty(error, "cause", {
    value: limit,
    writable: true,
    configurable: true,
  });
  return error;
}
