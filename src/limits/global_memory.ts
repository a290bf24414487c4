/** `limitGlobalMemory` and `setGlobalMemoryLimit`: interrupt a task when the program's memory is too high. */
import {
  check,
  globalLimit,
  requireStarted,
  setGlobalLimit,
  unwatch,
  watch,
} from "../engine/engine.ts";
import type { MemoryMeasure, MemoryWatch } from "../engine/watches.ts";
import type { Task } from "../result.ts";
import type { UsageResult } from "../usage.ts";
import { runLimited } from "./run_limited.ts";
import {
  type AcceptedKeys,
  checkBytes,
  checkOptions,
  checkTask,
  describe,
} from "./validate.ts";

export type { MemoryMeasure } from "../engine/watches.ts";

/**
 * Options of `limitGlobalMemory`.
 *
 * @example
 * ```ts
 * import { type GlobalMemoryLimitOptions, GiB } from "memlimits";
 * const options: GlobalMemoryLimitOptions = { limit: 2 * GiB, measure: "heap" };
 * ```
 */
export interface GlobalMemoryLimitOptions {
  /** Bytes; defaults to the limit set with `setGlobalMemoryLimit`, read at each check. */
  limit?: number;
  /**
   * What "the program's memory" is: "resident" (default), the process's
   * resident set size; or "heap", this thread's JS heap plus its external
   * memory (ArrayBuffers). See docs/limits.md for why resident is the default.
   */
  measure?: MemoryMeasure;
}

/**
 * Sets the global memory limit, in bytes, used by `limitGlobalMemory` calls
 * that pass no `limit` (including the ones already pending).
 *
 * @example
 * ```ts
 * import { GiB, setGlobalMemoryLimit } from "memlimits";
 * setGlobalMemoryLimit(2 * GiB);
 * ```
 */
export function setGlobalMemoryLimit(bytes: number): void {
  setGlobalLimit(checkBytes("bytes", bytes));
}

const GLOBAL_MEMORY_LIMIT_KEYS: AcceptedKeys<GlobalMemoryLimitOptions> = {
  limit: true,
  measure: true,
};
const MEASURES: readonly string[] = [
  "resident",
  "heap",
] satisfies MemoryMeasure[];

/**
 * Runs `task` and interrupts it if the program's memory exceeds the limit
 * while it is pending (checked by the sampling engine, at sampled
 * checkpoints, when it starts and when it settles). The result is
 * `{ ok: false }` if and only if the limit was reached; every result carries
 * the task's `usage` (`wallMs`, and `allocated` where the runtime counts it).
 * Throws a TypeError for a wrong type or an unknown key of `options`, a
 * RangeError for a limit that is not a positive finite number or an unknown
 * measure.
 *
 * @example
 * ```ts
 * import { limitGlobalMemory, MiB, start } from "memlimits";
 * using _engine = start();
 * const r = await limitGlobalMemory(async (signal) => {
 *   const chunks = [];
 *   while (true) {
 *     signal.throwIfAborted(); // without it, the loop would go on after the interrupt
 *     chunks.push(new Uint8Array(16 * MiB).fill(1));
 *     await new Promise((resolve) => setTimeout(resolve, 1));
 *   }
 * }, { limit: 512 * MiB });
 * console.log(r.ok); // false
 * ```
 */
export function limitGlobalMemory<T>(
  task: Task<T>,
  options?: GlobalMemoryLimitOptions,
): Promise<UsageResult<T>> {
  checkTask(task);
  const opts = checkOptions(
    options,
    true,
    GLOBAL_MEMORY_LIMIT_KEYS,
    "limitGlobalMemory",
  );
  const limit = opts.limit === undefined
    ? undefined
    : checkBytes("options.limit", opts.limit);
  const measure = opts.measure === undefined ? "resident" : opts.measure;
  if (typeof measure !== "string") {
    throw new TypeError(
      `options.measure must be a string, "resident" or "heap", got ${
        describe(measure)
      }`,
    );
  }
  if (!MEASURES.includes(measure)) {
    throw new RangeError(
      `options.measure must be "resident" or "heap", got "${measure}"`,
    );
  }
  requireStarted("limitGlobalMemory");
  if (limit === undefined && globalLimit() === undefined) {
    throw new Error(
      "limitGlobalMemory() has no limit: pass options.limit or call setGlobalMemoryLimit() first",
    );
  }

  let w: MemoryWatch | undefined;
  return runLimited(task, {
    open(frame) {
      w = { kind: "memory", frame, limit, measure: measure as MemoryMeasure };
      watch(w);
      check(w);
    },
    settle() {
      check(w!);
    },
    close() {
      if (w) unwatch(w);
    },
  });
}
