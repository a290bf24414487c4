/**
 * Every way the pool kills or freezes a process: a worker's whole tree (at a
 * limit, at `close()`, at the host's exit), what is left of a group, and a
 * worker's own group (its brake freezes it; it kills it when the host goes).
 *
 * Workers lead their own process group (spawned `detached`), so a signal to
 * the group reaches every descendant that stayed in it; descendants that left
 * it (`setsid`) are found by a scan of the tree and signalled one by one.
 */
import { descendantsOf } from "./process_tree.ts";
import { parseStat, readProcText } from "./proc_fields.ts";

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
  freezeGroup(pid);
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

/**
 * Freezes the process group `pid` leads (a worker about to be killed, so
 * that what is read of it first cannot grow under the reading).
 */
export function freezeGroup(pid: number): void {
  signal(-pid, "SIGSTOP");
}

/** Freezes the process group this process leads (a worker's brake, at its bound). */
export function freezeOwnGroup(): void {
  freezeGroup(process.pid);
}

/** Kills the process group this process leads: a worker and what its tasks started. */
export function killOwnGroup(): void {
  killGroup(process.pid);
}

/** Whether `pid` is stopped by a signal (state `T` in /proc/PID/stat); false if gone. */
export function isStopped(pid: number): boolean {
  const text = readProcText(`/proc/${pid}/stat`);
  return text !== undefined && parseStat(text)?.state === "T";
}
