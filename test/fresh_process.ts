/**
 * Runs a script in a fresh process of the runtime running the tests, for
 * tests that need a process of their own (global state, exit behaviour,
 * resources a runtime leaks).
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isDeno } from "./harness.ts";

/**
 * Runs `script` under this runtime (killed after 20 s) and returns how it
 * ended, with its output as Buffers.
 *
 * @example
 * ```ts
 * const child = runInFreshProcess(new URL("./script.ts", import.meta.url));
 * console.log(child.status, String(child.stdout));
 * ```
 */
export function runInFreshProcess(script: URL): SpawnSyncReturns<Buffer> {
  const path = fileURLToPath(script);
  // Bun and Node run the script as it is (Node strips its types).
  const command = isDeno ? Deno.execPath() : process.execPath;
  const args = isDeno ? ["run", "-A", "--no-check", path] : [path];
  return spawnSync(command, args, { timeout: 20_000 });
}
