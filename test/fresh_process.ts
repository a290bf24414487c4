/**
 * Runs a script in a fresh process of the runtime running the tests, for
 * tests that need a process of their own (global state, exit behaviour,
 * resources a runtime leaks).
 */
import {
  spawnSync,
  type SpawnSyncOptions,
  type SpawnSyncReturns,
} from "node:child_process";
import { fileURLToPath } from "node:url";
import { isDeno } from "./harness.ts";

/**
 * Runs `script` under this runtime with `args` (killed after 20 s) and
 * returns how it ended, with its output as Buffers (unless `options.stdio`
 * sends it elsewhere: files, for a script whose children may hold a pipe
 * open after it ended).
 *
 * @example
 * ```ts
 * const child = runInFreshProcess(new URL("./script.ts", import.meta.url));
 * console.log(child.status, String(child.stdout));
 * ```
 */
export function runInFreshProcess(
  script: URL,
  args: string[] = [],
  options: SpawnSyncOptions = {},
): SpawnSyncReturns<Buffer> {
  const path = fileURLToPath(script);
  // Bun and Node run the script as it is (Node strips its types).
  const command = isDeno ? Deno.execPath() : process.execPath;
  const runtimeArgs = isDeno ? ["run", "-A", "--no-check", path] : [path];
  return spawnSync(command, [...runtimeArgs, ...args], {
    timeout: 20_000,
    ...options,
  }) as SpawnSyncReturns<Buffer>;
}
