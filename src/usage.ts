/**
 * What a task used: measured on every result, so that a limit can be chosen
 * from what runs really take (`memlimits observed`, docs/statistical.md).
 */
import { currentMeter } from "./meters/mod.ts";
import type { Result } from "./result.ts";

/**
 * Resources a task used while it was pending. In-thread limits
 * (`limitAllocations`, `limitGlobalMemory`, `limitWithToken`) give `wallMs`
 * and, where the runtime counts allocations, `allocated`; `WorkerPool.run`
 * results also give `cpuMs` and `peakMemory`. `allocated` is absent (never 0)
 * on a runtime without an allocation counter (Bun 1.4).
 *
 * @example
 * ```ts
 * import { limitWithToken, start, Token, type Usage } from "memlimits";
 * using _engine = start();
 * const r = await limitWithToken(() => "x".repeat(1000), { token: new Token() });
 * const usage: Usage = r.usage;
 * console.log(usage.wallMs, usage.allocated ?? "not counted on this runtime");
 * ```
 */
export interface Usage {
  /** Milliseconds from the start of the task to its settlement. */
  wallMs: number;
  /**
   * CPU time (user + system) of the task's worker process tree during the
   * run, in milliseconds. Pool results only.
   */
  cpuMs?: number;
  /**
   * Peak growth of the task's worker process tree's resident memory over its
   * fresh size, in bytes: the quantity `memoryLimit` is compared with. Pool
   * results only.
   */
  peakMemory?: number;
  /**
   * Bytes allocated while the task was pending (in the current thread: the
   * whole thread's allocations; see docs/limits.md). Absent where the runtime
   * has no allocation counter.
   */
  allocated?: number;
}

/**
 * A limit's result with the task's usage.
 *
 * @example
 * ```ts
 * import type { UsageResult } from "memlimits";
 * const r: UsageResult<number> = { ok: true, value: 1, usage: { wallMs: 0.2 } };
 * console.log(r.usage.wallMs);
 * ```
 */
export type UsageResult<T> = Result<T> & { usage: Usage };

/**
 * Starts measuring a task in the current thread; call the returned function
 * when it settles to get its `Usage`. Costs two clock readings and, where the
 * runtime counts allocations, two counter readings (about 1 µs each).
 */
export function measureUsage(): () => Usage {
  const meter = currentMeter();
  const counts = meter.countsAllocations;
  const startAllocated = counts ? meter.allocatedBytes() : 0;
  const started = performance.now();
  return () => {
    const wallMs = performance.now() - started;
    if (!counts) return { wallMs };
    return { wallMs, allocated: meter.allocatedBytes() - startAllocated };
  };
}

/**
 * The usage on every `WorkerPool.run` result: `cpuMs` and `peakMemory` are
 * always there (NaN only where the pool could not measure a task it stopped:
 * a Deno host without -A cannot read /proc; and in a "settled" event, for a
 * run that failed without a result: its worker crashed, the pool closed).
 *
 * @example
 * ```ts
 * import type { PoolUsage } from "memlimits";
 * const usage: PoolUsage = { waitMs: 0.1, wallMs: 12, cpuMs: 11.5, peakMemory: 2 ** 20 };
 * console.log(usage.peakMemory);
 * ```
 */
export interface PoolUsage extends Usage {
  /**
   * Milliseconds from the `run()` call to a worker starting the task: the
   * time it waited in the queue (for a run no worker started, the time it
   * waited until it settled).
   */
  waitMs: number;
  /**
   * CPU time (user + system) of the task's worker process tree during the
   * run, ms (of a run stopped by its signal, its only limit: read once at
   * the stop, to whole ticks of 10 ms, so up to 20 ms short).
   */
  cpuMs: number;
  /** Peak growth of the worker's tree over its fresh size, bytes: what `memoryLimit` is compared with. */
  peakMemory: number;
}

/**
 * A `WorkerPool.run` result: the task's result with its `PoolUsage`.
 *
 * @example
 * ```ts
 * import type { PoolResult } from "memlimits";
 * const r: PoolResult<number> = {
 *   ok: true,
 *   value: 3,
 *   usage: { waitMs: 0, wallMs: 0.3, cpuMs: 0.2, peakMemory: 0 },
 * };
 * console.log(r.usage.cpuMs);
 * ```
 */
export type PoolResult<T> = Result<T> & { usage: PoolUsage };
