/**
 * Picks the meter for the runtime we run on, by feature detection: Bun has a
 * global `Bun` and the `bun:jsc` module; otherwise we use V8's statistics
 * (Deno). Loaded once per thread (workers get their own).
 */
import type { Meter } from "./meter.ts";
import { denoMeter } from "./deno.ts";
import { bunMeter, loadBunJsc } from "./bun.ts";

export type { Meter } from "./meter.ts";
export { ALLOCATIONS_UNSUPPORTED } from "./bun.ts";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

const meter: Meter = isBun ? bunMeter(loadBunJsc()) : denoMeter();

/** The meter of the current runtime and thread. */
export function currentMeter(): Meter {
  return meter;
}
