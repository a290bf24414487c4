/**
 * How soon resident memory could reach a bound: what lets a worker's brake
 * (worker/brake.thread.ts) read a task far below its limit less often than
 * one near it, and still see it before it passes the limit.
 *
 * Memory becomes resident page by page, through faults that zero each page
 * (or through native code that populates a mapping, at about the same
 * speed): a core makes a bounded number of bytes resident per millisecond.
 * Measured here (bench/growth_rate.ts, 2 cores): 0.9 to 1.4 GiB/s for one
 * thread filling or touching fresh arrays, on Deno, Bun and Node alike. The
 * bound assumed is 8 GiB/s per core, above any of that with room for faster
 * machines and huge pages (zeroing runs at about that speed on one core),
 * times the cores this process may use: no task, with all its threads and
 * processes, can grow faster on this machine.
 */
import { availableParallelism } from "node:os";
import { GiB } from "../../units.ts";

/** Bytes one core can make resident per ms, at most (with margin: see above). */
const BYTES_PER_MS_PER_CORE = 8 * GiB / 1000;

/** Bytes all this machine's cores can make resident per ms, at most. */
export const MAX_GROWTH_PER_MS = BYTES_PER_MS_PER_CORE *
  availableParallelism();

/**
 * Milliseconds before memory now `headroom` bytes below a bound could
 * reach it, within `[minMs, maxMs]`: `minMs` once the headroom is gone.
 *
 * @example
 * ```ts
 * import { msToReach } from "./memory_growth.ts";
 * import { MiB } from "../../units.ts";
 * // A task 200 MiB below its limit: sampled again in a few ms, not in 1.
 * const waitMs = msToReach(200 * MiB, 1, 20);
 * ```
 */
export function msToReach(
  headroom: number,
  minMs: number,
  maxMs: number,
): number {
  const ms = headroom / MAX_GROWTH_PER_MS;
  // NaN (an unknown reading) waits the least.
  return ms >= maxMs ? maxMs : ms > minMs ? ms : minMs;
}
