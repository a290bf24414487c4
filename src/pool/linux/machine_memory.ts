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
