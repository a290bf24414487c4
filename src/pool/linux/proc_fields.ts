/**
 * The fields the pool reads from /proc, parsed in one place: a process's
 * state and CPU ticks from its `stat` line, and its memory high-water mark
 * (`VmHWM`) from its `status` file. The watchdog and the host read them
 * through `readProcFile`; a worker reads its own through a
 * `ProcFileReader` and hands the bytes to the same parsers.
 */
import { readFileSync } from "node:fs";

/** Milliseconds per clock tick of /proc/PID/stat (`CLK_TCK` = 100). */
export const MS_PER_TICK = 10;

/** What the pool reads of a /proc/PID/stat line. */
export interface ProcessStat {
  /** Field 3: `R` running, `S` sleeping, `T` stopped by a signal, `Z` zombie, … */
  state: string;
  /** utime + stime of every thread, living and ended, ms (to a tick). */
  ownMs: number;
  /** cutime + cstime: the children it waited for, ms (to a tick). */
  childrenMs: number;
}

/**
 * Parses a /proc/PID/stat line; undefined if it is cut short. The command
 * (field 2) may hold spaces and parentheses, so the fields are counted from
 * the last ")".
 *
 * @example
 * ```ts
 * import { parseStat } from "./proc_fields.ts";
 * parseStat("42 (a) b) T 1 42 42 0 -1 0 0 0 0 0 7 3 1 1 20 0 1 0");
 * // { state: "T", ownMs: 100, childrenMs: 20 }
 * ```
 */
export function parseStat(text: string): ProcessStat | undefined {
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): utime is field 14.
  const ticks = fields.slice(11, 15).map(Number);
  if (ticks.length < 4 || ticks.some(Number.isNaN)) return undefined;
  return {
    state: fields[0],
    ownMs: (ticks[0] + ticks[1]) * MS_PER_TICK,
    childrenMs: (ticks[2] + ticks[3]) * MS_PER_TICK,
  };
}

const VM_HWM = new TextEncoder().encode("VmHWM:");

/**
 * `VmHWM` of a /proc/PID/status file given as its first `n` bytes, in bytes;
 * NaN if the line is missing. Parsed from the bytes, without a string: a
 * worker whose `maxRSS` is inherited reads it at every task.
 *
 * @example
 * ```ts
 * import { highWaterMarkOf } from "./proc_fields.ts";
 * const status = new TextEncoder().encode("VmPeak:\t 9 kB\nVmHWM:\t    2048 kB\n");
 * highWaterMarkOf(status, status.length); // 2097152
 * ```
 */
export function highWaterMarkOf(bytes: Uint8Array, n: number): number {
  let at = indexOf(bytes, n, VM_HWM);
  if (at < 0) return NaN;
  at += VM_HWM.length;
  while (at < n && (bytes[at] === 0x20 || bytes[at] === 0x09)) at++;
  let kb = 0;
  for (; at < n && bytes[at] >= 0x30 && bytes[at] <= 0x39; at++) {
    kb = kb * 10 + bytes[at] - 0x30;
  }
  return kb * 1024;
}

/** Index of `needle` in the first `n` bytes of `bytes`, or -1. */
function indexOf(bytes: Uint8Array, n: number, needle: Uint8Array): number {
  search: for (let i = 0; i + needle.length <= n; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (bytes[i + j] !== needle[j]) continue search;
    }
    return i;
  }
  return -1;
}

/**
 * The bytes of a /proc file read once, or undefined if it cannot be read
 * (the process ended, or no /proc).
 *
 * @example
 * ```ts
 * import { readProcFile } from "./proc_fields.ts";
 * readProcFile("/proc/self/stat")?.length; // a line of a few hundred bytes
 * ```
 */
export function readProcFile(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

const decoder = new TextDecoder();

/** `readProcFile` as text. */
export function readProcText(path: string): string | undefined {
  const bytes = readProcFile(path);
  return bytes && decoder.decode(bytes);
}
