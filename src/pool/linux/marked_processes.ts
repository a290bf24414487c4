/**
 * The fallback where a worker cannot be a child subreaper (subreaper.ts):
 * each worker is started with `MEMLIMITS_WORKER=<marker>` in its
 * environment, which every process its tasks start inherits unless it
 * clears its environment; when the worker is killed or exits, the
 * processes that still carry the marker are found in `/proc/*\/environ` and
 * killed, wherever they were re-parented.
 */
import { readdirSync } from "node:fs";
import { readProcText } from "./proc_fields.ts";

/** The environment variable that marks a worker's descendants. */
export const MARKER_VARIABLE = "MEMLIMITS_WORKER";

/** Pids of the processes whose environment holds `MEMLIMITS_WORKER=marker`. */
export function markedProcesses(marker: string): number[] {
  const entry = `${MARKER_VARIABLE}=${marker}`;
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return []; // no /proc, or not allowed to read it (Deno without -A)
  }
  const found: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const environ = readProcText(`/proc/${name}/environ`);
    if (environ?.split("\0").includes(entry)) found.push(Number(name));
  }
  return found;
}
