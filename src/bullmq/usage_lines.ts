/**
 * `usageLines()`: the usage lines `processor()` wrote to a queue's job logs,
 * read back out of Redis, for `memlimits observed`.
 */
import { isUsageLine } from "./usage_line.ts";

/**
 * A BullMQ job state.
 *
 * @example
 * ```ts
 * import type { QueueJobState } from "memlimits/bullmq";
 * const states: QueueJobState[] = ["completed", "failed"];
 * ```
 */
export type QueueJobState =
  | "completed"
  | "failed"
  | "active"
  | "delayed"
  | "prioritized"
  | "waiting"
  | "waiting-children";

/**
 * The parts of a BullMQ `Queue` that {@linkcode usageLines} reads (a BullMQ
 * `Queue` has them all).
 *
 * @example
 * ```ts
 * import type { QueueLogs } from "memlimits/bullmq";
 * import { Queue } from "bullmq";
 * const queue: QueueLogs = new Queue("images", { connection: { host: "localhost" } });
 * ```
 */
export interface QueueLogs {
  /** Jobs in `types` (job states), from `start` to `end` (inclusive), oldest first if `asc`. */
  getJobs(
    types: QueueJobState[],
    start: number,
    end: number,
    asc: boolean,
  ): Promise<({ id?: string } | undefined)[]>;
  /** The log lines of the job `jobId`, from `start` to `end` (inclusive), oldest first if `asc`. */
  getJobLogs(
    jobId: string,
    start: number,
    end: number,
    asc: boolean,
  ): Promise<{ logs: string[] }>;
}

/** Jobs and log lines asked of Redis at a time. */
const PAGE = 200;

/**
 * Yields the usage line of every run `processor()` measured in the jobs of
 * `queue` in `states` (default: completed and failed), oldest job first:
 * one JSON object per line, with `attemptsMade`, `outcome` ("ok" or the
 * kind of limit that stopped the run) and the run's `wallMs`, `cpuMs`,
 * `peakMemory` and (where counted) `allocated`. Written to a file, they are
 * what `memlimits observed --from FILE --field peakMemory` reads. Jobs that
 * BullMQ removed (`removeOnComplete`, `removeOnFail`) took their logs along.
 *
 * @example
 * ```ts
 * import { Queue } from "bullmq";
 * import { usageLines } from "memlimits/bullmq";
 * const queue = new Queue("images", { connection: { host: "localhost" } });
 * for await (const line of usageLines(queue)) console.log(line);
 * await queue.close();
 * ```
 */
export async function* usageLines(
  queue: QueueLogs,
  states: readonly QueueJobState[] = ["completed", "failed"],
): AsyncGenerator<string> {
  for (let start = 0;; start += PAGE) {
    const jobs = await queue.getJobs(
      [...states],
      start,
      start + PAGE - 1,
      true,
    );
    for (const job of jobs) {
      if (job?.id === undefined) continue; // removed meanwhile
      yield* jobUsageLines(queue, job.id);
    }
    if (jobs.length < PAGE) return;
  }
}

async function* jobUsageLines(
  queue: QueueLogs,
  id: string,
): AsyncGenerator<string> {
  for (let start = 0;; start += PAGE) {
    const { logs } = await queue.getJobLogs(id, start, start + PAGE - 1, true);
    yield* logs.filter(isUsageLine);
    if (logs.length < PAGE) return;
  }
}
