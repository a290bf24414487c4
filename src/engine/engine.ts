/**
 * The process-wide (per thread) sampling scheduler. While at least one
 * allocation or memory limit is pending it reads the meters at exponentially
 * distributed intervals and interrupts the tasks whose limit is passed; with
 * none pending it holds no timer. Its timer is unref'd, so it never keeps the
 * process alive. Sampled `checkpoint()` calls read the meters too (see
 * `sampleNow`).
 */
import { clearTimeout, setTimeout } from "node:timers";
import { LimitExceeded } from "../limit_exceeded.ts";
import { currentMeter } from "../meters/mod.ts";
import { CHECKPOINT_READING_SHARE, type ResolvedOptions } from "./options.ts";
import { exponential } from "./random.ts";
import type { AllocationWatch, MemoryWatch, Watch } from "./watches.ts";

const meter = currentMeter();

let options: ResolvedOptions | undefined;
/** Counts starts, so that an old Engine handle cannot stop a later start. */
let generation = 0;
let globalMemoryLimit: number | undefined;
const allocationWatches = new Set<AllocationWatch>();
const memoryWatches = new Set<MemoryWatch>();
/** How many memory watches use the heap measure (the others use resident memory). */
let heapWatches = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let checkpointPeriodMs = Infinity;
let onSamplingChange: () => void = () => {};

/** Whether `start()` was called and `stop()` not since. */
export function engineStarted(): boolean {
  return options !== undefined;
}

/** Turns the engine on; returns this start's generation. */
export function startEngine(resolved: ResolvedOptions): number {
  if (options !== undefined) {
    throw new Error(
      "memlimits is already started: call stop() before starting it again",
    );
  }
  options = resolved;
  return ++generation;
}

/**
 * Turns the engine off (only if it is still the start `of`, when given);
 * refused while limited tasks are pending (they would lose their limits).
 */
export function stopEngine(of?: number): void {
  if (options === undefined || (of !== undefined && of !== generation)) return;
  const pending = allocationWatches.size + memoryWatches.size;
  if (pending > 0) {
    throw new Error(
      `cannot stop memlimits while ${pending} limited task(s) are pending; await them first`,
    );
  }
  options = undefined;
}

/** Throws the Error that says to call `start()` when the engine is off. */
export function requireStarted(caller: string): void {
  if (options === undefined) {
    throw new Error(
      `${caller}() needs the memlimits engine: call start() first`,
    );
  }
}

/** Sets the limit used by global memory limits that were given none. */
export function setGlobalLimit(bytes: number): void {
  globalMemoryLimit = bytes;
}

/** The current global memory limit, if set. */
export function globalLimit(): number | undefined {
  return globalMemoryLimit;
}

/**
 * The mean time, in ms, between two sampled `checkpoint()` calls in a busy
 * loop: short enough for accuracy, long enough that readings take at most
 * CHECKPOINT_READING_SHARE of the loop's time (Infinity when nothing is
 * watched).
 */
export function checkpointSamplingPeriod(): number {
  return checkpointPeriodMs;
}

/** Lets the checkpoint module redraw its countdown when the set of watched limits changes. */
export function setOnSamplingChange(callback: () => void): void {
  onSamplingChange = callback;
}

/** Reads the current value a watch compares with its limit. */
export function read(watch: Watch): number {
  if (watch.kind === "allocations") {
    return meter.allocatedBytes() - watch.start;
  }
  return watch.measure === "heap" ? meter.heapBytes() : meter.residentBytes();
}

/** Starts watching a limit. */
export function watch(w: Watch): void {
  if (w.kind === "allocations") allocationWatches.add(w);
  else if (!memoryWatches.has(w)) {
    memoryWatches.add(w);
    if (w.measure === "heap") heapWatches++;
  }
  watchesChanged();
}

/** Stops watching a limit (its task settled or it was reached). */
export function unwatch(w: Watch): void {
  const removed = w.kind === "allocations"
    ? allocationWatches.delete(w)
    : memoryWatches.delete(w);
  if (removed && w.kind === "memory" && w.measure === "heap") heapWatches--;
  if (removed) watchesChanged();
}

/**
 * Compares one watch with its limit now, and interrupts its frame if the
 * limit is passed. Used at settlement and by `sampleNow`.
 */
export function check(w: Watch, reading = read(w)): void {
  const limit = w.kind === "allocations"
    ? w.limit
    : (w.limit ?? globalMemoryLimit);
  if (limit === undefined || reading <= limit) return;
  w.frame.reach(new LimitExceeded(w.kind, limit, reading));
  unwatch(w);
}

/** Reads each needed meter once and checks every watched limit. */
export function sampleNow(): void {
  if (allocationWatches.size > 0) {
    const allocated = meter.allocatedBytes();
    for (const w of allocationWatches) check(w, allocated - w.start);
  }
  if (memoryWatches.size > 0) {
    let heap: number | undefined;
    let resident: number | undefined;
    for (const w of memoryWatches) {
      const reading = w.measure === "heap"
        ? (heap ??= meter.heapBytes())
        : (resident ??= meter.residentBytes());
      check(w, reading);
    }
  }
}

function tick(): void {
  timer = undefined;
  sampleNow();
  schedule();
}

function schedule(): void {
  if (timer !== undefined || options === undefined) return;
  if (allocationWatches.size + memoryWatches.size === 0) return;
  const delay = Math.max(1, exponential(options.samplingInterval));
  timer = setTimeout(tick, delay);
  timer.unref();
}

function watchesChanged(): void {
  if (allocationWatches.size + memoryWatches.size === 0) {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  } else {
    schedule();
  }
  const readingMs = readingCostMicros() / 1000 / CHECKPOINT_READING_SHARE;
  checkpointPeriodMs = readingMs === Infinity
    ? Infinity
    : Math.min(readingMs, options?.samplingInterval ?? Infinity);
  onSamplingChange();
}

/** Cost of the readings `sampleNow` makes, in µs (Infinity when there is nothing to read). */
function readingCostMicros(): number {
  let micros = 0;
  if (allocationWatches.size > 0) micros += meter.costMicros.allocatedBytes;
  // Counted, not searched: this runs at every limit's start and end.
  if (heapWatches > 0) micros += meter.costMicros.heapBytes;
  if (memoryWatches.size > heapWatches) {
    micros += meter.costMicros.residentBytes;
  }
  return micros === 0 ? Infinity : micros;
}
