/**
 * What a task is charged, decided in one place from whichever evidence there
 * is: the watchdog's verdict (it stopped the task first), the peak reported
 * when the task settled, an exit at V8's heap cap, or the pool's own stop (a
 * token). And the rule for replacing a worker that kept memory, so that the
 * next task's growth is its own. See docs/architecture.md.
 *
 * A task under `memoryLimit` is charged for its worker tree's growth over the
 * worker's fresh size (`startBytes`), so that memory it reuses from earlier
 * tasks' garbage still counts; the peaks in `usage` are counted from the
 * same size.
 */
import { LimitExceeded } from "../../limit_exceeded.ts";
import { MiB } from "../../units.ts";
import type { PoolResult, PoolUsage } from "../../usage.ts";
import { descendantsOf, peakBytesOf } from "../linux/process_tree.ts";
import type { WorkerExit } from "../spawn/worker_process.ts";
import type { PoolWorker } from "../pool_worker.ts";
import { isHeapCapExit } from "../spawn/command_line.ts";
import type { WorkerMessage } from "../wire/messages.ts";
import type { WatchReadings } from "../watchdog/watchdog.ts";
import { notRun, settledUsage, stoppedUsage, verdictResult } from "./usage.ts";
import { keptAllowance } from "./kept_allowance.ts";

/** What the charge needs to know of a run. */
export interface ChargedRun {
  /** The run's own memory limit, if any. */
  memoryLimit?: number;
  /** Resident bytes its growth is counted from (its worker's fresh size). */
  startBytes: number;
  /** `performance.now()` when it was sent to its worker. */
  sentAt: number;
  /** Its worker, once it was sent to one. */
  worker?: PoolWorker;
}

/** A run its worker settled, as charged. */
export interface Settlement {
  /** A limit's result (the run is then stopped and its worker replaced); else the run settles as the worker said. */
  limit?: PoolResult<never>;
  /** The run's usage, when it settles as the worker said. */
  usage: PoolUsage;
  /** Whether the worker must be replaced (the task left processes running). */
  replace: boolean;
  /** What the worker holds now (bytes > 0 when known): exactly, or an upper bound. */
  kept: { bytes: number; exact: boolean };
}

/**
 * A run this thread stops (a token, or the watchdog's word that it did):
 * `{ ok: false }` with `error`, or the watchdog's verdict if it stopped the
 * run first.
 */
export function chargeStopped(
  run: ChargedRun,
  watch: WatchReadings,
  error: LimitExceeded,
): PoolResult<never> {
  if (watch.verdict) return verdictResult(watch.verdict, freshBytes(run));
  return { ok: false, error, usage: usageWhenStopped(run, watch) };
}

/**
 * A worker exited while running `run`, unasked: the watchdog's verdict if it
 * killed it, a memory limit if V8 stopped it at its heap cap (set above the
 * limit: Deno, Node), or undefined for a crash (no limit was reached).
 * `limit` is the run's memory limit or, without one, the pool's process limit.
 */
export function chargeExit(
  run: ChargedRun,
  watch: WatchReadings,
  exit: WorkerExit,
  limit: number | undefined,
): PoolResult<never> | undefined {
  if (watch.verdict) return verdictResult(watch.verdict, freshBytes(run));
  if (!isHeapCapExit(exit) || limit === undefined) return undefined;
  const observed = Math.max(0, watch.peak - run.startBytes);
  return {
    ok: false,
    error: new LimitExceeded("memory", limit, observed),
    usage: usageWhenStopped(run, watch),
  };
}

/**
 * A run its worker settled (a value, an exception, or a limit the worker's
 * engine reached). Memory is checked here too, against the peak since the
 * task started: a task may cross its limit between two of the watchdog's
 * samples and then give the memory back and return. `watchesMemory`: the
 * run has memory limits of its own or the pool's.
 */
export function chargeSettled(
  run: ChargedRun,
  watch: WatchReadings,
  message: WorkerMessage & { t: "value" | "threw" | "limit" },
  watchesMemory: boolean,
): Settlement {
  const worker = run.worker!;
  const usage = (peak: number): PoolUsage =>
    settledUsage(message.usage, watch.cpuMs, peak, worker.freshBytes);
  const stop = (limit: PoolResult<never>): Settlement => ({
    limit,
    usage: limit.usage,
    replace: true,
    kept: { bytes: 0, exact: false },
  });
  if (watch.verdict) return stop(verdictResult(watch.verdict, freshBytes(run)));
  const reportedPeak = message.usage.peak ?? 0;
  if (message.t === "limit") {
    // The engine interrupted the task in the worker; an async task may still
    // have work pending there, so the worker is replaced.
    return stop({
      ok: false,
      error: new LimitExceeded(message.kind, message.limit, message.observed),
      usage: usage(Math.max(watch.peak, reportedPeak)),
    });
  }
  // The worker's own peak bounds what it holds now and spares a /proc read
  // on this thread; without it, one reading serves the check and the
  // replacement rule.
  const resident = watchesMemory && !worker.reportsPeaks
    ? worker.residentBytes() ?? 0
    : 0;
  let peak = Math.max(watch.peak, resident, reportedPeak);
  const leftProcesses = watch.descendants > 0;
  if (run.memoryLimit !== undefined) {
    if (leftProcesses) peak = Math.max(peak, treePeak(worker));
    const growth = peak - run.startBytes;
    if (growth > run.memoryLimit) {
      return stop({
        ok: false,
        error: new LimitExceeded("memory", run.memoryLimit, growth),
        usage: usage(peak),
      });
    }
  }
  return {
    usage: usage(peak),
    // Processes the task left running would be charged to the next task.
    replace: leftProcesses,
    kept: resident > 0
      ? { bytes: resident, exact: true }
      : { bytes: watchesMemory ? reportedPeak : 0, exact: false },
  };
}

/** The fresh size of the run's worker: usage's peaks are counted from it. */
function freshBytes(run: ChargedRun): number {
  return run.worker?.freshBytes ?? 0;
}

/** The usage of a run stopped by the pool (not by its worker). */
function usageWhenStopped(run: ChargedRun, watch: WatchReadings): PoolUsage {
  if (!run.worker) return notRun();
  return stoppedUsage(run.sentAt, watch.cpuMs, watch.peak, freshBytes(run));
}

/** The worker's peak plus the peaks of its live descendants (an upper bound of the tree's peak). */
function treePeak(worker: PoolWorker): number {
  let total = peakBytesOf(worker.pid) ?? 0;
  for (const pid of descendantsOf(worker.pid)) total += peakBytesOf(pid) ?? 0;
  return total;
}

/** Growth of an idle worker's memory over its fresh size after which it is replaced. */
const REPLACE_ABOVE_BYTES = 64 * MiB;

/** Reads how much `worker` kept over its fresh size (an upper bound was known). */
function measureKept(worker: PoolWorker): void {
  const resident = worker.residentBytes();
  if (resident === undefined) return;
  worker.keptBytes = resident - worker.freshBytes;
  worker.keptExact = true;
}

/**
 * A task of `worker` settled with `kept` (see `Settlement.kept`): records
 * it, and tells whether the worker kept so much that it must be replaced.
 */
export function keptTooMuch(
  worker: PoolWorker,
  kept: { bytes: number; exact: boolean },
): boolean {
  if (kept.bytes > 0) {
    worker.keptBytes = kept.bytes - worker.freshBytes;
    worker.keptExact = kept.exact;
  }
  if (worker.keptBytes > REPLACE_ABOVE_BYTES && !worker.keptExact) {
    measureKept(worker);
  }
  return worker.keptBytes > REPLACE_ABOVE_BYTES;
}

/**
 * Whether `worker` must be replaced before it runs a task under
 * `memoryLimit`: the task would be charged for more than the allowance of
 * what earlier tasks left behind.
 */
export function keepsTooMuchFor(
  worker: PoolWorker,
  memoryLimit: number,
): boolean {
  const allowance = keptAllowance(memoryLimit);
  if (worker.keptBytes > allowance && !worker.keptExact) measureKept(worker);
  return worker.tasksRun > 0 && worker.keptBytes > allowance;
}
