/**
 * Reading a process's resident memory on Linux, from `/proc/PID/statm` (the
 * pool's watchdog thread does it up to every millisecond). A busy worker answers no messages, but the kernel still
 * knows how many of its pages are resident; reading that costs a few
 * microseconds and never waits for the worker.
 */
import { readFileSync } from "node:fs";
import { ProcFileReader, readGranted } from "./proc_file_reader.ts";

let pageSize: number | undefined;

/** Bytes per page: `/proc/self/status` VmRSS (kB) against statm's resident pages. */
function bytesPerPage(): number {
  if (pageSize !== undefined) return pageSize;
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  const pages = Number(readFileSync("/proc/self/statm", "utf8").split(" ")[1]);
  // The two readings are a moment apart: round to a power of two.
  pageSize = 2 ** Math.round(Math.log2((kb * 1024) / pages));
  return pageSize;
}

/**
 * Resident bytes of process `pid`, or undefined if it is gone (or may not be
 * read).
 */
export function residentBytesOf(pid: number): number | undefined {
  if (!readGranted(`/proc/${pid}/statm`)) return undefined;
  try {
    const statm = readFileSync(`/proc/${pid}/statm`, "utf8");
    return Number(statm.split(" ")[1]) * bytesPerPage();
  } catch {
    return undefined;
  }
}

/**
 * Reads one process's resident memory again and again through one open file
 * (see ProcFileReader), parsing the bytes without making a string.
 */
export class ResidentReader {
  readonly #statm: ProcFileReader;

  constructor(pid: number) {
    this.#statm = new ProcFileReader(`/proc/${pid}/statm`, 128);
  }

  /** Resident bytes now, or undefined once the process is gone or the reader closed. */
  read(): number | undefined {
    const n = this.#statm.read();
    if (n === undefined) return undefined;
    // statm is "size resident shared ...", in pages: parse the second field.
    const b = this.#statm.bytes;
    let i = 0;
    while (i < n && b[i] !== 32) i++;
    let pages = 0;
    for (i++; i < n && b[i] >= 48 && b[i] <= 57; i++) {
      pages = pages * 10 + b[i] - 48;
    }
    return pages * bytesPerPage();
  }

  /** Closes the file. Idempotent. */
  close(): void {
    this.#statm.close();
  }
}

let canRead: boolean | undefined;

/**
 * Whether per-process resident memory can be read here (Linux /proc). Read
 * once: every memory-limited run asks, and on Node reading the file costs
 * about 50 µs of a tiny task's ~100 µs (bench/RESULTS.md).
 */
export function canReadResidentMemory(): boolean {
  return canRead ??= residentBytesOf(process.pid) !== undefined;
}
