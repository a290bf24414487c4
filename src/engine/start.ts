/** The public switch of the engine: `start`, `stop`, `isStarted`. */
import { engineStarted, startEngine, stopEngine } from "./engine.ts";
import type { EngineOptions } from "./options.ts";
import { resolveOptions } from "./resolve_options.ts";

export type { EngineOptions } from "./options.ts";

/**
 * The running engine, as returned by `start()`; stopping it is the same as
 * calling `stop()`, except that it does nothing once the engine was stopped
 * and started again elsewhere. Works with `using`.
 *
 * @example
 * ```ts
 * import { start } from "memlimits";
 * const engine = start();
 * engine.stop();
 * ```
 */
export interface Engine {
  /** Stops the engine (see `stop()`). */
  stop(): void;
  /** Same as `stop()`, for `using engine = start()`. */
  [Symbol.dispose](): void;
}

/**
 * Turns the sampling engine on; limit functions throw until it is. Throws an
 * Error if it is already started, a TypeError for an option of the wrong
 * type or an unknown one, and a RangeError for a value out of range (a
 * sampling interval longer than the default is refused).
 *
 * @example
 * ```ts
 * import { start } from "memlimits";
 * using _engine = start(); // stopped at the end of the block
 * ```
 */
export function start(options?: EngineOptions): Engine {
  const generation = startEngine(resolveOptions(options));
  const stopThis = () => stopEngine(generation);
  return { stop: stopThis, [Symbol.dispose]: stopThis };
}

/**
 * Turns the engine off. Does nothing if it is off; throws an Error (and
 * stays on) while limited tasks are still pending.
 *
 * @example
 * ```ts
 * import { start, stop } from "memlimits";
 * start();
 * stop();
 * ```
 */
export function stop(): void {
  stopEngine();
}

/**
 * Whether the engine is on.
 *
 * @example
 * ```ts
 * import { isStarted } from "memlimits";
 * console.log(isStarted()); // false until start()
 * ```
 */
export function isStarted(): boolean {
  return engineStarted();
}
