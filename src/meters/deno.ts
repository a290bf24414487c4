/**
 * The Deno meter: V8's heap statistics (`v8.ts`) and the process's RSS from
 * `Deno.memoryUsage()`.
 */
import type { Meter } from "./meter.ts";
import { v8Meter } from "./v8.ts";

interface DenoMemoryUsage {
  rss: number;
}
declare const Deno: { memoryUsage(): DenoMemoryUsage };

/** Creates the meter for the current Deno isolate (main thread or worker). */
export function denoMeter(): Meter {
  return v8Meter({
    name: "deno-v8",
    residentBytes: () => Deno.memoryUsage().rss,
    residentCostMicros: 11,
  });
}
