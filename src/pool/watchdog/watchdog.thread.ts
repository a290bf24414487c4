/**
 * The watchdog's loop, in a thread of the host (node:worker_threads). It
 * never waits for the host's main thread: about every millisecond while a
 * job runs it reads /proc, and when a limit is reached it writes the verdict
 * into the job's slot and then kills the worker's process tree itself. The
 * main thread reads the verdict when its event loop turns (see watchdog.ts).
 * With nothing running it sleeps until the main thread arms a job.
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { CpuClock, cpuMsOf } from "../linux/cpu_time.ts";
import { MS_PER_TICK } from "../linux/proc_fields.ts";
import { peakBytesOf, TreeSampler } from "../linux/process_tree.ts";
import { currentThreadId } from "../linux/realtime.ts";
import { isStopped, killTree } from "../linux/signals.ts";
import { ResidentReader } from "../linux/resident_memory.ts";
import { BeaconReader } from "../wire/run_beacon.ts";
import { AvailableMemory, floorReached } from "../linux/machine_memory.ts";
import { MemoryPressure } from "../linux/memory_pressure.ts";
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
const slots = new WatchSlots(count, buffer);
const host = new ResidentReader(process.pid);
const machine = new AvailableMemory();
const pressure = new MemoryPressure();
/** Per slot, the job whose start the machine's available memory below was read at, and that reading. */
const floorJobs = new Int32Array(count);
const availableAtStart = new Float64Array(count);
/** When the floor last stopped a task (epoch ms): one at a time, each given time to free its memory. */
let lastFloorStop = -Infinity;
const FLOOR_STOP_GAP_MS = 100;
/** One sampler per watched slot, for the pid it was made for. */
const samplers: (TreeSampler | undefined)[] = new Array(count);

function samplerFor(slot: number, pid: number): TreeSampler {
  let sampler = samplers[slot];
  if (sampler?.pid !== pid) {
    sampler?.close();
    sampler = samplers[slot] = new TreeSampler(pid);
  }
  return sampler;
}

/** One CPU clock per watched slot, with the job it was started for. */
const clocks: (CpuClock | undefined)[] = new Array(count);
const clockPids = new Int32Array(count);
const clockJobs = new Int32Array(count);
/**
 * Per slot, 1 while its clock holds a start read while the worker was idle
 * and ready, with `slots.runs()` at that moment: the next job's CPU counts
 * from there, not from the watchdog's first sight of it, which on a loaded
 * machine can come tens of ms after the job started.
 */
const idleStart = new Uint8Array(count);
const idleStartRuns = new Int32Array(count);
/** Samples per slot, and how often one reads the CPU time without a cpuLimit. */
const cpuSamples = new Int32Array(count);
const USAGE_CPU_EVERY = 8;

/** The CPU clock of the worker `pid` of `slot`, made anew for a new worker. */
function clockOf(slot: number, pid: number): CpuClock {
  let clock = clocks[slot];
  if (clock === undefined || clockPids[slot] !== pid) {
    clock?.close();
    clock = clocks[slot] = new CpuClock(pid);
    clockPids[slot] = pid;
    clockJobs[slot] = 0;
    idleStart[slot] = 0;
  }
  return clock;
}

/** Starts counting the CPU time of the job of `slot` if it is new. */
function clockFor(slot: number, pid: number): CpuClock {
  const clock = clockOf(slot, pid);
  const job = slots.jobId(slot);
  if (clockJobs[slot] !== job) {
    const precise = !Number.isNaN(slots.cpuLimit(slot));
    const reported = slots.cpuStart(slot);
    // Without a cpuLimit the CPU time is for usage alone: it counts from the
    // worker's own reading when it became idle, and nothing is read now.
    // (A worker can misreport only its own usage; a cpuLimit never relies
    // on it.)
    if (!precise && !Number.isNaN(reported)) clock.startAt(reported);
    // Read while idle, and no job ran unseen since: it counts from there.
    else if (
      idleStart[slot] === 1 && slots.runs(slot) === idleStartRuns[slot] + 1
    ) {
      if (precise) clock.startPrecise();
    } else clock.start(precise);
    idleStart[slot] = 0;
    clockJobs[slot] = job;
  }
  return clock;
}

/** Whether the idle, ready worker of `slot` has no clock start read since its last job. */
function wantsIdleStart(slot: number): boolean {
  return readsProc && slots.cpuLimitsUsed &&
    slots.state(slot) === State.Alive &&
    slots.isReady(slot) &&
    (idleStart[slot] === 0 || idleStartRuns[slot] !== slots.runs(slot));
}

/** Reads the clock of the idle worker of `slot`: its next job counts from here. */
function startIdle(slot: number): void {
  // The count first: a job armed meanwhile makes this start late, never early.
  idleStartRuns[slot] = slots.runs(slot);
  clockOf(slot, slots.pid(slot)).start(false);
  idleStart[slot] = 1;
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
  for (const child of samplers[slot]?.descendants ?? []) {
    total += cpuMsOf(child) ?? 0;
  }
  slots.noteCpu(slot, total);
  return total;
}

function drop(slot: number): void {
  idleStart[slot] = 0;
  samplers[slot]?.close();
  samplers[slot] = undefined;
  clocks[slot]?.close();
  clocks[slot] = undefined;
  beacons[slot]?.close();
  beacons[slot] = undefined;
  beaconPids[slot] = 0;
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

/**
 * Per slot, this thread's reader of its worker's run beacon, for the pid it
 * was opened for (its own: on Deno a descriptor is only valid in the thread
 * that opened it).
 */
const beacons: (BeaconReader | undefined)[] = new Array(count);
const beaconPids = new Int32Array(count);

/**
 * The tag the run beacon of `slot`'s worker `pid` shows (wire/run_beacon.ts):
 * that of the last job sent ahead it started; NaN without a beacon.
 */
function beaconTag(slot: number, pid: number): number {
  let reader = beacons[slot];
  if (beaconPids[slot] !== pid) {
    reader?.close();
    const fd = slots.beacon(slot);
    reader = beacons[slot] = fd < 0 ? undefined : BeaconReader.open(pid, fd);
    beaconPids[slot] = pid;
  }
  return reader?.tag() ?? NaN;
}

/** Per slot, its state word when this tick saw its job running. */
const watchedWords = new Int32Array(count);

/** Per slot, its tree's bytes at the last sample, and when it was last looked at for a freeze. */
const lastBytes = new Float64Array(count);
const freezeLookedAt = new Float64Array(count);
/** How often a tree that does not grow is looked at for a freeze, ms. */
const FREEZE_LOOK_MS = 20;

/**
 * Whether to look whether the worker of `slot` is frozen (read its state):
 * near its memory limit, and every FREEZE_LOOK_MS while its tree does not
 * grow (a frozen one cannot). A worker its brake froze over the limit (memory_brake.ts)
 * shows less than it reached once the kernel reclaims some of its pages
 * (its program's own, read from disk); only its high-water mark tells,
 * and without this look its run would stay frozen, never settled.
 */
function mayBeFrozen(
  slot: number,
  now: number,
  bytes: number,
  growth: number,
  limit: number,
): boolean {
  const grew = bytes > lastBytes[slot];
  lastBytes[slot] = bytes;
  if (growth > 0.9 * limit) return true;
  if (grew || now - freezeLookedAt[slot] < FREEZE_LOOK_MS) return false;
  freezeLookedAt[slot] = now;
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

function tick(): void {
  const now = epochMs();
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
      slots.advance(slot, word, now, beaconTag(slot, pid))
    ) word = slots.stateWord(slot);
    if (state === State.Running) {
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
      // Younger than a tick, a job has had no time to grow or compute much
      // (the worker's brake stops a fast allocation meanwhile): its first
      // sample waits for the next tick, which most short jobs do not see.
      if (
        now - started < tickMs && Number.isNaN(slots.cpuLimit(slot)) &&
        !watchProcess && floorWatch === undefined
      ) continue;
      limit = slots.memoryLimit(slot);
    }
    // Running jobs are sampled for their usage too, where /proc may be read.
    const running = state === State.Running &&
      (readsProc || !Number.isNaN(slots.minAvailable));
    if (Number.isNaN(limit) && !watchProcess && !running) continue;
    const bytes = samplerFor(slot, pid).residentBytes();
    if (bytes === undefined) continue; // it exited; the main thread reports
    slots.setDescendants(slot, samplers[slot]!.descendants.length);
    total += bytes;
    if (state !== State.Running) continue;
    slots.notePeak(slot, bytes);
    // Every sample under a cpuLimit; else now and then, for the usage of a
    // job the main thread stops (a token): a few µs saved per job and tick.
    const cpuLimit = slots.cpuLimit(slot);
    if (!Number.isNaN(cpuLimit) || ++cpuSamples[slot] % USAGE_CPU_EVERY === 0) {
      const used = treeCpuMs(slot, pid) ?? 0;
      if (used > cpuLimit) {
        stop(slot, word, pid, VerdictKind.Cpu, cpuLimit, used);
        continue;
      }
    }
    watchedWords[slot] = word; // for the floor's and the process limit's stops
    floorWatch?.set(slot, bytes);
    const growth = bytes - slots.baseBytes(slot);
    if (growth > limit) {
      stop(slot, word, pid, VerdictKind.Memory, limit, growth);
    } else if (
      !Number.isNaN(limit) && mayBeFrozen(slot, now, bytes, growth, limit) &&
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
  if (!watchProcess || watched.length === 0) return;
  slots.processPeak = Math.max(slots.processPeak, total);
  if (total <= processLimit) return;
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
  if (slots.anyRunning()) {
    idleTicks = 0;
    tick();
  } else {
    // An idle worker's clock reading does not keep the watchdog awake: a
    // stream of jobs it does not watch (each asks for one) lets it sleep.
    if (anyWantsIdleStart()) tick();
    if (++idleTicks >= IDLE_TICKS_BEFORE_SLEEP) {
      slots.sleep(
        Infinity,
        true,
        () => slots.anyRunning() || anyWantsIdleStart(),
      );
      continue;
    }
  }
  slots.sleep(tickMs, false);
}
for (let slot = 0; slot < count; slot++) drop(slot);
host.close();
machine.close();
pressure.close();
