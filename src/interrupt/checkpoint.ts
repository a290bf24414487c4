/**
 * `checkpoint()` and `isInterrupted()`. Most calls only decrement a
 * countdown. The countdown is geometric with a mean that tracks the loop's
 * call rate, so that sampled calls come about every
 * `checkpointSamplingPeriod()` ms of the loop: readings then cost a bounded
 * share of its time whatever its pace, and the overshoot past a limit is
 * bounded in time, like the timer's. While some pending task is interrupted
 * every call takes the slow path, which looks up the current task and
 * throws its interrupt.
 */
import {
  checkpointSamplingPeriod,
  sampleNow,
  setOnSamplingChange,
} from "../engine/engine.ts";
import { geometric } from "../engine/random.ts";
import type { LimitExceeded } from "../limit_exceeded.ts";
import { currentContext } from "./context.ts";
import { interruptedFrames, setOnInterrupt } from "./frame.ts";

/**
 * The largest countdown: about a billion calls. Countdowns stay small
 * integers (never Infinity) so that the fast path is one integer decrement.
 */
const NEVER = 2 ** 30;
/** Calls left before the slow path. */
let fast = NEVER;
/** Calls left before the next sampled reading (counted on the slow path while interrupts are pending). */
let toSample = NEVER;
/** The countdown drawn at the last reading, and when that reading was made. */
let drawn = 0;
let sampledAt = 0;
/** Calls between readings when the call rate is not yet known. */
const FIRST_MEAN_CALLS = 64;

setOnSamplingChange(() => {
  sampledAt = performance.now();
  drawn = countdown(
    checkpointSamplingPeriod() === Infinity ? Infinity : FIRST_MEAN_CALLS,
  );
  toSample = drawn;
  fast = interruptedFrames > 0 ? 0 : toSample;
});
setOnInterrupt(() => {
  if (fast > 0) toSample = fast;
  fast = 0;
});

/**
 * Throws the current task's interrupt if one of its limits (or of the limits
 * around it) was reached; otherwise returns. Call it in long synchronous
 * loops: code in the current thread cannot be preempted, so a loop stops only
 * at its checkpoints. Outside a limited task, and inside `withResource`'s
 * acquire and release, it never throws.
 *
 * @example
 * ```ts
 * import { checkpoint, limitAllocations, MiB, start } from "memlimits";
 * using _engine = start();
 * const r = await limitAllocations(() => {
 *   const rows = [];
 *   for (let i = 0; i < 1e7; i++) {
 *     checkpoint();
 *     rows.push({ i });
 *   }
 *   return rows.length;
 * }, { limit: 64 * MiB });
 * console.log(r.ok);
 * ```
 */
export function checkpoint(): void {
  if (--fast < 0) {
    const interrupt = slowPath();
    if (interrupt !== undefined) throw interrupt;
  }
}

/**
 * Whether `checkpoint()` would throw now: true when the current task's limit
 * (or an enclosing one) was reached and interrupts are not masked.
 *
 * @example
 * ```ts
 * import { isInterrupted, limitWithToken, start, Token } from "memlimits";
 * using _engine = start();
 * const token = new Token();
 * const r = await limitWithToken(() => {
 *   token.cancel();
 *   return isInterrupted(); // true
 * }, { token });
 * console.log(r.ok); // false
 * ```
 */
export function isInterrupted(): boolean {
  return --fast < 0 ? slowPath() !== undefined : false;
}

function slowPath(): LimitExceeded | undefined {
  if (interruptedFrames === 0 || --toSample < 0) sampleAndRedraw();
  fast = interruptedFrames > 0 ? 0 : toSample;
  const context = currentContext();
  if (context === undefined || context.masked) return undefined;
  return context.frame.pendingInterrupt();
}

function sampleAndRedraw(): void {
  sampleNow();
  const period = checkpointSamplingPeriod();
  const now = performance.now();
  const elapsed = now - sampledAt;
  sampledAt = now;
  // drawn + 1 calls took `elapsed` ms: aim the next reading `period` ms ahead.
  const mean = period === Infinity
    ? Infinity
    : elapsed > 0
    ? Math.max(1, ((drawn + 1) / elapsed) * period)
    : FIRST_MEAN_CALLS;
  drawn = countdown(mean);
  toSample = drawn;
}

/** A geometric countdown with the given mean, as a small integer. */
function countdown(mean: number): number {
  return Math.min(geometric(mean), NEVER) | 0;
}
