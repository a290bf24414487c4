/**
 * The options of `processor()` and the checks of its arguments, done when
 * the processor is made (before a BullMQ Worker takes a job): a TypeError or
 * RangeError naming the parameter.
 */
import type { LimitKind } from "../limit_exceeded.ts";
import {
  type AcceptedKeys,
  checkOptions,
  describe,
} from "../limits/validate.ts";
import { checkRun } from "../pool/check_options.ts";
import type { RunLimits } from "../pool/pool_options.ts";
import { WorkerPool } from "../pool/worker_pool.ts";

/**
 * Options of `processor()`.
 *
 * @example
 * ```ts
 * import type { ProcessorOptions } from "memlimits/bullmq";
 * // a job that ran out of time is retried per its `attempts`
 * const options: ProcessorOptions = { retry: ["timeout"] };
 * ```
 */
export interface ProcessorOptions {
  /**
   * The limit kinds whose jobs BullMQ retries (per the job's `attempts`), as
   * ordinary failures. A job stopped by any other limit fails at once with
   * an `UnrecoverableError`. Default: none.
   */
  retry?: readonly LimitKind[];
  /**
   * Whether each run's usage is written to its job's log, for `memlimits
   * observed` (default: true). A line is one Redis script call per job: with
   * Redis, the consumer and the workers on one 2-core machine, 1 ms jobs went
   * 1.06 × as fast without it (bench/RESULTS.md). Without it the queue keeps
   * no history of its jobs' usage.
   */
  usageLog?: boolean;
}

const OPTION_KEYS: AcceptedKeys<ProcessorOptions> = {
  retry: true,
  usageLog: true,
};

const LIMIT_KINDS: readonly LimitKind[] = [
  "memory",
  "allocations",
  "token",
  "timeout",
  "cpu",
];

/** `processor()`'s arguments, checked. */
export interface CheckedProcessor {
  limits: RunLimits;
  retry: ReadonlySet<LimitKind>;
  usageLog: boolean;
}

/** Checks `processor(pool, exportName, limits, options)`'s arguments. */
export function checkProcessor(
  pool: unknown,
  exportName: unknown,
  limits: unknown,
  options: unknown,
): CheckedProcessor {
  if (!(pool instanceof WorkerPool)) {
    throw new TypeError(`pool must be a WorkerPool, got ${describe(pool)}`);
  }
  if (exportName === "") {
    throw new RangeError(
      'exportName must be the name of a function the task module exports, got ""',
    );
  }
  // The same checks as every run's: a bad limit fails here, not per job.
  const given = limits === undefined ? {} : limits;
  checkRun(exportName, [], given, undefined);
  const o = checkOptions(options, true, OPTION_KEYS, "processor");
  if (o.usageLog !== undefined && typeof o.usageLog !== "boolean") {
    throw new TypeError(
      `options.usageLog must be a boolean, got ${describe(o.usageLog)}`,
    );
  }
  return {
    limits: given as RunLimits,
    retry: checkRetry(o.retry),
    usageLog: o.usageLog !== false,
  };
}

function checkRetry(retry: unknown): ReadonlySet<LimitKind> {
  if (retry === undefined) return new Set();
  const kinds = LIMIT_KINDS.map((k) => `"${k}"`).join(", ");
  if (!Array.isArray(retry)) {
    throw new TypeError(
      `options.retry must be an array of limit kinds (${kinds}), got ${
        describe(retry)
      }`,
    );
  }
  for (const [i, kind] of retry.entries()) {
    if (typeof kind !== "string") {
      throw new TypeError(
        `options.retry[${i}] must be a limit kind (${kinds}), got ${
          describe(kind)
        }`,
      );
    }
    if (!(LIMIT_KINDS as readonly string[]).includes(kind)) {
      throw new RangeError(
        `options.retry[${i}] must be a limit kind (${kinds}), got "${kind}"`,
      );
    }
  }
  return new Set(retry);
}
