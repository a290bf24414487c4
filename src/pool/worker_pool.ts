/**
 * `WorkerPool`: runs functions exported by a task module in worker processes,
 * with preemptive limits. A task that loops, takes too much memory, runs too
 * long or is cancelled is stopped by killing its worker, whatever it is
 * doing; the pool reports `{ ok: false, error: LimitExceeded }` and starts a
 * fresh worker in its place. See docs/workers.md.
 */
import { availableParallelism } from "node:os";
import { LimitExceeded } from "../limit_exceeded.ts";
import type { PoolResult, PoolUsage } from "../usage.ts";
import {
  chargeExit,
  chargeSettled,
  chargeStopped,
  keepsTooMuchFor,
  keptTooMuch,
} from "./accounting/charge.ts";
import { stopReadings } from "./accounting/stop_readings.ts";
import { notRun, stoppedUsage } from "./accounting/usage.ts";
import {
  checkCloseOptions,
  checkExport,
  checkPoolOptions,
  checkRun,
} from "./check_options.ts";
import { type Job, newJob, runMessage, tokenError, watchedJob } from "./job.ts";
import { canReadResidentMemory } from "./linux/resident_memory.ts";
import {
  outcomeOf,
  type RunOutcome,
  settledDetail,
} from "./observe/pool_events.ts";
import { emit, heard, PoolEventTarget } from "./observe/pool_event_target.ts";
import { type PoolStats, StatsRecorder } from "./observe/pool_stats.ts";
import type {
  CloseOptions,
  RunLimits,
  WorkerPoolOptions,
} from "./pool_options.ts";
import { AllSettled } from "./queue/all_settled.ts";
import {
  AHEAD_DEPTH,
  type AheadRules,
  maySendAhead,
  newTag,
} from "./queue/ahead.ts";
import { JobQueue } from "./queue/job_queue.ts";
import { QueueFullError } from "./queue/queue_full_error.ts";
import type {
  TaskArgs,
  TaskModule,
  TaskName,
  TaskValue,
} from "./task_types.ts";
import type { WorkerExit } from "./spawn/worker_process.ts";
import { PoolWorker } from "./pool_worker.ts";
import type { WorkerExitReason } from "./observe/pool_events.ts";
import { workerStarter } from "./spawn/worker_starter.ts";
import {
  UNWATCHED,
  Watchdog,
  type WatchReadings,
} from "./watchdog/watchdog.ts";
import {
  generationAfter,
  generationOf,
  generationsBetween,
  State,
  stateOf,
} from "./watchdog/watch_slots.ts";
import type { WorkerMessage } from "./wire/messages.ts";
import { fromWire } from "./wire/wire_error.ts";
import { WorkerSet } from "./worker_set.ts";

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
 * `WorkerPool<typeof import("./tasks.ts")>` checks `run()`'s export name,
 * arguments and result type at compile time. The pool is an `EventTarget`
 * (events: `WorkerPoolEventMap`); `stats()` gives its figures.
 *
 * @example
 * ```ts
 * import { LimitExceeded, MiB, WorkerPool } from "memlimits";
 *
 * // ./tasks.ts, the task module: its exported functions are the tasks.
 * //   export function sum(n: number) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }
 * await using pool = new WorkerPool(new URL("./tasks.ts", import.meta.url), {
 *   size: 2, // worker processes kept warm
 *   memoryLimit: 256 * MiB, // every task's limit; a run may lower it
 * });
 * const r = await pool.run<number>("sum", [1e6], {
 *   memoryLimit: 64 * MiB,
 *   timeout: 1_000, // ms
 * });
 * if (r.ok) console.log(r.value); // 499999500000
 * else if (r.error instanceof LimitExceeded) console.log(r.error.kind); // "memory", "timeout", ...
 * console.log(r.usage); // { waitMs, wallMs, cpuMs, peakMemory, allocated? }
 * // `await using`: the pool is closed (its workers killed) at the end of the scope.
 * ```
 *
 * @example Typed
 * ```ts
 * import { WorkerPool } from "memlimits";
 * type Tasks = { countPrimes(below: number): number };
 * // with a real module: new WorkerPool<typeof import("./tasks.ts")>(...)
 * await using pool = new WorkerPool<Tasks>(new URL("./tasks.ts", import.meta.url));
 * const r = await pool.run("countPrimes", [1e7]);
 * if (r.ok) console.log(r.value.toFixed(0)); // r.value: number
 * ```
 */
export class WorkerPool<M extends TaskModule = Record<string, unknown>>
  extends PoolEventTarget {
  readonly #moduleUrl: string;
  readonly #size: number;
  readonly #memoryLimit: number | undefined;
  readonly #processMemoryLimit: number | undefined;
  readonly #minAvailableMemory: number | undefined;
  /** Whether /proc may be read here (see `canReadResidentMemory`). */
  readonly #readsProc = canReadResidentMemory();
  readonly #workers: WorkerSet;
  readonly #queue: JobQueue;
  readonly #running = new Map<number, Job>();
  readonly #watchdog: Watchdog;
  readonly #stats: StatsRecorder;
  readonly #allSettled = new AllSettled();
  /** The module's exported functions, known once a worker is ready. */
  #exports: Set<string> | undefined;
  #nextId = 1;
  #closed = false;
  /** Which runs may be sent ahead (queue/ahead.ts). */
  readonly #aheadRules: AheadRules;
  /** Runs sent ahead that their worker has not started (as far as this thread knows). */
  #aheadWaiting = 0;
  /** True while a run is taken from the queue to be sent ahead. */
  #takingAhead = false;
  /** Busy workers that may take a run sent ahead (their current job allows one). */
  readonly #mayTakeAhead = new Set<PoolWorker>();

  /**
   * Starts `minSize` (by default `size`) worker processes on the task module
   * at `moduleUrl`. Throws a TypeError or RangeError naming a bad option.
   */
  constructor(moduleUrl: URL | string, options: WorkerPoolOptions = {}) {
    super();
    const checked = checkPoolOptions(
      moduleUrl,
      options,
      availableParallelism(),
    );
    this.#moduleUrl = checked.moduleUrl;
    this.#size = checked.size;
    this.#memoryLimit = checked.memoryLimit;
    this.#processMemoryLimit = checked.processMemoryLimit;
    this.#queue = new JobQueue(checked.maxQueue);
    this.#queue.onDrain = () => this.#drained();
    const stats = this.#stats = new StatsRecorder(this.#size);
    this.#minAvailableMemory = checked.minAvailableMemory;
    this.#aheadRules = {
      allowed: this.#readsProc && checked.processMemoryLimit === undefined &&
        checked.minAvailableMemory === undefined,
      maxTasksPerWorker: checked.maxTasksPerWorker,
    };
    this.#watchdog = new Watchdog(
      this.#size,
      this.#processMemoryLimit,
      this.#readsProc,
      this.#minAvailableMemory,
    );
    this.#watchdog.onVerdict = (slot, id) => {
      const job = this.#running.get(id);
      if (job?.worker?.slot !== slot) return; // settled meanwhile
      // Moved on to by the watchdog before this thread read the result of
      // the job before it: settled when that result is read.
      if (job.worker.ahead.includes(job)) return;
      // The verdict in the slot is the result (`#takeBack` returns it).
      this.#interrupt(job, new LimitExceeded("memory"));
    };
    // Were the thread to fail, the runs it watched would run on with no
    // limit enforced: they fail, and their workers are replaced.
    this.#watchdog.onFailure = (error) => {
      const workers = new Set<PoolWorker>();
      for (const job of [...this.#running.values()]) {
        if (!job.armed || job.done) continue;
        if (job.worker) workers.add(job.worker);
        this.#fail(job, watchdogFailed(error));
      }
      for (const worker of workers) this.#retire(worker, "crash");
    };
    this.#workers = new WorkerSet(
      checked,
      workerStarter(checked, PoolWorker),
      this.#watchdog,
      {
        ready: (_worker, exports) => {
          this.#exports ??= new Set(exports);
          this.#dispatch();
        },
        startFailed: (error, alive) => this.#onStartFailure(error, alive),
        message: (worker, message) => this.#onMessage(worker, message),
        exited: (worker, exit) => this.#onExit(worker, exit),
        started: () => stats.workerStarted(),
        ended: (pid, reason) => {
          stats.workerEnded(reason);
          emit(this, "workerexit", { pid, reason });
        },
        waiting: () => this.#queue.length,
      },
    );
  }

  /** Worker processes at most (all kept warm unless `minSize` is lower). */
  get size(): number {
    return this.#size;
  }

  /** Runs waiting for a worker (with those sent ahead to a busy one, not yet started). */
  get queueSize(): number {
    return this.#queue.length + this.#aheadWaiting;
  }

  /** Worker processes alive now (starting, idle or busy). */
  get workerCount(): number {
    return this.#workers.count;
  }

  /** Idle worker processes ready for a task. */
  get idleCount(): number {
    return this.#workers.idleCount;
  }

  /** Pids of the live worker processes (for diagnostics and leak checks). */
  get workerPids(): number[] {
    return this.#workers.pids;
  }

  /** Highest whole-process resident memory (host plus workers and their descendants) seen by the memory watch, in bytes. */
  get peakProcessBytes(): number {
    return this.#watchdog.processPeak;
  }

  /**
   * The pool's figures since it started: runs by outcome, workers started
   * and ended by reason, the distributions of the runs' waits, wall and CPU
   * times and peak memory (quantiles within 1%), and the workers'
   * utilization. Its memory does not grow with the number of runs.
   */
  stats(): PoolStats {
    return this.#stats.stats();
  }

  /**
   * Runs the task module's export `exportName` with `args` in a worker.
   * Resolves `{ ok: true, value }`, or `{ ok: false, error }` with a
   * `LimitExceeded` if and only if one of this run's limits was reached.
   * Its `usage.waitMs` is the time from this call to a worker starting it.
   * Rejects if the task threw (an Error with the task's name, message and
   * stack, its own enumerable properties such as `code`, and its `cause`,
   * as far as they structured-clone: what cannot be cloned is left out, and
   * an Error cause arrives as an Error rebuilt the same way; for a thrown
   * non-Error value, an Error describing it with the value as its `cause`),
   * on bad input (a TypeError for a wrong type or a key that is not a run
   * limit, a RangeError for a value out of range), if the pool is closed,
   * or with a `QueueFullError` if `maxQueue` runs already wait.
   */
  run<T = unknown, K extends TaskName<M> = TaskName<M>>(
    exportName: K,
    ...argsAndLimits: TaskArgs<M, K>
  ): Promise<PoolResult<TaskValue<M, K, T>>>;
  // Plain parameters: no rest array per call.
  run(
    exportName: string,
    args: unknown[] = [],
    limits: RunLimits = {},
  ): Promise<PoolResult<unknown>> {
    let job: Job;
    try {
      job = this.#makeJob(exportName, args, limits);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.queueSize >= this.#queue.max && this.#workers.idleCount === 0) {
      return Promise.reject(new QueueFullError(this.#queue.max));
    }
    return new Promise<PoolResult<unknown>>((resolve, reject) => {
      job.resolve = resolve;
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
      this.#dispatch();
      this.#workers.topUp();
    });
  }

  /**
   * Kills every worker (with every process its task started) and waits for
   * them to exit. Tasks still queued or running reject with an Error (no
   * limit was reached). Idempotent. Like any live worker, an open pool keeps
   * the host process alive: close it (or declare it with `await using`).
   *
   * With `{ timeout }` (ms), a graceful close: `run()` rejects from the
   * call on, but the runs queued or running go on until they have all
   * settled or `timeout` ms have passed; then the pool closes as above.
   */
  async close(options?: CloseOptions): Promise<void> {
    const timeout = checkCloseOptions(options);
    this.#closed = true;
    const pending = this.#queue.length + this.#running.size;
    if (timeout > 0) await this.#allSettled.wait(pending, timeout);
    for (const job of [...this.#queue.takeAll(), ...this.#running.values()]) {
      this.#fail(
        job,
        new Error("the WorkerPool was closed while the task was pending"),
      );
    }
    await this.#workers.close();
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
    if (checked.cpuLimit !== undefined) this.#watchdog.expectCpuLimits();
    return newJob(this.#nextId++, exportName, args, checked);
  }

  /** Throws a TypeError if the module is known not to export `exportName`. */
  #checkExport(exportName: string): void {
    checkExport(exportName, this.#exports, this.#moduleUrl);
  }

  /** A worker could not start; with none left to serve the queue, the queued runs reject. */
  #onStartFailure(error: Error, alive: number): void {
    if (alive > 0) return;
    const cannotStart = new Error(
      `the WorkerPool's workers cannot start: ${error.message}`,
      { cause: error },
    );
    for (const job of this.#queue.takeAll()) this.#fail(job, cannotStart);
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && this.#workers.idleCount > 0) {
      const job = this.#queue.shift()!;
      try {
        this.#checkExport(job.exportName); // for runs queued before the module was known
      } catch (error) {
        this.#fail(job, error as Error);
        continue;
      }
      const worker = this.#workers.takeIdle()!;
      if (job.memoryLimit !== undefined) {
        // Charged from the worker's fresh size (accounting/charge.ts).
        if (keepsTooMuchFor(worker, job.memoryLimit)) {
          this.#queue.unshift(job);
          this.#workers.retire(worker, "keptMemory");
          continue;
        }
        job.startBytes = worker.freshBytes;
      }
      job.worker = worker;
      worker.tasksRun++;
      this.#running.set(job.id, job);
      const watchesMemory = this.#watchesMemory(job);
      job.armed = this.#watches(job);
      if (job.armed && this.#watchdog.error) {
        this.#workers.putIdle(worker, true);
        this.#fail(job, watchdogFailed(this.#watchdog.error));
        continue;
      }
      if (job.armed) {
        // Before the send: the watchdog knows the job before it can start.
        job.generation = this.#watchdog.arm(worker.slot, watchedJob(job));
      }
      job.sentAt = performance.now();
      worker.current = job;
      this.#mayTakeAhead.add(worker);
      worker.send(runMessage(job, watchesMemory));
    }
    this.#sendAhead();
  }

  /**
   * Sends the queue's next runs to busy workers that may take them ahead of
   * the job they run (queue/ahead.ts), once the pool has all its workers.
   */
  #sendAhead(): void {
    // Not while a worker more could run the queue's runs side by side.
    if (!this.#aheadRules.allowed || !this.#workers.full) return;
    for (const worker of this.#mayTakeAhead) {
      while (this.#queue.length > 0 && worker.ahead.length < AHEAD_DEPTH) {
        if (!this.#sendOneAhead(worker)) break;
      }
      if (this.#queue.length === 0) return;
      this.#mayTakeAhead.delete(worker);
    }
  }

  /** Sends the queue's next run to `worker`, busy, if it may take it: true if it did. */
  #sendOneAhead(worker: PoolWorker): boolean {
    const running = worker.current;
    // Not a "drain": the run goes ahead, or back to the queue.
    this.#takingAhead = true;
    const job = this.#queue.shift()!;
    this.#takingAhead = false;
    if (
      running === undefined || running.done || !this.#workers.has(worker) ||
      !this.#exports?.has(job.exportName) ||
      (this.#watches(job) && this.#watchdog.error !== undefined) ||
      !maySendAhead(
        this.#aheadRules,
        worker,
        running,
        job,
        this.#watches(job),
      )
    ) {
      this.#queue.unshift(job);
      return false;
    }
    const before = worker.ahead.at(-1) ?? running;
    job.worker = worker;
    worker.tasksRun++;
    worker.ahead.push(job);
    this.#aheadWaiting++;
    this.#running.set(job.id, job);
    if (job.memoryLimit !== undefined) job.startBytes = worker.freshBytes;
    job.sentAt = performance.now();
    job.tag = newTag();
    // Before the send: the watchdog moves on to it once it starts, in the
    // generation after the job before it. (It watches nothing of a worker
    // whose job is not armed.)
    if (running.armed) {
      job.generation = generationAfter(before.generation);
      this.#watchdog.armAhead(
        worker.slot,
        watchedJob(job),
        job.tag,
        job.generation,
      );
    }
    worker.send(runMessage(job, this.#watchesMemory(job)));
    return true;
  }

  /**
   * Whether the watchdog watches `job`: one with a limit, which it samples
   * (every ms near a memory limit). Others report their own usage; one with a signal, which
   * this thread handles, is read here once more if the signal stops it.
   */
  #watches(job: Job): boolean {
    return job.timeout !== undefined || this.#watchesMemory(job) ||
      job.cpuLimit !== undefined;
  }

  /** Whether memory limits apply to `job`. */
  #watchesMemory(job: Job): boolean {
    return job.memoryLimit !== undefined ||
      this.#processMemoryLimit !== undefined ||
      this.#minAvailableMemory !== undefined;
  }

  /** Takes `job` back from the watchdog, with what it saw (nothing if it did not watch it). */
  #takeBack(job: Job): WatchReadings {
    if (!job.armed) return UNWATCHED;
    job.armed = false;
    return this.#watchdog.takeBack(job.worker!.slot, job.generation);
  }

  #onMessage(worker: PoolWorker, message: WorkerMessage): void {
    if (!("id" in message)) return;
    // Only the answer to the job this worker runs, with its token, once.
    const job = this.#running.get(message.id);
    if (
      !job || job.done || job.worker !== worker || message.token !== job.token
    ) {
      return;
    }
    if (message.t === "declined") return this.#declined(worker, job);
    if (job !== worker.current) return; // a job sent ahead answers only after the one before
    if (!job.armed) this.#watchdog.ranUnwatched(worker.slot);
    const settled = chargeSettled(
      job,
      this.#takeBack(job),
      message,
      this.#watchesMemory(job),
    );
    const next = worker.ahead[0];
    if (settled.limit) return this.#stop(job, settled.limit);
    // The worker runs the job sent ahead from here: it is watched as such,
    // and the worker sent the run after it, before this one settles.
    const keptMuch = settled.replace || keptTooMuch(worker, settled.kept);
    const nextStopped = next !== undefined &&
      this.#moveOn(worker, next, keptMuch);
    if (next && !nextStopped) {
      this.#mayTakeAhead.add(worker);
      this.#sendAhead();
    }
    if (message.t === "value") {
      this.#finish(job, {
        ok: true,
        value: message.value,
        usage: settled.usage,
      });
    } else if (message.t === "threw") {
      this.#fail(job, fromWire(message.error), "threw", settled.usage);
    }
    if (nextStopped) {
      // Its verdict came before this result was read (the verdict in the
      // slot is the result).
      this.#interrupt(next, new LimitExceeded("memory"));
    } else if (next) {
      return;
    } else if (keptMuch || worker.retireAfterJob) {
      this.#retire(worker, "keptMemory");
    } else if (this.#workers.has(worker)) {
      this.#workers.putIdle(worker);
      this.#dispatch();
    }
  }

  /**
   * `worker` sent the result of its job and runs `next`, the first job sent
   * ahead of it: from here `next` is its job, watched by the watchdog from
   * its start (which the watchdog may have seen already). True if the
   * watchdog stopped it.
   */
  #moveOn(
    worker: PoolWorker,
    next: Job,
    keptMuch: boolean,
  ): boolean {
    this.#removeAhead(worker, next);
    worker.current = next;
    next.sentAt = performance.now();
    if (keptMuch) worker.retireAfterJob = true;
    const slot = worker.slot;
    if (next.generation >= 0) {
      const now = this.#watchdog.stateWord(slot);
      const past = generationsBetween(next.generation, generationOf(now));
      if (past <= AHEAD_DEPTH) {
        // The watchdog saw it start and watches it (or stopped it already),
        // or saw a later one start: it ended.
        next.armed = true;
        return past === 0 && stateOf(now) === State.Verdict;
      }
    }
    // In the generation after the job before, as sent (watch_slots.ts): one
    // sent ahead is armed even without limits of its own, so that those
    // sent after it keep the generations they were sent with.
    next.armed = next.generation >= 0 || this.#watches(next);
    if (next.armed) {
      next.generation = this.#watchdog.arm(slot, watchedJob(next));
    }
    return false;
  }

  /**
   * The worker did not start `job`, sent ahead: it kept more memory than
   * `job` may be charged for. `job` runs on another worker.
   */
  #declined(worker: PoolWorker, job: Job): void {
    if (job !== worker.current && !worker.ahead.includes(job)) return;
    this.#takeBack(job);
    this.#removeAhead(worker, job);
    const next = worker.ahead[0];
    if (worker.current === job) {
      worker.current = undefined;
      // A run already sent after it: the worker hands it back too or runs
      // it (its memory may have been collected meanwhile); the worker is
      // replaced after that, never while it may run it.
      if (next) {
        worker.retireAfterJob = true;
        if (this.#moveOn(worker, next, true)) {
          this.#interrupt(next, new LimitExceeded("memory"));
        }
      }
    }
    this.#requeue(job);
    if (!worker.retireAfterJob || worker.current === undefined) {
      this.#retire(worker, "keptMemory");
    }
  }

  /** `job`, sent ahead, never started: back in the queue, in its turn. */
  #requeue(job: Job): void {
    this.#running.delete(job.id);
    job.worker!.tasksRun--;
    job.worker = undefined;
    job.tag = undefined;
    job.armed = false;
    job.generation = -1;
    this.#queue.putBack(job);
    this.#workers.topUp();
    this.#dispatch();
  }

  /**
   * Replaces `worker`. The jobs sent ahead to it are settled once it is gone
   * and every message it sent has been read (`settleAhead`).
   */
  #retire(worker: PoolWorker, reason: WorkerExitReason): void {
    this.#mayTakeAhead.delete(worker);
    this.#workers.retire(worker, reason);
    if (worker.ahead.length > 0) {
      void worker.closed.then(() => this.#settleAhead(worker));
    }
  }

  /** `job`, sent ahead to `worker`, is no longer ahead (it started, or is taken back). */
  #removeAhead(worker: PoolWorker, job: Job): void {
    const i = worker.ahead.indexOf(job);
    if (i < 0) return;
    worker.ahead.splice(i, 1);
    this.#aheadWaiting--;
    if (this.#aheadWaiting === 0 && this.#queue.length === 0) this.#drained();
  }

  /** The queue and the runs sent ahead are empty: producers may add runs. */
  #drained(): void {
    if (this.#aheadWaiting === 0 && !this.#takingAhead) emit(this, "drain");
  }

  /**
   * The jobs still sent ahead to `worker`, gone: its beacon, read last,
   * shows the tag of the last one it started. Those after it never started
   * and run elsewhere; it and those before it (whose results never came)
   * fail. (Unreadable: all may have started.)
   */
  #settleAhead(worker: PoolWorker): void {
    const jobs = [...worker.ahead];
    const started = Number.isNaN(worker.lastTag)
      ? jobs.length - 1
      : jobs.findIndex((job) => job.tag === worker.lastTag);
    for (const [i, job] of jobs.entries()) {
      this.#removeAhead(worker, job);
      if (job.done) continue;
      if (i > started) {
        this.#requeue(job);
        continue;
      }
      this.#fail(
        job,
        new Error(
          `the worker process was stopped for the run before this one, after this run "${job.exportName}" may have started`,
        ),
      );
    }
  }

  /**
   * This thread stops `job` (a token, or the watchdog's word that it did):
   * `{ ok: false }` with `error`, or the watchdog's verdict if it stopped
   * the job first.
   */
  #interrupt(job: Job, error: LimitExceeded): void {
    if (job.done) return;
    const watch = !job.armed && job.worker && this.#readsProc
      ? stopReadings(job.worker)
      : this.#takeBack(job);
    this.#stop(job, chargeStopped(job, watch, error));
  }

  /** Settles `job` with `result`, and kills its worker if it was running. */
  #stop(job: Job, result: PoolResult<unknown>): void {
    const worker = job.worker;
    if (!worker) this.#queue.remove(job);
    this.#finish(job, result);
    if (worker) this.#retire(worker, "limit");
  }

  /** A ready worker exited unasked (a crash, the heap cap, or the watchdog's kill). */
  #onExit(worker: PoolWorker, exit: WorkerExit): void {
    if (worker.ahead.length > 0) {
      // Every message it sent is read first: whether the job before the one
      // sent ahead ended, and so which of the two the exit stopped.
      void worker.closed.then(() => this.#onExitRead(worker, exit));
      return;
    }
    this.#onExitRead(worker, exit);
  }

  #onExitRead(worker: PoolWorker, exit: WorkerExit): void {
    const job = worker.current?.done === false ? worker.current : undefined;
    let reason: "limit" | "crash" = "crash";
    if (job) {
      const limit = job.memoryLimit ?? this.#processMemoryLimit;
      const result = chargeExit(job, this.#takeBack(job), exit, limit);
      if (result) {
        reason = "limit";
        this.#finish(job, result);
      } else {
        // An exit we did not ask for, and no limit: a crash.
        this.#fail(
          job,
          new Error(
            `the worker process running "${job.exportName}" exited unexpectedly (code ${exit.code}, signal ${exit.signal})`,
          ),
        );
      }
    }
    this.#retire(worker, reason);
  }

  #finish(job: Job, result: PoolResult<unknown>): void {
    if (job.done) return;
    this.#settle(job, outcomeOf(result), result.usage);
    job.resolve(result);
  }

  /**
   * Rejects `job`: the task threw (`usage`: its worker's), or the pool could
   * not run it (a run that started gets its wall time; CPU and memory NaN).
   */
  #fail(
    job: Job,
    error: Error,
    outcome: "threw" | "failed" = "failed",
    usage: PoolUsage = job.worker
      ? stoppedUsage(job.sentAt, NaN, 0, 0)
      : notRun(),
  ): void {
    if (job.done) return;
    this.#settle(job, outcome, usage);
    job.reject(error);
  }

  #settle(job: Job, outcome: RunOutcome, usage: PoolUsage): void {
    job.done = true;
    this.#running.delete(job.id);
    if (job.worker?.current === job) {
      job.worker.current = undefined;
      this.#mayTakeAhead.delete(job.worker);
    }
    if (job.worker) this.#removeAhead(job.worker, job);
    this.#takeBack(job); // a pending run failed: watch it no more
    if (job.onAbort) job.signal!.removeEventListener("abort", job.onAbort);
    const started = job.worker !== undefined;
    usage.waitMs = (started ? job.sentAt : performance.now()) - job.queuedAt;
    this.#stats.settled(outcome, usage, started);
    if (heard(this, "settled")) {
      emit(this, "settled", settledDetail(job.exportName, outcome, usage));
    }
    this.#allSettled.settled(this.#running.size + this.#queue.length);
  }
}

/** The error of a run that needs the watchdog, once its thread has failed. */
function watchdogFailed(error: Error): Error {
  return new Error(
    `the WorkerPool's watchdog thread failed: ${error.message}`,
    { cause: error },
  );
}
