/**
 * The thread of a worker's memory brake (memory_brake.ts): while a task is
 * armed, reads this process's resident memory and, once it is over the
 * armed bound, freezes the process group for the host's watchdog to charge
 * and kill. It reads again after the least time the process could take to
 * grow from there to the bound (memory_growth.ts): every millisecond near
 * it, every few far below it. Between tasks it ticks on for a few
 * milliseconds, then sleeps until an arm wakes it.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ResidentReader } from "../linux/resident_memory.ts";
import { currentThreadId } from "../linux/realtime.ts";
import { freezeOwnGroup } from "../linux/signals.ts";
import { msToReach } from "../linux/memory_growth.ts";
import { MiB } from "../../units.ts";

const { buffer } = workerData as { buffer: SharedArrayBuffer };
// The layout of memory_brake.ts.
const ints = new Int32Array(buffer, 0, 4);
const above = new Float64Array(buffer, 16, 1);
const STATE = 0, SLEEPING = 1, ARMS = 2, PLANNED_MIB = 3;
const ARMED = 1, FIRED = 2; // 0: disarmed
const MAX_MIB = 2 ** 31 - 1;
const TICK_MS = 1;
/** The longest wait between two readings, however far below its bound a task is. */
const MAX_WAIT_MS = 20;
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
  // Every wait below ends at once if an arm came after this reading.
  const arms = Atomics.load(ints, ARMS);
  if (Atomics.load(ints, STATE) !== ARMED) {
    Atomics.store(ints, PLANNED_MIB, 0);
    if (++idleTicks < IDLE_TICKS_BEFORE_SLEEP) {
      Atomics.wait(ints, ARMS, arms, TICK_MS);
      continue;
    }
    // Announced before the state is read again: an arm that came in
    // between either sees the flag and wakes us, or is seen here.
    Atomics.store(ints, SLEEPING, 1);
    if (Atomics.load(ints, STATE) !== ARMED) Atomics.wait(ints, ARMS, arms);
    Atomics.store(ints, SLEEPING, 0);
    continue;
  }
  idleTicks = 0;
  const bound = above[0];
  const bytes = resident.read();
  if (
    bytes !== undefined && bytes > bound &&
    Atomics.compareExchange(ints, STATE, ARMED, FIRED) === ARMED
  ) {
    freezeOwnGroup();
    continue;
  }
  // An arm with a lower bound than this wait was planned for wakes us.
  Atomics.store(ints, PLANNED_MIB, Math.min(Math.floor(bound / MiB), MAX_MIB));
  Atomics.wait(
    ints,
    ARMS,
    arms,
    bytes === undefined
      ? TICK_MS
      : msToReach(bound - bytes, TICK_MS, MAX_WAIT_MS),
  );
}
