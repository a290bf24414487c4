/**
 * When the watchdog looks at a running job: near its memory limit every
 * tick (1 ms), far below it only once it could have grown to the limit
 * (linux/memory_growth.ts), and at its deadline; a job sent ahead, often
 * enough for its deadline to count from near its start. The watchdog thread plans
 * its waits with these; the main thread, arming a job, wakes it only if the
 * job is due before the planned wake (watch_slots.ts).
 */
import { msToReach } from "../linux/memory_growth.ts";
import { keptAllowance } from "../accounting/kept_allowance.ts";

/**
 * The longest the watchdog waits between two looks at a running job, ms
 * (unless its tick is longer): what a wrong growth bound could cost, and
 * how fresh the samples of a job's usage stay.
 */
const MAX_WAIT_MS = 20;

/** The longest wait between two looks with ticks of `tickMs`, ms. */
export function longestWaitMs(tickMs: number): number {
  return Math.max(tickMs, MAX_WAIT_MS);
}

/**
 * Ms before a job `headroom` bytes below its memory limit is sampled again,
 * `tickMs` at least (Infinity: no limit).
 */
export function sampleWaitMs(headroom: number, tickMs: number): number {
  return msToReach(headroom, tickMs, longestWaitMs(tickMs));
}

/**
 * Ms between two looks for the start of a job sent ahead with `timeout`:
 * its deadline counts from the look that finds it started (the host's main
 * thread, when free, moves on to it before, at its start), so it is late
 * by less than a tenth of its timeout, and by MAX_WAIT_MS at most.
 */
export function aheadLookMs(timeout: number, tickMs: number): number {
  return Math.min(Math.max(tickMs, timeout / 10), longestWaitMs(tickMs));
}

/**
 * Ms from the start of a job under `memoryLimit` (NaN: none) to its first
 * sample: it starts at most `keptAllowance` above its worker's fresh size
 * (a worker that kept more is replaced or declines it), and the worker's
 * own brake reads it within a tick of its start.
 */
export function firstSampleMs(memoryLimit: number, tickMs: number): number {
  const headroom = Number.isNaN(memoryLimit)
    ? Infinity
    : memoryLimit - keptAllowance(memoryLimit);
  return sampleWaitMs(headroom, tickMs);
}
