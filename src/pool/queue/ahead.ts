/**
 * Runs sent ahead: while a worker runs one job, the pool may send it the
 * next ones (AHEAD_DEPTH at most), which the worker starts in turn as soon
 * as it has sent the result of the one before, without waiting for the
 * host's answer (a round trip of 50 to 100 µs, bench/RESULTS.md "A run sent
 * ahead"). The worker shows each job's tag
 * in its run beacon (wire/run_beacon.ts) when it starts it: the watchdog,
 * which reads it, watches the job from then on (watch_slots.ts `advance`),
 * whatever the host's main thread is doing, and if the worker dies the pool
 * reads it to tell whether the job may have run.
 *
 * Only where nothing has to tell the two jobs apart before the host reads
 * the first one's result: no AbortSignal (a job sent ahead cannot be
 * stopped without its worker), no `cpuLimit` or allocation limit, the same
 * memory limit, a pool without `processMemoryLimit` or `minAvailableMemory`
 * (their verdicts are on the whole tree), and a worker that
 * `maxTasksPerWorker` will not retire after the first job.
 */
import type { Job } from "../job.ts";
import type { PoolWorker } from "../pool_worker.ts";

/**
 * Runs a worker holds ahead of the one it runs, at most. With one, a
 * worker whose host was slow to answer (on 2 cores busy with 2 workers:
 * 3 runs of 4) still finished its run before the next one came, and waited
 * for it; with two it seldom does (bench/RESULTS.md "Two runs ahead").
 */
export const AHEAD_DEPTH = 2;

/** What the pool allows of runs sent ahead. */
export interface AheadRules {
  /** Whether the pool's limits allow them at all (see the module's comment). */
  allowed: boolean;
  /** Tasks a worker runs before it is replaced. */
  maxTasksPerWorker: number;
}

/**
 * Whether `next` may be sent to `worker`, which runs `running` and holds the
 * runs `worker.ahead` after it.
 * `nextWatched`: the watchdog would watch `next` (it has limits).
 */
export function maySendAhead(
  rules: AheadRules,
  worker: PoolWorker,
  running: Job,
  next: Job,
  nextWatched: boolean,
): boolean {
  return rules.allowed && worker.beacon !== undefined &&
    worker.ahead.length < AHEAD_DEPTH &&
    !worker.retireAfterJob &&
    worker.tasksRun + 1 <= rules.maxTasksPerWorker &&
    plain(running) && plain(next) &&
    // The watchdog watches each with the running job's memory limit.
    running.memoryLimit === next.memoryLimit &&
    // The watchdog moves on to `next` only from a job it watches.
    (running.armed || !nextWatched);
}

/** No limit or signal that needs the job told apart from its neighbour. */
function plain(job: Job): boolean {
  return job.signal === undefined && job.cpuLimit === undefined &&
    job.allocationLimit === undefined;
}

/** A tag for a job sent ahead: random, never 0 (a new beacon's value), exact as a Float64. */
export function newTag(): number {
  return 1 + Math.floor(Math.random() * 2 ** 52);
}
