/**
 * The machine's available memory, for `WorkerPoolOptions.minAvailableMemory`:
 * `MemAvailable` in /proc/meminfo (the kernel's estimate of what can be
 * given to new work without swapping: free memory plus reclaimable page
 * cache and slab), read through one open file (a few µs).
 */
import { ProcFileReader } from "./proc_file_reader.ts";

const decoder = new TextDecoder();

export class AvailableMemory {
  readonly #meminfo = new ProcFileReader("/proc/meminfo", 4096);

  /** Available bytes now, or undefined where /proc/meminfo cannot be read. */
  read(): number | undefined {
    const n = this.#meminfo.read();
    if (n === undefined) return undefined;
    const text = decoder.decode(this.#meminfo.bytes.subarray(0, n));
    const line = /^MemAvailable:\s+(\d+) kB/m.exec(text);
    return line ? Number(line[1]) * 1024 : undefined;
  }

  close(): void {
    this.#meminfo.close();
  }
}

/** Memory pressure counts only while the available memory is under this many times the floor. */
export const PRESSURE_MARGIN = 1.25;
/** The share of time every task waited for memory that counts as pressure. */
export const FULL_STALL_SHARE = 0.1;

/**
 * The floor's rule: the machine is below `floor` when its available memory
 * is; or, with memory pressure known (`fullShare`, memory_pressure.ts), when
 * the available memory is under PRESSURE_MARGIN × the floor while every task
 * waited for memory at least FULL_STALL_SHARE of the last window: the kernel
 * is reclaiming hard, so the reading is about to fall below.
 *
 * @example
 * ```ts
 * import { floorReached } from "./machine_memory.ts";
 * floorReached(900, 1000, undefined); // true: below the floor
 * floorReached(1100, 1000, 0.3); // true: near it, under pressure
 * floorReached(1100, 1000, 0); // false
 * ```
 */
export function floorReached(
  available: number,
  floor: number,
  fullShare: number | undefined,
): boolean {
  if (available < floor) return true;
  return fullShare !== undefined && fullShare >= FULL_STALL_SHARE &&
    available < PRESSURE_MARGIN * floor;
}
