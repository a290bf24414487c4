/**
 * The Bun meter, on JavaScriptCore's `bun:jsc` module.
 *
 * - Allocations: JSC exposes no monotonic allocation counter in Bun 1.4.5
 *   (`getHeapStatistics().total_allocated_bytes` goes down, and the heap sizes
 *   do not see short-lived objects). A `totalAllocatedHeapBytes()` function is
 *   proposed upstream; when `bun:jsc` has it, it is used, otherwise
 *   `countsAllocations` is false and `allocatedBytes()` throws.
 * - Heap: `heapSize()`, JSC's heap size including the extra memory it has been
 *   told about (ArrayBuffer backing stores). It is updated lazily: some
 *   allocations (typed arrays' stores, rope strings) appear only after a GC.
 * - Resident: the process's RSS from `process.memoryUsage.rss()`.
 */
import process from "node:process";
import type { Meter } from "./meter.ts";

/** The parts of `bun:jsc` this meter uses. */
export interface BunJsc {
  heapSize(): number;
  totalAllocatedHeapBytes?: () => number;
}

/** The message of the Error thrown by allocation limits where no allocation counter exists. */
export const BUN_ALLOCATIONS_UNSUPPORTED =
  "allocation limits are not supported on this runtime: Bun's JavaScriptCore has no allocation counter " +
  "(bun:jsc totalAllocatedHeapBytes is missing); use limitGlobalMemory or limitWithToken, or run on Deno or Node 25+";

/**
 * Loads `bun:jsc` (on Bun only). `process.getBuiltinModule` rather than
 * `import()`: Deno's type checker would resolve `import("bun:jsc")`, and
 * `deno publish` warns about an `import()` of a variable.
 */
export function loadBunJsc(): BunJsc {
  return process.getBuiltinModule("bun:jsc") as BunJsc;
}

/** Creates the meter for the current Bun thread from its `bun:jsc` module. */
export function bunMeter(jsc: BunJsc): Meter {
  const counter = typeof jsc.totalAllocatedHeapBytes === "function"
    ? jsc.totalAllocatedHeapBytes
    : undefined;
  return {
    name: counter ? "bun-jsc-counter" : "bun-jsc",
    countsAllocations: counter !== undefined,
    allocatedBytes: counter ?? ((): number => {
      throw new Error(BUN_ALLOCATIONS_UNSUPPORTED);
    }),
    heapBytes: () => jsc.heapSize(),
    residentBytes: () => process.memoryUsage.rss(),
    // Medians on the development machine (bench/RESULTS.md, docs/meters.md).
    costMicros: {
      allocatedBytes: counter ? 1 : Infinity,
      heapBytes: 1,
      residentBytes: 8,
    },
  };
}
