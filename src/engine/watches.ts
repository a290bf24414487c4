/**
 * What the engine watches: one record per pending allocation or memory
 * limit, with the frame to interrupt when its reading passes the limit.
 */
import type { Frame } from "../interrupt/frame.ts";

/**
 * How a global memory limit measures the program's memory: "resident" (the
 * process's resident set size, the default) or "heap" (this thread's JS heap
 * plus its external memory).
 *
 * @example
 * ```ts
 * import { GiB, limitGlobalMemory, type MemoryMeasure, start } from "memlimits";
 * using _engine = start();
 * const measure: MemoryMeasure = "heap";
 * const r = await limitGlobalMemory(() => "small", { limit: 4 * GiB, measure });
 * console.log(r); // { ok: true, value: "small", usage: { wallMs, … } }
 * ```
 */
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
