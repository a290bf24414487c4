/**
 * The V8 readings shared by the Deno and Node meters (`node:v8`'s heap
 * statistics; both runtimes embed V8).
 *
 * - Allocations: V8's `total_allocated_bytes` is a monotonic count of the
 *   bytes allocated on this isolate's JS heap (objects, arrays, strings, and
 *   the small typed arrays V8 keeps on the heap). It does not see ArrayBuffer
 *   backing stores, which live outside the heap. For those we add every rise
 *   of `external_memory` seen between two readings: a lower bound on the
 *   external bytes allocated, since a buffer that is allocated and collected
 *   between two readings is missed. Older V8 embedders (Node before 25) do
 *   not report `total_allocated_bytes`: there `countsAllocations` is false
 *   and `allocatedBytes()` throws `V8_ALLOCATIONS_UNSUPPORTED`.
 * - Heap: `used_heap_size + external_memory`, the live JS heap of this
 *   isolate plus the memory it holds outside the heap (ArrayBuffers).
 * - Resident: supplied by the runtime's meter.
 */
import { getHeapStatistics } from "node:v8";
import type { Meter } from "./meter.ts";

/** The message of the Error thrown by allocation limits on a V8 without an allocation counter. */
export const V8_ALLOCATIONS_UNSUPPORTED =
  "allocation limits are not supported on this runtime: its V8 has no allocation counter " +
  "(v8.getHeapStatistics().total_allocated_bytes is missing; Node 25 and later, and Deno, have it); " +
  "use limitGlobalMemory or limitWithToken, or upgrade the runtime";

// total_allocated_bytes is missing from @types/node's HeapInfo.
type HeapStatistics = ReturnType<typeof getHeapStatistics> & {
  total_allocated_bytes?: number;
};

/** What the runtime adds to the V8 readings. */
export interface V8MeterParts {
  /** The meter's name when V8 counts allocations, e.g. "deno-v8". */
  name: string;
  /** The process's resident set size, in bytes. */
  residentBytes(): number;
  /** Measured cost of one `residentBytes()` call, in microseconds. */
  residentCostMicros: number;
}

/** Creates a meter on this isolate's V8 heap statistics. */
export function v8Meter(parts: V8MeterParts): Meter {
  const first = getHeapStatistics() as HeapStatistics;
  const counts = typeof first.total_allocated_bytes === "number";
  let lastExternal = first.external_memory;
  let externalRises = 0;
  return {
    name: counts ? parts.name : `${parts.name}-no-counter`,
    countsAllocations: counts,
    allocatedBytes(): number {
      if (!counts) throw new Error(V8_ALLOCATIONS_UNSUPPORTED);
      const stats = getHeapStatistics() as HeapStatistics;
      const external = stats.external_memory;
      if (external > lastExternal) externalRises += external - lastExternal;
      lastExternal = external;
      return stats.total_allocated_bytes! + externalRises;
    },
    heapBytes(): number {
      const stats = getHeapStatistics();
      return stats.used_heap_size + stats.external_memory;
    },
    residentBytes: parts.residentBytes,
    // Medians on the development machine (bench/RESULTS.md, docs/meters.md).
    costMicros: {
      allocatedBytes: counts ? 1 : Infinity,
      heapBytes: 1,
      residentBytes: parts.residentCostMicros,
    },
  };
}
