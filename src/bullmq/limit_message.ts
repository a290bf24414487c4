/**
 * The message of the error a BullMQ job fails with when a limit stopped its
 * task: BullMQ keeps only the message (the job's `failedReason`), so it says
 * which limit, how much, and what was observed, in units people read.
 */
import { formatBytes, formatMs } from "../format.ts";
import type { LimitExceeded, LimitKind } from "../limit_exceeded.ts";

/** How each kind's limit and observation read: bytes or milliseconds. */
const FORMATS: Record<Exclude<LimitKind, "token">, (n: number) => string> = {
  memory: formatBytes,
  allocations: formatBytes,
  timeout: formatMs,
  cpu: formatMs,
};

/**
 * "memlimits stopped the job: memory limit of 256 MiB exceeded (observed
 * 270.4 MiB)"; for a cancellation, its reason.
 *
 * @example
 * ```ts
 * import { LimitExceeded } from "../limit_exceeded.ts";
 * import { limitMessage } from "./limit_message.ts";
 * console.log(limitMessage(new LimitExceeded("timeout", 500, 503.2)));
 * // "memlimits stopped the job: timeout limit of 500 ms exceeded (observed 503.2 ms)"
 * ```
 */
export function limitMessage(error: LimitExceeded): string {
  const prefix = "memlimits stopped the job: ";
  if (error.kind === "token") return `${prefix}token limit: ${error.message}`;
  const format = FORMATS[error.kind];
  const limit = error.limit === undefined ? "" : ` of ${format(error.limit)}`;
  const observed = error.observed === undefined || Number.isNaN(error.observed)
    ? ""
    : ` (observed ${format(error.observed)})`;
  return `${prefix}${error.kind} limit${limit} exceeded${observed}`;
}
