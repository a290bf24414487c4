/** `limitAllocations`: a bound on the bytes allocated while a task is pending, a measure of work. */
import {
  check,
  read,
  requireStarted,
  unwatch,
  watch,
} from "../engine/engine.ts";
import type { AllocationWatch } from "../engine/watches.ts";
import { ALLOCATIONS_UNSUPPORTED, currentMeter } from "../meters/mod.ts";
import type { Task } from "../result.ts";
import type { UsageResult } from "../usage.ts";
import { runLimited } from "./run_limited.ts";
import {
  type AcceptedKeys,
  checkBytes,
  checkOptions,
  checkTask,
} from "./validate.ts";

/**
 * Options of `limitAllocations`.
 *
 * @example
 * ```ts
 * import { type AllocationLimitOptions, MiB } from "memlimits";
 * const options: AllocationLimitOptions = { limit: 100 * MiB };
 * ```
 */
export interface AllocationLimitOptions {
  /** Bytes the task may allocate (deallocations are not subtracted). */
  limit: number;
}

const ALLOCATION_LIMIT_KEYS: AcceptedKeys<AllocationLimitOptions> = {
  limit: true,
};

/**
 * The result of `limitAllocations`: the task's result, its usage, and the
 * bytes counted while it was pending (`allocated`, the same number as
 * `usage.allocated`).
 *
 * @example
 * ```ts
 * import type { AllocationResult } from "memlimits";
 * const r: AllocationResult<number> = {
 *   ok: true,
 *   value: 1,
 *   allocated: 4096,
 *   usage: { wallMs: 0.1, allocated: 4096 },
 * };
 * ```
 */
export type AllocationResult<T> = UsageResult<T> & { allocated: number };

/**
 * Runs `task` and interrupts it once the thread has allocated more than
 * `limit` bytes since the task started (allocations of concurrent tasks of
 * the same thread count too; see docs/limits.md). The result is
 * `{ ok: false }` if and only if the limit was reached; `allocated` is the
 * count when the task settled, also given in `usage` with the task's time.
 * The limit is checked by the sampling engine, at sampled `checkpoint()`
 * calls, and when the task settles.
 *
 * Throws an Error if the engine is not started, or if the runtime has no
 * allocation counter (Bun 1.4.5: see docs/meters.md); a TypeError for a
 * wrong type or an unknown key of `options`, a RangeError for a limit that
 * is not a positive finite number.
 *
 * @example
 * ```ts
 * import { limitAllocations, MiB, start } from "memlimits";
 * using _engine = start();
 * const r = await limitAllocations(() => JSON.stringify(new Array(1e6).fill({ a: 1 })).length, {
 *   limit: 1 * MiB,
 * });
 * console.log(r.ok, r.allocated); // false, at least the 8 MB string
 * ```
 */
export function limitAllocations<T>(
  task: Task<T>,
  options: AllocationLimitOptions,
): Promise<AllocationResult<T>> {
  checkTask(task);
  const limit = checkBytes(
    "options.limit",
    checkOptions(options, false, ALLOCATION_LIMIT_KEYS, "limitAllocations")
      .limit,
  );
  requireStarted("limitAllocations");
  const meter = currentMeter();
  if (!meter.countsAllocations) throw new Error(ALLOCATIONS_UNSUPPORTED);

  let w: AllocationWatch | undefined;
  let allocated = 0;
  return runLimited(task, {
    open(frame) {
      w = { kind: "allocations", frame, limit, start: meter.allocatedBytes() };
      watch(w);
    },
    settle() {
      allocated = read(w!);
      check(w!, allocated);
    },
    close() {
      if (w) unwatch(w);
    },
  }).then((result) => ({
    ...result,
    allocated,
    // The limit's own reading, so that the two counts agree.
    usage: { ...result.usage, allocated },
  }));
}
