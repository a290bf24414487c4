/**
 * The `EventTarget` a `WorkerPool` is: its listeners are guarded (one that
 * throws does not reach the pool: pool_events.ts), and an event nobody
 * listens to is never made, so that a pool without listeners pays nothing
 * per run.
 */
import { GuardedListeners, type WorkerPoolEventMap } from "./pool_events.ts";

let listenersOf: (target: PoolEventTarget) => GuardedListeners;

/**
 * What `WorkerPool` extends: an `EventTarget` with the pool's events
 * (`WorkerPoolEventMap`) typed. A listener that throws (or rejects) is
 * reported on the console (`console.error`), and the pool goes on.
 *
 * @example
 * ```ts
 * import { WorkerPool } from "memlimits";
 * await using pool = new WorkerPool(new URL("./tasks.ts", import.meta.url));
 * pool.addEventListener("workerexit", (e) => console.log(e.detail.pid, e.detail.reason));
 * ```
 */
export class PoolEventTarget extends EventTarget {
  readonly #listeners = new GuardedListeners();

  static {
    listenersOf = (target) => target.#listeners;
  }

  /** Listens to one of the pool's events (`WorkerPoolEventMap`). */
  override addEventListener<K extends keyof WorkerPoolEventMap>(
    type: K,
    listener:
      | ((event: WorkerPoolEventMap[K]) => void)
      | { handleEvent(event: WorkerPoolEventMap[K]): void }
      | null,
    options?: boolean | {
      capture?: boolean;
      once?: boolean;
      passive?: boolean;
      signal?: AbortSignal;
    },
  ): void;
  /** Listens to an event of any name. */
  override addEventListener(
    type: string,
    listener:
      | ((event: Event) => void)
      | { handleEvent(event: Event): void }
      | null,
    options?: boolean | {
      capture?: boolean;
      once?: boolean;
      passive?: boolean;
      signal?: AbortSignal;
    },
  ): void;
  override addEventListener(
    type: string,
    listener:
      | ((event: Event) => void)
      | { handleEvent(event: Event): void }
      | null,
    options?: boolean | {
      capture?: boolean;
      once?: boolean;
      passive?: boolean;
      signal?: AbortSignal;
    },
  ): void {
    if (listener === null) return; // EventTarget ignores it too
    super.addEventListener(type, this.#listeners.wrap(type, listener), options);
  }

  /** Removes a listener added with `addEventListener`. */
  override removeEventListener<K extends keyof WorkerPoolEventMap>(
    type: K,
    listener:
      | ((event: WorkerPoolEventMap[K]) => void)
      | { handleEvent(event: WorkerPoolEventMap[K]): void }
      | null,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Removes a listener of an event of any name. */
  override removeEventListener(
    type: string,
    listener:
      | ((event: Event) => void)
      | { handleEvent(event: Event): void }
      | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener:
      | ((event: Event) => void)
      | { handleEvent(event: Event): void }
      | null,
    options?: boolean | EventListenerOptions,
  ): void {
    if (listener === null) return;
    super.removeEventListener(
      type,
      this.#listeners.wrapped(type, listener),
      options,
    );
  }
}

/** Whether `target` ever had a listener for `type`. */
export function heard(
  target: PoolEventTarget,
  type: keyof WorkerPoolEventMap,
): boolean {
  return listenersOf(target).heard(type);
}

/**
 * Dispatches `type` on `target` with `detail`, in a microtask (the pool's
 * state is whole again by then, whatever a listener does), if anyone
 * listens.
 */
export function emit<K extends keyof WorkerPoolEventMap>(
  target: PoolEventTarget,
  type: K,
  detail?: WorkerPoolEventMap[K] extends CustomEvent<infer D> ? D : never,
): void {
  if (!heard(target, type)) return;
  const event = detail === undefined
    ? new Event(type)
    : new CustomEvent(type, { detail });
  queueMicrotask(() => target.dispatchEvent(event));
}
