/**
 * The line a job's log gets for each run memlimits measured: one JSON
 * object, so that `memlimits observed --field peakMemory` (or cpuMs,
 * wallMs, allocated) reads a queue's history as it is.
 */
import type { LimitKind } from "../limit_exceeded.ts";
import type { PoolUsage } from "../usage.ts";

/** What a usage line starts with, and how it is told from a job's other log lines. */
export const USAGE_LINE_START = '{"memlimits":"usage",';

/**
 * One run's usage line: the job's attempts made before this run (0 on the
 * first, as the task saw it), how the run ended ("ok", or the kind of limit
 * that stopped it) and its usage.
 *
 * @example
 * ```ts
 * import { usageLine } from "./usage_line.ts";
 * const usage = { waitMs: 0.2, wallMs: 12.5, cpuMs: 11, peakMemory: 1048576 };
 * console.log(usageLine(0, "ok", usage));
 * // {"memlimits":"usage","attemptsMade":0,"outcome":"ok","waitMs":0.2,"wallMs":12.5,"cpuMs":11,"peakMemory":1048576}
 * ```
 */
export function usageLine(
  attemptsMade: number,
  outcome: "ok" | LimitKind,
  usage: PoolUsage,
): string {
  return JSON.stringify({
    memlimits: "usage",
    attemptsMade,
    outcome,
    ...usage,
  });
}

/** Whether a job's log line is a usage line. */
export function isUsageLine(line: string): boolean {
  return line.startsWith(USAGE_LINE_START);
}
