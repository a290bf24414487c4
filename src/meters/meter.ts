/**
 * What a runtime can tell us about memory, behind one interface. One file per
 * runtime implements it (`deno.ts`, `bun.ts`); `mod.ts` picks one by feature
 * detection. Everything else in memlimits talks to a `Meter`, never to a
 * runtime API directly.
 */
export interface Meter {
  /** Short name for docs and diagnostics, e.g. "deno-v8" or "bun-jsc". */
  readonly name: string;

  /**
   * Whether `allocatedBytes()` is a true monotonic allocation counter. When
   * false, allocation limits are refused with an Error that says they are not
   * supported on this runtime (never a silent under-count).
   */
  readonly countsAllocations: boolean;

  /**
   * Bytes allocated by the current thread since an arbitrary origin; only
   * differences are meaningful. Monotonic. Throws if `countsAllocations` is false.
   */
  allocatedBytes(): number;

  /** Memory used by this thread's JS heap plus its external memory (ArrayBuffers etc.), in bytes. */
  heapBytes(): number;

  /** Resident set size of the whole process, in bytes. */
  residentBytes(): number;

  /**
   * Rough cost of one call, in microseconds, for each reading, measured on
   * the development machine; the engine uses it to choose how often to read.
   */
  readonly costMicros: {
    allocatedBytes: number;
    heapBytes: number;
    residentBytes: number;
  };
}
