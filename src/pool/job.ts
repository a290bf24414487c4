/**
 * A run of the pool from its `run()` call to its settlement: what it asks
 * for, where it runs, and how it is answered.
 */
import { LimitExceeded } from "../limit_exceeded.ts";
import { cancellation } from "../token.ts";
import type { PoolResult } from "../usage.ts";
import type { CheckedRun } from "./check_options.ts";
import type { PoolWorker } from "./pool_worker.ts";
import { keptAllowance } from "./accounting/kept_allowance.ts";
import type { WatchedJob } from "./watchdog/watch_slots.ts";
import type { RunMessage } from "./wire/messages.ts";

export interface Job extends CheckedRun {
  id: number;
  /** Random; the worker's answer must carry it (wire/messages.ts). */
  token: number;
  exportName: string;
  args: unknown[];
  resolve(result: PoolResult<unknown>): void;
  reject(error: Error): void;
  /** Its worker, once it was sent to one. */
  worker?: PoolWorker;
  /** Resident bytes its memory growth is counted from (accounting/charge.ts). */
  startBytes: number;
  /** Whether the watchdog watches it (it has a timeout, CPU or memory limits). */
  armed: boolean;
  /** `performance.now()` when it was sent to its worker. */
  sentAt: number;
  /** `performance.now()` when `run()` was called. */
  queuedAt: number;
  onAbort?: () => void;
  done: boolean;
  /** Its generation in its worker's watch slot, once armed (watch_slots.ts `generationOf`). */
  generation: number;
  /**
   * Sent ahead of its worker's running job (ahead.ts): the tag its worker
   * shows in its run beacon when it starts it; undefined otherwise.
   */
  tag?: number;
}

/** A new job, not yet queued. */
export function newJob(
  id: number,
  exportName: string,
  args: unknown[],
  checked: CheckedRun,
): Job {
  // Each field named, not spread: one object shape for every job, made
  // without copying `checked`'s keys one by one (a per-run cost).
  return {
    id,
    token: Math.floor(Math.random() * 2 ** 52),
    exportName,
    args,
    memoryLimit: checked.memoryLimit,
    allocationLimit: checked.allocationLimit,
    timeout: checked.timeout,
    cpuLimit: checked.cpuLimit,
    signal: checked.signal,
    resolve: () => {},
    reject: () => {},
    startBytes: 0,
    armed: false,
    sentAt: 0,
    queuedAt: performance.now(),
    done: false,
    generation: -1,
    tag: undefined,
  };
}

/**
 * The message that starts `job` on its worker. `watchesMemory`: memory
 * limits apply to it (its own or the pool's).
 */
export function runMessage(job: Job, watchesMemory: boolean): RunMessage {
  const worker = job.worker!;
  const message: RunMessage = {
    t: "run",
    id: job.id,
    token: job.token,
    exportName: job.exportName,
    args: job.args,
    allocationLimit: job.allocationLimit,
    peakAbove: job.memoryLimit === undefined || !worker.reportsPeaks
      ? Infinity
      : job.startBytes + job.memoryLimit,
    brakeAbove: watchesMemory && job.memoryLimit !== undefined
      ? worker.freshBytes + job.memoryLimit
      : undefined,
  };
  if (job.tag !== undefined) {
    message.tag = job.tag;
    if (job.memoryLimit !== undefined) {
      message.startBelow = worker.freshBytes + keptAllowance(job.memoryLimit);
    }
  }
  return message;
}

/** What the watchdog is told of `job`, armed on its worker. */
export function watchedJob(job: Job): WatchedJob {
  return {
    id: job.id,
    timeout: job.timeout,
    memoryLimit: job.memoryLimit,
    cpuLimit: job.cpuLimit,
    baseBytes: job.worker!.freshBytes,
    cpuStartMs: job.worker!.idleCpuMs,
  };
}

/** The `LimitExceeded` of a run whose signal aborted. */
export function tokenError(signal: AbortSignal): LimitExceeded {
  const reason = signal.reason;
  if (reason instanceof LimitExceeded && reason.kind === "token") return reason;
  return cancellation(reason);
}
