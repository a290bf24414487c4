/**
 * Reading a process's resident memory from the host, on Linux, from
 * `/proc/PID/statm`. A busy worker answers no messages, but the kernel still
 * knows how many of its pages are resident; reading that costs a few
 * microseconds and never waits for the worker.
 */
import { readFileSync } from "node:fs";

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
 * Resident bytes of process `pid`, or undefined if it is gone.
 */
export function residentBytesOf(pid: number): number | undefined {
  try {
    const statm = readFileSync(`/proc/${pid}/statm`, "utf8");
    return Number(statm.split(" ")[1]) * bytesPerPage();
  } catch {
    return undefined;
  }
}

/** Whether per-process resident memory can be read here (Linux /proc). */
export function canReadResidentMemory(): boolean {
  return residentBytesOf(process.pid) !== undefined;
}

/**
 * Calls `tick` about every millisecond while on; holds no timer while off.
 * The timer is unref'd: the tasks it watches keep the host alive, not it.
 */
export class Sampler {
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #tick: () => void;

  constructor(tick: () => void) {
    this.#tick = tick;
  }

  /** Turns sampling on or off. */
  set on(on: boolean) {
    if (on && this.#timer === undefined) {
      this.#timer = setInterval(this.#tick, 1);
      unref(this.#timer);
    } else if (!on && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  get on(): boolean {
    return this.#timer !== undefined;
  }
}

/** Unrefs a timer: Deno's `setInterval` returns a number, Bun's an object. */
function unref(timer: unknown): void {
  if (typeof timer === "number") {
    (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno
      ?.unrefTimer(timer);
  } else (timer as { unref?: () => void }).unref?.();
}
