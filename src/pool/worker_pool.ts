/**
 * `WorkerPool`: runs functions exported by a task module in worker processes,
 * with preemptive limits. A task that loops, takes too much memory, runs too
 * long or is cancelled is stopped by killing its worker, whatever it is
 * doing; the pool reports `{ ok: false, error: LimitExceeded }` and starts a
 * fresh worker in its place. See docs/workers.md.
 */
import { availableParallelism } from "node:os";
import { LimitExceeded } from "../limit_exceeded.ts";
import { cancellation } from "../token.ts";
import type { PoolResult, PoolUsage } from "../usage.ts";
import { descendantsOf, peakBytesOf } from "./process_tree.ts";
import type { WireError, WorkerMessage } from "./protocol.ts";
import type { RunLimits, WorkerPoolOptions } from "./pool_options.ts";
import { checkPoolOptions, checkRun } from "./run_checks.ts";
import {
  type DenoWorkerSettings,
  heapCapFor,
  isHeapCapExit,
  spawnCommand,
} from "./spawn_command.ts";
import { BRAKE_ARG } from "./memory_brake.ts";
import { canReadResidentMemory } from "./rss_watch.ts";
import {
  notRun,
  settledUsage,
  stoppedUsage,
  verdictResult,
} from "./run_usage.ts";
import type { VerdictWithUsage } from "./watch_slots.ts";
import { Watchdog } from "./watchdog.ts";
import { WorkerProcess } from "./worker_process.ts";

interface Job {
  exportName: string;
  args: unknown[];
  memoryLimit?: number;
  allocationLimit?: number;
  timeout?: number;
  cpuLimit?: number;
  signal?: AbortSignal;
  resolve(result: PoolResult<unknown>): void;
  reject(error: Error): void;
  worker?: WorkerProcess;
  id: number;
  startBytes: number;
  /** Whether the watchdog watches it (it has a timeout, CPU or memory limits). */
  armed: boolean;
  /** `performance.now()` when it was sent to its worker. */
  sentAt: number;
  onAbort?: () => void;
  done: boolean;
}

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
 * under preemptive limits: memory (per task, counting every process the task
 * starts, and for the whole process), wall-clock time, cancellation, and
 * allocations (not preemptive; see `RunLimits.allocationLimit`). Timeouts
 * and memory limits are watched by a thread of their own, so they hold while
 * the host's main thread is busy. Arguments and results cross by structured
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
  readonly #watchdog: Watchdog;
  /** The module's exported functions, known once a worker is ready. */
  #exports: Set<string> | undefined;
  #nextId = 1;
  #closed = false;

  /**
   * Starts `size` worker processes on the task module at `moduleUrl`.
   * Throws a TypeError or RangeError naming a bad option.
   */
  constructor(moduleUrl: URL | string, options: WorkerPoolOptions = {}) {
    const checked = checkPoolOptions(
      moduleUrl,
      options,
      availableParallelism(),
    );
    this.#moduleUrl = checked.moduleUrl;
    this.#size = checked.size;
    this.#memoryLimit = checked.memoryLimit;
    this.#processMemoryLimit = checked.processMemoryLimit;
    this.#denoWorker = checked.denoWorker;
    this.#heapCap = heapCapFor(this.#memoryLimit ?? this.#processMemoryLimit);
    this.#watchdog = new Watchdog(
      this.#size,
      this.#processMemoryLimit,
      canReadResidentMemory(),
    );
    this.#watchdog.onVerdict = (slot, id) => {
      const job = this.#running.get(id);
      if (job?.worker?.slot !== slot) return; // settled meanwhile
      // The verdict in the slot is the result (`#claim` returns it).
      this.#interrupt(job, new LimitExceeded("memory"));
    };
    for (let i = 0; i < this.#size; i++) this.#spawn();
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

  /** Highest whole-process resident memory (host plus workers and their descendants) seen by the memory watch, in bytes. */
  get peakProcessBytes(): number {
    return this.#watchdog.processPeak;
  }

  /**
   * Runs the task module's export `exportName` with `args` in a worker.
   * Resolves `{ ok: true, value }`, or `{ ok: false, error }` with a
   * `LimitExceeded` if and only if one of this run's limits was reached.
   * Rejects if the task threw (an Error with the task's name, message and
   * stack, its own enumerable properties such as `code`, and its `cause`,
   * as far as they structured-clone: what cannot be cloned is left out, and
   * an Error cause arrives as an Error rebuilt the same way; for a thrown
   * non-Error value, an Error describing it with the value as its `cause`),
   * on bad input (a TypeError for a wrong type or a key that is not a run
   * limit, a RangeError for a value out of range), or if the pool is closed.
   */
  run<T>(
    exportName: string,
    args: unknown[] = [],
    limits: RunLimits = {},
  ): Promise<PoolResult<T>> {
    let job: Job;
    try {
      job = this.#makeJob(exportName, args, limits);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<PoolResult<T>>((resolve, reject) => {
      job.resolve = resolve as (r: PoolResult<unknown>) => void;
      job.reject = reject;
      if (job.signal?.aborted) {
        return this.#finish(job, {
          ok: false,
          error: tokenError(job.signal),
          usage: notRun(),
        });
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
   * Kills every worker (with every process its task started) and waits for
   * them to exit. Tasks still queued or running reject with an Error (no
   * limit was reached). Idempotent. Like any live worker, an open pool keeps
   * the host process alive: close it (or declare it with `await using`).
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
    for (const w of [...this.#workers]) this.#exiting.add(this.#drop(w));
    await Promise.all(this.#exiting);
    await this.#watchdog.stop();
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #makeJob(exportName: string, args: unknown[], limits: RunLimits): Job {
    if (this.#closed) throw new Error("the WorkerPool is closed");
    const checked = checkRun(exportName, args, limits, this.#memoryLimit);
    this.#checkExport(exportName);
    return {
      exportName,
      args,
      ...checked,
      resolve: () => {},
      reject: () => {},
      id: this.#nextId++,
      startBytes: 0,
      armed: false,
      sentAt: 0,
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
    const command = spawnCommand(
      this.#moduleUrl,
      this.#heapCap,
      this.#denoWorker,
    );
    // Workers of a pool with a memory limit brake themselves near it.
    if (this.#memoryLimit !== undefined) command.args.push(BRAKE_ARG);
    const worker = new WorkerProcess(this.#moduleUrl, this.#heapCap, command);
    this.#workers.add(worker);
    if (worker.pid !== undefined) {
      worker.slot = this.#watchdog.add(worker.pid);
    }
    // A worker serves once the watchdog watches too: no job runs unwatched.
    Promise.all([worker.ready, this.#watchdog.up]).then(
      ([names]) => {
        this.#exports ??= new Set(names);
        if (!this.#workers.has(worker)) return;
        this.#watchdog.ready(worker.slot);
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
    if (!this.#workers.has(worker)) return; // closed meanwhile
    this.#track(this.#drop(worker));
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
        const allowance = keptAllowance(job.memoryLimit);
        if (worker.keptBytes > allowance && !worker.keptExact) {
          this.#measureKept(worker); // the bound is not enough: read it
        }
        if (worker.tasksRun > 0 && worker.keptBytes > allowance) {
          this.#queue.unshift(job);
          this.#retire(worker);
          continue;
        }
        job.startBytes = worker.freshBytes;
      }
      job.worker = worker;
      worker.tasksRun++;
      this.#running.set(job.id, job);
      const watchesMemory = this.#watchesMemory(job);
      // A job the pool may stop is watched, for its limits and for the
      // usage it reports when stopped; others report their own.
      job.armed = job.timeout !== undefined || watchesMemory ||
        job.cpuLimit !== undefined || job.signal !== undefined;
      if (job.armed && this.#watchdog.error) {
        this.#idle.unshift(worker);
        this.#fail(
          job,
          new Error(
            `the WorkerPool's watchdog thread failed: ${this.#watchdog.error.message}`,
            { cause: this.#watchdog.error },
          ),
        );
        continue;
      }
      if (job.armed) {
        // Before the send: the watchdog knows the job before it can start.
        this.#watchdog.arm(worker.slot, {
          id: job.id,
          timeout: job.timeout,
          memoryLimit: job.memoryLimit,
          cpuLimit: job.cpuLimit,
          baseBytes: worker.freshBytes,
        });
      }
      job.sentAt = performance.now();
      worker.send({
        t: "run",
        id: job.id,
        exportName: job.exportName,
        args: job.args,
        allocationLimit: job.allocationLimit,
        peakAbove: job.memoryLimit === undefined || !worker.reportsPeaks
          ? Infinity
          : job.startBytes + job.memoryLimit,
        brakeAbove: watchesMemory && job.memoryLimit !== undefined
          ? worker.freshBytes + job.memoryLimit
          : undefined,
      });
    }
  }

  /** Whether memory limits apply to `job`. */
  #watchesMemory(job: Job): boolean {
    return job.memoryLimit !== undefined ||
      this.#processMemoryLimit !== undefined;
  }

  /** Takes `job` back from the watchdog; the watchdog's verdict if it stopped the job first. */
  #claim(job: Job): VerdictWithUsage | undefined {
    if (!job.armed) return undefined;
    job.armed = false;
    return this.#watchdog.claim(job.worker!.slot);
  }

  /** The usage of `job`, stopped by this thread (see `stoppedUsage`). */
  #stoppedUsage(job: Job, cpuMs: number, peak: number): PoolUsage {
    if (!job.worker) return notRun();
    return stoppedUsage(job.sentAt, cpuMs, peak, job.worker.freshBytes);
  }

  #onMessage(worker: WorkerProcess, message: WorkerMessage): void {
    if (!("id" in message)) return;
    const job = this.#running.get(message.id);
    if (!job || job.done || job.worker !== worker) return;
    const slot = worker.slot;
    const watched = job.armed;
    const hadDescendants = watched && this.#watchdog.descendants(slot) > 0;
    const watchdogPeak = watched ? this.#watchdog.peak(slot) : 0;
    const watchdogCpu = watched ? this.#watchdog.cpuUsed(slot) : NaN;
    const verdict = this.#claim(job);
    if (verdict) {
      return this.#stop(job, verdictResult(verdict, job.worker!.freshBytes));
    }
    const usage = (peak: number): PoolUsage =>
      settledUsage(message.usage, watchdogCpu, peak, worker.freshBytes);
    const reportedPeak = message.usage.peak ?? 0;
    if (message.t === "limit") {
      // The engine interrupted the task in the worker; an async task may
      // still have work pending there, so the worker is replaced.
      this.#stop(job, {
        ok: false,
        error: new LimitExceeded(message.kind, message.limit, message.observed),
        usage: usage(Math.max(watchdogPeak, reportedPeak)),
      });
      return;
    }
    const watchesMemory = this.#watchesMemory(job);
    // The worker's own peak bounds what it holds now, and spares a /proc
    // read on this thread; without it, one reading serves the check at
    // settlement and the recycling decision.
    const resident = watchesMemory && !worker.reportsPeaks
      ? worker.residentBytes() ?? 0
      : 0;
    let peak = Math.max(watchdogPeak, resident, reportedPeak);
    if (job.memoryLimit !== undefined) {
      // Checked at settlement too, against the peak since the task started
      // (the worker's high-water mark, when it reports one): a task may
      // cross its limit between two samples, and then give the memory back,
      // return or throw.
      if (hadDescendants) peak = Math.max(peak, this.#treePeak(worker));
      const growth = peak - job.startBytes;
      if (growth > job.memoryLimit) {
        this.#stop(job, {
          ok: false,
          error: new LimitExceeded("memory", job.memoryLimit, growth),
          usage: usage(peak),
        });
        return;
      }
    }
    if (message.t === "value") {
      this.#finish(job, { ok: true, value: message.value, usage: usage(peak) });
    } else if (message.t === "threw") this.#fail(job, fromWire(message.error));
    // Processes the task left running would be charged to the next task.
    if (hadDescendants) this.#retire(worker);
    else if (resident > 0) this.#release(worker, resident, true);
    else this.#release(worker, watchesMemory ? reportedPeak : 0, false);
  }

  /** Reads how much `worker` kept over its fresh size. */
  #measureKept(worker: WorkerProcess): void {
    const resident = worker.residentBytes();
    if (resident === undefined) return;
    worker.keptBytes = resident - worker.freshBytes;
    worker.keptExact = true;
  }

  /** The worker's peak plus the peaks of its live descendants (an upper bound of the tree's peak). */
  #treePeak(worker: WorkerProcess): number {
    let total = peakBytesOf(worker.pid) ?? 0;
    for (const pid of descendantsOf(worker.pid)) total += peakBytesOf(pid) ?? 0;
    return total;
  }

  /**
   * A worker finished its task: back to idle, or, when its memory is known
   * (`bytes` > 0, runs under memory limits: what it holds, `exact`, or an
   * upper bound of it), replaced if it kept too much (so that the next
   * task's growth is its own).
   */
  #release(worker: WorkerProcess, bytes: number, exact: boolean): void {
    if (!this.#workers.has(worker)) return;
    if (bytes > 0) {
      worker.keptBytes = bytes - worker.freshBytes;
      worker.keptExact = exact;
    }
    if (worker.keptBytes > RECYCLE_ABOVE_BYTES && !worker.keptExact) {
      this.#measureKept(worker);
    }
    if (worker.keptBytes > RECYCLE_ABOVE_BYTES) {
      this.#retire(worker);
      return;
    }
    this.#idle.push(worker);
    this.#dispatch();
  }

  /** Kills `worker`'s tree, stops watching it, and forgets it; resolves at its exit. */
  #drop(worker: WorkerProcess): Promise<unknown> {
    this.#workers.delete(worker);
    const i = this.#idle.indexOf(worker);
    if (i >= 0) this.#idle.splice(i, 1);
    const exit = worker.kill();
    if (worker.slot >= 0) this.#watchdog.remove(worker.slot);
    worker.slot = -1;
    return exit;
  }

  /** Kills `worker` and starts another in its place. */
  #retire(worker: WorkerProcess): void {
    if (!this.#workers.has(worker)) return;
    this.#track(this.#drop(worker));
    if (!this.#closed) this.#spawn();
  }

  /**
   * This thread stops `job` (a token, or the watchdog's word that it did):
   * `{ ok: false }` with `error`, or the watchdog's verdict if it stopped
   * the job first.
   */
  #interrupt(job: Job, error: LimitExceeded): void {
    if (job.done) return;
    const slot = job.worker?.slot ?? -1;
    const peak = job.armed ? this.#watchdog.peak(slot) : 0;
    const cpuMs = job.armed ? this.#watchdog.cpuUsed(slot) : NaN;
    const verdict = this.#claim(job);
    this.#stop(
      job,
      verdict
        ? verdictResult(verdict, job.worker!.freshBytes)
        : { ok: false, error, usage: this.#stoppedUsage(job, cpuMs, peak) },
    );
  }

  /** Settles `job` with `result`, and kills its worker if it was running. */
  #stop(job: Job, result: PoolResult<unknown>): void {
    const worker = job.worker;
    this.#finish(job, result);
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
    const job = [...this.#running.values()].find((j) => j.worker === worker);
    if (job) {
      const peak = job.armed ? this.#watchdog.peak(worker.slot) : 0;
      const cpuMs = job.armed ? this.#watchdog.cpuUsed(worker.slot) : NaN;
      // Killed by the watchdog at a limit: its verdict is the result.
      const verdict = this.#claim(job);
      // Else an exit we did not ask for: a crash, or V8's heap cap (Deno,
      // Node), which is set above the memory limit.
      const limit = job.memoryLimit ?? this.#processMemoryLimit;
      const outOfHeap = isHeapCapExit(exit);
      if (verdict) {
        this.#finish(job, verdictResult(verdict, job.worker!.freshBytes));
      } else if (outOfHeap && limit !== undefined) {
        this.#finish(job, {
          ok: false,
          error: new LimitExceeded(
            "memory",
            limit,
            Math.max(0, peak - job.startBytes),
          ),
          usage: this.#stoppedUsage(job, cpuMs, peak),
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
    this.#retire(worker);
  }

  #finish(job: Job, result: PoolResult<unknown>): void {
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
    if (job.armed) this.#claim(job); // a pending run failed: watch it no more
    if (job.onAbort) job.signal!.removeEventListener("abort", job.onAbort);
  }
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
  // The task's Error's own properties and cause (wire_error.ts), defined
  // rather than assigned: a key such as "__proto__" stays a plain property.
  const define = (key: string, value: unknown, enumerable: boolean) =>
    Object.defineProperty(error, key, {
      value,
      enumerable,
      writable: true,
      configurable: true,
    });
  for (const [key, value] of Object.entries(wire.properties ?? {})) {
    define(key, value, true);
  }
  if (wire.cause !== undefined) {
    // Not enumerable, as `new Error(message, { cause })` makes it.
    define(
      "cause",
      "error" in wire.cause ? fromWire(wire.cause.error) : wire.cause.value,
      false,
    );
  }
  return error;
}
