/**
 * Raising one thread to the real-time scheduling policy `SCHED_FIFO`
 * (priority 1, the lowest), where the system allows it: a process with
 * `CAP_SYS_NICE` (root, in most containers) or an `RLIMIT_RTPRIO` of 1 or
 * more. JavaScript has no call for it, so util-linux's `chrt` does it, once
 * per thread. A thread under `SCHED_FIFO` runs as soon as it wakes, ahead
 * of every ordinary thread on its core.
 *
 * Why the memory brake needs it: an ordinary thread that sleeps most of the
 * time gets little of its scheduling group's weight on the core it wakes on
 * (the kernel splits a group's weight by where its load is, and the load is
 * the busy task's), so behind other busy groups it waited up to seconds for
 * its 1 ms sleep to end, measured here with two test suites and two busy
 * processes on 2 cores, while the task it watched allocated 50 MiB in 37 ms.
 * Under `SCHED_FIFO` the longest wait under the same load was 7 ms. Only for threads
 * that sleep between short readings: one that spun would hold its core
 * (the kernel's real-time throttling still leaves the others 5%).
 */
import { spawn } from "node:child_process";
import { readlinkSync } from "node:fs";
import { grantedWithoutAsking } from "../../runtime.ts";

/**
 * The calling thread's id (TID), from /proc/thread-self; undefined without
 * /proc or the permission to read it.
 *
 * @example
 * ```ts
 * import { currentThreadId } from "./realtime.ts";
 * currentThreadId() === process.pid; // true on a process's main thread
 * ```
 */
export function currentThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").at(-1));
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Moves thread `tid` of this process to `SCHED_FIFO` priority 1. Resolves
 * true if it did, false where `chrt` is missing or refused (by the system,
 * or by Deno's permissions); never rejects.
 *
 * @example
 * ```ts
 * import { currentThreadId, raiseToRealtime } from "./realtime.ts";
 * const raised = await raiseToRealtime(currentThreadId()!);
 * // raised: true as root on Linux; false for an ordinary user
 * ```
 */
export function raiseToRealtime(tid: number): Promise<boolean> {
  if (!grantedWithoutAsking({ name: "run", command: "chrt" })) {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    try {
      const chrt = spawn("chrt", ["--fifo", "--pid", "1", String(tid)], {
        stdio: "ignore",
      });
      chrt.once("error", () => resolve(false));
      chrt.once("exit", (code) => resolve(code === 0));
    } catch {
      resolve(false);
    }
  });
}
