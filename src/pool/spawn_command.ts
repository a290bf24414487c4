/**
 * The command line that starts a worker process: the pool's one runtime
 * difference. Every runtime runs the same entry (`worker_main.ts`) with the
 * task module's URL as its argument.
 *
 * - Deno: `deno run -A`, plus V8's old-generation cap as a backstop
 *   (`--max-old-space-size`) set well above the memory limit, so that the
 *   host's RSS watch fires first. A worker that hits the cap dies alone
 *   (it is a separate process), and the pool reports it as over its limit.
 * - Node: `node worker_main.ts` (Node 25 and later strip the types), with the
 *   same V8 cap as on Deno. A Node worker that hits the cap aborts (SIGABRT)
 *   where a Deno worker traps (SIGTRAP): `isHeapCapExit` tells them apart
 *   from other crashes.
 * - Bun: `bun worker_main.ts`; JavaScriptCore has no heap cap, so the RSS
 *   watch is the only stop.
 */
import { fileURLToPath } from "node:url";

type Runtime = "deno" | "bun" | "node";
const runtime: Runtime = "Bun" in globalThis
  ? "bun"
  : "Deno" in globalThis
  ? "deno"
  : "node";
// Next to this module, with its extension: `.ts` from source, `.js` once
// compiled for npm (Node does not strip types inside node_modules).
const extension = import.meta.url.endsWith(".js") ? ".js" : ".ts";
const entry = fileURLToPath(
  new URL(`./worker_main${extension}`, import.meta.url),
);

/** Executable and arguments for one worker process. */
export function spawnCommand(
  moduleUrl: string,
  heapCapBytes: number | undefined,
): { command: string; args: string[] } {
  const capMiB = heapCapBytes === undefined
    ? undefined
    : Math.ceil(heapCapBytes / 2 ** 20);
  const command = process.execPath;
  switch (runtime) {
    case "bun":
      return { command, args: [entry, moduleUrl] };
    case "node": {
      const cap = capMiB === undefined
        ? []
        : [`--max-old-space-size=${capMiB}`];
      return { command, args: [...cap, entry, moduleUrl] };
    }
    case "deno": {
      const cap = capMiB === undefined
        ? []
        : [`--v8-flags=--max-old-space-size=${capMiB}`];
      return {
        command,
        args: ["run", "-A", "--quiet", ...cap, entry, moduleUrl],
      };
    }
  }
}

/** The V8 heap cap for a memory limit: twice the limit plus 64 MiB. */
export function heapCapFor(limitBytes: number | undefined): number | undefined {
  return limitBytes === undefined ? undefined : 2 * limitBytes + 64 * 2 ** 20;
}

/**
 * Whether a worker process's exit is V8 stopping it at the heap cap: Deno
 * traps (SIGTRAP, or exit code 133 through a shell), Node aborts (SIGABRT,
 * 134). Bun sets no cap, so no Bun exit is one.
 */
export function isHeapCapExit(
  exit: { code: number | null; signal: string | null },
): boolean {
  switch (runtime) {
    case "bun":
      return false;
    case "node":
      return exit.signal === "SIGABRT" || exit.code === 134;
    case "deno":
      return exit.signal === "SIGTRAP" || exit.code === 133;
  }
}
