/**
 * Entry point of a pool worker process. Loads the task module named by its
 * first argument, announces its exported functions, then runs one task at a
 * time on request. Allocation limits are enforced here, with the in-thread
 * engine (`limitAllocations`): at the task's `checkpoint()` calls, at the
 * engine's samples while the task awaits, and when it settles.
 */
// First: the channel to the host is taken from `process` before any task
// code can run (see private_channel.ts).
import { channel } from "./private_channel.ts";
// Each from its own module, not the root mod.ts: a worker loads only what
// it uses (not the pool, its permission code or Deno's flag parser).
import { isStarted, start } from "../../engine/start.ts";
import { limitAllocations } from "../../limits/allocations.ts";
import { LimitExceeded } from "../../limit_exceeded.ts";
import { currentMeter } from "../../meters/mod.ts";
import { PeakMeter } from "./peak_meter.ts";
import type {
  RunMessage,
  WorkerMessage,
  WorkerUsage,
} from "../wire/messages.ts";
import { holdsSharedMemory } from "../wire/shared_memory.ts";
import { isPlainPrimitive } from "../wire/plain_primitive.ts";
import { toWire } from "../wire/wire_error.ts";
import { WaitedChildren } from "../linux/cpu_time.ts";
import { BRAKE_ARG, MemoryBrake } from "./memory_brake.ts";
import { becomeSubreaper } from "../linux/subreaper.ts";
import { RunBeacon } from "../wire/run_beacon.ts";
import { AHEAD_DEPTH } from "../queue/ahead.ts";
import { runtime } from "../../runtime.ts";
import { ResidentReader } from "../linux/resident_memory.ts";

channel.listen();
const send = (message: WorkerMessage) => channel.send(message);
const peaks = new PeakMeter();
const meter = currentMeter();
const waited = new WaitedChildren();
const brake = process.argv.includes(BRAKE_ARG) ? new MemoryBrake() : undefined;
// Before the task module loads: how the host learns which run started.
const beacon = RunBeacon.create();
const ownResident = new ResidentReader(process.pid);

/**
 * A task shorter than this cannot have started and waited for a process
 * (spawning one takes longer): its children's CPU time is not read (1 to 3
 * µs through FFI, 15 to 25 µs from /proc: cpu_time.ts).
 */
const MIN_MS_FOR_CHILDREN = 1;

/**
 * This process's own clock (getrusage), taken before any task code can
 * replace `process.resourceUsage`: the CPU time it reports is what the host
 * counts a stopped task's CPU time from (`processCpuMs`).
 */
const resourceUsage = process.resourceUsage.bind(process);

/**
 * This process's CPU time in µs (all its threads) when its last task ended,
 * or when it became ready: a task's CPU time is counted from there, so that
 * one reading of the clock (a getrusage, about 5 µs on Deno) serves both the
 * end of a task and the start of the next, and none is on the way from a
 * task's message to its start. Sending the result and receiving the next
 * task is then charged to that task: tens of µs, more if it collected
 * garbage meanwhile.
 */
let cpuAtIdleUs = cpuUs(resourceUsage());

/**
 * The heap's allocation counter when the last task ended (or the worker
 * became ready), where the runtime counts allocations: like the CPU time,
 * one reading serves the end of a task and the start of the next (V8's heap
 * statistics, 2 to 3 µs in a worker here). The next task is then charged
 * what the worker allocates to send the result and to receive its message
 * (its own arguments, mostly).
 */
let allocatedAtIdle = meter.countsAllocations ? meter.allocatedBytes() : 0;

/**
 * This process's highest resident bytes so far, at its last task's end
 * (`maxRSS`): below a run's `startBelow`, what it holds now is too, and
 * the run starts without a reading of /proc.
 */
let maxRssBytes = Infinity;

function cpuUs(r: ReturnType<typeof resourceUsage>): number {
  return r.userCPUTime + r.systemCPUTime;
}

/**
 * Starts measuring a task: its wall time, this process's CPU time (with the
 * children it waited for), and its allocations where the runtime counts them,
 * the last two from the readings at the previous task's end. The peak is read
 * at the end (`peaks`). A few µs, in the worker.
 */
function measure(): (peakAbove: number) => WorkerUsage {
  const allocated0 = allocatedAtIdle;
  const children0 = waited.last;
  const cpu0 = cpuAtIdleUs;
  const started = performance.now();
  return (peakAbove) => {
    const wallMs = performance.now() - started;
    // One getrusage for the CPU time and the mark.
    const now = resourceUsage();
    cpuAtIdleUs = cpuUs(now);
    maxRssBytes = now.maxRSS * 1024;
    const children = wallMs < MIN_MS_FOR_CHILDREN ? 0 : waited.ms() - children0;
    const usage: WorkerUsage = {
      wallMs,
      cpuMs: (cpuAtIdleUs - cpu0) / 1000 + children,
      // Without a resettable peak (no /proc/self/clear_refs), what it holds now.
      peak: peaks.peak(peakAbove, now) ?? process.memoryUsage.rss(),
      processCpuMs: processCpuMs(),
    };
    if (meter.countsAllocations) {
      allocatedAtIdle = meter.allocatedBytes();
      usage.allocated = allocatedAtIdle - allocated0;
    }
    return usage;
  };
}

/** This process's CPU time when it became idle, with the children it waited for, ms. */
function processCpuMs(): number {
  return cpuAtIdleUs / 1000 + waited.last;
}

/**
 * Imports the task module. Its URL is known only at run time, and
 * `deno publish` warns about every `import()` it cannot analyze, with no way
 * to silence it for one line; a template that starts with the literal scheme
 * is one it accepts.
 */
// deno-lint-ignore no-explicit-any
function importTaskModule(url: string): Promise<Record<string, any>> {
  const { protocol } = new URL(url);
  const rest = url.slice(`${protocol}//`.length);
  if (protocol === "file:") return import(`file://${rest}`);
  if (protocol === "https:") return import(`https://${rest}`);
  if (protocol === "http:") return import(`http://${rest}`);
  throw new TypeError(
    `the task module must have a file:, https: or http: URL, got ${url}`,
  );
}

const moduleUrl = process.argv[2];
// deno-lint-ignore no-explicit-any
let tasks: Record<string, any>;
// Before any task runs: what its processes leave behind stays in this tree.
const subreaper = becomeSubreaper();
// From here the channel is hidden while task code may run.
channel.taskCode(true);
try {
  tasks = await importTaskModule(moduleUrl);
} catch (error) {
  send({ t: "fatal", error: toWire(error) });
  // The host kills us on "fatal"; wait for that instead of exiting early and
  // racing the message.
  await new Promise(() => {});
}
const exports = Object.keys(tasks!).filter((k) =>
  typeof tasks[k] === "function"
);

async function run(message: RunMessage): Promise<void> {
  const { id, token, exportName, args, allocationLimit } = message;
  // How the host learns that a run sent ahead started.
  if (message.tag !== undefined) beacon?.show(message.tag);
  const peakAbove = message.peakAbove ?? Infinity;
  const usage = measure();
  if (message.brakeAbove !== undefined) brake?.arm(message.brakeAbove);
  const settle = (message: WorkerMessage) => {
    brake?.disarm();
    send(message);
    channel.taskCode(false);
    busy = false;
    peaks.reset(); // the next task's peak starts here, after the result has gone
    startNext();
  };
  const task = () => tasks[exportName](...args);
  try {
    let value: unknown;
    if (allocationLimit === undefined) {
      value = await task();
    } else {
      // The task module may have started the engine itself (as the README
      // tells in-thread users to): use it then.
      if (!isStarted()) start();
      // Report the limit as soon as it is reached (the host then kills this
      // worker), not when the task settles: an async task that ignores its
      // interrupt could otherwise await on for as long as it likes.
      let reported = false;
      const report = (observed: number) => {
        if (reported) return;
        reported = true;
        send({
          t: "limit",
          id,
          token,
          kind: "allocations",
          limit: allocationLimit,
          observed,
          usage: usage(peakAbove),
        });
      };
      const r = await limitAllocations((signal) => {
        signal.addEventListener("abort", () => {
          const reason = signal.reason;
          report(
            reason instanceof LimitExceeded && reason.observed !== undefined
              ? reason.observed
              : allocationLimit,
          );
        }, { once: true });
        return task();
      }, { limit: allocationLimit });
      if (!r.ok) return report(r.allocated);
      value = r.value;
    }
    // Check cloneability first: a failed send() is not reported synchronously
    // on every runtime.
    try {
      // structuredClone copies shared memory; the IPC channel refuses it
      // (on Deno, by ending this process).
      // Primitives but symbols always can (most results: no copy to check).
      if (!isPlainPrimitive(value)) {
        if (holdsSharedMemory(value)) {
          throw new TypeError(
            "it holds a SharedArrayBuffer, which cannot cross to another process",
          );
        }
        structuredClone(value);
      }
    } catch (error) {
      settle({
        t: "threw",
        id,
        token,
        error: {
          name: "DataCloneError",
          message: `the result of task "${exportName}" could not be cloned: ${
            toWire(error).message
          }`,
        },
        usage: usage(peakAbove),
      });
      return;
    }
    settle({ t: "value", id, token, value, usage: usage(peakAbove) });
  } catch (error) {
    settle({
      t: "threw",
      id,
      token,
      error: toWire(error),
      usage: usage(peakAbove),
    });
  }
}

/** Whether a task runs. */
let busy = false;
/** A run that starts once the message that brought it has been delivered. */
let starting: RunMessage | undefined;
/**
 * Runs the host sent ahead of the one that runs, each started as soon as
 * the result of the one before is sent; AHEAD_DEPTH at most (any more,
 * which only a task could have made up, are dropped).
 */
const next: RunMessage[] = [];
channel.onMessage = (message) => {
  if (message.t !== "run") return;
  if (busy || starting) {
    if (next.length < AHEAD_DEPTH) next.push(message);
    return;
  }
  // On Bun, started after this message's delivery: Bun delivers the
  // messages of one read one after another to the listeners, and the next
  // one (a run sent ahead) must not reach a "message" listener the task
  // adds (private_channel.ts removes it in a microtask). Node and Deno
  // deliver through `process.emit`, which task code cannot hear.
  if (runtime !== "bun") return tryStart(message);
  starting = message;
  queueMicrotask(() => {
    const run = starting!;
    starting = undefined;
    tryStart(run);
  });
};

/** Starts `message`'s run, unless this worker kept more than it allows. */
function tryStart(message: RunMessage): void {
  if (
    message.startBelow !== undefined && maxRssBytes > message.startBelow &&
    (ownResident.read() ?? process.memoryUsage.rss()) > message.startBelow
  ) {
    send({ t: "declined", id: message.id, token: message.token });
    // One that came in meanwhile (on Bun, while this one waited to start)
    // is answered too: started, or handed back as well.
    startNext();
    return;
  }
  busy = true;
  channel.taskCode(true);
  void run(message);
}

/** Starts the next run sent ahead, if there is one. */
function startNext(): void {
  const message = next.shift();
  if (message !== undefined) tryStart(message);
}
// The module loaded: from here an unhandled rejection ends the worker again
// (see load_guard.preload.ts, preloaded only for workers that may not read the module).
(globalThis as Record<symbol, (() => void) | undefined>)[
  Symbol.for("memlimits.endLoadGuard")
]?.();
await brake?.ready;
channel.taskCode(false);
peaks.reset();
cpuAtIdleUs = cpuUs(resourceUsage());
if (meter.countsAllocations) allocatedAtIdle = meter.allocatedBytes();
send({
  t: "ready",
  exports,
  peaks: peaks.works,
  subreaper,
  rss: process.memoryUsage().rss,
  processCpuMs: processCpuMs(),
  beacon: beacon?.fd,
});
