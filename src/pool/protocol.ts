/**
 * Messages between the pool (host) and a worker process, sent over the
 * child's IPC channel with structured-clone ("advanced") serialization.
 */
import type { LimitKind } from "../limit_exceeded.ts";

/** Host → worker: run one task. */
export interface RunMessage {
  t: "run";
  id: number;
  exportName: string;
  args: unknown[];
  /** Bytes the task may allocate, counted in the worker by its meter. */
  allocationLimit?: number;
  /**
   * Present when memory limits apply: the worker reports its peak resident
   * bytes since the task started with the result (`peak`), exactly (VmHWM)
   * when it is above this many bytes.
   */
  peakAbove?: number;
}

/** An exception as it crosses the process boundary. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /**
   * When the task threw something that is not an Error: that value, cloned,
   * or `String(value)` if it cannot be cloned.
   */
  thrown?: unknown;
}

/** Worker → host. */
export type WorkerMessage =
  /** The task module loaded; these are its exported functions. */
  | {
    t: "ready";
    exports: string[];
    /** Whether the worker can reset its peak (`/proc/self/clear_refs`) and so report peaks. */
    peaks: boolean;
  }
  /** The task module failed to load; the worker is useless. */
  | { t: "fatal"; error: WireError }
  /** The task returned. */
  | { t: "value"; id: number; value: unknown; peak?: number }
  /** The task threw (or its result could not be cloned). */
  | { t: "threw"; id: number; error: WireError; peak?: number }
  /** A limit enforced inside the worker (allocations) was reached. */
  | {
    t: "limit";
    id: number;
    kind: LimitKind;
    limit?: number;
    observed?: number;
  };
