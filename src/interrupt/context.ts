/**
 * Which limited task is running now, found with `AsyncLocalStorage` so that
 * it follows the task through `await`s, timers and promise callbacks.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Frame } from "./frame.ts";

/** What the current async context knows: its innermost frame, and whether interrupts are masked. */
export interface TaskContext {
  readonly frame: Frame;
  readonly masked: boolean;
}

const storage = new AsyncLocalStorage<TaskContext>();

/** The current context, or undefined outside any limited task. */
export function currentContext(): TaskContext | undefined {
  return storage.getStore();
}

/** Runs `fn` in `context`. */
export function runInContext<T>(context: TaskContext, fn: () => T): T {
  return storage.run(context, fn);
}
