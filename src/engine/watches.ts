/**
 * What the engine watches: one record per pending allocation or memory
 * limit, with the frame to interrupt when its reading passes the limit.
 */
import type { Frame } from "../interrupt/frame.ts";

/** How a global memory limit measures the program's memory. */
export type MemoryMeasure = "resident" | "heap";

/** A pending allocation limit: allocations since `start` must stay within `limit`. */
export interface AllocationWatch {
  readonly kind: "allocations";
  readonly frame: Frame;
  readonly limit: number;
  readonly start: number;
}

/** A pending global memory limit; `limit` undefined follows `setGlobalMemoryLimit`. */
export interface MemoryWatch {
  readonly kind: "memory";
  readonly frame: Frame;
  readonly limit: number | undefined;
  readonly measure: MemoryMeasure;
}

/** Either kind. */
export type Watch = AllocationWatch | MemoryWatch;
