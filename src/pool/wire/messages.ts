/**
 * Messages between the pool (host) and a worker process, sent over the
 * child's IPC channel with structured-clone ("advanced") serialization.
 */
import type { LimitKind } from "../../limit_exceeded.ts";

/** Host → worker: run one task. */
export interface RunMessage {
  t: "run";
  id: number;
  /**
   * A random number the worker's answer must carry: task code never sees
   * it, so it cannot answer for the job (worker/private_channel.ts).
   */
  token: number;
  exportName: string;
  args: unknown[];
  /** Bytes the task may allocate, counted in the worker by its meter. */
  allocationLimit?: number;
  /**
   * The worker reports its peak resident bytes since the task started with
   * the result (`usage.peak`), exactly (VmHWM) when it is above this many
   * bytes (absent or Infinity: `maxRSS` is enough).
   */
  peakAbove?: number;
  /**
   * The worker freezes its process group once its own resident bytes are
   * above this (its memory brake, memory_brake.ts); absent: no brake.
   */
  brakeAbove?: number;
  /**
   * The run's tag, for a run sent ahead of the one its worker runs: the
   * worker shows it in its run beacon (run_beacon.ts) right before it
   * starts the run, which is how the host learns that it did. A random
   * number, which task code never sees.
   */
  tag?: number;
  /**
   * For a run sent ahead under a memory limit: resident bytes above which
   * the worker hands the run back ("declined") instead of starting it, as
   * the host would not have sent it to a worker that kept that much.
   */
  startBelow?: number;
}

/**
 * What the worker measured of one task, sent with its settlement: the wall
 * time from the worker's start of the task, the worker process's CPU time
 * (with the processes it started and waited for), its peak resident bytes
 * (absolute: the host subtracts the worker's fresh size), and the bytes
 * allocated where the runtime counts them.
 */
export interface WorkerUsage {
  wallMs: number;
  cpuMs: number;
  /** Peak resident bytes during the task (VmHWM since the last reset; without it, resident bytes at the end). */
  peak?: number;
  allocated?: number;
  /**
   * The worker process's CPU time (all its threads, with the children it
   * waited for) when the task ended, ms: the next task's CPU time counts
   * from there, also for the host's watchdog (watchdog.thread.ts).
   */
  processCpuMs?: number;
}

/** An exception as it crosses the process boundary (see wire_error.ts). */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /**
   * When the task threw something that is not an Error: that value, cloned,
   * or `String(value)` if it cannot be cloned.
   */
  thrown?: unknown;
  /**
   * The Error's own enumerable properties (`code`, `detail`, ...; never
   * name, message, stack or cause), each cloned; those that could not be
   * cloned are left out.
   */
  properties?: Record<string, unknown>;
  /**
   * The Error's own `cause`, when it has one that can cross: an Error as a
   * WireError of its own, any other value cloned.
   */
  cause?: { error: WireError } | { value: unknown };
}

/** Worker → host. An answer to a job carries its `token`. */
export type WorkerMessage =
  /** The task module loaded; these are its exported functions. */
  | {
    t: "ready";
    exports: string[];
    /** Whether the worker can reset its peak (`/proc/self/clear_refs`) and so report peaks. */
    peaks: boolean;
    /** Whether it is a child subreaper (linux/subreaper.ts): orphans of its tree come back to it. */
    subreaper: boolean;
    /** Its resident bytes now, for a host that cannot read them from /proc. */
    rss: number;
    /** Its CPU time now, ms (see `WorkerUsage.processCpuMs`). */
    processCpuMs?: number;
    /**
     * Its run beacon's descriptor (wire/run_beacon.ts), where it shows the
     * tag of a run as it starts it (`RunMessage.tag`); absent without one.
     */
    beacon?: number;
  }
  /** The task module failed to load; the worker is useless. */
  | { t: "fatal"; error: WireError }
  /** The task returned. */
  | {
    t: "value";
    id: number;
    token: number;
    value: unknown;
    usage: WorkerUsage;
  }
  /** The task threw (or its result could not be cloned). */
  | {
    t: "threw";
    id: number;
    token: number;
    error: WireError;
    usage: WorkerUsage;
  }
  /** A run sent ahead was not started: the worker kept more than its `startBelow`. */
  | { t: "declined"; id: number; token: number }
  /** A limit enforced inside the worker (allocations) was reached. */
  | {
    t: "limit";
    id: number;
    token: number;
    kind: LimitKind;
    limit?: number;
    observed?: number;
    usage: WorkerUsage;
  };

const LIMIT_KINDS: readonly string[] = [
  "memory",
  "timeout",
  "cpu",
  "token",
  "allocations",
] satisfies LimitKind[];

type Loose = Record<string, unknown>;

const isObject = (v: unknown): v is Loose =>
  typeof v === "object" && v !== null;
const isNumberOrAbsent = (v: unknown) =>
  v === undefined || typeof v === "number";

function isUsage(u: unknown): boolean {
  return isObject(u) && typeof u.wallMs === "number" &&
    typeof u.cpuMs === "number" && isNumberOrAbsent(u.peak) &&
    isNumberOrAbsent(u.allocated) && isNumberOrAbsent(u.processCpuMs);
}

function isWireError(e: unknown): boolean {
  return isObject(e) && typeof e.name === "string" &&
    typeof e.message === "string";
}

/**
 * `raw` as a `WorkerMessage` if it is one, well-formed; else undefined (the
 * host drops it). Which job it may answer, with which token, is the pool's
 * to check.
 */
export function readWorkerMessage(raw: unknown): WorkerMessage | undefined {
  if (!isObject(raw)) return undefined;
  const m = raw;
  switch (m.t) {
    case "ready":
      return Array.isArray(m.exports) &&
          m.exports.every((e) => typeof e === "string") &&
          typeof m.peaks === "boolean" && typeof m.subreaper === "boolean" &&
          typeof m.rss === "number" && isNumberOrAbsent(m.processCpuMs) &&
          (m.beacon === undefined || Number.isSafeInteger(m.beacon))
        ? raw as WorkerMessage
        : undefined;
    case "fatal":
      return isWireError(m.error) ? raw as WorkerMessage : undefined;
  }
  if (!Number.isSafeInteger(m.id) || typeof m.token !== "number") {
    return undefined;
  }
  if (m.t === "declined") return raw as WorkerMessage;
  if (!isUsage(m.usage)) return undefined;
  switch (m.t) {
    case "value":
      return "value" in m ? raw as WorkerMessage : undefined;
    case "threw":
      return isWireError(m.error) ? raw as WorkerMessage : undefined;
    case "limit":
      return typeof m.kind === "string" && LIMIT_KINDS.includes(m.kind) &&
          isNumberOrAbsent(m.limit) && isNumberOrAbsent(m.observed)
        ? raw as WorkerMessage
        : undefined;
  }
  return undefined;
}
