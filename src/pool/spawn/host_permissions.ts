/**
 * What the host itself must hold for the pool to work on Deno: running the
 * Deno executable, the whole environment, reading memlimits' own files, and,
 * for memory and CPU limits on Linux, reading /proc. Checked when a pool is
 * made (and for /proc at the first run that needs it), so that a missing
 * permission is a clear Error naming the flag, not a prompt or a failure
 * later.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { denoNamespace } from "../../runtime.ts";
import { granted } from "./permissions.ts";

/**
 * Throws an Error naming the flag when the host lacks a permission the pool
 * itself needs (see docs/workers.md, "Configuration and permissions on
 * Deno"): running the Deno executable, the whole environment (which
 * node:child_process copies into each worker), reading memlimits' own files
 * (its watchdog thread is started from them), and, for memory limits on
 * Linux, reading /proc, which Deno allows only with every permission granted.
 */
export function checkPoolPermissions(memoryLimits: boolean): void {
  const deno = denoNamespace();
  if (!deno) return;
  const exec = deno.execPath();
  if (!granted(deno, "run", exec)) {
    throw new Error(
      `the WorkerPool starts its workers with the Deno executable: run the host with --allow-run=${exec} (or -A)`,
    );
  }
  const env = deno.permissions.querySync({ name: "env" });
  if (env.state !== "granted" || env.partial) {
    throw new Error(
      "the WorkerPool passes the host's environment to its workers (node:child_process reads all of it): run the host with --allow-env (or -A)",
    );
  }
  // The watchdog thread is started from this library's own files, which a
  // worker thread may load only with read access (a remote package: import).
  const library = new URL("../../../", import.meta.url);
  if (library.protocol === "file:") {
    const path = fileURLToPath(library).replace(/\/$/, "");
    if (!granted(deno, "read", path)) {
      throw new Error(
        `the WorkerPool starts its watchdog thread from memlimits' own modules: run the host with --allow-read=${path} (or -A)`,
      );
    }
  }
  if (memoryLimits) checkMemoryLimitPermission();
}

/**
 * Throws an Error naming the flag when Deno's permissions stop memory limits
 * (or CPU limits): on Linux they read each worker's /proc/PID/statm (stat),
 * which Deno opens only with every permission granted (`-A`). Elsewhere, and
 * on Bun, nothing.
 */
export function checkMemoryLimitPermission(
  limits: "memory limits" | "CPU limits" = "memory limits",
): void {
  const deno = denoNamespace();
  if (procAllowed || !deno || process.platform !== "linux") return;
  const file = limits === "memory limits" ? "statm" : "stat";
  const refused = new Error(
    `${limits} read each worker's /proc/PID/${file}, which Deno opens only under --allow-all: run the host with -A, or use the pool without ${limits}`,
  );
  // Not granted: a read would prompt on a terminal. Granted (say
  // --allow-read=/proc): Deno still refuses without every permission.
  if (!granted(deno, "read", "/proc/self/statm")) throw refused;
  try {
    readFileSync("/proc/self/statm");
  } catch (error) {
    if ((error as Error).name === "NotCapable") {
      refused.cause = error;
      throw refused;
    }
  }
  procAllowed = true;
}

/**
 * Set once /proc was found readable: the check runs at every memory- or
 * CPU-limited run, and its query and read cost ~90 µs of the host's main
 * thread on Deno (bench/pool_bench.ts). Permissions that are revoked later
 * are not seen.
 */
let procAllowed = false;
