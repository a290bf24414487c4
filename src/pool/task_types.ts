/**
 * The types of a typed pool, `WorkerPool<typeof import("./tasks.ts")>`: the
 * names of the module's exported functions, their arguments and their
 * results, which `run()` checks at compile time. An untyped pool (the
 * default, whose module type has a string index: `string extends keyof M`)
 * takes any name and arguments, as before.
 */
import type { RunLimits } from "./pool_options.ts";

/**
 * The type of a task module as `WorkerPool` sees it: its exports by name.
 * The default, `Record<string, unknown>`, is an untyped pool.
 *
 * @example
 * ```ts
 * import type { TaskModule } from "memlimits";
 * const tasks = { add: (a: number, b: number) => a + b };
 * const ok: TaskModule = tasks;
 * ```
 */
export type TaskModule = object;

/**
 * The names `run()` accepts for module `M`: its exported functions (any
 * string when untyped).
 *
 * @example
 * ```ts
 * import type { TaskName } from "memlimits";
 * type Tasks = { add(a: number, b: number): number; version: string };
 * const name: TaskName<Tasks> = "add"; // "version" is no function
 * ```
 */
export type TaskName<M extends TaskModule> = string extends keyof M ? string
  :
    & {
      // deno-lint-ignore no-explicit-any
      [K in keyof M]: M[K] extends (...args: any[]) => unknown ? K : never;
    }[keyof M]
    & string;

/**
 * `run()`'s arguments after the export's name: the export's parameters
 * (optional when it takes none), then the run's limits.
 *
 * @example
 * ```ts
 * import type { TaskArgs } from "memlimits";
 * type Tasks = { add(a: number, b: number): number };
 * const rest: TaskArgs<Tasks, "add"> = [[1, 2], { timeout: 100 }];
 * ```
 */
export type TaskArgs<M extends TaskModule, K extends string> = string extends
  keyof M ? [args?: unknown[], limits?: RunLimits]
  : K extends keyof M
    ? M[K] extends (...args: infer A) => unknown
      ? [] extends A ? [args?: A, limits?: RunLimits]
      : [args: A, limits?: RunLimits]
    : never
  : never;

/**
 * The `value` of a run of export `K`: what it returns, awaited; `T` when the
 * module is untyped (`run<T>(...)`, as before).
 *
 * @example
 * ```ts
 * import type { TaskValue } from "memlimits";
 * type Tasks = { fetchCount(): Promise<number> };
 * const value: TaskValue<Tasks, "fetchCount", unknown> = 3;
 * ```
 */
export type TaskValue<M extends TaskModule, K extends string, T> =
  string extends keyof M ? T
    : K extends keyof M
      ? M[K] extends (...args: never[]) => infer R ? Awaited<R> : never
    : never;
