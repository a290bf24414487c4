/**
 * What a worker may keep from earlier tasks and still run a task under a
 * memory limit: the pool replaces a worker that kept more (charge.ts), a
 * worker declines a run sent ahead while it holds more (queue/ahead.ts),
 * and so the watchdog knows how far below its limit a job starts
 * (watchdog/sample_times.ts).
 */
import { MiB } from "../../units.ts";

/**
 * Memory a worker may keep from earlier tasks and still run a task under
 * `memoryLimit` (which is charged for it): an eighth of the limit, at most
 * 16 MiB.
 *
 * @example
 * ```ts
 * import { keptAllowance } from "./kept_allowance.ts";
 * import { MiB } from "../../units.ts";
 * keptAllowance(256 * MiB); // 16 MiB
 * ```
 */
export function keptAllowance(memoryLimit: number): number {
  return Math.min(16 * MiB, memoryLimit / 8);
}
