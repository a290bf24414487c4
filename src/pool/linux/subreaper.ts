/**
 * A worker makes itself a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER,
 * 1)`, Linux 3.4+): a process its task started that loses its parent (a
 * daemon started by `sh -c "setsid cmd &"`, a double fork, `nohup`) is then
 * re-parented to the worker instead of init, so it stays in the worker's
 * tree, where the watchdog counts it against the task's limits and
 * `killTree` finds it (signals.ts). Orphans that end stay zombies of the
 * worker until it is killed (the runtimes reap only the children they
 * started); a zombie holds no memory, and init reaps it after the kill.
 *
 * libc's `prctl` through the runtime's FFI (libc.ts). Where that does not
 * work, the worker says so and the pool falls back to a marker in the
 * environment (docs/workers.md, "No descendant escapes").
 */
import { libc } from "./libc.ts";

const PR_SET_CHILD_SUBREAPER = 36;

/**
 * Makes this process a child subreaper. True if it is one now; false where
 * the platform, the runtime or the permissions do not allow it (never
 * throws).
 */
export function becomeSubreaper(): boolean {
  try {
    return libc()?.prctl(PR_SET_CHILD_SUBREAPER, 1n) === 0;
  } catch {
    return false;
  }
}
