/**
 * `WorkerPool`: runs functions exported by a task module in worker processes,
 * with preemptive limits. A task that loops, takes too much memory, runs too
 * long or is cancelled is stopped by killing its worker, whatever it is
 * doing; the pool reports `{ ok: false, error: LimitExceeded }` and starts a
 * fresh worker in its place. See docs/workers.md.
 */
import { availableParallelism } from "node:os";
import { LimitExceeded } from "../limit_exceeded.ts";
import { checkBytes } from "../limits/validate.ts";
import { ALLOCATIONS_UNSUPPORTED, currentMeter } from "../meters/mod.ts";
import type { Result } from "../result.ts";
import { cancellation, Token } from "../token.ts";
import type { WireError, WorkerMessage } from "./protocol.ts";
import { canReadResidentMemory, Sampler } from "./rss_watch.ts";
import { holdsSharedMemory } from "./shared_memory.ts";
import {
  checkMemoryLimitPermission,
  type WorkerPermissions,
} from "./permissions.ts";
import {
  type DenoWorkerSettings,
  denoWorkerSettings,
  heapCapFor,
  isHeapCapExit,
  spawnCommand,
} from "./spawn_command.ts";
import { WorkerProcess } from "./worker_process.ts";

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
   * Bytes of memory a task's worker may add while the task runs (growth of
   * the worker process's resident memory since the task started). Applies to
   * every run; a run may lower it, not raise it.
   */
  memoryLimit?: number;
  /**
   * Bytes of resident memory for the whole process: the host plus all its
   * workers. When exceeded, every running task is stopped with kind "memory".
   */
  processMemoryLimit?: number;
  /**
   * Deno: the config file (deno.json or deno.jsonc; a path or a file: URL)
   * the workers run with, in place of the host's. Needed only where the
   * pool cannot find out the host's own (see docs/workers.md,
   * "Configuration and permissions on Deno"). Ignored on Bun.
   */
  denoConfig?: string | URL;
  /**
   * Deno: the workers' permissions. `"inherit"` (the default): the host's
   * own; `"none"`; or an object in the shape of `Deno.PermissionOptionsObject`
   * whose entries may only narrow the host's (a TypeError names an entry
   * that would widen them). On Bun, which has no permission model, anything
   * but `"inherit"` is refused with a TypeError.
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
  /** Bytes the task's worker may add while it runs; at most the pool's `memoryLimit`. */
  memoryLimit?: number;
  /**
   * Bytes the task may allocate, counted inside the worker (not on Bun, which
   * has no allocation counter). Enforced at the task's `checkpoint()` calls,
   * while it awaits, and when it settles: not preemptive for synchronous code.
   */
  allocationLimit?: number;
  /** Milliseconds the task may run, from the moment a worker starts it (queueing excluded). */
  timeout?: number;
  /** Aborting it stops the task (kind "token"). */
  signal?: AbortSignal;
  /** Cancelling it stops the task (kind "token"). */
  token?: Token;
}

interface Job {
  exportName: string;
  args: unknown[];
  memoryLimit?: number;
  allocationLimit?: number;
  timeout?: number;
  signal?: AbortSignal;
  resolve(result: Result<unknown>): void;
  reject(error: Error): void;
  worker?: WorkerProcess;
  id: number;
  startBytes: number;
  peakBytes: number;
  /** performance.now() when a worker started it. */
  started: number;
  onAbort?: () => void;
  done: boolean;
}

/** Ticks of the watch with nothing to watch after which it stops (about 20 ms). */
const IDLE_TICKS_BEFORE_STOP = 20;

/** Growth of an idle worker's memory over its fresh size after which it is replaced. */
const RECYCLE_ABOVE_BYTES = 64 * 2 ** 20;

/**
 * Memory a worker may keep from earlier tasks and still run a task under
 * `memoryLimit` (which is charged for it): an eighth of the limit, at most
 * 16 MiB.
 */
function keptAllowance(memoryLimit: number): number {
  return Math.min(16 * 2 ** 20, memoryLimit / 8);
}

/**
 * A pool of worker processes that run the functions a task module exports,
 * under preemptive limits: memory (per task and for the whole process),
 * wall-clock time, cancellation, and allocations (not preemptive; see
 * `RunLimits.allocationLimit`). Arguments and results cross by structured
 * clone. A task's own exception rejects `run()` with an Error carrying the
 * task's message and stack.
 *
 * @example
 * ```ts
 * import { MiB, WorkerPool } from "./mod.ts";
 * // tasks.ts: export function add(a: number, b: number) { return a + b; }
 * await using pool = new WorkerPool(new URL("./tasks.ts", import.meta.url), {
 *   size: 1,
 *   memoryLimit: 256 * MiB,
 * });
 * const r = await pool.run<number>("add", [1, 2], { timeout: 1000 });
 * console.log(r); // { ok: true, value: 3 }
 * ```
 */
export class WorkerPool {
  readonly #moduleUrl: string;
  readonly #size: number;
  readonly #memoryLimit: number | undefined;
  readonly #processMemoryLimit: number | undefined;
  readonly #heapCap: number | undefined;
  readonly #denoWorker: DenoWorkerSettings | undefined;
  readonly #workers = new Set<WorkerProcess>();
  readonly #idle: WorkerProcess[] = [];
  readonly #queue: Job[] = [];
  readonly #running = new Map<number, Job>();
  readonly #exiting = new Set<Promise<unknown>>();
  readonly #sampler = new Sampler(() => this.#sample());
  /** The module's exported functions, known once a worker is ready. */
  #exports: Set<string> | undefined;
  #nextId = 1;
  #closed = false;
  #peakProcessBytes = 0;
  #idleTicks = 0;

  /**
   * Starts `size` worker processes on the task module at `moduleUrl`.
   * Throws a TypeError or RangeError naming a bad option.
   */
  constructor(moduleUrl: URL | string, options: WorkerPoolOptions = {}) {
    if (!(moduleUrl instanceof URL) && typeof moduleUrl !== "string") {
      throw new TypeError(
        `moduleUrl must be a URL or a string, got ${typeof moduleUrl}`,
      );
    }
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `options must be an object, got ${
          options === null ? "null" : typeof options
        }`,
      );
    }
    this.#moduleUrl = String(moduleUrl);
    const size = options.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1 || size > 1024) {
      throw new RangeError(
        `options.size must be an integer from 1 to 1024, got ${size}`,
      );
    }
    this.#size = size;
    this.#memoryLimit = optionalBytes(
      "options.memoryLimit",
      options.memoryLimit,
    );
    this.#processMemoryLimit = optionalBytes(
      "options.processMemoryLimit",
      options.processMemoryLimit,
    );
    this.#denoWorker = denoWorkerSettings(
      this.#moduleUrl,
      options,
      this.#memoryLimit !== undefined || this.#processMemoryLimit !== undefined,
    );
    if (
      (this.#memoryLimit !== undefined ||
        this.#processMemoryLimit !== undefined) &&
      !canReadResidentMemory()
    ) {
      throw new Error(
        "memory limits need /proc/PID/statm (Linux) to read a worker's resident memory",
      );
    }
    this.#heapCap = heapCapFor(this.#memoryLimit ?? this.#processMemoryLimit);
    for (let i = 0; i < size; i++) this.#spawn();
  }

  /** Number of worker processes kept warm. */
  get size(): number {
    return this.#size;
  }

  /** Worker processes alive now (starting, idle or busy); `size` once replacements are up. */
  get workerCount(): number {
    return this.#workers.size;
  }

  /** Idle worker processes ready for a task. */
  get idleCount(): number {
    return this.#idle.length;
  }

  /** Pids of the live worker processes (for diagnostics and leak checks). */
  get workerPids(): number[] {
    return [...this.#workers].map((w) => w.pid);
  }

  /** Highest whole-process resident memory (host plus workers) seen by the memory watch, in bytes. */
  get peakProcessBytes(): number {
    return this.#peakProcessBytes;
  }

  /**
   * Runs the task module's export `exportName` with `args` in a worker.
   * Resolves `{ ok: true, value }`, or `{ ok: false, error }` with a
   * `LimitExceeded` if and only if one of this run's limits was reached.
   * Rejects if the task threw (an Error with the task's message and stack;
   * for a thrown non-Error value, an Error describing it with the value as
   * its `cause`),
   * on bad input (TypeError/RangeError), or if the pool is closed.
   */
  run<T>(
    exportName: string,
    args: unknown[] = [],
    limits: RunLimits = {},
  ): Promise<Result<T>> {
    let job: Job;
    try {
      job = this.#makeJob(exportName, args, limits);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Result<T>>((resolve, reject) => {
      job.resolve = resolve as (r: Result<unknown>) => void;
      job.reject = reject;
      if (job.signal?.aborted) {
        return this.#finish(job, { ok: false, error: tokenError(job.signal) });
      }
      if (job.signal) {
        job.onAbort = () => this.#interrupt(job, tokenError(job.signal!));
        job.signal.addEventListener("abort", job.onAbort, { once: true });
      }
      this.#queue.push(job);
      this.#topUp();
      this.#dispatch();
    });
  }

  /**
   * Kills every worker and waits for them to exit. Tasks still queued or
   * running reject with an Error (no limit was reached). Idempotent. Like
   * any live worker, an open pool keeps the host process alive: close it
   * (or declare it with `await using`).
   */
  async close(): Promise<void> {
    this.#closed = true;
    const pending = [...this.#queue, ...this.#running.values()];
    this.#queue.length = 0;
    for (const job of pending) {
      this.#fail(
        job,
        new Error("the WorkerPool was closed while the task was pending"),
      );
    }
    this.#sampler.on = false;
    for (const w of this.#workers) this.#exiting.add(w.kill());
    this.#workers.clear();
    this.#idle.length = 0;
    await Promise.all(this.#exiting);
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #makeJob(exportName: string, args: unknown[], limits: RunLimits): Job {
    if (this.#closed) throw new Error("the WorkerPool is closed");
    if (typeof exportName !== "string") {
      throw new TypeError(
        `exportName must be a string, got ${typeof exportName}`,
      );
    }
    this.#checkExport(exportName);
    if (!Array.isArray(args)) {
      throw new TypeError(`args must be an array, got ${typeof args}`);
    }
    if (typeof limits !== "object" || limits === null) {
      throw new TypeError(
        `limits must be an object, got ${
          limits === null ? "null" : typeof limits
        }`,
      );
    }
    const memoryLimit =
      optionalBytes("limits.memoryLimit", limits.memoryLimit) ??
        this.#memoryLimit;
    if (this.#memoryLimit !== undefined && memoryLimit! > this.#memoryLimit) {
      throw new RangeError(
        `limits.memoryLimit must be at most the pool's memoryLimit (${this.#memoryLimit}), got ${memoryLimit}`,
      );
    }
    if (memoryLimit !== undefined) checkMemoryLimitPermission();
    if (memoryLimit !== undefined && !canReadResidentMemory()) {
      throw new Error(
        "memory limits need /proc/PID/statm (Linux) to read a worker's resident memory",
      );
    }
    const allocationLimit = optionalBytes(
      "limits.allocationLimit",
      limits.allocationLimit,
    );
    if (allocationLimit !== undefined && !currentMeter().countsAllocations) {
      throw new Error(ALLOCATIONS_UNSUPPORTED);
    }
    let timeout = limits.timeout;
    if (timeout !== undefined) {
      if (typeof timeout !== "number") {
        throw new TypeError(
          `limits.timeout must be a number of milliseconds, got ${typeof timeout}`,
        );
      }
      if (!(Number.isFinite(timeout) && timeout > 0)) {
        throw new RangeError(
          `limits.timeout must be a positive finite number of milliseconds, got ${timeout}`,
        );
      }
      timeout = Math.min(timeout, 2 ** 31 - 1);
    }
    if (
      limits.signal !== undefined && !(limits.signal instanceof AbortSignal)
    ) {
      throw new TypeError("limits.signal must be an AbortSignal");
    }
    if (limits.token !== undefined && !(limits.token instanceof Token)) {
      throw new TypeError("limits.token must be a Token");
    }
    if (limits.signal && limits.token) {
      throw new TypeError("give limits.signal or limits.token, not both");
    }
    try {
      structuredClone(args);
    } catch (error) {
      throw new TypeError(
        `args could not be cloned for the worker: ${(error as Error).message}`,
      );
    }
    const shared = args.findIndex(holdsSharedMemory);
    if (shared >= 0) {
      throw new TypeError(
        `args[${shared}] holds a SharedArrayBuffer: shared memory cannot cross to a worker process (copy it into an ArrayBuffer)`,
      );
    }
    return {
      exportName,
      args,
      memoryLimit,
      allocationLimit,
      timeout,
      signal: limits.signal ?? limits.token?.signal,
      resolve: () => {},
      reject: () => {},
      id: this.#nextId++,
      started: 0,
      startBytes: 0,
      peakBytes: 0,
      done: false,
    };
  }

  /** Throws a TypeError if the module is known not to export `exportName`. */
  #checkExport(exportName: string): void {
    if (this.#exports === undefined || this.#exports.has(exportName)) return;
    throw new TypeError(
      `exportName "${exportName}" is not a function exported by ${this.#moduleUrl}; exports: ${
        [...this.#exports].join(", ") || "(none)"
      }`,
    );
  }

  #spawn(): WorkerProcess {
    const worker = new WorkerProcess(
      this.#moduleUrl,
      this.#heapCap,
      spawnCommand(this.#moduleUrl, this.#heapCap, this.#denoWorker),
    );
    this.#workers.add(worker);
    worker.ready.then(
      (names) => {
        this.#exports ??= new Set(names);
        if (!this.#workers.has(worker)) return;
        this.#idle.push(worker);
        this.#dispatch();
      },
      (error) => this.#onStartFailure(worker, error),
    );
    worker.onMessage = (message) => this.#onMessage(worker, message);
    worker.exited.then((exit) => this.#onExit(worker, exit));
    return worker;
  }

  /**
   * A worker died or its module failed to load before it was ready. It is
   * not replaced at once (a module that always fails would make that a spawn
   * loop): the next `run()` starts the missing workers again. When no worker
   * is left to serve the queue, the queued runs reject.
   */
  #onStartFailure(worker: WorkerProcess, error: Error): void {
    if (!this.#workers.delete(worker)) return; // closed meanwhile
    if (!worker.killed) this.#track(worker.kill());
    if (this.#workers.size > 0) return;
    const cannotStart = new Error(
      `the WorkerPool's workers cannot start: ${error.message}`,
      { cause: error },
    );
    for (const job of this.#queue.splice(0)) this.#fail(job, cannotStart);
  }

  /** Starts workers until `size` are alive or starting (after start failures). */
  #topUp(): void {
    while (!this.#closed && this.#workers.size < this.#size) this.#spawn();
  }

  #track(exit: Promise<unknown>): void {
    this.#exiting.add(exit);
    exit.then(() => this.#exiting.delete(exit));
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && this.#idle.length > 0) {
      const job = this.#queue.shift()!;
      try {
        this.#checkExport(job.exportName); // for runs queued before the module was known
      } catch (error) {
        this.#fail(job, error as Error);
        continue;
      }
      const worker = this.#idle.shift()!;
      if (job.memoryLimit !== undefined) {
        // The task is charged for its worker's growth over the worker's fresh
        // size, so that memory it reuses from earlier tasks' garbage is still
        // counted. Bound what it is charged for others: a worker that kept
        // more than the allowance is replaced first.
        const kept = (worker.residentBytes() ?? 0) - worker.freshBytes;
        if (worker.tasksRun > 0 && kept > keptAllowance(job.memoryLimit)) {
          this.#queue.unshift(job);
          this.#retire(worker);
          continue;
        }
        job.startBytes = worker.freshBytes;
        job.peakBytes = job.startBytes;
      }
      job.worker = worker;
      worker.tasksRun++;
      this.#running.set(job.id, job);
      job.started = performance.now();
      if (
        job.timeout !== undefined || job.memoryLimit !== undefined ||
        this.#processMemoryLimit !== undefined
      ) this.#sampler.on = true;
      worker.send({
        t: "run",
        id: job.id,
        exportName: job.exportName,
        args: job.args,
        allocationLimit: job.allocationLimit,
      });
    }
  }

  /**
   * One tick of the watch (about every millisecond while any running task has
   * a timeout or a memory limit): each task against its deadline and memory
   * limit, then the whole process against `processMemoryLimit`. One timer
   * for all the limits, instead of one per run; it stops itself after
   * `IDLE_TICKS_BEFORE_STOP` ticks with nothing to watch, and at `close()`.
   */
  #sample(): void {
    const now = performance.now();
    let watching = false;
    // No copy of #running: an interrupt only deletes the current entry, which
    // a Map's iteration allows, and adds none.
    for (const job of this.#running.values()) {
      if (job.timeout !== undefined) {
        watching = true;
        if (now - job.started >= job.timeout) {
          this.#interrupt(
            job,
            new LimitExceeded("timeout", job.timeout, now - job.started),
          );
          continue;
        }
      }
      if (job.memoryLimit === undefined) continue;
      watching = true;
      const bytes = job.worker!.residentBytes();
      if (bytes === undefined) continue; // exiting; its exit handler reports
      job.peakBytes = Math.max(job.peakBytes, bytes);
      const growth = bytes - job.startBytes;
      if (growth > job.memoryLimit) {
        this.#interrupt(
          job,
          new LimitExceeded("memory", job.memoryLimit, growth),
        );
      }
    }
    if (this.#processMemoryLimit !== undefined && this.#running.size > 0) {
      watching = true;
      let total = process.memoryUsage.rss();
      for (const w of this.#workers) total += w.residentBytes() ?? 0;
      this.#peakProcessBytes = Math.max(this.#peakProcessBytes, total);
      if (total > this.#processMemoryLimit) {
        for (const job of this.#running.values()) {
          this.#interrupt(
            job,
            new LimitExceeded("memory", this.#processMemoryLimit, total),
          );
        }
      }
    }
    // Stop after a few idle ticks rather than at the first: back-to-back runs
    // would otherwise restart the timer for nearly every run.
    this.#idleTicks = watching ? 0 : this.#idleTicks + 1;
    if (this.#idleTicks >= IDLE_TICKS_BEFORE_STOP) this.#sampler.on = false;
  }

  /** Whether memory limits apply to `job`. */
  #watchesMemory(job: Job): boolean {
    return job.memoryLimit !== undefined ||
      this.#processMemoryLimit !== undefined;
  }

  #onMessage(worker: WorkerProcess, message: WorkerMessage): void {
    if (!("id" in message)) return;
    const job = this.#running.get(message.id);
    if (!job || job.done || job.worker !== worker) return;
    // One reading serves the check at settlement and the recycling decision.
    const resident = this.#watchesMemory(job) ? worker.residentBytes() ?? 0 : 0;
    if (message.t === "limit") {
      // The engine interrupted the task in the worker; an async task may
      // still have work pending there, so the worker is replaced.
      this.#interrupt(
        job,
        new LimitExceeded(message.kind, message.limit, message.observed),
      );
      return;
    }
    // Checked at settlement too: a task may cross its limit after the last
    // sample, and then return or throw (perhaps because of the memory).
    const growth = Math.max(job.peakBytes, resident) - job.startBytes;
    if (job.memoryLimit !== undefined && growth > job.memoryLimit) {
      this.#interrupt(
        job,
        new LimitExceeded("memory", job.memoryLimit, growth),
      );
      return;
    }
    if (message.t === "value") {
      this.#finish(job, { ok: true, value: message.value });
    } else if (message.t === "threw") this.#fail(job, fromWire(message.error));
    this.#release(worker, resident);
  }

  /**
   * A worker finished its task: back to idle, or, when its memory was read
   * (`resident` > 0, runs under memory limits), replaced if it kept too much
   * (so that the next task's growth is its own).
   */
  #release(worker: WorkerProcess, resident: number): void {
    if (!this.#workers.has(worker)) return;
    if (resident - worker.freshBytes > RECYCLE_ABOVE_BYTES) {
      this.#retire(worker);
      return;
    }
    this.#idle.push(worker);
    this.#dispatch();
  }

  /** Kills `worker` and starts another in its place. */
  #retire(worker: WorkerProcess): void {
    this.#workers.delete(worker);
    const i = this.#idle.indexOf(worker);
    if (i >= 0) this.#idle.splice(i, 1);
    this.#track(worker.kill());
    if (!this.#closed) this.#spawn();
  }

  /** A limit was reached: settle `{ ok: false }` and kill the worker if the task was running. */
  #interrupt(job: Job, error: LimitExceeded): void {
    if (job.done) return;
    const worker = job.worker;
    this.#finish(job, { ok: false, error });
    if (worker) this.#retire(worker);
    else {
      const i = this.#queue.indexOf(job);
      if (i >= 0) this.#queue.splice(i, 1);
    }
  }

  #onExit(
    worker: WorkerProcess,
    exit: { code: number | null; signal: string | null },
  ): void {
    // A worker that was never ready is handled by #onStartFailure.
    if (worker.killed || !worker.loaded) return;
    // An exit we did not ask for: a crash, or V8's heap cap (Deno, Node),
    // which is set above the memory limit.
    const job = [...this.#running.values()].find((j) => j.worker === worker);
    if (job) {
      const limit = job.memoryLimit ?? this.#processMemoryLimit;
      const outOfHeap = isHeapCapExit(exit);
      if (outOfHeap && limit !== undefined) {
        this.#finish(job, {
          ok: false,
          error: new LimitExceeded(
            "memory",
            limit,
            job.peakBytes - job.startBytes,
          ),
        });
      } else {
        this.#fail(
          job,
          new Error(
            `the worker process running "${job.exportName}" exited unexpectedly (code ${exit.code}, signal ${exit.signal})`,
          ),
        );
      }
    }
    worker.killed = true;
    if (this.#workers.has(worker)) this.#retire(worker);
  }

  #finish(job: Job, result: Result<unknown>): void {
    if (job.done) return;
    this.#settle(job);
    job.resolve(result);
  }

  #fail(job: Job, error: Error): void {
    if (job.done) return;
    this.#settle(job);
    job.reject(error);
  }

  #settle(job: Job): void {
    job.done = true;
    this.#running.delete(job.id);
    if (job.onAbort) job.signal!.removeEventListener("abort", job.onAbort);
  }
}

function optionalBytes(name: string, value: unknown): number | undefined {
  return value === undefined ? undefined : checkBytes(name, value);
}

function tokenError(signal: AbortSignal): LimitExceeded {
  const reason = signal.reason;
  if (reason instanceof LimitExceeded && reason.kind === "token") return reason;
  return cancellation(reason);
}

function fromWire(wire: WireError): Error {
  // A thrown value that is not an Error becomes the cause.
  const error = "thrown" in wire
    ? new Error(wire.message, { cause: wire.thrown })
    : new Error(wire.message);
  error.name = wire.name;
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}
