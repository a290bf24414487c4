/**
 * What a `WorkerPool` tells its listeners: the events' names and details,
 * and the guard that keeps a listener that throws from reaching the pool
 * (on every runtime, an exception in an `EventTarget` listener is an
 * uncaught exception: it would end the host process).
 */
import { LimitExceeded, type LimitKind } from "../../limit_exceeded.ts";
import type { PoolResult, PoolUsage } from "../../usage.ts";

/**
 * How a run ended: `"ok"` (resolved `{ ok: true }`), `"threw"` (the task's
 * own exception), a limit's kind (resolved `{ ok: false }`), or `"failed"`
 * (rejected without the task throwing: its worker crashed, the pool closed,
 * no worker could start, the module does not export the function).
 *
 * @example
 * ```ts
 * import type { RunOutcome } from "memlimits";
 * const outcome: RunOutcome = "memory";
 * ```
 */
export type RunOutcome = "ok" | "threw" | "failed" | LimitKind;

/**
 * The detail of a `WorkerPool`'s `"settled"` event, dispatched for every run
 * once its promise is settled.
 *
 * @example
 * ```ts
 * import type { SettledDetail } from "memlimits";
 * const log = (e: CustomEvent<SettledDetail>) =>
 *   console.log(e.detail.exportName, e.detail.ok, e.detail.limit ?? "", e.detail.usage.wallMs);
 * ```
 */
export interface SettledDetail {
  /** The export the run called. */
  exportName: string;
  /** Whether it resolved `{ ok: true }`. */
  ok: boolean;
  /** The kind of the limit it reached, if it did. */
  limit?: LimitKind;
  /** How it ended. */
  outcome: RunOutcome;
  /** Its usage (all zero but `waitMs` for a run no worker started). */
  usage: PoolUsage;
}

/** The outcome of a run that resolved with `result`. */
export function outcomeOf(result: PoolResult<unknown>): RunOutcome {
  if (result.ok) return "ok";
  return result.error instanceof LimitExceeded ? result.error.kind : "failed";
}

/** The detail of the "settled" event of a run of `exportName`. */
export function settledDetail(
  exportName: string,
  outcome: RunOutcome,
  usage: PoolUsage,
): SettledDetail {
  const limit = outcome === "ok" || outcome === "threw" || outcome === "failed"
    ? undefined
    : outcome;
  return limit === undefined
    ? { exportName, ok: outcome === "ok", outcome, usage }
    : { exportName, ok: false, limit, outcome, usage };
}

/**
 * Why a worker process ended: a task reached a limit (`"limit"`, a
 * cancellation included); it exited unasked with no limit reached
 * (`"crash"`, a failed start included); it ran `maxTasksPerWorker` tasks
 * (`"recycled"`); it stayed idle `idleTimeout` ms above `minSize`
 * (`"idle"`); the pool closed (`"close"`); or it kept memory or processes
 * from its tasks that the next task would be charged for (`"keptMemory"`).
 *
 * @example
 * ```ts
 * import type { WorkerExitReason } from "memlimits";
 * const reason: WorkerExitReason = "recycled";
 * ```
 */
export type WorkerExitReason =
  | "limit"
  | "crash"
  | "recycled"
  | "idle"
  | "close"
  | "keptMemory";

/** The reasons, in the order `stats()` lists them. */
export const WORKER_EXIT_REASONS: readonly WorkerExitReason[] = [
  "limit",
  "crash",
  "recycled",
  "idle",
  "close",
  "keptMemory",
];

/**
 * The detail of a `WorkerPool`'s `"workerexit"` event, dispatched once a
 * worker process has ended (its pid is gone).
 *
 * @example
 * ```ts
 * import type { WorkerExitDetail } from "memlimits";
 * const log = (e: CustomEvent<WorkerExitDetail>) => console.log(e.detail.pid, e.detail.reason);
 * ```
 */
export interface WorkerExitDetail {
  /** The ended process's pid. */
  pid: number;
  /** Why it ended. */
  reason: WorkerExitReason;
}

/**
 * A `WorkerPool`'s events by name, for `addEventListener`.
 *
 * @example
 * ```ts
 * import type { WorkerPoolEventMap } from "memlimits";
 * type Settled = WorkerPoolEventMap["settled"]; // CustomEvent<SettledDetail>
 * ```
 */
export interface WorkerPoolEventMap {
  /** A run settled. */
  settled: CustomEvent<SettledDetail>;
  /** A worker process ended. */
  workerexit: CustomEvent<WorkerExitDetail>;
  /** The queue became empty: there is room for `maxQueue` runs again. */
  drain: Event;
}

/**
 * A listener as `EventTarget` takes it. Spelt out: Node's types declare
 * `EventListener` and `AddEventListenerOptions` in a module, not globally,
 * so the npm build (no DOM lib) does not know those names.
 */
type Listener = ((event: Event) => void) | { handleEvent(event: Event): void };
type Wrapper = (event: Event) => void;

/**
 * The pool's listeners, each wrapped so that what it throws is reported on
 * the console (`console.error`) instead of thrown out of the pool (an async
 * listener's rejection too); and which event types have had a listener, so
 * that an event nobody listens to costs nothing.
 */
export class GuardedListeners {
  readonly #wrappers = new WeakMap<Listener, Map<string, Wrapper>>();
  readonly #heard = new Set<string>();

  /** Whether a listener for `type` was ever added. */
  heard(type: string): boolean {
    return this.#heard.has(type);
  }

  /** The guarded form of `listener` for `type`, the same one each time. */
  wrap(type: string, listener: Listener): Wrapper {
    this.#heard.add(type);
    let byType = this.#wrappers.get(listener);
    if (byType === undefined) this.#wrappers.set(listener, byType = new Map());
    let wrapper = byType.get(type);
    if (wrapper === undefined) {
      const report = (error: unknown) =>
        console.error(
          `a WorkerPool "${type}" listener threw (the pool goes on):`,
          error,
        );
      wrapper = function (this: unknown, event: Event) {
        try {
          const returned: unknown = typeof listener === "function"
            ? listener.call(this, event)
            : listener.handleEvent(event);
          // An async listener's rejection would be unhandled.
          if (returned instanceof Promise) returned.catch(report);
        } catch (error) {
          report(error);
        }
      };
      byType.set(type, wrapper);
    }
    return wrapper;
  }

  /** The guarded form given for `listener` and `type`, if any. */
  wrapped(type: string, listener: Listener): Listener {
    return this.#wrappers.get(listener)?.get(type) ?? listener;
  }
}
