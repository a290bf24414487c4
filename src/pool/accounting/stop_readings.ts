/**
 * What the pool's main thread reads of a run it stops that the watchdog did
 * not watch: a run whose only limit is its signal. Such a run needs no
 * samples while it runs (nothing to enforce but the signal, which this
 * thread handles), so its usage is read once, when the signal stops it.
 */
import { cpuMsOf } from "../linux/cpu_time.ts";
import { descendantsOf } from "../linux/process_tree.ts";
import { freezeGroup } from "../linux/signals.ts";
import { residentBytesOf } from "../linux/resident_memory.ts";
import type { WorkerProcess } from "../spawn/worker_process.ts";
import type { WatchReadings } from "../watchdog/watchdog.ts";

/**
 * The readings of `worker`'s tree now, as the watchdog would have them for
 * a run it watched: its resident bytes (a lower bound of the run's peak),
 * and the CPU ms of the worker's process since it became idle before the
 * run (its own getrusage then, `idleCpuMs`, against /proc's ticks now: a
 * lower bound to two ticks) plus the whole time of each descendant.
 * NaN and 0 where /proc cannot be read. The worker's group is frozen
 * first (the pool kills it next): the task cannot run on between the
 * reading and the kill.
 */
export function stopReadings(worker: WorkerProcess): WatchReadings {
  freezeGroup(worker.pid);
  const descendants = descendantsOf(worker.pid);
  let peak = worker.residentBytes() ?? 0;
  let cpuMs = Math.max(0, (cpuMsOf(worker.pid) ?? NaN) - worker.idleCpuMs);
  for (const pid of descendants) {
    peak += residentBytesOf(pid) ?? 0;
    // Started during the run: a worker that keeps one is replaced.
    cpuMs += cpuMsOf(pid) ?? 0;
  }
  return {
    verdict: undefined,
    peak,
    cpuMs,
    descendants: descendants.length,
  };
}
