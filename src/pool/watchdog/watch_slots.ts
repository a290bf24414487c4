/**
 * The memory the pool's main thread shares with its watchdog thread: a
 * `SharedArrayBuffer` with a header and one slot per worker. The main thread
 * writes a job into its worker's slot before it sends the job; the watchdog
 * writes a verdict into the slot before it kills the worker. Ownership of a
 * running job passes by one compare-and-exchange on the slot's state word,
 * so exactly one side settles it. The word also counts the jobs armed in the
 * slot (above `STATE_BITS`), so that a verdict the watchdog reached for one
 * job can never take the next job armed in the same slot meanwhile.
 *
 * Each slot is `SLOT_INTS` Int32 words and `SLOT_FLOATS` Float64 words (the
 * spare ones keep room for later fields).
 */
import { AHEAD_DEPTH } from "../queue/ahead.ts";
import { aheadLookMs, firstSampleMs } from "./sample_times.ts";

/** A slot's state word. */
export const State = {
  /** No worker. */
  Empty: 0,
  /** A live worker, no job: counted for `processMemoryLimit`. */
  Alive: 1,
  /** A job runs: the watchdog checks its limits. */
  Running: 2,
  /** The watchdog took the job (verdict written) and killed the worker. */
  Verdict: 3,
} as const;
/** One of `State`'s values. */
export type State = typeof State[keyof typeof State];

const STATE_BITS = 2;
const STATE_MASK = (1 << STATE_BITS) - 1;

/** The state in a slot's state word (see `WatchSlots.stateWord`). */
export function stateOf(word: number): State {
  return (word & STATE_MASK) as State;
}

/** The generation in a slot's state word: how many jobs were armed in it (modulo 2^29). */
export function generationOf(word: number): number {
  return word >>> STATE_BITS;
}

/**
 * Generations count modulo this. A shift, not `2 **`: JSC keeps the result
 * of `**` as a double, and an int32 `%` by it left the optimized code at
 * every call (Bun: `arm` took 620 ns instead of 90).
 */
const GENERATIONS = 1 << (31 - STATE_BITS);

/** The generation `steps` after `generation` (a job sent ahead's: its predecessor's and 1). */
export function generationAfter(generation: number, steps = 1): number {
  return (generation + steps) % GENERATIONS;
}

/** How many generations `later` is after `earlier` (modulo, so 0 to GENERATIONS - 1). */
export function generationsBetween(earlier: number, later: number): number {
  return (later - earlier + GENERATIONS) % GENERATIONS;
}

/** The state word of a running job of `generation`. */
function runningWord(generation: number): number {
  return (generation << STATE_BITS) | State.Running;
}

/** The state word of the next job armed after `word`, running. */
function nextRunning(word: number): number {
  return runningWord(generationAfter(generationOf(word)));
}

/**
 * Entries for jobs sent ahead per slot: one per job a worker may hold
 * ahead (queue/ahead.ts), and one more, so that the main thread never
 * writes an entry the watchdog may be reading.
 */
const AHEAD_ENTRIES = AHEAD_DEPTH + 1;

/** What the watchdog found. */
export const VerdictKind = {
  Memory: 1,
  Timeout: 2,
  /** `processMemoryLimit`: the whole process was over. */
  ProcessMemory: 3,
  /** `cpuLimit`: the tree's CPU time. */
  Cpu: 4,
  /** `minAvailableMemory`: the machine's available memory fell below the floor. */
  MachineMemory: 5,
} as const;
/** One of `VerdictKind`'s values. */
export type VerdictKind = typeof VerdictKind[keyof typeof VerdictKind];

// Header, Int32 words.
const STOP = 0; // 1: the watchdog leaves its loop
const WAKE = 1; // bumped by the main thread to wake a sleeping watchdog
const SLEEPING = 2; // 1 while the watchdog waits with nothing running
const CPU_LIMITS = 3; // 1 once a job with a cpuLimit was armed
const LOOKING = 4; // 1 while the watchdog looks at the slots and plans its next wake
const WAKE_AT = 5; // the planned wake, in WAKE_UNITS_PER_MS since ORIGIN (wraps)
const HEADER_INTS = 6;
// Header, Float64 words.
const PROCESS_LIMIT = 0; // bytes, NaN: none
const PROCESS_PEAK = 1; // bytes, written by the watchdog
const MIN_AVAILABLE = 2; // bytes of the machine's available memory, NaN: no floor
const ORIGIN = 3; // epoch ms the planned wake counts from
const HEADER_FLOATS = 4;
const WAKE_UNITS_PER_MS = 10;

// Slot, Int32 words.
const S_STATE = 0; // the State in the low STATE_BITS, the job's generation above
const S_PID = 1;
const S_JOB = 2;
const S_VERDICT = 3;
const S_DESCENDANTS = 4; // descendants at the watchdog's last scan
const S_READY = 5; // 1 once the worker loaded its module (idle from then on, between jobs)
const S_RUNS = 6; // jobs armed in, or run unwatched by, this slot's worker since it was assigned
const S_BEACON = 7; // the worker's descriptor of its run beacon (-1: none)
// Jobs sent ahead (`armAhead`), each in the entry of its generation modulo
// AHEAD_ENTRIES: its generation (-1: none), written last, and its id.
const S_AHEAD_GEN = 8;
const S_AHEAD_ID = S_AHEAD_GEN + AHEAD_ENTRIES;
const SLOT_INTS = S_AHEAD_ID + AHEAD_ENTRIES;
// Slot, Float64 words.
const S_DEADLINE = 0; // epoch ms, NaN: none
const S_STARTED = 1; // epoch ms
const S_MEMORY_LIMIT = 2; // bytes, NaN: none
const S_BASE = 3; // bytes the task is charged from (the worker's fresh size)
const S_PEAK = 4; // highest tree RSS the watchdog saw during the job
const S_VERDICT_LIMIT = 5;
const S_VERDICT_OBSERVED = 6;
const S_TIMEOUT = 7; // ms, NaN: none
const S_CPU_LIMIT = 8; // ms of CPU time, NaN: none
const S_CPU = 9; // ms of CPU time the tree used, at the watchdog's last reading (NaN: none)
const S_DECIDED = 10; // epoch ms of the verdict
const S_CPU_START = 11; // the worker's CPU ms when it took the job, as it reported it (NaN: unknown)
// Per entry of a job sent ahead: the tag the worker shows in its beacon
// when it starts the job, and the job's timeout, ms (NaN: none).
const S_AHEAD_TAG = 12;
const S_AHEAD_TIMEOUT = S_AHEAD_TAG + AHEAD_ENTRIES;
const SLOT_FLOATS = S_AHEAD_TIMEOUT + AHEAD_ENTRIES;

/** Milliseconds since the epoch, comparable across threads. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A job as the main thread hands it to the watchdog. */
export interface WatchedJob {
  id: number;
  timeout?: number;
  memoryLimit?: number;
  cpuLimit?: number;
  baseBytes: number;
  /** The worker's own CPU ms when it became idle for this job (NaN: unknown). */
  cpuStartMs?: number;
}

/** A verdict as the watchdog left it. */
export interface Verdict {
  kind: VerdictKind;
  limit: number;
  observed: number;
}

/** A verdict with what the job used until it (see `WatchSlots.verdict`). */
export interface VerdictWithUsage extends Verdict {
  /** From the job's start to the verdict. */
  wallMs: number;
  /** The tree's CPU time at the watchdog's last reading (NaN: not read). */
  cpuMs: number;
  /** Highest tree RSS the watchdog saw (0: none). */
  peak: number;
}

/** Views on the shared buffer, the same on both threads. */
export class WatchSlots {
  readonly buffer: SharedArrayBuffer;
  readonly count: number;
  /** Milliseconds between two samples of a job near its limit (1; tests raise it). */
  readonly tickMs: number;
  readonly #ints: Int32Array;
  readonly #floats: Float64Array;

  /** `buffer` from the other side, or a new one for `count` slots. */
  constructor(count: number, buffer?: SharedArrayBuffer, tickMs = 1) {
    this.count = count;
    this.tickMs = tickMs;
    const intBytes = (HEADER_INTS + count * SLOT_INTS) * 4;
    const floatStart = Math.ceil(intBytes / 8) * 8;
    this.buffer = buffer ??
      new SharedArrayBuffer(
        floatStart + (HEADER_FLOATS + count * SLOT_FLOATS) * 8,
      );
    this.#ints = new Int32Array(this.buffer, 0, intBytes / 4);
    this.#floats = new Float64Array(
      this.buffer,
      floatStart,
      HEADER_FLOATS + count * SLOT_FLOATS,
    );
    if (buffer === undefined) {
      this.#floats[PROCESS_LIMIT] = NaN;
      this.#floats[MIN_AVAILABLE] = NaN;
      this.#floats[ORIGIN] = epochMs();
    }
  }

  #int(slot: number, field: number): number {
    return HEADER_INTS + slot * SLOT_INTS + field;
  }

  #float(slot: number, field: number): number {
    return HEADER_FLOATS + slot * SLOT_FLOATS + field;
  }

  // ---- header ----

  get stopped(): boolean {
    return Atomics.load(this.#ints, STOP) === 1;
  }

  /** Asks the watchdog to leave its loop. */
  stop(): void {
    Atomics.store(this.#ints, STOP, 1);
    this.wake(true);
  }

  /** Wakes the watchdog if it sleeps (or always, with `force`). */
  wake(force = false): void {
    if (!force && Atomics.load(this.#ints, SLEEPING) === 0) return;
    Atomics.add(this.#ints, WAKE, 1);
    Atomics.notify(this.#ints, WAKE);
  }

  /**
   * Watchdog: waits until woken, `ms` at most (Infinity: no bound). With
   * `untilWoken`, it does not wait at all if `hasWork()` or `stopped` holds
   * once the sleep is announced: a job armed, a worker made ready or a stop
   * asked for just before (whose wake saw no sleeper, or came before `seen`
   * was read) is not missed.
   */
  sleep(
    ms: number,
    untilWoken: boolean,
    hasWork = () => this.anyRunning(),
  ): void {
    const seen = Atomics.load(this.#ints, WAKE);
    if (untilWoken) Atomics.store(this.#ints, SLEEPING, 1);
    if (!untilWoken || !(this.stopped || hasWork())) {
      Atomics.wait(this.#ints, WAKE, seen, ms);
    }
    Atomics.store(this.#ints, SLEEPING, 0);
  }

  /**
   * Watchdog: starts a look at the slots. Returns what `waitUntil` waits on:
   * a job armed from here on, which the look may miss, ends that wait.
   */
  beginLook(): number {
    Atomics.store(this.#ints, LOOKING, 1);
    return Atomics.load(this.#ints, WAKE);
  }

  /**
   * Watchdog: after the look that returned `seen`, waits until epoch ms
   * `at`, or until woken: by a job armed during the look, or due before
   * `at` (`#wakeIfDueBefore`).
   */
  waitUntil(seen: number, at: number): void {
    Atomics.store(this.#ints, WAKE_AT, this.#wakeUnits(at));
    // After the planned wake: an arm that sees the look ended sees the plan.
    Atomics.store(this.#ints, LOOKING, 0);
    const ms = at - epochMs();
    if (ms > 0) Atomics.wait(this.#ints, WAKE, seen, ms);
  }

  /** Epoch ms `at` as a planned wake (wraps after 2^31 units: compared by difference). */
  #wakeUnits(at: number): number {
    return Math.ceil((at - this.#floats[ORIGIN]) * WAKE_UNITS_PER_MS) | 0;
  }

  /**
   * Main thread: a job armed is due a look at epoch ms `due`. Wakes the
   * watchdog if it waits past that, or is looking (and may have missed it).
   */
  #wakeIfDueBefore(due: number): void {
    if (Atomics.load(this.#ints, SLEEPING) === 1) return this.wake();
    if (
      Atomics.load(this.#ints, LOOKING) === 1 ||
      ((this.#wakeUnits(due) - Atomics.load(this.#ints, WAKE_AT)) | 0) < 0
    ) this.wake(true);
  }

  /**
   * Whether the pool ever armed a job with a `cpuLimit`: till then the
   * watchdog reads no idle worker's CPU clock.
   */
  get cpuLimitsUsed(): boolean {
    return Atomics.load(this.#ints, CPU_LIMITS) === 1;
  }

  /** Main thread: a run with a cpuLimit was made (it may wait in the queue). */
  expectCpuLimits(): void {
    if (Atomics.exchange(this.#ints, CPU_LIMITS, 1) === 0) this.wake();
  }

  get processLimit(): number {
    return this.#floats[PROCESS_LIMIT];
  }

  set processLimit(bytes: number) {
    this.#floats[PROCESS_LIMIT] = bytes;
  }

  /** `minAvailableMemory` (NaN: none). */
  get minAvailable(): number {
    return this.#floats[MIN_AVAILABLE];
  }

  set minAvailable(bytes: number) {
    this.#floats[MIN_AVAILABLE] = bytes;
  }

  get processPeak(): number {
    return this.#floats[PROCESS_PEAK];
  }

  set processPeak(bytes: number) {
    this.#floats[PROCESS_PEAK] = bytes;
  }

  // ---- slots ----

  state(slot: number): State {
    return stateOf(this.stateWord(slot));
  }

  /**
   * The state with the generation of the slot's job: the watchdog passes the
   * word it read to `decide`, which then takes that job or none.
   */
  stateWord(slot: number): number {
    return Atomics.load(this.#ints, this.#int(slot, S_STATE));
  }

  /** Stores `state`, keeping the generation. */
  #setState(slot: number, state: State): void {
    const word = this.stateWord(slot);
    Atomics.store(
      this.#ints,
      this.#int(slot, S_STATE),
      (word & ~STATE_MASK) | state,
    );
  }

  pid(slot: number): number {
    return Atomics.load(this.#ints, this.#int(slot, S_PID));
  }

  jobId(slot: number): number {
    return Atomics.load(this.#ints, this.#int(slot, S_JOB));
  }

  /** Main thread: a worker takes the slot (it is counted from now on). */
  assign(slot: number, pid: number): void {
    Atomics.store(this.#ints, this.#int(slot, S_PID), pid);
    Atomics.store(this.#ints, this.#int(slot, S_DESCENDANTS), 0);
    Atomics.store(this.#ints, this.#int(slot, S_READY), 0);
    Atomics.store(this.#ints, this.#int(slot, S_RUNS), 0);
    Atomics.store(this.#ints, this.#int(slot, S_BEACON), -1);
    for (let i = 0; i < AHEAD_ENTRIES; i++) {
      Atomics.store(this.#ints, this.#int(slot, S_AHEAD_GEN + i), -1);
    }
    this.#setState(slot, State.Alive);
  }

  /**
   * Main thread: the worker of `slot` loaded its module and waits for jobs,
   * so that the watchdog may read its CPU clock while it is idle (see
   * watchdog.thread.ts); `beacon`: its descriptor of its run beacon.
   */
  markReady(slot: number, beacon = -1): void {
    Atomics.store(this.#ints, this.#int(slot, S_BEACON), beacon);
    Atomics.store(this.#ints, this.#int(slot, S_READY), 1);
    this.wake();
  }

  /** The descriptor, in `slot`'s worker, of its run beacon (wire/run_beacon.ts), -1: none. */
  beacon(slot: number): number {
    return Atomics.load(this.#ints, this.#int(slot, S_BEACON));
  }

  /** Whether the worker of `slot` loaded its module. */
  isReady(slot: number): boolean {
    return Atomics.load(this.#ints, this.#int(slot, S_READY)) === 1;
  }

  /**
   * Jobs armed in `slot`, and jobs its worker ran unwatched, since the
   * worker was assigned: the watchdog's idle reading of the worker's CPU
   * clock counts for the next job only if this grew by one since (that
   * job's arm), so that a job it did not watch is never charged to the next.
   */
  runs(slot: number): number {
    return Atomics.load(this.#ints, this.#int(slot, S_RUNS));
  }

  /** Main thread: the worker of `slot` ran a job the watchdog did not watch (it has ended). */
  ranUnwatched(slot: number): void {
    Atomics.add(this.#ints, this.#int(slot, S_RUNS), 1);
  }

  /** Main thread: the worker is gone (killed by us, or its exit was seen). */
  release(slot: number): void {
    this.#setState(slot, State.Empty);
    Atomics.store(this.#ints, this.#int(slot, S_PID), 0);
  }

  /**
   * Main thread: the job's limits, written before the job is sent. Returns
   * the job's generation (see `generationOf`).
   */
  arm(slot: number, job: WatchedJob): number {
    const f = this.#floats;
    f[this.#float(slot, S_STARTED)] = epochMs();
    f[this.#float(slot, S_TIMEOUT)] = job.timeout ?? NaN;
    f[this.#float(slot, S_DEADLINE)] = job.timeout === undefined
      ? NaN
      : f[this.#float(slot, S_STARTED)] + job.timeout;
    f[this.#float(slot, S_MEMORY_LIMIT)] = job.memoryLimit ?? NaN;
    f[this.#float(slot, S_BASE)] = job.baseBytes;
    f[this.#float(slot, S_PEAK)] = 0;
    f[this.#float(slot, S_CPU_LIMIT)] = job.cpuLimit ?? NaN;
    f[this.#float(slot, S_CPU)] = NaN;
    f[this.#float(slot, S_CPU_START)] = job.cpuStartMs ?? NaN;
    if (job.cpuLimit !== undefined) Atomics.store(this.#ints, CPU_LIMITS, 1);
    Atomics.store(this.#ints, this.#int(slot, S_JOB), job.id);
    Atomics.add(this.#ints, this.#int(slot, S_RUNS), 1);
    // The state last: the watchdog reads the fields only once it sees
    // Running. A new generation: a verdict on the job before cannot take it.
    const word = nextRunning(this.stateWord(slot));
    Atomics.store(this.#ints, this.#int(slot, S_STATE), word);
    // Not sooner than a tick: a watchdog that ticks sees it in time.
    this.#wakeIfDueBefore(
      Math.max(this.firstLook(slot), this.started(slot) + this.tickMs),
    );
    return generationOf(word);
  }

  /**
   * Main thread: `id` was sent ahead of the running job (or of another job
   * sent ahead), to run in `generation`, with `tag` and its `timeout` (its
   * memory limit is the running job's). The watchdog moves the slot on to
   * it once the worker's beacon shows the tag (`advance`).
   */
  armAhead(
    slot: number,
    generation: number,
    id: number,
    tag: number,
    timeout?: number,
  ): void {
    const entry = generation % AHEAD_ENTRIES;
    const at = this.#int(slot, S_AHEAD_GEN + entry);
    Atomics.store(this.#ints, at, -1);
    this.#ints[this.#int(slot, S_AHEAD_ID + entry)] = id;
    this.#floats[this.#float(slot, S_AHEAD_TAG + entry)] = tag;
    this.#floats[this.#float(slot, S_AHEAD_TIMEOUT + entry)] = timeout ?? NaN;
    Atomics.store(this.#ints, at, generation);
    // Looked for often from now (`aheadLookMs`): its start is its deadline's.
    if (timeout !== undefined) {
      this.#wakeIfDueBefore(epochMs() + aheadLookMs(timeout, this.tickMs));
    }
  }

  /**
   * Epoch ms at which the watchdog first looks at the running job of
   * `slot`: at its deadline, or its first sample (sample_times.ts), or at
   * once under a CPU limit, a process limit or a floor, whose samples start
   * with the job.
   */
  firstLook(slot: number): number {
    const started = this.started(slot);
    const look = !Number.isNaN(this.cpuLimit(slot)) ||
        !Number.isNaN(this.processLimit) || !Number.isNaN(this.minAvailable)
      ? started
      : started + firstSampleMs(this.memoryLimit(slot), this.tickMs);
    const deadline = this.deadline(slot);
    return deadline < look ? deadline : look;
  }

  /**
   * The shortest timeout of the jobs sent ahead of the running job of
   * state word `running` (NaN: none has one): the watchdog looks for their
   * start often enough for their deadlines to count from near it.
   */
  aheadTimeout(slot: number, running: number): number {
    let shortest = NaN;
    for (let steps = 1; steps <= AHEAD_DEPTH; steps++) {
      const generation = generationAfter(generationOf(running), steps);
      const entry = generation % AHEAD_ENTRIES;
      if (
        Atomics.load(this.#ints, this.#int(slot, S_AHEAD_GEN + entry)) !==
          generation
      ) break;
      const timeout = this.#floats[this.#float(slot, S_AHEAD_TIMEOUT + entry)];
      if (!(timeout >= shortest)) shortest = timeout; // NaN: none yet
    }
    return shortest;
  }

  /** Whether a job was sent ahead of the running job of state word `running`. */
  hasAhead(slot: number, running: number): boolean {
    const next = generationAfter(generationOf(running));
    return Atomics.load(
      this.#ints,
      this.#int(slot, S_AHEAD_GEN + next % AHEAD_ENTRIES),
    ) === next;
  }

  /**
   * Watchdog: the worker's beacon shows `tag`. If that is the tag of a job
   * sent ahead of the running job (state word `running`), the worker
   * started it (and ended any sent between): it is the slot's running job
   * from `now`, in its own generation. False if not, or if the main thread
   * took the running job first (it then arms the next one itself).
   */
  advance(slot: number, running: number, now: number, tag: number): boolean {
    if (stateOf(running) !== State.Running) return false;
    for (let steps = 1; steps <= AHEAD_DEPTH; steps++) {
      const generation = generationAfter(generationOf(running), steps);
      const entry = generation % AHEAD_ENTRIES;
      const at = this.#int(slot, S_AHEAD_GEN + entry);
      if (Atomics.load(this.#ints, at) !== generation) return false;
      const id = this.#ints[this.#int(slot, S_AHEAD_ID + entry)];
      const timeout = this.#floats[this.#float(slot, S_AHEAD_TIMEOUT + entry)];
      const entryTag = this.#floats[this.#float(slot, S_AHEAD_TAG + entry)];
      // Read whole: the entry was not written anew meanwhile.
      if (Atomics.load(this.#ints, at) !== generation) return false;
      if (entryTag !== tag) continue;
      if (
        Atomics.compareExchange(
          this.#ints,
          this.#int(slot, S_STATE),
          running,
          runningWord(generation),
        ) !== running
      ) return false;
      const f = this.#floats;
      f[this.#float(slot, S_STARTED)] = now;
      f[this.#float(slot, S_TIMEOUT)] = timeout;
      f[this.#float(slot, S_DEADLINE)] = now + timeout; // NaN without one
      f[this.#float(slot, S_PEAK)] = 0;
      f[this.#float(slot, S_CPU)] = NaN;
      f[this.#float(slot, S_CPU_START)] = NaN;
      Atomics.store(this.#ints, this.#int(slot, S_JOB), id);
      Atomics.add(this.#ints, this.#int(slot, S_RUNS), steps);
      return true;
    }
    return false;
  }

  /**
   * Main thread: takes the running job of `generation` back (it settled,
   * or the main thread stops it): "claimed"; "verdict" if the watchdog took
   * it first (read `verdict()`); "gone" if the slot no longer runs it (the
   * watchdog moved on to the job sent ahead of it, or it was taken before).
   */
  claim(slot: number, generation: number): "claimed" | "verdict" | "gone" {
    for (;;) {
      const word = this.stateWord(slot);
      if (generationOf(word) !== generation) return "gone";
      const state = stateOf(word);
      if (state === State.Verdict) return "verdict";
      if (state !== State.Running) return "gone";
      const alive = (word & ~STATE_MASK) | State.Alive;
      const seen = Atomics.compareExchange(
        this.#ints,
        this.#int(slot, S_STATE),
        word,
        alive,
      );
      if (seen === word) return "claimed";
    }
  }

  /**
   * Watchdog: records the verdict and takes the job whose state word it read
   * (`running`); false if the main thread took that job first (and maybe
   * armed another since).
   */
  decide(slot: number, verdict: Verdict, running: number): boolean {
    const f = this.#floats;
    f[this.#float(slot, S_VERDICT_LIMIT)] = verdict.limit;
    f[this.#float(slot, S_VERDICT_OBSERVED)] = verdict.observed;
    f[this.#float(slot, S_DECIDED)] = epochMs();
    Atomics.store(this.#ints, this.#int(slot, S_VERDICT), verdict.kind);
    if (stateOf(running) !== State.Running) return false;
    return Atomics.compareExchange(
      this.#ints,
      this.#int(slot, S_STATE),
      running,
      (running & ~STATE_MASK) | State.Verdict,
    ) === running;
  }

  /** The verdict of a slot in state Verdict. */
  verdict(slot: number): VerdictWithUsage {
    const f = this.#floats;
    return {
      kind: Atomics.load(this.#ints, this.#int(slot, S_VERDICT)) as VerdictKind,
      limit: f[this.#float(slot, S_VERDICT_LIMIT)],
      observed: f[this.#float(slot, S_VERDICT_OBSERVED)],
      wallMs: f[this.#float(slot, S_DECIDED)] - f[this.#float(slot, S_STARTED)],
      cpuMs: f[this.#float(slot, S_CPU)],
      peak: f[this.#float(slot, S_PEAK)],
    };
  }

  deadline(slot: number): number {
    return this.#floats[this.#float(slot, S_DEADLINE)];
  }

  timeout(slot: number): number {
    return this.#floats[this.#float(slot, S_TIMEOUT)];
  }

  started(slot: number): number {
    return this.#floats[this.#float(slot, S_STARTED)];
  }

  memoryLimit(slot: number): number {
    return this.#floats[this.#float(slot, S_MEMORY_LIMIT)];
  }

  baseBytes(slot: number): number {
    return this.#floats[this.#float(slot, S_BASE)];
  }

  /** Highest tree RSS the watchdog saw during the current job (0: none). */
  peak(slot: number): number {
    return this.#floats[this.#float(slot, S_PEAK)];
  }

  notePeak(slot: number, bytes: number): void {
    const i = this.#float(slot, S_PEAK);
    if (bytes > this.#floats[i]) this.#floats[i] = bytes;
  }

  cpuLimit(slot: number): number {
    return this.#floats[this.#float(slot, S_CPU_LIMIT)];
  }

  /**
   * The worker's CPU ms when it became idle before this job, from its own
   * clock (NaN: unknown): usage without a cpuLimit counts from there.
   */
  cpuStart(slot: number): number {
    return this.#floats[this.#float(slot, S_CPU_START)];
  }

  /** CPU ms the job's tree used at the watchdog's last reading (NaN: none yet). */
  cpuUsed(slot: number): number {
    return this.#floats[this.#float(slot, S_CPU)];
  }

  noteCpu(slot: number, ms: number): void {
    this.#floats[this.#float(slot, S_CPU)] = ms;
  }

  descendants(slot: number): number {
    return Atomics.load(this.#ints, this.#int(slot, S_DESCENDANTS));
  }

  setDescendants(slot: number, n: number): void {
    Atomics.store(this.#ints, this.#int(slot, S_DESCENDANTS), n);
  }

  anyRunning(): boolean {
    for (let s = 0; s < this.count; s++) {
      if (this.state(s) === State.Running) return true;
    }
    return false;
  }
}
