/**
 * The Deno meter, on V8's heap statistics (`node:v8`).
 *
 * - Allocations: V8's `total_allocated_bytes` is a monotonic count of the
 *   bytes allocated on this isolate's JS heap (objects, arrays, strings, and
 *   the small typed arrays V8 keeps on the heap). It does not see ArrayBuffer
 *   backing stores, which live outside the heap. For those we add every rise
 *   of `external_memory` seen between two readings: a lower bound on the
 *   external bytes allocated, since a buffer that is allocated and collected
 *   between two readings is missed.
 * - Heap: `used_heap_size + external_memory`, the live JS heap of this
 *   isolate plus the memory it holds outside the heap (ArrayBuffers).
 * - Resident: the process's RSS from `Deno.memoryUsage()`.
 */
import { getHeapStatistics } from "node:v8";
import type { Meter } from "./meter.ts";

interface DenoMemoryUsage {
  rss: number;
}
declare const Deno: { memoryUsage(): DenoMemoryUsage };

/** Creates the meter for the current Deno isolate (main thread or worker). */
export function denoMeter(): Meter {
  let lastExternal = getHeapStatistics().external_memory;
  let externalRises = 0;
  return {
    name: "deno-v8",
    countsAllocations: true,
    allocatedBytes(): number {
      // total_allocated_bytes is missing from @types/node's HeapInfo.
      const stats = getHeapStatistics() as
        & ReturnType<
          typeof getHeapStatistics
        >
        & { total_allocated_bytes: number };
      const external = stats.external_memory;
      if (external > lastExternal) externalRises += external - lastExternal;
      lastExternal = external;
      return stats.total_allocated_bytes + externalRises;
    },
    heapBytes(): number {
      const stats = getHeapStatistics();
      return stats.used_heap_size + stats.external_memory;
    },
    residentBytes(): number {
      return Deno.memoryUsage().rss;
    },
    // Medians on the development machine (bench/RESULTS.md, docs/meters.md).
    costMicros: { allocatedBytes: 1, heapBytes: 1, residentBytes: 11 },
  };
}
