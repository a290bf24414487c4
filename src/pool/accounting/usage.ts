/**
 * The `usage` of a pool result, put together from where it was measured: the
 * worker's own readings (a task that settled), the watchdog's (a task it
 * stopped at a limit), or the main thread's view (a task stopped there: a
 * token, a heap-cap exit). Peaks are made relative to the worker's fresh
 * size, the quantity `memoryLimit` is compared with.
 */
import { formatBytes } from "../../format.ts";
import { LimitExceeded } from "../../limit_exceeded.ts";
import type { PoolResult, PoolUsage } from "../../usage.ts";
import type { WorkerUsage } from "../wire/messages.ts";
import { VerdictKind, type VerdictWithUsage } from "../watchdog/watch_slots.ts";

/** The usage of a run that never started (stopped while queued). */
export function notRun(): PoolUsage {
  return { waitMs: 0, wallMs: 0, cpuMs: 0, peakMemory: 0 };
}

/** Growth of a tree at `peak` bytes over its worker's `freshBytes` (NaN: not measured). */
function growth(peak: number, freshBytes: number): number {
  return peak > 0 ? Math.max(0, peak - freshBytes) : NaN;
}

/** A verdict of the watchdog as the run's result. */
export function verdictResult(
  verdict: VerdictWithUsage,
  freshBytes: number,
): PoolResult<never> {
  const kind = verdict.kind === VerdictKind.Timeout
    ? "timeout"
    : verdict.kind === VerdictKind.Cpu
    ? "cpu"
    : "memory";
  const machine = verdict.kind === VerdictKind.MachineMemory;
  // At or above the floor: near it while the kernel stalled on memory.
  const how = verdict.observed < verdict.limit
    ? "fell below"
    : "neared, under memory pressure (/proc/pressure/memory),";
  const message = machine
    ? `the machine's available memory (${
      sizeInWords(verdict.observed)
    }) ${how} the pool's minAvailableMemory floor of ${
      sizeInWords(verdict.limit)
    }: this task was stopped (of the running tasks, the one whose run saw it fall the most)`
    : undefined;
  return {
    ok: false,
    error: new LimitExceeded(kind, verdict.limit, verdict.observed, {
      message,
    }),
    usage: {
      waitMs: 0, // the pool's to set
      wallMs: verdict.wallMs,
      cpuMs: verdict.cpuMs,
      peakMemory: growth(verdict.peak, freshBytes),
    },
  };
}

/**
 * The usage of a run the main thread stopped, `sentAt` (`performance.now()`)
 * being when it was sent: the watchdog's last readings of CPU and peak when
 * it watched the run, else NaN.
 */
export function stoppedUsage(
  sentAt: number,
  cpuMs: number,
  peak: number,
  freshBytes: number,
): PoolUsage {
  return {
    waitMs: 0, // the pool's to set
    wallMs: performance.now() - sentAt,
    cpuMs,
    peakMemory: growth(peak, freshBytes),
  };
}

/**
 * The usage of a task its worker settled: the worker's own measures, with
 * the CPU time of the descendants the watchdog saw (NaN: it did not watch),
 * and the tree's `peak`.
 */
export function settledUsage(
  measured: WorkerUsage,
  watchdogCpu: number,
  peak: number,
  freshBytes: number,
): PoolUsage {
  const usage: PoolUsage = {
    waitMs: 0, // the pool's to set
    wallMs: measured.wallMs,
    // Both are lower bounds: the worker's own (to the µs, with the
    // processes it waited for) and the watchdog's (with live descendants).
    cpuMs: Number.isNaN(watchdogCpu)
      ? measured.cpuMs
      : Math.max(measured.cpuMs, watchdogCpu),
    peakMemory: Math.max(0, peak - freshBytes),
  };
  if (measured.allocated !== undefined) usage.allocated = measured.allocated;
  return usage;
}

/** A size in binary units and in bytes: "21.96 GiB, 23579402240 bytes". */
function sizeInWords(bytes: number): string {
  const whole = Math.round(bytes);
  return `${formatBytes(whole, 2)}, ${whole} bytes`;
}
