/**
 * The environment of the pool's worker processes (`WorkerPoolOptions.env`):
 * the host's by default; else the given variables plus the few a runtime
 * needs to find what it has already compiled and downloaded. Node adds its
 * IPC channel's own variables to any environment itself.
 */
import { runtime } from "../../runtime.ts";

/** Deno's module cache is under DENO_DIR, else XDG_CACHE_HOME, else HOME. */
const DENO_NEEDS = ["DENO_DIR", "XDG_CACHE_HOME", "HOME"];

/**
 * The workers' environment for the pool's `env` option: undefined (the
 * host's, read when each worker starts) when it was not given.
 */
export function workerEnv(
  env: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (env === undefined) return undefined;
  const needs = runtime === "deno" ? DENO_NEEDS : [];
  const base: Record<string, string> = {};
  for (const name of needs) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return { ...base, ...env };
}
