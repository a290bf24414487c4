/**
 * The pool's worker processes: starting them (each watched by the watchdog
 * from its start), the idle ones, replacing and ending them, and why each
 * ended. The set keeps `minSize` workers and starts more, up to `size`,
 * while runs wait; a worker above `minSize` idle for `idleTimeout` ms exits,
 * and one that ran `maxTasksPerWorker` tasks is replaced. Which job runs
 * where is the pool's to decide (worker_pool.ts).
 */
import type { WorkerMessage } from "./wire/messages.ts";
import type { WorkerExit } from "./spawn/worker_process.ts";
import type { PoolWorker } from "./pool_worker.ts";
import type { Watchdog } from "./watchdog/watchdog.ts";
import type { WorkerExitReason } from "./observe/pool_events.ts";

/** What the set tells the pool. */
export interface WorkerSetEvents {
  /** `worker` loaded the task module, which exports `exports`, and is idle. */
  ready(worker: PoolWorker, exports: string[]): void;
  /** A worker ended before it was ready; `alive` workers remain. */
  startFailed(error: Error, alive: number): void;
  /** A message of a ready worker. */
  message(worker: PoolWorker, message: WorkerMessage): void;
  /** A ready worker exited without being asked to. */
  exited(worker: PoolWorker, exit: WorkerExit): void;
  /** A worker process started. */
  started(pid: number): void;
  /** A worker process ended (it was reaped), for `reason`. */
  ended(pid: number, reason: WorkerExitReason): void;
  /** Runs waiting for a worker. */
  waiting(): number;
}

/** How many workers the set keeps, and for how long. */
export interface WorkerSetSizes {
  /** Workers at most. */
  size: number;
  /** Workers kept when idle. */
  minSize: number;
  /** Ms a worker above `minSize` may stay idle (Infinity: forever). */
  idleTimeout: number;
  /** Tasks a worker runs before it is replaced (Infinity: never). */
  maxTasksPerWorker: number;
}

export class WorkerSet {
  readonly #all = new Set<PoolWorker>();
  readonly #idle: PoolWorker[] = [];
  readonly #idleTimers = new Map<
    PoolWorker,
    ReturnType<typeof setTimeout>
  >();
  readonly #exiting = new Set<Promise<unknown>>();
  readonly #sizes: WorkerSetSizes;
  readonly #start: () => PoolWorker;
  readonly #watchdog: Watchdog;
  readonly #events: WorkerSetEvents;
  /** Workers started and not yet ready. */
  #starting = 0;
  #closed = false;

  /** Keeps workers made by `start`, each in a slot of `watchdog`. */
  constructor(
    sizes: WorkerSetSizes,
    start: () => PoolWorker,
    watchdog: Watchdog,
    events: WorkerSetEvents,
  ) {
    this.#sizes = sizes;
    this.#start = start;
    this.#watchdog = watchdog;
    this.#events = events;
    this.topUp();
  }

  /** Workers alive now (starting, idle or busy). */
  get count(): number {
    return this.#all.size;
  }

  /** Whether every worker the set may have is up: `size` of them, none starting. */
  get full(): boolean {
    return this.#all.size >= this.#sizes.size && this.#starting === 0;
  }

  /** Idle workers, ready for a job. */
  get idleCount(): number {
    return this.#idle.length;
  }

  /** Pids of the live workers. */
  get pids(): number[] {
    return [...this.#all].map((w) => w.pid);
  }

  /** Whether `worker` is one of the set's (not yet ended). */
  has(worker: PoolWorker): boolean {
    return this.#all.has(worker);
  }

  /**
   * An idle worker, taken out of the idle ones: the one that waited longest,
   * or, when idle workers may exit, the last one back (so that the others
   * stay idle long enough to exit when the load falls).
   */
  takeIdle(): PoolWorker | undefined {
    if (this.#sizes.idleTimeout === Infinity) return this.#idle.shift();
    const worker = this.#idle.pop();
    if (worker) this.#stopIdleTimer(worker);
    return worker;
  }

  /**
   * `worker` settled a task and is idle again, unless it has run
   * `maxTasksPerWorker` tasks (then it is replaced). `first`: it never ran
   * the job it was taken for, and is taken next.
   */
  putIdle(worker: PoolWorker, first = false): void {
    if (!this.#all.has(worker)) return;
    if (!first && worker.tasksRun >= this.#sizes.maxTasksPerWorker) {
      return this.retire(worker, "recycled");
    }
    // takeIdle takes from the front, or from the back when idle workers may exit.
    const fromFront = this.#sizes.idleTimeout === Infinity;
    if (first && fromFront) this.#idle.unshift(worker);
    else this.#idle.push(worker);
    this.#startIdleTimer(worker);
  }

  /**
   * Starts workers until `minSize` are alive or starting, and more, up to
   * `size`, while runs wait that no idle or starting worker will take.
   */
  topUp(): void {
    const { size, minSize } = this.#sizes;
    while (
      !this.#closed &&
      (this.#all.size < minSize ||
        (this.#all.size < size &&
          this.#starting + this.#idle.length < this.#events.waiting()))
    ) this.#spawn();
  }

  /** Kills `worker` (with what its task started) for `reason`; starts another if needed. */
  retire(worker: PoolWorker, reason: WorkerExitReason): void {
    if (!this.#all.has(worker)) return;
    this.#track(this.#drop(worker, reason));
    this.topUp();
  }

  /** Kills every worker and waits until all have exited. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const worker of [...this.#all]) {
      this.#track(this.#drop(worker, "close"));
    }
    await Promise.all(this.#exiting);
  }

  #spawn(): void {
    const worker = this.#start();
    this.#all.add(worker);
    this.#starting++;
    if (worker.pid !== undefined) {
      worker.slot = this.#watchdog.add(worker.pid);
      this.#events.started(worker.pid);
    }
    let starting = true;
    const started = () => {
      if (starting) this.#starting--;
      starting = false;
    };
    // A worker serves once the watchdog watches too: no job runs unwatched.
    Promise.all([worker.ready, this.#watchdog.up]).then(
      ([exports]) => {
        started();
        if (!this.#all.has(worker)) return;
        this.#watchdog.ready(worker.slot, worker.beacon?.workerFd);
        this.#idle.push(worker);
        this.#startIdleTimer(worker);
        this.#events.ready(worker, exports);
      },
      (error) => {
        started();
        this.#onStartFailure(worker, error);
      },
    );
    worker.onMessage = (message) => this.#events.message(worker, message);
    worker.exited.then((exit) => {
      // A worker that was never ready is handled by #onStartFailure.
      if (!worker.killed && worker.loaded) this.#events.exited(worker, exit);
    });
  }

  /**
   * A worker died or its module failed to load before it was ready. It is
   * not replaced at once (a module that always fails would make that a spawn
   * loop): the pool's next run starts the missing workers again.
   */
  #onStartFailure(worker: PoolWorker, error: Error): void {
    if (!this.#all.has(worker)) return; // closed meanwhile
    this.#track(this.#drop(worker, "crash"));
    this.#events.startFailed(error, this.#all.size);
  }

  /** An idle worker above `minSize` exits after `idleTimeout` ms still idle. */
  #startIdleTimer(worker: PoolWorker): void {
    const { idleTimeout, minSize } = this.#sizes;
    if (idleTimeout === Infinity || this.#all.size <= minSize) return;
    this.#idleTimers.set(
      worker,
      setTimeout(() => {
        this.#idleTimers.delete(worker);
        if (this.#all.size > minSize) this.retire(worker, "idle");
      }, idleTimeout),
    );
  }

  #stopIdleTimer(worker: PoolWorker): void {
    const timer = this.#idleTimers.get(worker);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#idleTimers.delete(worker);
  }

  /**
   * Kills `worker`'s tree, stops watching it, and forgets it; resolves at
   * its exit, once the pool was told why it ended.
   */
  #drop(worker: PoolWorker, reason: WorkerExitReason): Promise<unknown> {
    this.#all.delete(worker);
    this.#stopIdleTimer(worker);
    const i = this.#idle.indexOf(worker);
    if (i >= 0) this.#idle.splice(i, 1);
    const pid = worker.pid;
    const exit = worker.kill().then(() => {
      if (pid !== undefined) this.#events.ended(pid, reason);
    });
    if (worker.slot >= 0) this.#watchdog.remove(worker.slot);
    worker.slot = -1;
    return exit;
  }

  #track(exit: Promise<unknown>): void {
    this.#exiting.add(exit);
    exit.then(() => this.#exiting.delete(exit));
  }
}
