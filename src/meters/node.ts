/**
 * The Node meter: V8's heap statistics (`v8.ts`) and the process's RSS from
 * `process.memoryUsage.rss()`. Node 25 and later report V8's allocation
 * counter; on older Node `countsAllocations` is false and allocation limits
 * are refused.
 */
import process from "node:process";
import type { Meter } from "./meter.ts";
import { v8Meter } from "./v8.ts";

/** Creates the meter for the current Node thread (main thread or worker). */
export function nodeMeter(): Meter {
  return v8Meter({
    name: "node-v8",
    residentBytes: () => process.memoryUsage.rss(),
    residentCostMicros: 14,
  });
}
