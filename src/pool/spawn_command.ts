/**
 * The command line that starts a worker process: the pool's one runtime
 * difference. Both runtimes run the same entry (`worker_main.ts`) with the
 * task module's URL as its argument.
 *
 * - Deno: `deno run -A`, plus V8's old-generation cap as a backstop
 *   (`--max-old-space-size`) set well above the memory limit, so that the
 *   host's RSS watch fires first. A worker that hits the cap dies alone
 *   (it is a separate process), and the pool reports it as over its limit.
 * - Bun: `bun worker_main.ts`; JavaScriptCore has no heap cap, so the RSS
 *   watch is the only stop.
 */
import { fileURLToPath } from "node:url";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
// Next to this module, with its extension: worker_main.js where the npm
// package's compiled JavaScript runs, worker_main.ts from the sources. Deno
// runs a remote entry (a JSR package's https: URL) as it is.
const extension = import.meta.url.endsWith(".js") ? ".js" : ".ts";
const entryUrl = new URL(`./worker_main${extension}`, import.meta.url);
const entry = entryUrl.protocol === "file:"
  ? fileURLToPath(entryUrl)
  : entryUrl.href;

/** Executable and arguments for one worker process. */
export function spawnCommand(
  moduleUrl: string,
  heapCapBytes: number | undefined,
): { command: string; args: string[] } {
  if (isBun) return { command: process.execPath, args: [entry, moduleUrl] };
  const cap = heapCapBytes === undefined
    ? []
    : [`--v8-flags=--max-old-space-size=${Math.ceil(heapCapBytes / 2 ** 20)}`];
  return {
    command: process.execPath,
    args: ["run", "-A", "--quiet", ...cap, entry, moduleUrl],
  };
}

/** The V8 heap cap for a memory limit: twice the limit plus 64 MiB. */
export function heapCapFor(limitBytes: number | undefined): number | undefined {
  return limitBytes === undefined ? undefined : 2 * limitBytes + 64 * 2 ** 20;
}
