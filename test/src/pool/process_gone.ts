/** Whether a process has ended, for the pool tests (not a test file). */
import { readFileSync } from "node:fs";

/**
 * Whether process `pid` is gone: no /proc entry, or a zombie (state Z: it
 * has exited and only waits to be reaped by a parent not ours to hurry).
 */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The state follows the command's closing parenthesis.
    return stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z";
  } catch {
    return true;
  }
}
