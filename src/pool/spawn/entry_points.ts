/**
 * The pool's entry points of other threads and processes, named
 * `*.process.ts`, `*.thread.ts` and `*.preload.ts`. They are started by
 * path, not imported: each lies next to the module that starts it, with that
 * module's extension (`.js` in the npm package's compiled JavaScript, since
 * Node does not strip types inside node_modules; `.ts` from the sources and
 * from JSR, whose https: URLs Deno runs as they are). tsconfig.build.json
 * lists them, since the compiler does not see them through imports.
 */
import { fileURLToPath } from "node:url";

const extension = import.meta.url.endsWith(".js") ? ".js" : ".ts";

/** The URL of the entry file at `path` (relative to this folder, without its extension). */
function entryUrl(path: string): URL {
  return new URL(`./${path}${extension}`, import.meta.url);
}

/** A path for a command line: a file path, or the URL of a remote module. */
function commandLinePath(url: URL): string {
  return url.protocol === "file:" ? fileURLToPath(url) : url.href;
}

/** A worker process's entry: loads the task module and runs its tasks. */
export const WORKER_PROCESS: string = commandLinePath(
  entryUrl("../worker/worker.process"),
);

/** Preloaded by Deno workers that may not read every file (see the file). */
export const LOAD_GUARD_PRELOAD: string = commandLinePath(
  entryUrl("../worker/load_guard.preload"),
);

/** The host's watchdog thread. */
export const WATCHDOG_THREAD: URL = entryUrl("../watchdog/watchdog.thread");

/** A worker's memory brake thread. */
export const BRAKE_THREAD: URL = entryUrl("../worker/brake.thread");
