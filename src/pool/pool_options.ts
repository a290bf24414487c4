/**
 * The options of a `WorkerPool` and the limits of one run, as users write
 * them (checked in run_checks.ts).
 */
import type { Token } from "../token.ts";
import type { WorkerPermissions } from "./spawn/permissions.ts";

/**
 * Options of a `WorkerPool`.
 *
 * @example
 * ```ts
 * import { MiB, type WorkerPoolOptions } from "./mod.ts";
 * const options: WorkerPoolOptions = { size: 2, memoryLimit: 256 * MiB };
 * ```
 */
export interface WorkerPoolOptions {
  /** Worker processes kept warm. Default: the available parallelism. */
  size?: number;
  /**
   * Bytes of memory a task may add while it runs: the growth of its worker's
   * process tree (the worker and every process the task started) in
   * resident memory over the worker's fresh size, at its peak. Applies to
   * every run; a run may lower it, not raise it.
   */
  memoryLimit?: number;
  /**
   * Bytes of resident memory for the whole process: the host plus all its
   * workers and their descendants. When exceeded, every running task is
   * stopped with kind "memory".
   */
  processMemoryLimit?: number;
  /**
   * Bytes of the machine's available memory (`MemAvailable` in
   * /proc/meminfo) to keep: while tasks run and it is below this floor, the
   * watchdog stops the running task whose run saw it fall the most (else
   * the one with the largest tree), with a `LimitExceeded` of kind "memory"
   * whose message names the floor, one at a time until the floor holds
   * again. It catches what `memoryLimit` cannot see: files in tmpfs
   * (`/dev/shm`), the kernel's own memory. Linux; on Deno, a host run with -A.
   */
  minAvailableMemory?: number;
  /**
   * Milliseconds a worker may take to start and load the task module. A
   * worker not ready by then is killed (with every process it started);
   * while no worker of the pool can start, runs reject with an Error saying
   * the module did not finish loading within `startTimeout`. Default: 30 000.
   */
  startTimeout?: number;
  /**
   * Deno: the config file (deno.json or deno.jsonc; a path or a file: URL)
   * the workers run with, in place of the host's. Needed only where the
   * pool cannot find out the host's own (see docs/workers.md,
   * "Configuration and permissions on Deno"). Ignored on Bun.
   */
  denoConfig?: string | URL;
  /**
   * Deno and Node: the workers' permissions. `"inherit"` (the default): the
   * host's own; `"none"`; or an object in the shape of
   * `Deno.PermissionOptionsObject` whose entries may only narrow the host's
   * (a TypeError names an entry that would widen them). On Node, through its
   * permission model (`--permission`; see docs/workers.md). On Bun, which
   * has no permission model, anything but `"inherit"` is refused with a
   * TypeError.
   */
  permissions?: WorkerPermissions;
}

/**
 * Limits of one `WorkerPool.run`.
 *
 * @example
 * ```ts
 * import { MiB, type RunLimits } from "./mod.ts";
 * const limits: RunLimits = { memoryLimit: 64 * MiB, timeout: 1000 };
 * ```
 */
export interface RunLimits {
  /** Bytes the task's process tree may add while it runs; at most the pool's `memoryLimit`. */
  memoryLimit?: number;
  /**
   * Bytes the task may allocate, counted inside the worker (not on Bun, which
   * has no allocation counter). Enforced at the task's `checkpoint()` calls,
   * while it awaits, and when it settles: not preemptive for synchronous code.
   */
  allocationLimit?: number;
  /** Milliseconds the task may run, from the moment a worker starts it (queueing excluded). */
  timeout?: number;
  /**
   * Milliseconds of CPU time (user + system) the task's process tree may
   * use: the worker and every process the task starts. Preemptive on every
   * runtime (kind "cpu"); a task that awaits uses almost none. Needs /proc
   * (Linux), and on Deno a host run with -A.
   */
  cpuLimit?: number;
  /** Aborting it stops the task (kind "token"). */
  signal?: AbortSignal;
  /** Cancelling it stops the task (kind "token"). */
  token?: Token;
}
