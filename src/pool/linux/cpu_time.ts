/**
 * CPU time of processes on Linux, from `/proc/PID/stat`: fields 14–17
 * (utime, stime, cutime, cstime), in clock ticks of 10 ms (`CLK_TCK` is 100
 * on Linux), for all of a process's threads, living and ended, and for the
 * children it waited for. A thread's own `/proc/PID/task/TID/schedstat`
 * gives its time in nanoseconds: the watchdog adds it where ticks are too
 * coarse for a limit (see `CpuClock`).
 */
import { readdirSync } from "node:fs";
import { libc } from "./libc.ts";
import { ProcFileReader } from "./proc_file_reader.ts";
import { MS_PER_TICK, parseStat, readProcText } from "./proc_fields.ts";

/** CPU time of process `pid` and of the children it waited for, in ms; undefined if it is gone. */
export function cpuMsOf(pid: number): number | undefined {
  const text = readProcText(`/proc/${pid}/stat`);
  const cpu = text === undefined ? undefined : parseStat(text);
  return cpu && cpu.ownMs + cpu.childrenMs;
}

/**
 * CPU time of the children this process waited for, in ms; 0 where it
 * cannot be read. Used in the worker, whose own time `process.cpuUsage()`
 * gives to the microsecond. Through FFI (libc.ts) `getrusage(RUSAGE_CHILDREN)`
 * gives it to the µs for 1 to 3 µs a reading; without FFI, `cutime` +
 * `cstime` of /proc/self/stat, to 10 ms, for 15 to 25 µs (the kernel sums
 * every thread's time for the line). Either way the worker reads it only
 * after tasks long enough to have started and waited for a process (`last`
 * is the previous reading).
 */
export class WaitedChildren {
  readonly #libc = libc();
  readonly #stat = this.#libc
    ? undefined
    : new ProcFileReader("/proc/self/stat", 1024);
  /** Milliseconds at the last reading. */
  last = 0;

  constructor() {
    this.ms();
  }

  /** Milliseconds so far (also kept in `last`). */
  ms(): number {
    if (this.#libc) {
      const us = this.#libc.childrenCpuUs();
      if (us !== undefined) this.last = us / 1000;
      return this.last;
    }
    const text = this.#stat!.text();
    this.last = (text === undefined ? undefined : parseStat(text))
      ?.childrenMs ?? 0;
    return this.last;
  }
}

/**
 * CPU time one worker process spends from a starting point, read again and
 * again (by the watchdog): its stat line in ticks, and its main thread's
 * schedstat in nanoseconds. A task's JavaScript runs on the main thread, so
 * for a task that computes, the nanoseconds are the precise part, and the
 * ticks catch the rest (other threads, waited-for children) to 10 ms:
 * `usedMs()` is the larger of the two differences from the start, both
 * lower bounds of the time used.
 */
export class CpuClock {
  readonly #pid: number;
  readonly #stat: ProcFileReader;
  readonly #schedstat: ProcFileReader;
  #ticksStart = NaN;
  /** Whether `#ticksStart` is exact (else a reading in whole ticks). */
  #exactStart = false;
  #mainStart = NaN;
  /** Each thread's nanoseconds at the start, for `preciseMs()`. */
  #threadsStart: Map<string, number> | undefined;
  #precise = 0;

  constructor(pid: number) {
    this.#pid = pid;
    this.#stat = new ProcFileReader(`/proc/${pid}/stat`, 1024);
    this.#schedstat = new ProcFileReader(
      `/proc/${pid}/task/${pid}/schedstat`,
      128,
    );
  }

  /** Every live thread's nanoseconds now (tens of µs a thread: not for every sample). */
  #threads(): Map<string, number> {
    const times = new Map<string, number>();
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${this.#pid}/task`);
    } catch {
      return times;
    }
    for (const tid of tids) {
      const text = readProcText(`/proc/${this.#pid}/task/${tid}/schedstat`);
      // Undefined: the thread ended meanwhile.
      if (text !== undefined) times.set(tid, Number(text.split(" ")[0]));
    }
    return times;
  }

  /**
   * Milliseconds used since `start()` by all the process's threads, to the
   * nanosecond (threads that ended meanwhile are missed; the larger of this
   * and every earlier reading). Costly: for readings near a limit.
   */
  preciseMs(): number {
    if (this.#threadsStart === undefined) return this.#precise;
    let ns = 0;
    for (const [tid, now] of this.#threads()) {
      ns += now - (this.#threadsStart.get(tid) ?? 0);
    }
    this.#precise = Math.max(this.#precise, ns / 1e6);
    return this.#precise;
  }

  #ticksMs(): number | undefined {
    const stat = this.#stat.text();
    const cpu = stat === undefined ? undefined : parseStat(stat);
    return cpu && cpu.ownMs + cpu.childrenMs;
  }

  #mainMs(): number {
    const text = this.#schedstat.text();
    return text === undefined ? NaN : Number(text.split(" ")[0]) / 1e6;
  }

  /** Starts counting from now; with `precise`, so that `preciseMs()` can be read. */
  start(precise: boolean): void {
    this.#ticksStart = this.#ticksMs() ?? NaN;
    this.#exactStart = false;
    this.#mainStart = this.#mainMs();
    this.#threadsStart = precise ? this.#threads() : undefined;
    this.#precise = 0;
  }

  /**
   * Starts counting from `ms`, the process's CPU time (own and of the
   * children it waited for) at the start by its own exact clock (getrusage),
   * read nothing now. `usedMs()` then reads the ticks alone (one file): a
   * lower bound to two ticks (utime and stime are each cut to whole ticks).
   */
  startAt(ms: number): void {
    this.#ticksStart = ms;
    this.#exactStart = true;
    this.#mainStart = NaN;
    this.#threadsStart = undefined;
    this.#precise = 0;
  }

  /**
   * Makes `preciseMs()` readable from now on, if it is not: it then misses
   * what the threads used between `start()` and now (a weaker lower bound,
   * which `usedMs()` does not depend on).
   */
  startPrecise(): void {
    this.#threadsStart ??= this.#threads();
  }

  /** Milliseconds used since `start()`, or undefined once the process is gone. */
  usedMs(): number | undefined {
    const ticks = this.#ticksMs();
    if (ticks === undefined) return undefined;
    // Two readings in whole ticks differ by up to a tick more than the time
    // between them: take a tick off, never to stop a task early.
    const byTicks = ticks - this.#ticksStart -
      (this.#exactStart ? 0 : MS_PER_TICK);
    const byMain = Number.isNaN(this.#mainStart)
      ? NaN
      : this.#mainMs() - this.#mainStart;
    return Math.max(
      Number.isNaN(byTicks) ? 0 : byTicks,
      Number.isNaN(byMain) ? 0 : byMain,
    );
  }

  close(): void {
    this.#stat.close();
    this.#schedstat.close();
  }
}
