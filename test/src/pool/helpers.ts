/** Helpers shared by the pool tests (not a test file). */
import { readdirSync, readFileSync } from "node:fs";

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
