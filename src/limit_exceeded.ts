import { formatBytes, formatMs } from "./format.ts";

/**
 * What kind of limit interrupted a task.
 *
 * @example
 * ```ts
 * import { LimitExceeded, type LimitKind } from "memlimits";
 * const kind: LimitKind = "timeout";
 * console.log(new LimitExceeded(kind, 1000, 1003).message); // "timeout of 1000 ms exceeded (observed 1003 ms)"
 * ```
 */
export type LimitKind =
  | "memory"
  | "allocations"
  | "token"
  | "timeout"
  | "cpu";

/**
 * The interrupt delivered to a task when one of its limits is reached: the
 * reason its `AbortSignal` aborts with, what `checkpoint()` throws, and the
 * `error` of an `{ ok: false }` result.
 *
 * @example
 * ```ts
 * import { LimitExceeded, MiB } from "memlimits";
 * const e = new LimitExceeded("memory", 256 * MiB, 270 * MiB);
 * console.log(e.kind, e.message);
 * ```
 */
export class LimitExceeded extends Error {
  /** Which limit was reached. */
  readonly kind: LimitKind;
  /** The limit, in bytes (milliseconds for "timeout" and "cpu"); undefined for tokens. */
  readonly limit: number | undefined;
  /** What was measured when the limit was found reached, in the limit's unit. */
  readonly observed: number | undefined;

  /**
   * Creates the interrupt of a `kind` limit.
   *
   * @param kind which limit was reached
   * @param limit the limit, in its unit
   * @param observed what was measured, in the same unit
   * @param options a message replacing the default one, and a cause
   */
  constructor(
    kind: LimitKind,
    limit?: number,
    observed?: number,
    options?: { message?: string; cause?: unknown },
  ) {
    super(options?.message ?? describe(kind, limit, observed), {
      cause: options?.cause,
    });
    this.name = "LimitExceeded";
    this.kind = kind;
    this.limit = limit;
    this.observed = observed;
  }
}

function describe(kind: LimitKind, limit?: number, observed?: number): string {
  const [l, o] = kind === "memory" || kind === "allocations"
    ? bytesApart(limit, observed)
    : [ms(limit), ms(observed)];
  const seen = observed === undefined ? "" : ` (observed ${o})`;
  const of = limit === undefined ? "" : ` of ${l}`;
  switch (kind) {
    case "memory":
      return `memory limit${of} exceeded${seen}`;
    case "allocations":
      return `allocation limit${of} exceeded${seen}`;
    case "timeout":
      return `timeout${of} exceeded${seen}`;
    case "cpu":
      return `CPU time limit${of} exceeded${seen}`;
    case "token":
      return "task cancelled";
  }
}

function ms(value: number | undefined): string {
  return value === undefined ? "" : formatMs(value);
}

/**
 * Limit and observation in binary units, with as many decimals as it takes
 * (up to 6) for an observation above the limit not to read as equal to it.
 */
function bytesApart(
  limit: number | undefined,
  observed: number | undefined,
): [string, string] {
  if (limit === undefined || observed === undefined) {
    return [limit === undefined ? "" : formatBytes(limit), ""];
  }
  let digits = 1;
  while (
    digits < 6 && observed !== limit &&
    formatBytes(observed, digits) === formatBytes(limit, digits)
  ) digits++;
  return [formatBytes(limit, digits), formatBytes(observed, digits)];
}
