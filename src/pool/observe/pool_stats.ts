/**
 * The figures of `WorkerPool.stats()`: runs by outcome, workers by why they
 * ended, the distributions of every run's usage (in fixed memory: see
 * histogram.ts), and how busy the workers were.
 */
import type { LimitKind } from "../../limit_exceeded.ts";
import type { PoolUsage } from "../../usage.ts";
import { type Distribution, Histogram } from "./histogram.ts";
import {
  type RunOutcome,
  WORKER_EXIT_REASONS,
  type WorkerExitReason,
} from "./pool_events.ts";

/**
 * What `WorkerPool.stats()` returns: every figure counts from the pool's
 * start.
 *
 * @example
 * ```ts
 * import type { PoolStats } from "memlimits";
 * const report = (s: PoolStats) =>
 *   `${s.runs.ok} ok, ${s.runs.memory} over memory; wall p99 ${s.wallMs.p99} ms`;
 * ```
 */
export interface PoolStats {
  /** Runs settled, by outcome (see `RunOutcome`); a `QueueFullError` is no run. */
  runs: Record<RunOutcome, number>;
  /** Worker processes started and ended since the pool started. */
  workers: {
    /** Worker processes started. */
    started: number;
    /** Worker processes ended, by reason. */
    ended: Record<WorkerExitReason, number>;
  };
  /** Of the runs a worker started: ms from `run()` to the start. */
  waitMs: Distribution;
  /** Of the runs a worker started: `usage.wallMs`. */
  wallMs: Distribution;
  /** Of the runs a worker started: `usage.cpuMs` (where it was measured). */
  cpuMs: Distribution;
  /** Of the runs a worker started: `usage.peakMemory`, bytes (where measured). */
  peakMemory: Distribution;
  /**
   * The share of the pool's capacity (`size` workers since it started)
   * spent running tasks: the sum of the runs' `wallMs` over `size` × ms
   * since the pool started, from 0 to 1.
   */
  utilization: number;
}

const LIMIT_KINDS: readonly LimitKind[] = [
  "memory",
  "allocations",
  "timeout",
  "cpu",
  "token",
];

/** Collects a pool's figures as its runs settle and its workers end. */
export class StatsRecorder {
  readonly #runs: Record<string, number> = { ok: 0, threw: 0, failed: 0 };
  readonly #ended: Record<string, number> = {};
  #started = 0;
  readonly #waitMs = new Histogram();
  readonly #wallMs = new Histogram();
  readonly #cpuMs = new Histogram();
  readonly #peakMemory = new Histogram();
  #busyMs = 0;
  readonly #since = performance.now();
  readonly #size: number;

  /** For a pool of `size` workers at most. */
  constructor(size: number) {
    this.#size = size;
    for (const kind of LIMIT_KINDS) this.#runs[kind] = 0;
    for (const reason of WORKER_EXIT_REASONS) this.#ended[reason] = 0;
  }

  /** A run settled with `outcome`; `started`: a worker started it. */
  settled(outcome: RunOutcome, usage: PoolUsage, started: boolean): void {
    this.#runs[outcome]++;
    if (!started) return;
    this.#waitMs.record(usage.waitMs);
    this.#wallMs.record(usage.wallMs);
    this.#cpuMs.record(usage.cpuMs);
    this.#peakMemory.record(usage.peakMemory);
    this.#busyMs += usage.wallMs;
  }

  /** A worker process started. */
  workerStarted(): void {
    this.#started++;
  }

  /** A worker process ended for `reason`. */
  workerEnded(reason: WorkerExitReason): void {
    this.#ended[reason]++;
  }

  /** The figures now. */
  stats(): PoolStats {
    const capacity = this.#size * (performance.now() - this.#since);
    return {
      runs: { ...this.#runs } as Record<RunOutcome, number>,
      workers: {
        started: this.#started,
        ended: { ...this.#ended } as Record<WorkerExitReason, number>,
      },
      waitMs: this.#waitMs.summary(),
      wallMs: this.#wallMs.summary(),
      cpuMs: this.#cpuMs.summary(),
      peakMemory: this.#peakMemory.summary(),
      utilization: capacity > 0 ? Math.min(1, this.#busyMs / capacity) : 0,
    };
  }
}
