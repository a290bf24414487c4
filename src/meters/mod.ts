/**
 * Picks the meter for the runtime we run on (src/runtime.ts). Deno and Node
 * share V8's statistics (`v8.ts`). Loaded once per thread (workers get their
 * own).
 */
import { runtime } from "../runtime.ts";
import type { Meter } from "./meter.ts";
import { denoMeter } from "./deno.ts";
import { nodeMeter } from "./node.ts";
import { BUN_ALLOCATIONS_UNSUPPORTED, bunMeter, loadBunJsc } from "./bun.ts";
import { V8_ALLOCATIONS_UNSUPPORTED } from "./v8.ts";

export type { Meter } from "./meter.ts";

const meter: Meter = runtime === "bun"
  ? bunMeter(loadBunJsc())
  : runtime === "deno"
  ? denoMeter()
  : nodeMeter();

/**
 * The message of the Error thrown by allocation limits on this runtime when
 * it has no allocation counter (Bun 1.4, Node before 25).
 */
export const ALLOCATIONS_UNSUPPORTED: string = runtime === "bun"
  ? BUN_ALLOCATIONS_UNSUPPORTED
  : V8_ALLOCATIONS_UNSUPPORTED;

/** The meter of the current runtime and thread. */
export function currentMeter(): Meter {
  return meter;
}
