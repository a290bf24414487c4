/**
 * The thread of a worker's memory brake (memory_brake.ts): sleeps until a
 * task is armed, then reads this process's resident memory every
 * millisecond and, once it is over the armed bound, freezes the process
 * group for the host's watchdog to charge and kill.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ResidentReader } from "../linux/resident_memory.ts";
import { currentThreadId } from "../linux/realtime.ts";
import { freezeOwnGroup } from "../linux/signals.ts";

const { buffer } = workerData as { buffer: SharedArrayBuffer };
const state = new Int32Array(buffer, 0, 1);
const above = new Float64Array(buffer, 8, 1);
const ARMED = 1, FIRED = 2; // 0: disarmed
const TICK_MS = 1;

const resident = new ResidentReader(process.pid);
if (resident.read() === undefined) throw new Error("no /proc/self/statm here");
// Up, with this thread's id, for the worker to raise it to SCHED_FIFO.
parentPort!.postMessage({ tid: currentThreadId() });
for (;;) {
  const now = Atomics.load(state, 0);
  if (now !== ARMED) {
    // Waits only while the state is still what was read: an arm that came
    // in between is not missed.
    Atomics.wait(state, 0, now);
    continue;
  }
  const bytes = resident.read();
  if (
    bytes !== undefined && bytes > above[0] &&
    Atomics.compareExchange(state, 0, ARMED, FIRED) === ARMED
  ) {
    freezeOwnGroup();
    continue;
  }
  Atomics.wait(state, 0, ARMED, TICK_MS);
}
