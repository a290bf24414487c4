/**
 * The machine's memory pressure, for `WorkerPoolOptions.minAvailableMemory`:
 * Linux's pressure stall information (PSI) in /proc/pressure/memory, where
 * the kernel counts the time tasks waited for memory (reclaim, swap-in,
 * refaults). Its "full" line counts the time during which every task that
 * wanted to run waited: the kernel is already reclaiming hard, and the
 * available memory is about to fall. Absent before Linux 4.20 and where the
 * kernel has PSI off (`psi=0`); where it is absent or a read fails, the
 * floor rests on `MemAvailable` alone (machine_memory.ts).
 */
import { ProcFileReader } from "./proc_file_reader.ts";

/** One line of a /proc/pressure file: averages in percent, `total` in µs. */
export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  total: number;
}

/** A /proc/pressure file: "some" task stalled, and (where given) "full": all of them. */
export interface Pressure {
  some: PressureLine;
  full?: PressureLine;
}

function lineOf(fields: string[]): PressureLine | undefined {
  const values = new Map<string, number>();
  for (const field of fields) {
    const eq = field.indexOf("=");
    if (eq > 0) values.set(field.slice(0, eq), Number(field.slice(eq + 1)));
  }
  const line = {
    avg10: values.get("avg10"),
    avg60: values.get("avg60"),
    avg300: values.get("avg300"),
    total: values.get("total"),
  };
  for (const value of Object.values(line)) {
    if (value === undefined || !Number.isFinite(value)) return undefined;
  }
  return line as PressureLine;
}

/**
 * Parses a /proc/pressure file's text, in the kernel's format
 * (Documentation/accounting/psi.rst):
 *
 * ```
 * some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * ```
 *
 * Undefined for text without a well-formed "some" line.
 *
 * @example
 * ```ts
 * import { parsePressure } from "./memory_pressure.ts";
 * parsePressure("some avg10=1.50 avg60=0.20 avg300=0.00 total=123\n")?.some.total; // 123
 * ```
 */
export function parsePressure(text: string): Pressure | undefined {
  let some: PressureLine | undefined;
  let full: PressureLine | undefined;
  for (const row of text.split("\n")) {
    const [kind, ...fields] = row.trim().split(/\s+/);
    if (kind === "some") some = lineOf(fields);
    else if (kind === "full") full = lineOf(fields);
  }
  return some === undefined ? undefined : full ? { some, full } : { some };
}

/** Milliseconds between two readings: the window the stall share is taken over. */
export const PRESSURE_SAMPLE_MS = 50;
/** A longer gap (nothing ran meanwhile) starts a new window. */
const MAX_WINDOW_MS = 4 * PRESSURE_SAMPLE_MS;

const decoder = new TextDecoder();

/**
 * How much of the recent time every task waited for memory: the growth of
 * the "full" total between two readings at least PRESSURE_SAMPLE_MS apart,
 * read through one open file, at most once per PRESSURE_SAMPLE_MS.
 *
 * @example
 * ```ts
 * import { MemoryPressure } from "./memory_pressure.ts";
 * const pressure = new MemoryPressure();
 * pressure.fullShare(Date.now()); // 0 at the first reading, undefined without PSI
 * pressure.close();
 * ```
 */
export class MemoryPressure {
  readonly #file: ProcFileReader;
  #atMs = NaN;
  #fullUs = NaN;
  #share: number | undefined;

  /** `path`: the file to read (tests give their own). */
  constructor(path = "/proc/pressure/memory") {
    this.#file = new ProcFileReader(path, 256);
  }

  /**
   * The share (0 to 1) of the window that ended at the last reading during
   * which every task waited for memory; 0 until a window is complete;
   * undefined where the file cannot be read. `nowMs`: the caller's clock.
   */
  fullShare(nowMs: number): number | undefined {
    if (nowMs - this.#atMs < PRESSURE_SAMPLE_MS) return this.#share;
    const n = this.#file.read();
    const full = n === undefined
      ? undefined
      : parsePressure(decoder.decode(this.#file.bytes.subarray(0, n)))?.full
        ?.total;
    if (full === undefined) {
      this.#atMs = nowMs;
      return this.#share = undefined;
    }
    const windowMs = nowMs - this.#atMs;
    this.#share = windowMs <= MAX_WINDOW_MS && full >= this.#fullUs
      ? Math.min(1, (full - this.#fullUs) / (windowMs * 1000))
      : 0;
    this.#atMs = nowMs;
    this.#fullUs = full;
    return this.#share;
  }

  close(): void {
    this.#file.close();
  }
}
