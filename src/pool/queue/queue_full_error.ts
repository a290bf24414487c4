/** The error of a `run()` refused because the pool's queue is full. */

/**
 * `WorkerPool.run` rejects with it, at once, when `maxQueue` runs already
 * wait for a worker: nothing was queued or started for that call. Wait for
 * the pool's `"drain"` event (the queue is empty) before sending more.
 *
 * @example
 * ```ts
 * import { QueueFullError, WorkerPool } from "memlimits";
 * // tasks.ts: export function add(a: number, b: number) { return a + b; }
 * const url = new URL("./tasks.ts", import.meta.url);
 * await using pool = new WorkerPool(url, { size: 1, maxQueue: 100 });
 * try {
 *   await pool.run("add", [1, 2]);
 * } catch (error) {
 *   if (!(error instanceof QueueFullError)) throw error;
 *   await new Promise((resolve) => pool.addEventListener("drain", resolve, { once: true }));
 * }
 * ```
 */
export class QueueFullError extends Error {
  /** The pool's `maxQueue`: runs that may wait. */
  readonly maxQueue: number;

  /** The error of a pool whose `maxQueue` runs are already waiting. */
  constructor(maxQueue: number) {
    super(
      `the WorkerPool's queue is full: maxQueue (${maxQueue}) runs already wait for a worker`,
    );
    this.name = "QueueFullError";
    this.maxQueue = maxQueue;
  }
}
