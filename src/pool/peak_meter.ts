/**
 * A worker's own peak resident memory per task, from the kernel's high-water
 * mark: reset by writing `5` to /proc/self/clear_refs between tasks, read
 * with `getrusage` (`maxRSS`, about 1–3 µs) and, when that is above the
 * task's limit, confirmed from `VmHWM` in /proc/self/status (`maxRSS` may
 * also carry a mark the reset does not clear: one left by an exited thread).
 * Resetting costs a few µs, so it is skipped when the mark has not risen by
 * more than `SLACK_BYTES` since the last reset: the next peak is then at
 * most that much above the truth. Linux keeps `maxRSS` across `execve`, so a
 * worker forked by a big host starts with the host's mark, which no reset
 * clears: then every peak is read from `VmHWM`. Used inside worker processes
 * (worker_main.ts).
 */
import { openSync, readFileSync, writeSync } from "node:fs";

const RESET = new TextEncoder().encode("5");
const SLACK_BYTES = 2 ** 20;

export class PeakMeter {
  #fd: number | undefined;
  /** The mark right after the last reset, bytes. */
  #base = Infinity;
  /** The last mark read, bytes. */
  #last = Infinity;
  /** Whether `maxRSS` carries a mark from before `execve` (the forking host's). */
  #inherited = false;

  constructor() {
    try {
      this.#fd = openSync("/proc/self/clear_refs", "w");
      this.#inherited = maxRss() > highWaterMark() + SLACK_BYTES;
      this.reset();
    } catch {
      this.#fd = undefined; // refused here: the host falls back to its samples
    }
  }

  /** Whether peaks can be reset, and so reported per task. */
  get works(): boolean {
    return this.#fd !== undefined;
  }

  /** Starts a new peak at the current resident memory (unless the mark is within the slack of the last reset's). */
  reset(): void {
    if (this.#fd === undefined || this.#last <= this.#base + SLACK_BYTES) {
      return;
    }
    try {
      writeSync(this.#fd, RESET);
      this.#base = this.#last = this.#mark();
    } catch {
      this.#fd = undefined;
    }
  }

  /** The mark may have risen unseen (a task ran without reading it): reset at the next chance. */
  invalidate(): void {
    this.#last = Infinity;
  }

  /** Peak resident bytes since the last reset, exact when above `above`; undefined if unknown. */
  peak(above: number): number | undefined {
    if (this.#fd === undefined) return undefined;
    const bound = this.#last = this.#mark();
    if (bound <= above || this.#inherited) return bound;
    return highWaterMark();
  }

  /** The mark: `maxRSS` (cheap), or `VmHWM` where `maxRSS` is inherited. */
  #mark(): number {
    return this.#inherited ? highWaterMark() : maxRss();
  }
}

/** `VmHWM` of this process, bytes: the mark since its `execve` or last reset. */
function highWaterMark(): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(
    readFileSync("/proc/self/status", "utf8"),
  )?.[1];
  return Number(kb) * 1024;
}

function maxRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}
