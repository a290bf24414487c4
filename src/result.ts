/**
 * The outcome of a limited task: `{ ok: false }` if and only if this limit was
 * reached, whatever the task did next.
 *
 * @example
 * ```ts
 * import type { Result } from "memlimits";
 * const r: Result<number> = { ok: true, value: 42 };
 * if (r.ok) console.log(r.value);
 * ```
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * A task run under a limit. It receives an `AbortSignal` that aborts with a
 * `LimitExceeded` reason when the limit is reached.
 *
 * @example
 * ```ts
 * import type { Task } from "memlimits";
 * const task: Task<string> = async (signal) => (await fetch("http://localhost:8000", { signal })).text();
 * ```
 */
export type Task<T> = (signal: AbortSignal) => T | Promise<T>;
