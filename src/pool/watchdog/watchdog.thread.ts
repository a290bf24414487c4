/**
 * The watchdog's loop, in a thread of the host (node:worker_threads). It
 * never waits for the host's main thread: while a job runs it reads /proc,
 * every millisecond near the job's memory limit, less often far below it
 * (sample_times.ts), and at its deadline; when a limit is reached it writes
 * the verdict into the job's slot and then kills the worker's process tree
 * itself. The main thread reads the verdict when its event loop turns (see
 * watchdog.ts). With nothing running it sleeps until the main thread arms a
 * job.
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { type CpuClock, cpuMsOf } from "../linux/cpu_time.ts";
import { MS_PER_TICK } from "../linux/proc_fields.ts";
import { peakBytesOf } from "../linux/process_tree.ts";
import { currentThreadId } from "../linux/realtime.ts";
import { isStopped, killTree } from "../linux/signals.ts";
import { ResidentReader } from "../linux/resident_memory.ts";
import { AvailableMemory, floorReached } from "../linux/machine_memory.ts";
import { MemoryPressure } from "../linux/memory_pressure.ts";
import { aheadLookMs, longestWaitMs, sampleWaitMs } from "./sample_times.ts";
import { WatchedWorker } from "./watched_worker.ts";
import {
  epochMs,
  State,
  stateOf,
  VerdictKind,
  WatchSlots,
} from "./watch_slots.ts";

const { buffer, count, tickMs, readsProc } = workerData as {
  buffer: SharedArrayBuffer;
  count: number;
  /** Milliseconds between two samples while jobs run (1). */
  tickMs: number;
  /** Whether /proc may be read (for usage and CPU limits; memory limits need it). */
  readsProc: boolean;
};
const slots = new WatchSlots(count, buffer, tickMs);
const host = new ResidentReader(process.pid);
const machine = new AvailableMemory();
const pressure = new MemoryPressure();
/** Per slot, the job whose start the machine's available memory below was read at, and that reading. */
const floorJobs = new Int32Array(count);
const availableAtStart = new Float64Array(count);
/** When the floor last stopped a task (epoch ms): one at a time, each given time to free its memory. */
let lastFloorStop = -Infinity;
const FLOOR_STOP_GAP_MS = 100;
/** Per slot, what this thread keeps of its worker (watched_worker.ts). */
const workers: (WatchedWorker | undefined)[] = new Array(count);
/** How often a sample reads the CPU time without a cpuLimit. */
const USAGE_CPU_EVERY = 8;

/** What this thread keeps of the worker `pid` of `slot`: anew for a new worker. */
function workerOf(slot: number, pid: number): WatchedWorker {
  let worker = workers[slot];
  if (worker?.pid !== pid) {
    worker?.close();
    worker = workers[slot] = new WatchedWorker(pid);
  }
  return worker;
}

/** The CPU clock of the worker `pid` of `slot`, counting for the slot's job. */
function clockFor(slot: number, pid: number): CpuClock {
  const worker = workerOf(slot, pid);
  const clock = worker.clock;
  const job = slots.jobId(slot);
  if (worker.clockJob !== job) {
    const precise = !Number.isNaN(slots.cpuLimit(slot));
    const reported = slots.cpuStart(slot);
    // Without a cpuLimit the CPU time is for usage alone: it counts from the
    // worker's own reading when it became idle, and nothing is read now.
    // (A worker can misreport only its own usage; a cpuLimit never relies
    // on it.)
    if (!precise && !Number.isNaN(reported)) clock.startAt(reported);
    // Read while idle, and no job ran unseen since: it counts from there.
    else if (
      worker.idleStart && slots.runs(slot) === worker.idleStartRuns + 1
    ) {
      if (precise) clock.startPrecise();
    } else clock.start(precise);
    worker.idleStart = false;
    worker.clockJob = job;
  }
  return clock;
}

/** Whether the idle, ready worker of `slot` has no clock start read since its last job. */
function wantsIdleStart(slot: number): boolean {
  if (
    !readsProc || !slots.cpuLimitsUsed || slots.state(slot) !== State.Alive ||
    !slots.isReady(slot)
  ) return false;
  const worker = workers[slot];
  return worker?.pid !== slots.pid(slot) || !worker.idleStart ||
    worker.idleStartRuns !== slots.runs(slot);
}

/** Reads the clock of the idle worker of `slot`: its next job counts from here. */
function startIdle(slot: number): void {
  const worker = workerOf(slot, slots.pid(slot));
  // The count first: a job armed meanwhile makes this start late, never early.
  worker.idleStartRuns = slots.runs(slot);
  worker.clock.start(false);
  worker.idleStart = true;
}

function anyWantsIdleStart(): boolean {
  for (let slot = 0; slot < count; slot++) {
    if (wantsIdleStart(slot)) return true;
  }
  return false;
}

/**
 * CPU ms of the job's tree since its start: the worker's, and the whole time
 * of each descendant (started during the job: a worker that kept one is
 * replaced) at the last scan. Ended descendants count through the
 * `cutime` of the process that waited for them.
 */
function treeCpuMs(slot: number, pid: number): number | undefined {
  const clock = clockFor(slot, pid);
  let own = clock.usedMs();
  if (own === undefined) return undefined;
  // Within two ticks of the limit (ticks may lag by one), to the ns.
  if (own + 2 * MS_PER_TICK >= slots.cpuLimit(slot)) {
    own = Math.max(own, clock.preciseMs());
  }
  let total = own;
  for (const child of workerOf(slot, pid).descendants) {
    total += cpuMsOf(child) ?? 0;
  }
  slots.noteCpu(slot, total);
  return total;
}

function drop(slot: number): void {
  workers[slot]?.close();
  workers[slot] = undefined;
}

/**
 * Takes the job of `slot` with this verdict, then kills its worker's tree.
 * `running`: the slot's state word when the job was seen running (another
 * job armed in the slot since is not taken).
 */
function stop(
  slot: number,
  running: number,
  pid: number,
  kind: VerdictKind,
  limit: number,
  observed: number,
): void {
  if (!slots.decide(slot, { kind, limit, observed }, running)) return;
  const job = slots.jobId(slot);
  // Its usage, read while the tree is frozen: what it used up to the kill.
  killTree(pid, readsProc ? () => treeCpuMs(slot, pid) : undefined);
  // Settled at once if the main thread is free, else when it turns (the
  // worker's exit tells it too).
  parentPort?.postMessage({ slot, job });
}

/** Per slot, its state word when this tick saw its job running. */
const watchedWords = new Int32Array(count);

/** How often a tree that does not grow is looked at for a freeze, ms. */
const FREEZE_LOOK_MS = 20;

/**
 * Whether to look whether `worker` is frozen (read its state): near its
 * memory limit, and every FREEZE_LOOK_MS while its tree does not grow (a
 * frozen one cannot). A worker its brake froze over the limit
 * (memory_brake.ts) shows less than it reached once the kernel reclaims
 * some of its pages (its program's own, read from disk); only its
 * high-water mark tells, and without this look its run would stay frozen,
 * never settled.
 */
function mayBeFrozen(
  worker: WatchedWorker,
  now: number,
  bytes: number,
  growth: number,
  limit: number,
): boolean {
  const grew = bytes > worker.lastBytes;
  worker.lastBytes = bytes;
  if (growth > 0.9 * limit) return true;
  if (grew || now - worker.freezeLookedAt < FREEZE_LOOK_MS) return false;
  worker.freezeLookedAt = now;
  return true;
}

/**
 * The machine's floor: while its available memory is below
 * `minAvailableMemory` (or near it under memory pressure: floorReached),
 * stops the running task whose run saw it fall the
 * most (else the largest tree), one every FLOOR_STOP_GAP_MS at most.
 * `running` holds each running slot with its tree's bytes.
 */
function checkFloor(now: number, running: Map<number, number>): void {
  const floor = slots.minAvailable;
  if (Number.isNaN(floor) || running.size === 0) return;
  const available = machine.read();
  if (available === undefined) return;
  for (const slot of running.keys()) {
    if (floorJobs[slot] !== slots.jobId(slot)) {
      floorJobs[slot] = slots.jobId(slot);
      availableAtStart[slot] = available;
    }
  }
  if (
    !floorReached(available, floor, pressure.fullShare(now)) ||
    now - lastFloorStop < FLOOR_STOP_GAP_MS
  ) return;
  let chosen = -1;
  let fall = 0;
  let bytes = -1;
  for (const [slot, tree] of running) {
    const fell = availableAtStart[slot] - available;
    if (fell > fall || (fell === fall && tree > bytes)) {
      chosen = slot;
      fall = fell;
      bytes = tree;
    }
  }
  lastFloorStop = now;
  stop(
    chosen,
    watchedWords[chosen],
    slots.pid(chosen),
    VerdictKind.MachineMemory,
    floor,
    available,
  );
}

/** The soonest look a slot asked for during the current `look()`, epoch ms. */
let nextLook = Infinity;

/** A slot asks to be looked at again by epoch ms `at`. */
function lookBy(at: number): void {
  if (at < nextLook) nextLook = at;
}

/**
 * Looks at every slot at epoch ms `now`: stops what is over a limit,
 * samples what is due. Returns when the next look is due (epoch ms;
 * Infinity: nothing asks for one).
 */
function look(now: number): number {
  nextLook = Infinity;
  const floorWatch = Number.isNaN(slots.minAvailable)
    ? undefined
    : new Map<number, number>();
  const processLimit = slots.processLimit;
  const watchProcess = !Number.isNaN(processLimit);
  let total = watchProcess ? host.read() ?? 0 : 0;
  const watched: number[] = [];
  for (let slot = 0; slot < count; slot++) {
    let word = slots.stateWord(slot);
    const state = stateOf(word);
    if (state !== State.Alive && state !== State.Running) {
      drop(slot);
      continue;
    }
    const pid = slots.pid(slot);
    if (wantsIdleStart(slot)) startIdle(slot);
    let limit = NaN;
    // A job sent ahead that started is watched from here. Looked for only
    // when the running job would be sampled or stopped: the host's main
    // thread moves a stream of short jobs on itself, with no reading.
    if (
      state === State.Running && slots.hasAhead(slot, word) &&
      (now - slots.started(slot) >= tickMs || now >= slots.deadline(slot)) &&
      slots.advance(
        slot,
        word,
        now,
        workerOf(slot, pid).beaconTag(slots.beacon(slot)),
      )
    ) word = slots.stateWord(slot);
    if (state === State.Running) {
      // A job sent ahead with a timeout is looked for often (sample_times.ts).
      const aheadTimeout = slots.aheadTimeout(slot, word);
      if (!Number.isNaN(aheadTimeout)) {
        lookBy(now + aheadLookMs(aheadTimeout, tickMs));
      }
      if (readsProc) clockFor(slot, pid); // the job's CPU counts from here
      const started = slots.started(slot);
      if (now >= slots.deadline(slot)) {
        stop(
          slot,
          word,
          pid,
          VerdictKind.Timeout,
          slots.timeout(slot),
          now - started,
        );
        continue;
      }
      lookBy(slots.deadline(slot));
      // Before its first sample a job has had no time to grow to its limit
      // or compute much (the worker's brake stops a fast allocation
      // meanwhile): most short jobs end before it.
      const first = slots.firstLook(slot);
      if (now < first) {
        lookBy(first);
        continue;
      }
      limit = slots.memoryLimit(slot);
    }
    // Running jobs are sampled for their usage too, where /proc may be read.
    const running = state === State.Running &&
      (readsProc || !Number.isNaN(slots.minAvailable));
    if (Number.isNaN(limit) && !watchProcess && !running) continue;
    const worker = workerOf(slot, pid);
    const bytes = worker.sampler.residentBytes();
    if (bytes === undefined) continue; // it exited; the main thread reports
    slots.setDescendants(slot, worker.descendants.length);
    total += bytes;
    if (state !== State.Running) continue;
    slots.notePeak(slot, bytes);
    const growth = bytes - slots.baseBytes(slot);
    const cpuLimit = slots.cpuLimit(slot);
    // Memory near its limit every tick, far below it later; CPU limits, the
    // process limit and the floor every tick.
    const headroom = Number.isNaN(limit) ? Infinity : limit - growth;
    lookBy(
      now +
        (!Number.isNaN(cpuLimit) || watchProcess || floorWatch
          ? tickMs
          : sampleWaitMs(headroom, tickMs)),
    );
    // Every sample under a cpuLimit; else now and then, for the usage of a
    // job the main thread stops (a token): a few µs saved per job and tick.
    if (!Number.isNaN(cpuLimit) || ++worker.samples % USAGE_CPU_EVERY === 0) {
      const used = treeCpuMs(slot, pid) ?? 0;
      if (used > cpuLimit) {
        stop(slot, word, pid, VerdictKind.Cpu, cpuLimit, used);
        continue;
      }
    }
    watchedWords[slot] = word; // for the floor's and the process limit's stops
    floorWatch?.set(slot, bytes);
    if (growth > limit) {
      stop(slot, word, pid, VerdictKind.Memory, limit, growth);
    } else if (
      !Number.isNaN(limit) && mayBeFrozen(worker, now, bytes, growth, limit) &&
      isStopped(pid)
    ) {
      // Frozen by its brake (memory_brake.ts) over the limit, and some pages
      // reclaimed since: its high-water mark tells what it reached.
      const peak = (peakBytesOf(pid) ?? 0) - slots.baseBytes(slot);
      if (peak > limit) stop(slot, word, pid, VerdictKind.Memory, limit, peak);
      else watched.push(slot);
    } else watched.push(slot);
  }
  if (floorWatch) checkFloor(now, floorWatch);
  if (!watchProcess || watched.length === 0) return nextLook;
  slots.processPeak = Math.max(slots.processPeak, total);
  if (total <= processLimit) return nextLook;
  for (const slot of watched) {
    stop(
      slot,
      watchedWords[slot],
      slots.pid(slot),
      VerdictKind.ProcessMemory,
      processLimit,
      total,
    );
  }
  return nextLook;
}

/**
 * When to look again after a look at `now` that asked for `next`: a tick
 * later at the soonest, `longestWaitMs` at the latest.
 */
function wakeAt(now: number, next: number): number {
  const soonest = now + tickMs;
  const latest = now + longestWaitMs(tickMs);
  return next < soonest ? soonest : next > latest ? latest : next;
}

/**
 * On a loaded machine a thread that sleeps a millisecond at a time can wait
 * tens of ms for a core while the workers it watches allocate; measured here
 * (2 cores, load 12): samples up to 160 ms apart and a charge of 123% of the
 * limit at nice 0, at most 29 ms and 103% at nice -10. Raising a thread's
 * priority needs privilege (CAP_SYS_NICE); without it the watchdog runs at
 * the host's priority. Where the system allows it, the main thread then
 * moves this thread to SCHED_FIFO (linux/realtime.ts), as each worker does
 * its brake's: it sleeps between ticks, so it never holds a core.
 */
function raisePriority(): number | undefined {
  const tid = currentThreadId();
  try {
    if (tid !== undefined) setPriority(tid, -10);
  } catch {
    // not allowed here
  }
  return tid;
}

parentPort?.postMessage({ tid: raisePriority() });
parentPort?.postMessage("up"); // the pool sends no watched job before this
/**
 * Ticks with nothing running before the watchdog sleeps until woken (about
 * 20 ms): back-to-back short jobs then find it awake, and the main thread
 * need not wake it (a futex call and a thread switch) for each of them.
 */
const IDLE_TICKS_BEFORE_SLEEP = 20;
let idleTicks = 0;
while (!slots.stopped) {
  const seen = slots.beginLook();
  const now = epochMs();
  if (slots.anyRunning()) {
    idleTicks = 0;
    slots.waitUntil(seen, wakeAt(now, look(now)));
    continue;
  }
  // An idle worker's clock reading does not keep the watchdog awake: a
  // stream of jobs it does not watch (each asks for one) lets it sleep.
  if (anyWantsIdleStart()) look(now);
  if (++idleTicks >= IDLE_TICKS_BEFORE_SLEEP) {
    slots.sleep(
      Infinity,
      true,
      () => slots.anyRunning() || anyWantsIdleStart(),
    );
  } else slots.waitUntil(seen, now + tickMs);
}
for (let slot = 0; slot < count; slot++) drop(slot);
host.close();
machine.close();
pressure.close();
