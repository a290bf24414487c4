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
 * clears: then peaks are read from `VmHWM` (about 9 µs), but only after page
 * faults: resident memory grows through them, so with none since the mark
 * was read, it is the same. (Not seen so: pages populated without a fault
 * counted, by `mlock` or `MAP_POPULATE` from native code; the worker's brake
 * and the host's watchdog still sample them.) Used inside worker processes
 * (worker.process.ts).
 */
import { openSync, writeSync } from "node:fs";
import { ProcFileReader } from "../linux/proc_file_reader.ts";
import { highWaterMarkOf } from "../linux/proc_fields.ts";
import { MiB } from "../../units.ts";

const RESET = new TextEncoder().encode("5");
const SLACK_BYTES = MiB;

export class PeakMeter {
  #fd: number | undefined;
  /**
   * The mark right after the last reset, bytes; none yet (-Infinity), so
   * that the first reset is not skipped.
   */
  #base = -Infinity;
  /** The last mark read, bytes. */
  #last = Infinity;
  /** Whether `maxRSS` carries a mark from before `execve` (the forking host's). */
  #inherited = false;
  /** This process's page faults when `#last` was read from `VmHWM`, or before (NaN: none). */
  #faultsAtMark = NaN;
  #status: HighWaterMark | undefined;

  constructor() {
    try {
      const status = this.#status = new HighWaterMark();
      this.#fd = openSync("/proc/self/clear_refs", "w");
      this.#inherited = maxRss() > status.read() + SLACK_BYTES;
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
      // Counted before the reset: a fault meanwhile makes the next peak read.
      const faults = this.#inherited ? pageFaults(resourceUsage()) : NaN;
      writeSync(this.#fd, RESET);
      this.#base = this.#last = this.#mark();
      this.#faultsAtMark = faults;
    } catch {
      this.#fd = undefined;
    }
  }

  /**
   * Peak resident bytes since the last reset, exact when above `above`;
   * undefined if unknown. `usage`: `process.resourceUsage()` just read (at
   * the task's end), for `maxRSS` and the page faults.
   */
  peak(above: number, usage = resourceUsage()): number | undefined {
    if (this.#fd === undefined) return undefined;
    if (this.#inherited) {
      const faults = pageFaults(usage);
      if (faults !== this.#faultsAtMark) {
        this.#faultsAtMark = faults;
        this.#last = this.#status!.read();
      }
      return this.#last;
    }
    const bound = this.#last = usage.maxRSS * 1024;
    if (bound <= above) return bound;
    return this.#status!.read();
  }

  /** The mark: `maxRSS` (cheap), or `VmHWM` where `maxRSS` is inherited. */
  #mark(): number {
    return this.#inherited ? this.#status!.read() : maxRss();
  }
}

/**
 * `VmHWM` of this process (the mark since its `execve` or last reset), read
 * again and again through one open /proc/self/status, parsed from its bytes:
 * a few µs, against ~40–160 µs on Deno for `readFileSync` and a regex, at
 * every task of a worker whose `maxRSS` is inherited.
 */
class HighWaterMark {
  readonly #status = new ProcFileReader("/proc/self/status", 4096);

  /** Throws where the file cannot be read (PeakMeter then gives up peaks). */
  constructor() {
    this.read();
  }

  /** Bytes; NaN if the line is missing. */
  read(): number {
    const n = this.#status.read();
    if (n === undefined) throw new Error("cannot read /proc/self/status");
    return highWaterMarkOf(this.#status.bytes, n);
  }
}

/**
 * This process's getrusage, taken when this module is evaluated: task code
 * that replaces `process.resourceUsage` later does not blind the meter.
 */
const resourceUsage = process.resourceUsage.bind(process);

function maxRss(): number {
  return resourceUsage().maxRSS * 1024;
}

/** Page faults, minor and major, in `usage`. */
function pageFaults(usage: ReturnType<typeof resourceUsage>): number {
  return usage.minorPageFault + usage.majorPageFault;
}
