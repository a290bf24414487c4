/**
 * Preloaded (`deno run --preload`) ahead of the task module when a worker
 * may not read every file: a preloaded module (with its static imports) is part of the
 * worker's initial module graph, which Deno loads without a read check. If
 * the task module throws while it is evaluated, the rejection would end the
 * process before `worker_main.ts` runs; this guard stops that, so that
 * `worker_main.ts` meets the same error in its `import()` and reports it to
 * the host as it does otherwise. `worker_main.ts` ends the guard once the
 * module has loaded.
 */
const onRejection = (event: PromiseRejectionEvent) => event.preventDefault();
globalThis.addEventListener("unhandledrejection", onRejection);
(globalThis as Record<symbol, unknown>)[Symbol.for("memlimits.endLoadGuard")] =
  () => globalThis.removeEventListener("unhandledrejection", onRejection);
