/**
 * A worker process as the pool uses it: the process (spawn/worker_process.ts)
 * and what the pool keeps of it: its watch slot, the jobs it runs, and what
 * its tasks were charged. spawn/ knows the process only.
 */
import type { Job } from "./job.ts";
import { WorkerProcess } from "./spawn/worker_process.ts";

export class PoolWorker extends WorkerProcess {
  /** The pool's watch slot for this worker (-1: none). */
  slot = -1;
  /** The job it runs (the pool's view: until it read that job's result). */
  current: Job | undefined;
  /** The jobs sent ahead of `current` (queue/ahead.ts), in order, until the pool moves on to each. */
  ahead: Job[] = [];
  /** Replace the worker once its current job settles (it kept too much memory). */
  retireAfterJob = false;
  /** Tasks sent to this worker so far. */
  tasksRun = 0;
  /** Resident bytes above `freshBytes` when its last task under memory limits ended. */
  keptBytes = 0;
  /** Whether `keptBytes` was read (else it is an upper bound: the task's peak). */
  keptExact = true;
}
