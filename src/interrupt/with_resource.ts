/**
 * `withResource`: acquire and release run masked, so an interrupt never
 * lands between taking a resource and recording that it must be released.
 */
import { describe } from "../limits/validate.ts";
import { currentContext, runInContext } from "./context.ts";

/**
 * A resource for `withResource`: `acquire` takes it, `release` gives it back.
 *
 * @example
 * ```ts
 * import type { Resource } from "memlimits";
 * const file: Resource<Deno.FsFile> = {
 *   acquire: () => Deno.open("/tmp/log.txt", { write: true, create: true }),
 *   release: (f) => f.close(),
 * };
 * ```
 */
export interface Resource<R> {
  /** Takes the resource; runs masked (no interrupt is delivered inside). */
  acquire(): R | Promise<R>;
  /** Gives it back; runs masked, exactly once after a successful `acquire`. */
  release(resource: R): void | Promise<void>;
}

/**
 * Runs `use` with a resource, masking interrupts inside `acquire` and
 * `release`: an interrupt that arises while they run is delivered at the
 * first checkpoint after them (`withResource` itself checks once between
 * `acquire` and `use`). `release` runs exactly once whether `use` returns,
 * throws or is interrupted; if `acquire` throws, `release` is not called.
 *
 * @example
 * ```ts
 * import { limitGlobalMemory, MiB, start, withResource } from "memlimits";
 * using _engine = start();
 * const shared = { busy: false };
 * const lock = {
 *   acquire: () => { shared.busy = true; return shared; },
 *   release: (s: typeof shared) => { s.busy = false; },
 * };
 * const r = await limitGlobalMemory(
 *   () => withResource(lock, (s) => s.busy),
 *   { limit: 4096 * MiB },
 * );
 * console.log(r.ok && r.value, shared.busy); // true false
 * ```
 */
export async function withResource<R, T>(
  resource: Resource<R>,
  use: (resource: R) => T | Promise<T>,
): Promise<T> {
  if (
    typeof resource !== "object" || resource === null ||
    typeof resource.acquire !== "function" ||
    typeof resource.release !== "function"
  ) {
    throw new TypeError(
      `resource must be an object with acquire() and release(resource) methods, got ${
        typeof resource === "object" && resource !== null
          ? "an object without both"
          : describe(resource)
      }`,
    );
  }
  if (typeof use !== "function") {
    throw new TypeError(`use must be a function, got ${describe(use)}`);
  }
  const context = currentContext();
  const masked = <U>(fn: () => U): U =>
    context === undefined
      ? fn()
      : runInContext({ frame: context.frame, masked: true }, fn);

  const acquired = await masked(() => resource.acquire());
  try {
    if (context !== undefined && !context.masked) {
      const interrupt = context.frame.pendingInterrupt();
      if (interrupt !== undefined) throw interrupt;
    }
    return await use(acquired);
  } finally {
    await masked(() => resource.release(acquired));
  }
}
