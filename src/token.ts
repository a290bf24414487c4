import { LimitExceeded } from "./limit_exceeded.ts";

/**
 * A cancellation token: cancel it to interrupt every task limited by it.
 * Backed by an `AbortController`; `signal` is its `AbortSignal`.
 *
 * @example
 * ```ts
 * import { Token } from "memlimits";
 * const token = new Token();
 * setTimeout(() => token.cancel("user pressed stop"), 100);
 * ```
 */
export class Token {
  readonly #controller = new AbortController();

  /** Interrupts the tasks limited by this token. Idempotent: the first reason wins. */
  cancel(reason?: unknown): void {
    if (this.cancelled) return;
    this.#controller.abort(cancellation(reason));
  }

  /** Whether `cancel()` has been called. */
  get cancelled(): boolean {
    return this.#controller.signal.aborted;
  }

  /** An `AbortSignal` that aborts, with a `LimitExceeded` of kind "token", when the token is cancelled. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }
}

/**
 * The interrupt of a cancellation: kind "token", `reason` as its cause and at
 * the end of its message. Shared by `Token`, `limitWithToken` and the pool.
 */
export function cancellation(reason: unknown): LimitExceeded {
  return new LimitExceeded("token", undefined, undefined, {
    message: reason === undefined
      ? "task cancelled"
      : `task cancelled: ${String(reason)}`,
    cause: reason,
  });
}
