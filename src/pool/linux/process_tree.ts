/**
 * A worker's process tree, on Linux: the worker and every process it started
 * (and theirs), found through `/proc/PID/task/TID/children`. A task is
 * charged for the resident memory of the whole tree, and the tree dies with
 * its worker (signals.ts).
 */
import { readdirSync } from "node:fs";
import { ProcFileReader } from "./proc_file_reader.ts";
import { highWaterMarkOf, readProcFile, readProcText } from "./proc_fields.ts";
import { residentBytesOf, ResidentReader } from "./resident_memory.ts";

/** Children of `pid`. Runtimes fork from their main thread; `allThreads` also asks every other thread. */
export function childrenOf(pid: number, allThreads = false): number[] {
  const tids = allThreads ? threadsOf(pid) : [pid];
  const children: number[] = [];
  for (const tid of tids) {
    const text = readProcText(`/proc/${pid}/task/${tid}/children`);
    if (text === undefined) continue; // the thread or the process ended meanwhile
    for (const field of text.split(" ")) {
      if (field !== "") children.push(Number(field));
    }
  }
  return children;
}

function threadsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** Every descendant of `pid` (not `pid` itself), parents before children. */
export function descendantsOf(pid: number, allThreads = true): number[] {
  const found: number[] = [];
  const seen = new Set<number>([pid]);
  const stack = [pid];
  while (stack.length > 0) {
    for (const child of childrenOf(stack.pop()!, allThreads)) {
      if (seen.has(child)) continue;
      seen.add(child);
      found.push(child);
      stack.push(child);
    }
  }
  return found;
}

/**
 * Peak resident bytes of `pid` since its high-water mark was last reset (or
 * since it started), from `VmHWM` in /proc/PID/status; undefined if gone.
 */
export function peakBytesOf(pid: number): number | undefined {
  const status = readProcFile(`/proc/${pid}/status`);
  const bytes = status && highWaterMarkOf(status, status.length);
  return bytes === undefined || Number.isNaN(bytes) ? undefined : bytes;
}

/**
 * The resident memory of one worker's tree, sampled again and again (by the
 * watchdog): the worker through one open file, its descendants found again
 * every `RESCAN_WITH_DESCENDANTS` samples while it has some, every
 * `RESCAN_WITHOUT` samples otherwise (a scan reads a file per thread: about
 * 0.2 ms for a Deno worker), and at once when the worker's main thread, where
 * runtimes fork, has a child (one read through an open file, every sample).
 */
export class TreeSampler {
  readonly pid: number;
  readonly #worker: ResidentReader;
  /** The worker's main thread's children, read through one open file. */
  readonly #children: ProcFileReader;
  #descendants: number[] = [];
  #samples = 0;
  static readonly RESCAN_WITH_DESCENDANTS = 8;
  static readonly RESCAN_WITHOUT = 64;

  constructor(pid: number) {
    this.pid = pid;
    this.#worker = new ResidentReader(pid);
    this.#children = new ProcFileReader(
      `/proc/${pid}/task/${pid}/children`,
      64,
    );
  }

  /** Whether the worker's main thread has a child now (one pread, a few µs). */
  #hasChild(): boolean {
    return (this.#children.read() ?? 0) > 0;
  }

  /** Descendants found at the last scan. */
  get descendants(): readonly number[] {
    return this.#descendants;
  }

  /** Resident bytes of the whole tree now, or undefined once the worker is gone. */
  residentBytes(): number | undefined {
    const own = this.#worker.read();
    if (own === undefined) return undefined;
    const every = this.#descendants.length > 0
      ? TreeSampler.RESCAN_WITH_DESCENDANTS
      : TreeSampler.RESCAN_WITHOUT;
    const full = this.#samples++ % every === 0;
    if (full) this.#descendants = descendantsOf(this.pid);
    else if (this.#descendants.length === 0) {
      // Cheap check for a new child between full scans.
      if (this.#hasChild()) {
        this.#descendants = descendantsOf(this.pid);
      }
    }
    let total = own;
    for (const pid of this.#descendants) total += residentBytesOf(pid) ?? 0;
    return total;
  }

  close(): void {
    this.#worker.close();
    this.#children.close();
  }
}
