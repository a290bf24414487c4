/**
 * The options of a `WorkerPool` and the limits of one run, as users write
 * them (checked in check_options.ts).
 */
import type { Token } from "../token.ts";
import type { WorkerPermissions } from "./spawn/permissions.ts";

/**
 * Options of a `WorkerPool`.
 *
 * @example
 * ```ts
 * import { GiB, MiB, WorkerPool, type WorkerPoolOptions } from "memlimits";
 *
 * const options: WorkerPoolOptions = {
 *   size: 4,
 *   memoryLimit: 256 * MiB, // per task: its process tree's growth
 *   processMemoryLimit: 2 * GiB, // the host plus every worker
 *   // Deno only (on Bun and Node, `permissions` may only be "inherit"):
 *   // the workers' config file, where the pool cannot find the host's,
 *   denoConfig: new URL("./deno.json", import.meta.url),
 *   // and permissions narrower than the host's (no write, env, run, ...).
 *   permissions: { read: ["./data"], net: ["127.0.0.1:8000"] },
 * };
 * await using pool = new WorkerPool(
 *   new URL("./tasks.ts", import.meta.url),
 *   options,
 * );
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
   * (`/dev/shm`), the kernel's own memory. Where /proc/pressure/memory can
   * be read, the floor also counts as reached when the available memory is
   * under 1.25 × the floor while every task waited for memory ("full" stall)
   * at least 10% of the last 50 ms: it is about to fall below. Linux; on
   * Deno, a host run with -A.
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
  /**
   * Runs that may wait for a worker. When that many wait, `run()` rejects
   * at once with a `QueueFullError` (nothing is queued or started for it);
   * the pool's `"drain"` event tells when the queue is empty again. An
   * integer from 0, or Infinity. Default: Infinity (unbounded).
   */
  maxQueue?: number;
  /**
   * Worker processes kept even when idle: the pool starts with this many and
   * starts more on demand, up to `size`; those above it exit once idle for
   * `idleTimeout` ms. An integer from 0 to `size`. Default: `size` (a fixed
   * pool).
   */
  minSize?: number;
  /**
   * Milliseconds a worker above `minSize` may stay idle before it exits
   * (reason "idle"). Default: Infinity (they stay). Needs no `minSize` when
   * `size` workers are kept: then it changes nothing.
   */
  idleTimeout?: number;
  /**
   * Tasks a worker runs before it is replaced by a fresh one (reason
   * "recycled"); 1 gives every task a fresh worker, so that nothing one
   * task left in its worker's module reaches the next. A positive integer,
   * or Infinity (the default).
   */
  maxTasksPerWorker?: number;
  /**
   * The workers' environment variables. Default: the host's (`process.env`
   * when the pool starts each worker). `{}` gives them none beyond what the
   * runtime needs to start (on Deno: `DENO_DIR`, `HOME` and
   * `XDG_CACHE_HOME`, where its module cache is, when the host has them).
   */
  env?: Record<string, string>;
}

/**
 * Options of `WorkerPool.close`.
 *
 * @example
 * ```ts
 * import type { CloseOptions } from "memlimits";
 * const graceful: CloseOptions = { timeout: 10_000 };
 * ```
 */
export interface CloseOptions {
  /**
   * Milliseconds the runs queued or running may go on to settle before the
   * rest are stopped (0, the default: stopped at once; Infinity: wait).
   */
  timeout?: number;
}

/**
 * Limits of one `WorkerPool.run`.
 *
 * @example
 * ```ts
 * import { MiB, type RunLimits, Token, WorkerPool } from "memlimits";
 *
 * await using pool = new WorkerPool(new URL("./tasks.ts", import.meta.url), {
 *   memoryLimit: 256 * MiB,
 * });
 * const token = new Token(); // token.cancel() stops the task
 * const limits: RunLimits = {
 *   memoryLimit: 64 * MiB, // at most the pool's
 *   allocationLimit: 32 * MiB, // counted in the worker; refused on Bun
 *   timeout: 1_000, // ms from the task's start in a worker
 *   cpuLimit: 500, // ms of CPU time; Linux (on Deno, a host run with -A)
 *   token,
 * };
 * const r = await pool.run<number>("sum", [1e6], limits);
 * console.log(r.ok ? r.value : r.error); // the value, or a LimitExceeded
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
