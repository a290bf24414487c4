/** Helpers shared by the pool tests (not a test file). */
import { readdirSync, readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";

export const MiB = 2 ** 20;
export const TASKS = new URL("./fixtures/tasks.ts", import.meta.url);

/** Threads of this process now. */
export function threadCount(): number {
  return readdirSync("/proc/self/task").length;
}

/** Whether a process with this pid still exists (a reaped child does not). */
export function processExists(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
}

/** Resident bytes of a process from /proc (0 if it is gone). */
export function residentBytes(pid: number | "self"): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) *
      4096;
  } catch {
    return 0;
  }
}

/** Waits until `condition()` holds, polling every 10 ms, for at most `ms`. */
export async function eventually(
  condition: () => boolean,
  ms = 10_000,
): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** Pids of this process's child processes, zombies included. */
export function childPids(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command's closing parenthesis: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid) children.push(Number(entry));
    } catch {
      // it ended meanwhile
    }
  }
  return children;
}

/**
 * The highest resident memory of some processes, sampled every 0.5 ms by a
 * thread of the test's own (so it goes on while the test's main thread is
 * blocked), independently of the pool's watch.
 */
export class PeakSampler {
  readonly #ints: Int32Array;
  readonly #peaks: Float64Array;
  readonly #thread: Worker;
  readonly #exited: Promise<void>;

  constructor(pids: number[]) {
    const count = pids.length;
    const floatStart = Math.ceil((1 + count) * 4 / 8) * 8;
    const buffer = new SharedArrayBuffer(floatStart + count * 8);
    this.#ints = new Int32Array(buffer, 0, 1 + count);
    this.#peaks = new Float64Array(buffer, floatStart, count);
    pids.forEach((pid, i) => this.#ints[1 + i] = pid);
    this.#thread = new Worker(
      new URL("./peak_sampler_thread.ts", import.meta.url),
      { workerData: { buffer, count } },
    );
    this.#exited = new Promise((r) => this.#thread.once("exit", () => r()));
  }

  /** Stops sampling; the highest reading per pid, in the order given. */
  async stop(): Promise<number[]> {
    Atomics.store(this.#ints, 0, 1);
    Atomics.notify(this.#ints, 0);
    await this.#exited;
    return [...this.#peaks];
  }
}

/** The state letter of a process (R, S, Z, ...), or "gone". */
export function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return "gone";
  }
}

/**
 * Blocks this thread for `ms` (a synchronous loop: no timer, no I/O, no
 * event runs meanwhile), calling `each()` about every millisecond; ends
 * early when `each()` returns true.
 */
export function blockFor(
  ms: number,
  each: (elapsed: number) => boolean | void = () => {},
): void {
  const start = performance.now();
  let last = -1;
  for (let now = start; now - start < ms; now = performance.now()) {
    if (now - last >= 1) {
      last = now;
      if (each(now - start) === true) return;
    }
  }
}

/** Every descendant of `pid` now (children of any thread, recursively), from /proc. */
export function descendantPids(pid: number): number[] {
  const found: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const parent = stack.pop()!;
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${parent}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      let text = "";
      try {
        text = readFileSync(`/proc/${parent}/task/${tid}/children`, "utf8");
      } catch {
        continue;
      }
      for (const child of text.split(" ").filter(Boolean).map(Number)) {
        found.push(child);
        stack.push(child);
      }
    }
  }
  return found;
}
