/**
 * The pool's watch over its running jobs, from the main thread's side: a
 * watchdog thread (watchdog.thread.ts) that enforces `timeout`, `memoryLimit`
 * and `processMemoryLimit` while the host's main thread is busy or blocked,
 * and the slots it shares with it (watch_slots.ts). The thread is unref'd
 * (it never keeps the host alive) and ends at `stop()`.
 */
import { Worker } from "node:worker_threads";
import { WATCHDOG_THREAD } from "../spawn/entry_points.ts";
import { raiseToRealtime } from "../linux/realtime.ts";
import {
  type VerdictWithUsage,
  type WatchedJob,
  WatchSlots,
} from "./watch_slots.ts";

/** From the thread: its id (before "up"), "up", or a verdict it reached. */
type ThreadMessage = { tid: number | undefined } | "up" | {
  slot: number;
  job: number;
};

/** What the watchdog saw of a job when the pool took it back (`takeBack`). */
export interface WatchReadings {
  /** Its verdict, when it stopped the job first: that is the job's result. */
  verdict: VerdictWithUsage | undefined;
  /** Highest resident bytes of the worker's tree it saw (0: not watched). */
  peak: number;
  /** CPU ms of the tree at its last reading (NaN: not watched). */
  cpuMs: number;
  /** Descendants of the worker at its last scan. */
  descendants: number;
}

/** The readings of a job the watchdog did not watch. */
export const UNWATCHED: WatchReadings = {
  verdict: undefined,
  peak: 0,
  cpuMs: NaN,
  descendants: 0,
};

export class Watchdog {
  /**
   * Milliseconds between two samples of a job near its memory limit, and
   * the least between any two (sample_times.ts). Tests raise it to show
   * what the checks at settlement catch without the samples.
   */
  static tickMs = 1;
  /** The thread's module. Tests replace it with one that fails. */
  static threadModule: URL | string = WATCHDOG_THREAD;
  readonly #slots: WatchSlots;
  readonly #thread: Worker;
  readonly #exited: Promise<void>;
  readonly #free: number[] = [];
  #error: Error | undefined;
  /** Settles once the thread was moved to SCHED_FIFO, or could not be. */
  #raised: Promise<boolean> = Promise.resolve(false);
  /** Resolves once the thread watches (or has failed: see `error`). */
  readonly up: Promise<void>;
  /** Called when the watchdog stopped the job `job` of `slot` (its verdict is in the slot). */
  onVerdict: (slot: number, job: number) => void = () => {};
  /**
   * Called once if the thread fails or ends before `stop()` (it should not):
   * the jobs it watched then have no limit enforced, and the pool must
   * not leave them running unwatched.
   */
  onFailure: (error: Error) => void = () => {};

  /**
   * A watchdog for up to `capacity` workers at once. It reads /proc only
   * where `readsProc` (Deno opens /proc files only under -A, and would
   * otherwise ask). `minAvailableMemory`: the machine's floor (bytes).
   */
  constructor(
    capacity: number,
    processMemoryLimit: number | undefined,
    readsProc: boolean,
    minAvailableMemory?: number,
  ) {
    this.#slots = new WatchSlots(capacity, undefined, Watchdog.tickMs);
    if (processMemoryLimit !== undefined) {
      this.#slots.processLimit = processMemoryLimit;
    }
    if (minAvailableMemory !== undefined) {
      this.#slots.minAvailable = minAvailableMemory;
    }
    for (let slot = capacity - 1; slot >= 0; slot--) this.#free.push(slot);
    const thread = this.#thread = new Worker(Watchdog.threadModule, {
      workerData: {
        buffer: this.#slots.buffer,
        count: capacity,
        tickMs: Watchdog.tickMs,
        readsProc,
      },
    });
    thread.unref();
    this.#exited = new Promise((resolve) => {
      thread.once("exit", () => resolve());
    });
    this.up = new Promise((resolve) => {
      thread.on("message", (message: ThreadMessage) => {
        if (message === "up") this.#raised.then(() => resolve());
        else if ("tid" in message) {
          // Before "up": watched jobs find it raised.
          if (message.tid !== undefined) {
            this.#raised = raiseToRealtime(message.tid);
          }
        } else this.onVerdict(message.slot, message.job);
      });
      thread.on("error", (error: Error) => {
        this.#fail(error);
        resolve();
      });
      this.#exited.then(() => {
        if (!this.#slots.stopped) {
          this.#fail(new Error("the watchdog thread ended unasked"));
        }
        resolve();
      });
    });
  }

  /**
   * Why the thread died, if it did (it should not): the runs it would watch
   * then fail with this error. A Deno host that may not read the thread's
   * module is refused before (`checkPoolPermissions`).
   */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Highest whole-process resident memory the watchdog saw, bytes. */
  get processPeak(): number {
    return this.#slots.processPeak;
  }

  /** A slot for the worker `pid`, counted for `processMemoryLimit` from now on. */
  add(pid: number): number {
    const slot = this.#free.pop();
    if (slot === undefined) throw new Error("no free watch slot"); // cannot happen: one per worker
    this.#slots.assign(slot, pid);
    return slot;
  }

  /**
   * The worker of `slot` loaded its module and waits for jobs; `beacon`:
   * its descriptor of its run beacon (wire/run_beacon.ts), if the host
   * could open it.
   */
  ready(slot: number, beacon?: number): void {
    this.#slots.markReady(slot, beacon);
  }

  /** The worker of `slot` is gone; its slot is free again. */
  remove(slot: number): void {
    this.#slots.release(slot);
    this.#free.push(slot);
  }

  /**
   * A run with a `cpuLimit` was made: from now on the watchdog reads the
   * clock of idle workers, for the CPU time of such runs to count from
   * their start (without them it reads no idle worker's clock).
   */
  expectCpuLimits(): void {
    this.#slots.expectCpuLimits();
  }

  /**
   * The worker of `slot` ended a job the watchdog did not watch: its idle
   * CPU reading from before that job no longer counts for the next one.
   */
  ranUnwatched(slot: number): void {
    this.#slots.ranUnwatched(slot);
  }

  /**
   * Hands `job` to the watchdog; call before sending it to the worker.
   * Returns its generation in the slot.
   */
  arm(slot: number, job: WatchedJob): number {
    return this.#slots.arm(slot, job);
  }

  /**
   * `job` is sent ahead of the running job of `slot` (or of a job sent
   * ahead of it), to run in `generation`, with `tag`: the watchdog watches
   * it from when the worker's beacon shows the tag (see
   * `WatchSlots.advance`). Call before sending it.
   */
  armAhead(
    slot: number,
    job: WatchedJob,
    tag: number,
    generation: number,
  ): void {
    this.#slots.armAhead(slot, generation, job.id, tag, job.timeout);
  }

  /**
   * The state word of `slot` (one read): the generation of the job it
   * watches now (`generationOf`), and whether the watchdog took that job
   * (`stateOf` is `State.Verdict`).
   */
  stateWord(slot: number): number {
    return this.#slots.stateWord(slot);
  }

  /**
   * Takes the job of `slot` back from the watchdog, with what it saw of the
   * job until then: the one way the pool ends a watched job, whether the
   * worker settled it, the pool stopped it or the worker exited.
   */
  takeBack(slot: number, generation: number): WatchReadings {
    const peak = this.#slots.peak(slot);
    const cpuMs = this.#slots.cpuUsed(slot);
    const descendants = this.#slots.descendants(slot);
    // Claimed by the pool, or already taken with the watchdog's verdict, or
    // no longer the slot's job (what was read is another job's).
    const claim = this.#slots.claim(slot, generation);
    if (claim === "gone") return UNWATCHED;
    const verdict = claim === "claimed" ? undefined : this.#slots.verdict(slot);
    return { verdict, peak, cpuMs, descendants };
  }

  #fail(error: Error): void {
    if (this.#error) return;
    this.#error = error;
    this.onFailure(error);
  }

  /** Ends the thread and waits for it. Idempotent. */
  async stop(): Promise<void> {
    this.#slots.stop();
    this.#thread.ref(); // keep the host alive until it has gone
    await this.#exited;
    await this.#raised; // its chrt process ends too
  }
}
