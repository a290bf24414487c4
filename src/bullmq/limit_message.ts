/**
 * The message of the error a BullMQ job fails with when a limit stopped its
 * task: BullMQ keeps only the message (the job's `failedReason`), so it is
 * the `LimitExceeded`'s own, which names the limit, how much, and what was
 * observed, in binary units and ms.
 */
import type { LimitExceeded } from "../limit_exceeded.ts";

/**
 * "memlimits stopped the job: memory limit of 256 MiB exceeded (observed
 * 270.4 MiB)"; for a cancellation, its reason.
 *
 * @example
 * ```ts
 * import { LimitExceeded } from "../limit_exceeded.ts";
 * import { limitMessage } from "./limit_message.ts";
 * console.log(limitMessage(new LimitExceeded("timeout", 500, 503.2)));
 * // "memlimits stopped the job: timeout of 500 ms exceeded (observed 503 ms)"
 * ```
 */
export function limitMessage(error: LimitExceeded): string {
  return `memlimits stopped the job: ${error.message}`;
}
