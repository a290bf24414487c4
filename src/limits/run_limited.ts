/**
 * The part every limit function shares: open a frame inside the current one,
 * run the task in it, check the limit once more when the task settles, and
 * apply the result discipline: `{ ok: false }` if and only if this limit was
 * reached, whatever the task did next; otherwise the task's exception
 * rejects unchanged, and an enclosing limit's interrupt keeps arising. Every
 * result carries the task's `usage`.
 */
import { currentContext, runInContext } from "../interrupt/context.ts";
import { Frame } from "../interrupt/frame.ts";
import type { Task } from "../result.ts";
import { measureUsage, type Usage, type UsageResult } from "../usage.ts";

/** What a limit function plugs into `runLimited`. */
export interface LimitHooks {
  /** Called once the frame exists, before the task runs: start watching. */
  open(frame: Frame): void;
  /** Called when the task settled: a last check of the limit. */
  settle(frame: Frame): void;
  /** Called last, whatever happened: stop watching, remove listeners. */
  close(): void;
}

/** Runs `task` under one limit. */
export async function runLimited<T>(
  task: Task<T>,
  hooks: LimitHooks,
): Promise<UsageResult<T>> {
  const outer = currentContext();
  if (outer !== undefined && !outer.masked) {
    // Entering a limit is a checkpoint for the enclosing limits.
    const interrupt = outer.frame.pendingInterrupt();
    if (interrupt !== undefined) throw interrupt;
  }
  const frame = new Frame(outer?.frame);
  let threw = false;
  let error: unknown;
  let value: T | undefined;
  const measure = measureUsage();
  let usage: Usage | undefined;
  try {
    hooks.open(frame);
    if (frame.interrupt === undefined) {
      try {
        value = await runInContext(
          { frame, masked: false },
          () => task(frame.signal),
        );
      } catch (e) {
        threw = true;
        error = e;
      }
      usage = measure(); // at settlement, before the limit's own last check
      hooks.settle(frame);
    }
  } finally {
    hooks.close();
    frame.settle();
  }
  usage ??= measure(); // the task never ran: interrupted on entry
  const own = frame.interrupt;
  if (own !== undefined) {
    return { ok: false, error: threw ? error : own, usage };
  }
  if (threw) throw error;
  if (outer !== undefined && !outer.masked) {
    const interrupt = frame.enclosingInterrupt();
    if (interrupt !== undefined) throw interrupt;
  }
  return { ok: true, value: value as T, usage };
}
