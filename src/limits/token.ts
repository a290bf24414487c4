/** `limitWithToken`: interrupt a task from a distance with a `Token` or an `AbortSignal`. */
import { requireStarted } from "../engine/engine.ts";
import { LimitExceeded } from "../limit_exceeded.ts";
import type { Task } from "../result.ts";
import type { UsageResult } from "../usage.ts";
import { cancellation, Token } from "../token.ts";
import { runLimited } from "./run_limited.ts";
import {
  type AcceptedKeys,
  checkOptions,
  checkTask,
  describe,
} from "./validate.ts";

/**
 * Options of `limitWithToken`.
 *
 * @example
 * ```ts
 * import { type TokenLimitOptions, Token } from "memlimits";
 * const options: TokenLimitOptions = { token: new Token() };
 * ```
 */
export interface TokenLimitOptions {
  /** Cancelling the token (or aborting the signal) interrupts the task. */
  token: Token | AbortSignal;
}

const TOKEN_LIMIT_KEYS: AcceptedKeys<TokenLimitOptions> = { token: true };

/**
 * Runs `task` and interrupts it when `token` is cancelled (or the signal
 * aborts). The result is `{ ok: false }` if and only if that happened while
 * the task was pending; a token cancelled before the call gives
 * `{ ok: false }` without running the task. Every result carries the task's
 * `usage` (`wallMs`, and `allocated` where the runtime counts it). Throws a
 * TypeError for a wrong type or an unknown key of `options`.
 *
 * @example
 * ```ts
 * import { limitWithToken, start } from "memlimits";
 * using _engine = start();
 * const r = await limitWithToken(
 *   (signal) => new Promise((resolve) => signal.addEventListener("abort", resolve)),
 *   { token: AbortSignal.timeout(10) },
 * );
 * console.log(r.ok); // false
 * ```
 */
export function limitWithToken<T>(
  task: Task<T>,
  options: TokenLimitOptions,
): Promise<UsageResult<T>> {
  checkTask(task);
  const token =
    checkOptions(options, false, TOKEN_LIMIT_KEYS, "limitWithToken").token;
  if (!(token instanceof Token) && !(token instanceof AbortSignal)) {
    throw new TypeError(
      `options.token must be a Token or an AbortSignal, got ${describe(token)}`,
    );
  }
  requireStarted("limitWithToken");
  const signal = token instanceof Token ? token.signal : token;
  let onAbort: (() => void) | undefined;
  return runLimited(task, {
    open(frame) {
      onAbort = () => frame.reach(asInterrupt(signal.reason));
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    },
    settle(frame) {
      if (signal.aborted) frame.reach(asInterrupt(signal.reason));
    },
    close() {
      if (onAbort) signal.removeEventListener("abort", onAbort);
    },
  });
}

/** The token's reason if it is already an interrupt, else one of kind "token" caused by it. */
function asInterrupt(reason: unknown): LimitExceeded {
  if (reason instanceof LimitExceeded) return reason;
  return cancellation(reason);
}
