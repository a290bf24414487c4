/**
 * Preloaded (`deno run --preload`) ahead of the task module when a worker
 * may not read every file: a preloaded module (with its static imports) is part of the
 * worker's initial module graph, which Deno loads without a read check. If
 * the task module throws while it is evaluated, the rejection would end the
 * process before `worker.process.ts` runs; this guard stops that, so that
 * `worker.process.ts` meets the same error in its `import()` and reports it to
 * the host as it does otherwise. `worker.process.ts` ends the guard once the
 * module has loaded.
 *
 * It first takes the worker's channel to the host (private_channel.ts), so
 * that the task module's top level, which runs next, sees none of it.
 */
import "./private_channel.ts";

// Typed here rather than with the DOM's types, which the npm build (tsc with
// Node's types) does not have; this file runs on Deno only.
type Listener = (event: { preventDefault(): void }) => void;
const global = globalThis as unknown as
  & {
    addEventListener(type: string, listener: Listener): void;
    removeEventListener(type: string, listener: Listener): void;
  }
  & Record<symbol, unknown>;
const onRejection: Listener = (event) => event.preventDefault();
global.addEventListener("unhandledrejection", onRejection);
global[Symbol.for("memlimits.endLoadGuard")] = () =>
  global.removeEventListener("unhandledrejection", onRejection);
