/**
 * A worker's own brake on its memory: a thread in the worker process that
 * samples the process's resident memory while a task with a memory limit
 * runs (every millisecond near the limit, less often far below it), and
 * freezes the process group (SIGSTOP) once it is over the limit. The host's
 * watchdog then charges and kills the frozen worker as it would have anyway
 * (watchdog.thread.ts); the brake only stops the task from growing in the
 * meantime.
 *
 * Why in the worker: each worker leads its own session, and where Linux
 * schedules by session (autogroup), the host's watchdog competes for a core
 * with every worker's session, each weighed like the host's whole one. Two
 * test suites at once on 2 cores left it waiting long enough for a bomb to
 * be charged 122% of its limit. The brake's thread is in the task's own
 * process and, where the system allows it, runs under the real-time policy
 * `SCHED_FIFO` (realtime.ts): an ordinary thread there, too, waited up to
 * seconds for a core behind other busy processes while the task allocated
 * (one overshot by 46 MiB). Used inside worker processes (worker.process.ts).
 */
import { Worker } from "node:worker_threads";
import { BRAKE_THREAD } from "../spawn/entry_points.ts";
import { raiseToRealtime } from "../linux/realtime.ts";
import { MiB } from "../../units.ts";

/**
 * The argument after the task module's URL that tells a worker to start its
 * brake: given to the workers of a pool with a `memoryLimit` (the thread
 * costs a worker 9 to 20 MiB, measured here, which a pool that never limits
 * memory need not pay).
 */
export const BRAKE_ARG = "--memory-brake";

/** Int32 words of the shared buffer (brake.thread.ts reads the same). */
const STATE = 0, SLEEPING = 1, ARMS = 2, PLANNED_MIB = 3;

/**
 * The brake of the process it is made in (a group leader: a pool worker).
 *
 * @example
 * ```ts
 * import { MemoryBrake } from "./memory_brake.ts";
 * import { MiB } from "../../units.ts";
 *
 * const brake = new MemoryBrake();
 * await brake.ready; // before the worker announces itself
 * // The host sends `brakeAbove`: the worker's fresh size plus the task's limit.
 * const freshBytes = 48 * MiB;
 * brake.arm(freshBytes + 256 * MiB); // before the task starts
 * // ... the task runs; over the bound, the process group is frozen
 * brake.disarm(); // when it settles
 * ```
 */
export class MemoryBrake {
  /**
   * The state (0: disarmed, 1: armed, 2: fired), whether the thread sleeps
   * until an arm wakes it (1) or ticks (0), the arms so far (what the
   * thread waits on), the bound its current wait was planned for (MiB,
   * rounded down, so that an arm at the same bound does not wake it; 0:
   * none), then (at byte 16) the resident bytes above which
   * the brake fires (brake.thread.ts).
   */
  readonly #buffer = new SharedArrayBuffer(24);
  readonly #ints = new Int32Array(this.#buffer, 0, 4);
  readonly #above = new Float64Array(this.#buffer, 16, 1);
  #up = false;
  #realtime = false;
  #threadId: number | undefined;
  /**
   * Settles once the thread is up or has failed: the worker announces itself
   * only then, so that its fresh size includes the thread's memory.
   */
  readonly ready: Promise<void>;

  /** Starts the thread; without /proc (or permission to load it) there is no brake. */
  constructor() {
    this.ready = new Promise((resolve) => {
      try {
        const thread = new Worker(BRAKE_THREAD, {
          workerData: { buffer: this.#buffer },
        });
        thread.unref();
        thread.once("message", async ({ tid }: { tid?: number }) => {
          this.#up = true;
          this.#threadId = tid;
          // Before `ready`: the worker is then idle, and chrt is no
          // descendant of a task.
          this.#realtime = tid !== undefined && await raiseToRealtime(tid);
          resolve();
        });
        thread.once("error", () => {
          this.#up = false;
          resolve();
        });
        thread.once("exit", () => {
          this.#up = false;
          resolve();
        });
      } catch {
        resolve();
      }
    });
  }

  /** Whether the thread is up and will sample when armed. */
  get works(): boolean {
    return this.#up;
  }

  /** The thread's id (TID), once it is up; undefined without /proc/thread-self. */
  get threadId(): number | undefined {
    return this.#threadId;
  }

  /** Whether the thread runs under `SCHED_FIFO` (realtime.ts): where the system allows it. */
  get realtime(): boolean {
    return this.#realtime;
  }

  /** Freezes this process's group once its resident memory is over `aboveBytes`. */
  arm(aboveBytes: number): void {
    if (!this.#up) return;
    this.#above[0] = aboveBytes;
    Atomics.store(this.#ints, STATE, 1);
    Atomics.add(this.#ints, ARMS, 1);
    // A ticking thread sees the arm at its next reading. Waking it here
    // would cost this thread the switch to it and its first reading (it
    // runs under SCHED_FIFO and preempts): more than a short task itself.
    // Unless it sleeps, or waits for longer than a lower bound allows.
    if (
      Atomics.load(this.#ints, SLEEPING) === 1 ||
      aboveBytes < Atomics.load(this.#ints, PLANNED_MIB) * MiB
    ) Atomics.notify(this.#ints, ARMS);
  }

  /** The task settled: stop sampling. */
  disarm(): void {
    if (!this.#up) return;
    Atomics.compareExchange(this.#ints, STATE, 1, 0);
  }
}
