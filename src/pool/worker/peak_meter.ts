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

  /**
   * Peak resident bytes since the last reset, exact when above `above`;
   * undefined if unknown. `maxRssBytes`: a `maxRSS` just read, if the caller
   * read `process.resourceUsage()` anyway (it costs ~9 µs on Deno).
   */
  peak(above: number, maxRssBytes?: number): number | undefined {
    if (this.#fd === undefined) return undefined;
    const bound = this.#last = this.#inherited
      ? this.#status!.read()
      : maxRssBytes ?? maxRss();
    if (bound <= above || this.#inherited) return bound;
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

function maxRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}
