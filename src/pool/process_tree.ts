/**
 * A worker's process tree, on Linux: the worker and every process it started
 * (and theirs), found through `/proc/PID/task/TID/children`. A task is
 * charged for the resident memory of the whole tree, and the tree dies with
 * its worker. This is the pool's one kill path: `killTree`.
 *
 * Workers lead their own process group (spawned `detached`), so a kill of the
 * group reaches every descendant that stayed in it; descendants that left it
 * (`setsid`) are found by the scan and killed one by one.
 */
import { readdirSync } from "node:fs";
import { ProcFileReader } from "./proc_file_reader.ts";
import {
  highWaterMarkOf,
  parseStat,
  readProcFile,
  readProcText,
} from "./proc_fields.ts";
import { residentBytesOf, ResidentReader } from "./rss_watch.ts";

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
 * Kills `pid`'s whole tree with SIGKILL: the group `pid` leads is stopped,
 * the tree is listed (a killed parent's children would be handed to init and
 * lost), then the group is killed, then every listed descendant (those that
 * left the group). `whileStopped` runs while the group is frozen (the
 * watchdog reads the tree's CPU time then: it cannot grow under the reading).
 * Safe from any thread; never throws (unless `whileStopped` does).
 */
export function killTree(pid: number, whileStopped?: () => void): void {
  // Frozen first, so that nothing in the group allocates on while the tree
  // is listed (a scan reads a file per thread and may take a few ms).
  signal(-pid, "SIGSTOP");
  const descendants = descendantsOf(pid);
  whileStopped?.();
  killGroup(pid); // the worker and the descendants still in its group
  for (const child of descendants) signal(child);
}

/**
 * Kills what is left of the process group `pid` led, once `pid` itself has
 * been reaped (its pid may then be reused, not the group's id while members
 * live, so only the group is safe to signal).
 */
export function killGroup(pid: number): void {
  signal(-pid);
}

function signal(target: number, name: "SIGKILL" | "SIGSTOP" = "SIGKILL"): void {
  try {
    process.kill(target, name);
  } catch {
    // already gone
  }
}

/** Whether `pid` is stopped by a signal (state `T` in /proc/PID/stat); false if gone. */
export function isStopped(pid: number): boolean {
  const text = readProcText(`/proc/${pid}/stat`);
  return text !== undefined && parseStat(text)?.state === "T";
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
