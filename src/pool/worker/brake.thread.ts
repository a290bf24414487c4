/**
 * The thread of a worker's memory brake (memory_brake.ts): while a task is
 * armed, reads this process's resident memory every millisecond and, once
 * it is over the armed bound, freezes the process group for the host's
 * watchdog to charge and kill. Between tasks it ticks on for a few
 * milliseconds, then sleeps until an arm wakes it.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ResidentReader } from "../linux/resident_memory.ts";
import { currentThreadId } from "../linux/realtime.ts";
import { freezeOwnGroup } from "../linux/signals.ts";

const { buffer } = workerData as { buffer: SharedArrayBuffer };
// The layout of memory_brake.ts.
const ints = new Int32Array(buffer, 0, 2);
const above = new Float64Array(buffer, 8, 1);
const STATE = 0, SLEEPING = 1;
const ARMED = 1, FIRED = 2; // 0: disarmed
const TICK_MS = 1;
/**
 * Ticks with nothing armed before the thread sleeps until an arm wakes it
 * (about 5 ms): back-to-back short tasks then find it ticking, and arming
 * need not wake it for each of them.
 */
const IDLE_TICKS_BEFORE_SLEEP = 5;

const resident = new ResidentReader(process.pid);
if (resident.read() === undefined) throw new Error("no /proc/self/statm here");
// Up, with this thread's id, for the worker to raise it to SCHED_FIFO.
parentPort!.postMessage({ tid: currentThreadId() });
let idleTicks = 0;
for (;;) {
  const now = Atomics.load(ints, STATE);
  if (now !== ARMED) {
    if (++idleTicks < IDLE_TICKS_BEFORE_SLEEP) {
      Atomics.wait(ints, STATE, now, TICK_MS);
      continue;
    }
    // Announced before the state is read again: an arm that came in
    // between either sees the flag and wakes us, or is seen here.
    Atomics.store(ints, SLEEPING, 1);
    if (Atomics.load(ints, STATE) === now) Atomics.wait(ints, STATE, now);
    Atomics.store(ints, SLEEPING, 0);
    continue;
  }
  idleTicks = 0;
  const bytes = resident.read();
  if (
    bytes !== undefined && bytes > above[0] &&
    Atomics.compareExchange(ints, STATE, ARMED, FIRED) === ARMED
  ) {
    freezeOwnGroup();
    continue;
  }
  Atomics.wait(ints, STATE, ARMED, TICK_MS);
}
