/**
 * The pool's worker processes: starting them (each watched by the watchdog
 * from its start), the idle ones, replacing and ending them. Which job runs
 * where is the pool's to decide (worker_pool.ts); this set only keeps the
 * workers.
 */
import type { WorkerMessage } from "./wire/messages.ts";
import type { WorkerExit, WorkerProcess } from "./spawn/worker_process.ts";
import type { Watchdog } from "./watchdog/watchdog.ts";

/** What the set tells the pool. */
export interface WorkerSetEvents {
  /** `worker` loaded the task module, which exports `exports`, and is idle. */
  ready(worker: WorkerProcess, exports: string[]): void;
  /** A worker ended before it was ready; `alive` workers remain. */
  startFailed(error: Error, alive: number): void;
  /** A message of a ready worker. */
  message(worker: WorkerProcess, message: WorkerMessage): void;
  /** A ready worker exited without being asked to. */
  exited(worker: WorkerProcess, exit: WorkerExit): void;
}

export class WorkerSet {
  readonly #all = new Set<WorkerProcess>();
  readonly #idle: WorkerProcess[] = [];
  readonly #exiting = new Set<Promise<unknown>>();
  readonly #size: number;
  readonly #start: () => WorkerProcess;
  readonly #watchdog: Watchdog;
  readonly #events: WorkerSetEvents;
  #closed = false;

  /** Keeps `size` workers made by `start`, each in a slot of `watchdog`. */
  constructor(
    size: number,
    start: () => WorkerProcess,
    watchdog: Watchdog,
    events: WorkerSetEvents,
  ) {
    this.#size = size;
    this.#start = start;
    this.#watchdog = watchdog;
    this.#events = events;
    this.topUp();
  }

  /** Workers alive now (starting, idle or busy). */
  get count(): number {
    return this.#all.size;
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
  has(worker: WorkerProcess): boolean {
    return this.#all.has(worker);
  }

  /** The idle worker that waited longest, taken out of the idle ones. */
  takeIdle(): WorkerProcess | undefined {
    return this.#idle.shift();
  }

  /** `worker` is idle again: `first` to be taken next (it never ran the job it was taken for). */
  putIdle(worker: WorkerProcess, first = false): void {
    if (!this.#all.has(worker)) return;
    if (first) this.#idle.unshift(worker);
    else this.#idle.push(worker);
  }

  /** Starts workers until `size` are alive or starting (after start failures). */
  topUp(): void {
    while (!this.#closed && this.#all.size < this.#size) this.#spawn();
  }

  /** Kills `worker` (with what its task started) and starts another in its place. */
  retire(worker: WorkerProcess): void {
    if (!this.#all.has(worker)) return;
    this.#track(this.#drop(worker));
    if (!this.#closed) this.#spawn();
  }

  /** Kills every worker and waits until all have exited. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const worker of [...this.#all]) this.#track(this.#drop(worker));
    await Promise.all(this.#exiting);
  }

  #spawn(): void {
    const worker = this.#start();
    this.#all.add(worker);
    if (worker.pid !== undefined) {
      worker.slot = this.#watchdog.add(worker.pid);
    }
    // A worker serves once the watchdog watches too: no job runs unwatched.
    Promise.all([worker.ready, this.#watchdog.up]).then(
      ([exports]) => {
        if (!this.#all.has(worker)) return;
        this.#watchdog.ready(worker.slot);
        this.#idle.push(worker);
        this.#events.ready(worker, exports);
      },
      (error) => this.#onStartFailure(worker, error),
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
  #onStartFailure(worker: WorkerProcess, error: Error): void {
    if (!this.#all.has(worker)) return; // closed meanwhile
    this.#track(this.#drop(worker));
    this.#events.startFailed(error, this.#all.size);
  }

  /** Kills `worker`'s tree, stops watching it, and forgets it; resolves at its exit. */
  #drop(worker: WorkerProcess): Promise<unknown> {
    this.#all.delete(worker);
    const i = this.#idle.indexOf(worker);
    if (i >= 0) this.#idle.splice(i, 1);
    const exit = worker.kill();
    if (worker.slot >= 0) this.#watchdog.remove(worker.slot);
    worker.slot = -1;
    return exit;
  }

  #track(exit: Promise<unknown>): void {
    this.#exiting.add(exit);
    exit.then(() => this.#exiting.delete(exit));
  }
}
